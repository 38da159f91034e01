package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank"
)

// fixedClock is a netbank.Clock that always says the same time.
type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// newTestServer returns a Server on a fixed clock.
func newTestServer(t *testing.T) *Server {
	t.Helper()
	return New(Config{Clock: fixedClock(time.Date(2026, 5, 14, 10, 0, 0, 0, time.UTC))})
}

// do sends one request through s and returns the recorded answer.
func do(t *testing.T, s http.Handler, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

// get is do with GET and query parameters, encoded as a client would.
func get(t *testing.T, s http.Handler, path string, query url.Values) *httptest.ResponseRecorder {
	t.Helper()
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	return do(t, s, http.MethodGet, path)
}

// mustDecodeStrict decodes a JSON object into a generic map, failing the test
// if the body is not one. Tests compare against maps so that the exact field
// names and JSON types are checked, not just what a struct happens to pick up.
func mustDecodeStrict(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != ContentType {
		t.Errorf("Content-Type = %q, want %q", ct, ContentType)
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, rec.Body)
	}
	return m
}

// mustError checks that rec is the JSON error answer with the given status
// and code, and returns its inner object.
func mustError(t *testing.T, rec *httptest.ResponseRecorder, status int, code netbank.ErrorCode) map[string]any {
	t.Helper()
	if rec.Code != status {
		t.Errorf("status = %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	m := mustDecodeStrict(t, rec)
	if len(m) != 1 {
		t.Errorf("error body has keys %v, want only \"error\"", keys(m))
	}
	e, ok := m["error"].(map[string]any)
	if !ok {
		t.Fatalf("body %s has no \"error\" object", rec.Body)
	}
	if e["code"] != string(code) {
		t.Errorf("error.code = %v, want %q", e["code"], code)
	}
	if msg, _ := e["message"].(string); msg == "" {
		t.Errorf("error.message is empty or not a string: %v", e["message"])
	}
	return e
}

// keys returns the keys of m, for messages.
func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func TestHTTPStatus(t *testing.T) {
	for code, want := range map[netbank.ErrorCode]int{
		netbank.EINVALID:      400,
		netbank.EUNAUTHORIZED: 401,
		netbank.EFORBIDDEN:    403,
		netbank.ENOTFOUND:     404,
		netbank.ECONFLICT:     409,
		netbank.EINSUFFICIENT: 422,
		netbank.EUNAVAILABLE:  503,
		netbank.EINTERNAL:     500,
		"something_new":       500,
	} {
		if got := HTTPStatus(code); got != want {
			t.Errorf("HTTPStatus(%q) = %d, want %d", code, got, want)
		}
	}
}

func TestWriteErrorCoded(t *testing.T) {
	for _, code := range []netbank.ErrorCode{
		netbank.EINVALID, netbank.EUNAUTHORIZED, netbank.EFORBIDDEN, netbank.ENOTFOUND,
		netbank.ECONFLICT, netbank.EINSUFFICIENT, netbank.EUNAVAILABLE,
	} {
		t.Run(string(code), func(t *testing.T) {
			rec := httptest.NewRecorder()
			// Wrapped errors keep their code and their message.
			WriteError(rec, fmt.Errorf("context: %w", netbank.Errorf(code, "Besked %d", 7)))
			e := mustError(t, rec, HTTPStatus(code), code)
			if e["message"] != "Besked 7" {
				t.Errorf("message = %v, want %q", e["message"], "Besked 7")
			}
			if _, ok := e["incident"]; ok {
				t.Errorf("coded error has an incident id: %s", rec.Body)
			}
		})
	}
}

func TestWriteErrorInternal(t *testing.T) {
	var logged bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&logged, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })

	for name, err := range map[string]error{
		"plain":         errors.New("database password is hunter2"),
		"coded":         netbank.Errorf(netbank.EINTERNAL, "database password is hunter2"),
		"wrapped plain": fmt.Errorf("store: %w", errors.New("database password is hunter2")),
		"nil":           nil,
	} {
		t.Run(name, func(t *testing.T) {
			logged.Reset()
			rec := httptest.NewRecorder()
			WriteError(rec, err)
			e := mustError(t, rec, http.StatusInternalServerError, netbank.EINTERNAL)
			if strings.Contains(rec.Body.String(), "hunter2") {
				t.Errorf("internal details leaked to the caller: %s", rec.Body)
			}
			if e["message"] != internalMessage {
				t.Errorf("message = %v, want the generic %q", e["message"], internalMessage)
			}
			incident, _ := e["incident"].(string)
			if len(incident) < 16 {
				t.Fatalf("incident = %q, want a random id", incident)
			}
			var line map[string]any
			if err := json.Unmarshal(logged.Bytes(), &line); err != nil {
				t.Fatalf("log line is not JSON: %v: %q", err, logged.String())
			}
			if line["incident"] != incident {
				t.Errorf("logged incident %v, answered %q", line["incident"], incident)
			}
			if err != nil && !strings.Contains(fmt.Sprint(line["err"]), "hunter2") {
				t.Errorf("log line lacks the real error: %s", logged.String())
			}
		})
	}
}

func TestWriteJSON(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteJSON(rec, http.StatusCreated, map[string]string{"code_line": "+71<"})
	if rec.Code != http.StatusCreated {
		t.Errorf("status = %d", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != ContentType {
		t.Errorf("Content-Type = %q", ct)
	}
	if got, want := rec.Body.String(), `{"code_line":"+71<"}`+"\n"; got != want {
		t.Errorf("body = %q, want %q", got, want)
	}

	rec = httptest.NewRecorder()
	WriteJSON(rec, http.StatusOK, func() {}) // cannot be encoded
	mustError(t, rec, http.StatusInternalServerError, netbank.EINTERNAL)
}

func TestUnknownPath(t *testing.T) {
	s := newTestServer(t)
	for _, target := range []string{
		"/api/v1/nothing",
		"/api/v1/banks",
		"/api/v1/banks/5301/extra",
		"/api/v1/",
		"/api/v2/calendar",
		"/",
	} {
		t.Run(target, func(t *testing.T) {
			rec := do(t, s, http.MethodGet, target)
			e := mustError(t, rec, http.StatusNotFound, netbank.ENOTFOUND)
			if e["message"] != noRouteMessage {
				t.Errorf("message = %v, want %q", e["message"], noRouteMessage)
			}
		})
	}
}

func TestWrongMethod(t *testing.T) {
	s := newTestServer(t)
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		rec := do(t, s, method, "/api/v1/banks/5301")
		mustError(t, rec, http.StatusMethodNotAllowed, codeMethodNotAllowed)
		if got := rec.Header().Get("Allow"); got != "GET, HEAD" {
			t.Errorf("%s: Allow = %q, want %q", method, got, "GET, HEAD")
		}
	}
}

func TestHeadServedByGetRoutes(t *testing.T) {
	rec := do(t, newTestServer(t), http.MethodHead, "/api/v1/openapi.yaml")
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Errorf("HEAD: status %d, %d body bytes; want 200 and none", rec.Code, rec.Body.Len())
	}
}

func TestCommonHeaders(t *testing.T) {
	rec := get(t, newTestServer(t), "/api/v1/calendar", url.Values{"from": {"2026-05-14"}, "to": {"2026-05-14"}})
	if got := rec.Header().Get("Cache-Control"); got != "no-store" { // RULE SESS-3
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
	if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
	}
}

func TestLongQueryValueRefused(t *testing.T) {
	s := newTestServer(t)
	long := strings.Repeat("7", MaxQueryValue+1)
	ok := strings.Repeat("ø", MaxQueryValue) // characters, not bytes, are counted
	for _, tc := range []struct {
		name   string
		query  url.Values
		status int
	}{
		{"value too long", url.Values{"value": {long}}, http.StatusBadRequest},
		{"other parameter too long", url.Values{"value": {"DK5000400440116243"}, "x": {long}}, http.StatusBadRequest},
		{"name too long", url.Values{long: {"1"}}, http.StatusBadRequest},
		{"exactly the limit", url.Values{"value": {ok}}, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, s, "/api/v1/validate/iban", tc.query)
			if tc.status == http.StatusOK {
				if rec.Code != http.StatusOK {
					t.Errorf("status = %d, want 200; body %s", rec.Code, rec.Body)
				}
				return
			}
			mustError(t, rec, tc.status, netbank.EINVALID)
		})
	}
	// A query string that does not parse is refused too.
	rec := do(t, s, http.MethodGet, "/api/v1/validate/iban?value=%zz")
	mustError(t, rec, http.StatusBadRequest, netbank.EINVALID)
}

func TestRouteExtension(t *testing.T) {
	s := newTestServer(t)
	s.Route(http.MethodPost, Prefix+"/things/{id}", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]string{"id": r.PathValue("id")})
	})
	rec := do(t, s, http.MethodPost, "/api/v1/things/42")
	if m := mustDecodeStrict(t, rec); rec.Code != http.StatusOK || m["id"] != "42" {
		t.Errorf("extension route: status %d, body %s", rec.Code, rec.Body)
	}
	// The same path with another method is now a 405 that lists POST.
	rec = do(t, s, http.MethodGet, "/api/v1/things/42")
	mustError(t, rec, http.StatusMethodNotAllowed, codeMethodNotAllowed)
	if got := rec.Header().Get("Allow"); got != "POST" {
		t.Errorf("Allow = %q, want POST", got)
	}
	last := s.Routes()[len(s.Routes())-1]
	if last != (RouteInfo{Method: http.MethodPost, Path: "/api/v1/things/{id}"}) {
		t.Errorf("route table ends with %v", last)
	}
}

func TestRouteRejectsMistakes(t *testing.T) {
	nop := func(http.ResponseWriter, *http.Request) {}
	for _, tc := range []struct {
		name, method, path string
		h                  http.HandlerFunc
	}{
		{"lower-case method", "get", "/api/v1/x", nop},
		{"unknown method", "FETCH", "/api/v1/x", nop},
		{"outside the prefix", http.MethodGet, "/api/v2/x", nop},
		{"no prefix slash", http.MethodGet, "/api/v1", nop},
		{"trailing slash", http.MethodGet, "/api/v1/x/", nop},
		{"wildcard rest", http.MethodGet, "/api/v1/x/{rest...}", nop},
		{"partial segment parameter", http.MethodGet, "/api/v1/x-{id}", nop},
		{"nil handler", http.MethodGet, "/api/v1/x", nil},
		{"duplicate", http.MethodGet, "/api/v1/calendar", nop},
		{"conflicting pattern", http.MethodGet, "/api/v1/banks/{other}", nop},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t)
			before := len(s.Routes())
			defer func() {
				if recover() == nil {
					t.Errorf("Route(%q, %q) did not panic", tc.method, tc.path)
				}
				if after := len(s.Routes()); after != before {
					t.Errorf("route table grew from %d to %d", before, after)
				}
			}()
			s.Route(tc.method, tc.path, tc.h)
		})
	}
}

func TestPanicBecomesInternalError(t *testing.T) {
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(new(bytes.Buffer), nil)))
	t.Cleanup(func() { slog.SetDefault(old) })

	s := newTestServer(t)
	s.Route(http.MethodGet, Prefix+"/boom", func(http.ResponseWriter, *http.Request) { panic("secret detail") })
	rec := do(t, s, http.MethodGet, "/api/v1/boom")
	e := mustError(t, rec, http.StatusInternalServerError, netbank.EINTERNAL)
	if e["incident"] == nil || strings.Contains(rec.Body.String(), "secret") {
		t.Errorf("panic answer: %s", rec.Body)
	}
}
