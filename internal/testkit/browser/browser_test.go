package browser

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestRecordsProblems proves the harness sees what it promises to see: a
// console error, an uncaught exception and CSP violations (an inline script
// and an inline style under a strict policy), and that it saves a PNG.
func TestRecordsProblems(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/clean":
			w.Header().Set("Content-Security-Policy", "default-src 'none'")
			io.WriteString(w, `<!DOCTYPE html><title>clean</title><p>ok</p>`)
		case "/app.js":
			w.Header().Set("Content-Type", "text/javascript")
			io.WriteString(w, `console.error("boom from app.js"); setTimeout(function () { throw new Error("kaput"); }, 0);`)
		default:
			w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'")
			io.WriteString(w, `<!DOCTYPE html><title>dirty</title>
<p style="color:red">inline style</p>
<script>document.title = "inline ran";</script>
<script src="/app.js"></script>`)
		}
	}))
	defer srv.Close()

	t.Setenv("NETBANK_ARTIFACTS", t.TempDir())
	b := New(t)
	ctx := b.Context()

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/clean")); err != nil {
		t.Fatal(err)
	}
	b.RequireNoProblems(t)

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/dirty")); err != nil {
		t.Fatal(err)
	}
	// The exception is thrown from a timer; wait until the page has run it.
	// Right after a navigation the page's execution context may still be
	// replaced ("Cannot find context with specified id"): ask again.
	var err error
	for range 5 {
		if _, err = chromedp.Run(ctx, chromedp.Poll[bool](`new Promise(r => setTimeout(() => r(true), 50))`)); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	if title != "dirty" {
		t.Errorf("inline script ran despite the CSP: title %q", title)
	}

	var sawError, sawException bool
	for _, m := range b.Messages() {
		t.Log(m)
		sawError = sawError || (m.Kind == "console" && m.Level == "error" && strings.Contains(m.Text, "boom from app.js"))
		sawException = sawException || (m.Kind == "exception" && strings.Contains(m.Text, "kaput"))
	}
	if !sawError {
		t.Error("console.error was not recorded")
	}
	if !sawException {
		t.Error("uncaught exception was not recorded")
	}
	if v := b.CSPViolations(); len(v) < 2 {
		t.Errorf("want CSP violations for the inline script and the inline style, got %d: %v", len(v), v)
	}
	if len(b.Problems()) < 4 {
		t.Errorf("Problems() = %v, want at least 4", b.Problems())
	}

	png := Screenshot(t, ctx, "harness/self test")
	if filepath.Base(png) != "harness_self_test.png" {
		t.Errorf("screenshot name %q", png)
	}
	data, err := os.ReadFile(png)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "\x89PNG") {
		t.Error("screenshot is not a PNG")
	}

	b.ClearMessages()
	if len(b.Messages()) != 0 {
		t.Error("ClearMessages kept messages")
	}
}

// TestArtifactsDir checks both places screenshots can go.
func TestArtifactsDir(t *testing.T) {
	t.Setenv("NETBANK_ARTIFACTS", "/tmp/somewhere")
	if got := ArtifactsDir(t); got != "/tmp/somewhere" {
		t.Errorf("with NETBANK_ARTIFACTS: %q", got)
	}
	t.Setenv("NETBANK_ARTIFACTS", "")
	got := ArtifactsDir(t)
	if !strings.HasSuffix(got, filepath.Join("artifacts", "screenshots")) {
		t.Errorf("default: %q", got)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(filepath.Dir(got)), "go.mod")); err != nil {
		t.Errorf("default %q is not under the repository root: %v", got, err)
	}
}

// TestTabs checks that NewTab shares the first tab's cookies and
// NewIsolatedTab does not.
func TestTabs(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/set" {
			http.SetCookie(w, &http.Cookie{Name: "who", Value: "first", Path: "/"})
		}
		c, _ := r.Cookie("who")
		v := "none"
		if c != nil {
			v = c.Value
		}
		io.WriteString(w, `<!DOCTYPE html><title>`+v+`</title>`)
	}))
	defer srv.Close()

	b := New(t)
	title := func(ctx context.Context) string {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/get")); err != nil {
			t.Fatal(err)
		}
		s, err := chromedp.Run(ctx, chromedp.Title())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if err := chromedp.Do(b.Context(), chromedp.Navigate(srv.URL+"/set")); err != nil {
		t.Fatal(err)
	}
	if got := title(b.NewTab(t)); got != "first" {
		t.Errorf("NewTab sees cookie %q, want first", got)
	}
	if got := title(b.NewIsolatedTab(t)); got != "none" {
		t.Errorf("NewIsolatedTab sees cookie %q, want none", got)
	}
	b.RequireNoProblems(t)
}
