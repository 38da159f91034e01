package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func TestStaticAssets(t *testing.T) {
	s, _ := MustServer(t)
	tests := []struct {
		name  string
		ctype string
	}{
		{"app.css", "text/css; charset=utf-8"},
		{"app.js", "text/javascript; charset=utf-8"},
		{"favicon.svg", "image/svg+xml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := staticFS.ReadFile("static/" + tt.name)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(src)
			base, ext, _ := strings.Cut(tt.name, ".")
			want := "/static/" + base + "." + hex.EncodeToString(sum[:])[:8] + "." + ext
			u, err := s.assets.url(tt.name)
			if err != nil || u != want {
				t.Fatalf("asset %s = %q, %v; want %q", tt.name, u, err, want)
			}

			w := do(s, httptest.NewRequest("GET", u, nil))
			if w.Code != http.StatusOK {
				t.Fatalf("GET %s = %d", u, w.Code)
			}
			h := w.Header()
			if got := h.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
				t.Errorf("Cache-Control = %q", got)
			}
			if got := h.Get("Content-Type"); got != tt.ctype {
				t.Errorf("Content-Type = %q, want %q", got, tt.ctype)
			}
			if body(t, w) != string(src) {
				t.Error("body differs from the embedded file")
			}
			if len(w.Result().Cookies()) != 0 {
				t.Error("static file sets cookies")
			}

			// Revalidation by ETag.
			r := httptest.NewRequest("GET", u, nil)
			r.Header.Set("If-None-Match", h.Get("ETag"))
			if w := do(s, r); w.Code != http.StatusNotModified {
				t.Errorf("If-None-Match: status %d, want 304", w.Code)
			}
		})
	}
}

func TestStaticUnknownIsNotCached(t *testing.T) {
	s, _ := MustServer(t)
	for _, target := range []string{"/static/app.css", "/static/app.deadbeef.css", "/static/nope.js", "/static/"} {
		w := do(s, httptest.NewRequest("GET", target, nil))
		if w.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", target, w.Code)
		}
		if got := w.Header().Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s: Cache-Control %q", target, got)
		}
	}
}

func TestLayoutUsesAssetURLs(t *testing.T) {
	s, _ := MustServer(t)
	b := body(t, do(s, httptest.NewRequest("GET", "/", nil)))
	for _, re := range []string{
		`<link rel="stylesheet" href="/static/app\.[0-9a-f]{8}\.css">`,
		`<script src="/static/app\.[0-9a-f]{8}\.js" defer></script>`,
		`<link rel="icon" href="/static/favicon\.[0-9a-f]{8}\.svg" type="image/svg\+xml">`,
	} {
		if !regexp.MustCompile(re).MatchString(b) {
			t.Errorf("layout lacks %s", re)
		}
	}
	if _, err := s.assets.url("nope.css"); err == nil {
		t.Error("asset of an unknown file: no error")
	}
}
