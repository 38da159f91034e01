package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// securityHeaders are the headers every response must carry.
var securityHeaders = map[string]string{
	"Content-Security-Policy":      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
	"X-Content-Type-Options":       "nosniff",
	"X-Frame-Options":              "DENY",
	"Referrer-Policy":              "no-referrer",
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Cross-Origin-Resource-Policy": "same-origin",
	"Permissions-Policy":           "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}

// RULE SESS-3: nothing is kept on the device. Every response — pages, the
// 404 page, error pages, redirects, CSRF rejections — says no-store and
// carries the security headers. Only fingerprinted static files may be
// cached, and they still carry the security headers.
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	s, _ := MustServer(t)
	s.HandleFunc("GET /boom", func(w http.ResponseWriter, r *http.Request) {
		s.Error(w, r, errTest)
	})
	css, err := s.assets.url("app.css")
	if err != nil {
		t.Fatal(err)
	}
	tokenReq := func(method, target string) *http.Request {
		r := httptest.NewRequest(method, target, strings.NewReader(url.Values{CSRFFormField: {"x"}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	validPost := func(target string) *http.Request {
		r := httptest.NewRequest("POST", target, nil)
		withCSRF(s, r)
		return r
	}
	crossSite := validPost("/")
	crossSite.Header.Set("Sec-Fetch-Site", "cross-site")
	crossSite.Header.Set("Origin", "https://evil.example")

	tests := []struct {
		name       string
		req        *http.Request
		wantStatus int
		cacheable  bool
	}{
		{"start page", httptest.NewRequest("GET", "/", nil), 200, false},
		{"HEAD start page", httptest.NewRequest("HEAD", "/", nil), 200, false},
		{"404 page", httptest.NewRequest("GET", "/findes/ikke", nil), 404, false},
		{"405 page", validPost("/"), 405, false},
		{"error page", httptest.NewRequest("GET", "/boom", nil), 500, false},
		{"language switch redirect", httptest.NewRequest("GET", "/?lang=en", nil), 303, false},
		{"CSRF rejection", tokenReq("POST", "/"), 403, false},
		{"cross-origin rejection", crossSite, 403, false},
		{"stale static file", httptest.NewRequest("GET", "/static/app.00000000.css", nil), 404, false},
		{"static file", httptest.NewRequest("GET", css, nil), 200, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(s, tt.req)
			if w.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d", w.Code, tt.wantStatus)
			}
			h := w.Header()
			for k, v := range securityHeaders {
				if got := h.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if tt.cacheable {
				if got := h.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
					t.Errorf("Cache-Control = %q", got)
				}
				if h.Get("Pragma") != "" || h.Get("Expires") != "" {
					t.Errorf("static file has Pragma %q / Expires %q", h.Get("Pragma"), h.Get("Expires"))
				}
				return
			}
			if got := h.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", got)
			}
			if got := h.Get("Pragma"); got != "no-cache" {
				t.Errorf("Pragma = %q, want no-cache", got)
			}
			if got := h.Get("Expires"); got != "0" {
				t.Errorf("Expires = %q, want 0", got)
			}
		})
	}
}

// RULE SESS-3: the JSON API wraps its handlers with SecureHeaders too.
func TestSecureHeadersWrapsAnyHandler(t *testing.T) {
	api := SecureHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	}))
	w := do(api, httptest.NewRequest("GET", "/api/v1/ping", nil))
	for k, v := range securityHeaders {
		if got := w.Header().Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if got := w.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q", got)
	}
	if got := w.Header().Get("Strict-Transport-Security"); got != "" {
		t.Errorf("HSTS on plain HTTP: %q", got)
	}

	r := httptest.NewRequest("GET", "https://bank.example/api/v1/ping", nil)
	if got := do(api, r).Header().Get("Strict-Transport-Security"); got == "" {
		t.Error("no HSTS over TLS")
	}
}
