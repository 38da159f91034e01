package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The parts of an OpenAPI 3 document the tests look at. Unknown keys are
// ignored, so the document may grow without touching these types.
type (
	openAPIDoc struct {
		OpenAPI string `yaml:"openapi"`
		Info    struct {
			Title   string `yaml:"title"`
			Version string `yaml:"version"`
		} `yaml:"info"`
		Paths      map[string]map[string]yaml.Node `yaml:"paths"`
		Components struct {
			Parameters map[string]openAPIParameter `yaml:"parameters"`
			Schemas    map[string]map[string]any   `yaml:"schemas"`
		} `yaml:"components"`
	}
	openAPIOperation struct {
		OperationID string                     `yaml:"operationId"`
		Summary     string                     `yaml:"summary"`
		Parameters  []openAPIParameter         `yaml:"parameters"`
		Responses   map[string]openAPIResponse `yaml:"responses"`
	}
	openAPIResponse struct {
		Ref     string                  `yaml:"$ref"`
		Content map[string]openAPIMedia `yaml:"content"`
	}
	openAPIMedia struct {
		Schema   map[string]any            `yaml:"schema"`
		Example  any                       `yaml:"example"`
		Examples map[string]openAPIExample `yaml:"examples"`
	}
	// openAPIExample is a named example. The extensions x-query and x-path
	// (ours) give the request it answers: x-query the query parameters (an
	// empty map: none), x-path the path parameters (default: their examples).
	openAPIExample struct {
		Value  any               `yaml:"value"`
		XQuery map[string]string `yaml:"x-query"`
		XPath  map[string]string `yaml:"x-path"`
	}
	openAPIParameter struct {
		Ref      string `yaml:"$ref"`
		Name     string `yaml:"name"`
		In       string `yaml:"in"`
		Required bool   `yaml:"required"`
		Example  any    `yaml:"example"`
		Schema   struct {
			Example any `yaml:"example"`
		} `yaml:"schema"`
	}
)

// openAPIMethods are the keys of an OpenAPI path item that are operations;
// every other key (parameters, summary, …) is not.
var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// mustLoadOpenAPI parses the embedded document.
func mustLoadOpenAPI(t *testing.T) *openAPIDoc {
	t.Helper()
	var doc openAPIDoc
	if err := yaml.Unmarshal(OpenAPI, &doc); err != nil {
		t.Fatalf("openapi.yaml does not parse: %v", err)
	}
	return &doc
}

// documentedOperation is one method+path of the document with its parameters
// (path-level and operation-level, references resolved).
type documentedOperation struct {
	RouteInfo
	op     openAPIOperation
	params []openAPIParameter
}

// mustOperations returns every operation of the document, sorted.
func mustOperations(t *testing.T, doc *openAPIDoc) []documentedOperation {
	t.Helper()
	resolve := func(p openAPIParameter) openAPIParameter {
		if p.Ref == "" {
			return p
		}
		name, ok := strings.CutPrefix(p.Ref, "#/components/parameters/")
		rp, found := doc.Components.Parameters[name]
		if !ok || !found {
			t.Fatalf("parameter $ref %q does not resolve", p.Ref)
		}
		return rp
	}
	var ops []documentedOperation
	for path, item := range doc.Paths {
		var shared []openAPIParameter
		if n, ok := item["parameters"]; ok {
			if err := n.Decode(&shared); err != nil {
				t.Fatalf("%s: parameters: %v", path, err)
			}
		}
		for key, node := range item {
			if !slices.Contains(openAPIMethods, key) {
				continue
			}
			var op openAPIOperation
			if err := node.Decode(&op); err != nil {
				t.Fatalf("%s %s: %v", key, path, err)
			}
			d := documentedOperation{RouteInfo: RouteInfo{Method: strings.ToUpper(key), Path: path}, op: op}
			for _, p := range append(slices.Clone(shared), op.Parameters...) {
				d.params = append(d.params, resolve(p))
			}
			ops = append(ops, d)
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		return ops[i].Path+" "+ops[i].Method < ops[j].Path+" "+ops[j].Method
	})
	return ops
}

func TestOpenAPIDocument(t *testing.T) {
	doc := mustLoadOpenAPI(t)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi = %q, want 3.x", doc.OpenAPI)
	}
	if doc.Info.Title != "Netbank API" {
		t.Errorf("info.title = %q, want %q", doc.Info.Title, "Netbank API")
	}
	if doc.Info.Version == "" {
		t.Error("info.version is empty")
	}
	ids := map[string]string{}
	pathParam := regexp.MustCompile(`\{([^}]+)\}`)
	for _, d := range mustOperations(t, doc) {
		name := d.Method + " " + d.Path
		if d.op.OperationID == "" {
			t.Errorf("%s: no operationId", name)
		} else if other, dup := ids[d.op.OperationID]; dup {
			t.Errorf("%s: operationId %q also used by %s", name, d.op.OperationID, other)
		} else {
			ids[d.op.OperationID] = name
		}
		if d.op.Summary == "" {
			t.Errorf("%s: no summary", name)
		}
		has2xx := false
		for status := range d.op.Responses {
			has2xx = has2xx || strings.HasPrefix(status, "2")
		}
		if !has2xx {
			t.Errorf("%s: no 2xx response documented", name)
		}
		if _, ok := d.op.Responses["default"]; !ok {
			t.Errorf("%s: no default (error) response documented", name)
		}
		// Path parameters in the template and in the list must match.
		var inTemplate, declared []string
		for _, m := range pathParam.FindAllStringSubmatch(d.Path, -1) {
			inTemplate = append(inTemplate, m[1])
		}
		for _, p := range d.params {
			if p.In == "path" {
				declared = append(declared, p.Name)
				if !p.Required {
					t.Errorf("%s: path parameter %q must be required", name, p.Name)
				}
			}
		}
		slices.Sort(inTemplate)
		slices.Sort(declared)
		if !slices.Equal(inTemplate, declared) {
			t.Errorf("%s: path parameters in the path %v, declared %v", name, inTemplate, declared)
		}
	}
}

// TestOpenAPIRefsResolve checks that every $ref of the document points at
// something that exists.
func TestOpenAPIRefsResolve(t *testing.T) {
	var root map[string]any
	if err := yaml.Unmarshal(OpenAPI, &root); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, child := range v {
				if ref, ok := child.(string); ok && k == "$ref" {
					if !resolves(root, ref) {
						t.Errorf("$ref %q does not resolve", ref)
					}
					continue
				}
				walk(child)
			}
		case []any:
			for _, child := range v {
				walk(child)
			}
		}
	}
	walk(root)
}

// resolves reports whether the local JSON pointer ref ("#/components/…")
// names a node of root.
func resolves(root map[string]any, ref string) bool {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return false
	}
	var cur any = root
	for part := range strings.SplitSeq(rest, "/") {
		part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[part]; !ok {
			return false
		}
	}
	return true
}

// TestOpenAPIMatchesRoutes checks both directions: every route of the route
// table is documented with the same method, and every documented path and
// method is served (a request to it is not a routing 404 or 405).
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc := mustLoadOpenAPI(t)
	srv := New(Config{})
	ops := mustOperations(t, doc)

	for _, msg := range routeMismatches(ops, srv.Routes()) {
		t.Error(msg)
	}

	// Send a request for every documented operation, filling in parameters
	// from their examples, and check the router found a handler.
	for _, d := range ops {
		t.Run(d.Method+" "+d.Path, func(t *testing.T) {
			target := exampleTarget(d, false)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(d.Method, target, nil))
			if isRoutingMiss(t, rec) {
				t.Errorf("%s %s: status %d from the router, body %s", d.Method, target, rec.Code, rec.Body)
			}
		})
	}
}

// routeMismatches compares the documented operations with the route table
// and describes every route that is not documented and every documented
// operation that is not a route.
func routeMismatches(ops []documentedOperation, routes []RouteInfo) []string {
	var out []string
	documented := map[RouteInfo]bool{}
	for _, d := range ops {
		documented[d.RouteInfo] = true
	}
	served := map[RouteInfo]bool{}
	for _, r := range routes {
		served[r] = true
		if !documented[r] {
			out = append(out, fmt.Sprintf("route %s %s is not documented in openapi.yaml", r.Method, r.Path))
		}
	}
	for _, d := range ops {
		if !served[d.RouteInfo] {
			out = append(out, fmt.Sprintf("openapi.yaml documents %s %s, which is not in the route table", d.Method, d.Path))
		}
	}
	return out
}

// TestRouteMismatchesCatchesDrift makes sure the comparison above can fail:
// a route added without documentation, and a documented operation whose
// route is gone (or uses another method), are both reported.
func TestRouteMismatchesCatchesDrift(t *testing.T) {
	ops := mustOperations(t, mustLoadOpenAPI(t))
	srv := New(Config{})
	srv.Route(http.MethodPost, Prefix+"/undocumented/{id}", func(http.ResponseWriter, *http.Request) {})
	got := routeMismatches(ops, srv.Routes())
	want := []string{"route POST /api/v1/undocumented/{id} is not documented in openapi.yaml"}
	if !slices.Equal(got, want) {
		t.Errorf("extra route: got %q, want %q", got, want)
	}

	var routes []RouteInfo
	for _, r := range New(Config{}).Routes() {
		if r.Path == Prefix+"/calendar" {
			r.Method = http.MethodPost
		}
		routes = append(routes, r)
	}
	got = routeMismatches(ops, routes)
	want = []string{
		"route POST /api/v1/calendar is not documented in openapi.yaml",
		"openapi.yaml documents GET /api/v1/calendar, which is not in the route table",
	}
	if !slices.Equal(got, want) {
		t.Errorf("changed method: got %q, want %q", got, want)
	}
}

// exampleTarget returns the request target for d with the path parameters
// filled in from their examples, and the query parameters too: the required
// ones always, the optional ones when all is true and they have an example.
func exampleTarget(d documentedOperation, all bool) string {
	path := d.Path
	q := url.Values{}
	for _, p := range d.params {
		v := exampleOf(p)
		switch p.In {
		case "path":
			path = strings.ReplaceAll(path, "{"+p.Name+"}", url.PathEscape(v))
		case "query":
			if p.Required || all && v != "x" {
				q.Set(p.Name, v)
			}
		}
	}
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	return path
}

// TestOpenAPIExamples sends each documented request with its parameter
// examples and checks the JSON answer against the document: its keys are
// the schema's properties (all required ones present, no others), and if
// the 200 response has examples, the answer is one of them. Operations whose
// example request does not get a 200 (e.g. later ones that need a login)
// are only checked by the tests above.
func TestOpenAPIExamples(t *testing.T) {
	doc := mustLoadOpenAPI(t)
	srv := New(Config{})
	for _, d := range mustOperations(t, doc) {
		media, ok := d.op.Responses["200"].Content["application/json"]
		if !ok {
			continue
		}
		t.Run(d.Method+" "+d.Path, func(t *testing.T) {
			target := exampleTarget(d, true)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(d.Method, target, nil))
			if rec.Code != http.StatusOK {
				t.Skipf("%s %s: status %d, not 200", d.Method, target, rec.Code)
			}
			var got map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("answer is not a JSON object: %v: %s", err, rec.Body)
			}

			schema := media.Schema
			if ref, ok := schema["$ref"].(string); ok {
				name, _ := strings.CutPrefix(ref, "#/components/schemas/")
				if schema, ok = doc.Components.Schemas[name]; !ok {
					t.Fatalf("schema %q not found", ref)
				}
			}
			props, _ := schema["properties"].(map[string]any)
			for k := range got {
				if _, ok := props[k]; !ok {
					t.Errorf("answer has %q, which the schema does not list", k)
				}
			}
			required, _ := schema["required"].([]any)
			for _, k := range required {
				if _, ok := got[k.(string)]; !ok {
					t.Errorf("answer lacks required %q: %s", k, rec.Body)
				}
			}

			var examples []any
			if media.Example != nil {
				examples = append(examples, media.Example)
			}
			for _, ex := range media.Examples {
				if ex.XQuery == nil && ex.XPath == nil { // those answer other requests
					examples = append(examples, ex.Value)
				}
			}
			if len(examples) == 0 {
				return
			}
			for _, ex := range examples {
				if reflect.DeepEqual(asJSON(t, ex), any(got)) {
					return
				}
			}
			t.Errorf("%s %s answers %s, which is none of the documented examples", d.Method, target, rec.Body)
		})
	}
}

// TestOpenAPIRequestExamples sends the request of every named example that
// says which request it answers (x-query, x-path) and checks that the
// answer has the example's status and is the example, exactly.
func TestOpenAPIRequestExamples(t *testing.T) {
	doc := mustLoadOpenAPI(t)
	srv := New(Config{})
	checked := 0
	for _, d := range mustOperations(t, doc) {
		for status, resp := range d.op.Responses {
			for ct, media := range resp.Content {
				for name, ex := range media.Examples {
					if ex.XQuery == nil && ex.XPath == nil {
						continue
					}
					t.Run(d.Method+" "+d.Path+" "+status+" "+name, func(t *testing.T) {
						path := d.Path
						for _, p := range d.params {
							if p.In != "path" {
								continue
							}
							v, ok := ex.XPath[p.Name]
							if !ok {
								v = exampleOf(p)
							}
							path = strings.ReplaceAll(path, "{"+p.Name+"}", url.PathEscape(v))
						}
						q := url.Values{}
						for k, v := range ex.XQuery {
							q.Set(k, v)
						}
						if len(q) > 0 {
							path += "?" + q.Encode()
						}
						rec := httptest.NewRecorder()
						srv.ServeHTTP(rec, httptest.NewRequest(d.Method, path, nil))
						if got := fmt.Sprint(rec.Code); got != status {
							t.Errorf("%s %s: status %s, documented %s; body %s", d.Method, path, got, status, rec.Body)
						}
						if ct != "application/json" {
							t.Fatalf("example of %s: only JSON examples are compared", ct)
						}
						var got any
						if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
							t.Fatalf("answer is not JSON: %v: %s", err, rec.Body)
						}
						if want := asJSON(t, ex.Value); !reflect.DeepEqual(got, want) {
							t.Errorf("%s %s answers\n%s\ndocumented\n%s", d.Method, path, rec.Body, mustJSON(t, want))
						}
					})
					checked++
				}
			}
		}
	}
	if checked == 0 {
		t.Error("no example with x-query or x-path was found")
	}
}

// mustJSON encodes v for a message.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// asJSON turns a value decoded from YAML into what encoding/json would
// decode from the same JSON (numbers become float64, and so on).
func asJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("example cannot be JSON: %v", err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// exampleOf returns the example value of a parameter as a string, or a
// placeholder when the document gives none.
func exampleOf(p openAPIParameter) string {
	for _, ex := range []any{p.Example, p.Schema.Example} {
		if ex != nil {
			return fmt.Sprint(ex)
		}
	}
	return "x"
}

// isRoutingMiss reports whether rec is the router's answer for a request
// that no route matches (405, or 404 with the router's own message), as
// opposed to a handler's answer.
func isRoutingMiss(t *testing.T, rec *httptest.ResponseRecorder) bool {
	t.Helper()
	switch rec.Code {
	case http.StatusMethodNotAllowed:
		return true
	case http.StatusNotFound:
		var body errorEnvelope
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("404 body is not the JSON error: %v: %s", err, rec.Body)
		}
		return body.Error.Message == noRouteMessage
	}
	return false
}

func TestOpenAPIServed(t *testing.T) {
	srv := httptest.NewServer(New(Config{}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/v1/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/yaml") {
		t.Errorf("Content-Type = %q, want application/yaml", ct)
	}
	if string(body) != string(OpenAPI) {
		t.Error("served document differs from the embedded openapi.yaml")
	}
}
