package harness

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/netbank/netbank/demo"
)

// ReadDemo reads demo.json, which a demo bank writes into its data
// directory on its first start (README "Logging in to the demo bank").
func ReadDemo(t testing.TB, dataDir string) demo.Credentials {
	t.Helper()
	path := filepath.Join(dataDir, "demo.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("harness: %v", err)
	}
	var c demo.Credentials
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatalf("harness: %s: %v", path, err)
	}
	return c
}

// Token returns the API key of kind ("customer", "clearing", "creditor")
// that demo.json lists, or fails the test.
func Token(t testing.TB, c demo.Credentials, kind string) string {
	t.Helper()
	for _, tk := range c.APITokens {
		if tk.Kind == kind {
			return tk.Token
		}
	}
	t.Fatalf("harness: demo.json has no %s API key", kind)
	return ""
}
