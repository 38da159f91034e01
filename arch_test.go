package netbank_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/netbank/netbank"

// TestDependenciesPointInward enforces the layout: the domain packages
// (the root package and the rule packages) import neither the adapters
// (web, api, store, app, …) nor each other's infrastructure, and the root
// package imports only the standard library.
func TestDependenciesPointInward(t *testing.T) {
	adapters := []string{"store", "web", "api", "app", "cmd", "bench", "demo", "internal/testkit", "internal/harness", "internal/faultproxy",
		"iso8583", "metrics", "systemtest"}
	domain := map[string]bool{".": true, "ledger": true, "calendar": true, "dk": true, "auth": true, "audit": true, "identity": true, "inbox": true, "account": true, "scheduler": true, "payment": true, "cardsec": true, "liability": true, "payfile": true, "pricing": true, "agreement": true, "apikey": true, "card": true}
	for dir := range domain {
		for _, imp := range imports(t, dir) {
			if !strings.HasPrefix(imp, module) {
				if dir == "." && strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") {
					t.Errorf("root package imports %s: it may use only the standard library", imp)
				}
				if strings.HasPrefix(imp, "github.com/prometheus/") {
					t.Errorf("domain package %q imports %s: metrics are the adapter's (package metrics, hooks in the domain)", dir, imp)
				}
				continue
			}
			rel := strings.TrimPrefix(strings.TrimPrefix(imp, module), "/")
			for _, a := range adapters {
				if rel == a || strings.HasPrefix(rel, a+"/") {
					t.Errorf("domain package %q imports adapter %q", dir, imp)
				}
			}
		}
	}
}

// imports lists the imports of the non-test Go files in dir.
func imports(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files in %s: %v", dir, err)
	}
	var out []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range file.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			out = append(out, p)
		}
	}
	return out
}
