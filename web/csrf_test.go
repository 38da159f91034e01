package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// errTest is an uncoded error with internals in its message.
var errTest = errors.New("pq: password authentication failed for user \"bank\" at 10.0.0.7")

// withCSRF gives r a fresh CSRF cookie and the matching header token, as the
// bank's own page would, and returns the token.
func withCSRF(s *Server, r *http.Request) string {
	v := newCSRFCookieValue()
	r.AddCookie(&http.Cookie{Name: s.csrfCookieName(), Value: v})
	tok := s.tokenFor(v)
	r.Header.Set(CSRFHeader, tok)
	return tok
}

// csrfServer has a POST endpoint that answers 200 "done" once the CSRF
// checks let a request through.
func csrfServer(t *testing.T) *Server {
	t.Helper()
	s, _ := MustServer(t)
	s.HandleFunc("POST /betal", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("done"))
	})
	return s
}

func TestCSRFCookie(t *testing.T) {
	for _, secure := range []bool{false, true} {
		s, _ := MustServer(t, func(c *Config) { c.SecureCookies = secure })
		w := do(s, httptest.NewRequest("GET", "/", nil))
		var c *http.Cookie
		for _, x := range w.Result().Cookies() {
			if strings.HasSuffix(x.Name, "nb_csrf") {
				c = x
			}
		}
		if c == nil {
			t.Fatalf("secure=%v: no CSRF cookie set", secure)
		}
		wantName := "nb_csrf"
		if secure {
			wantName = "__Host-nb_csrf"
		}
		if c.Name != wantName || c.Secure != secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Domain != "" {
			t.Errorf("secure=%v: cookie %+v", secure, c)
		}
		if len(c.Value) != 43 {
			t.Errorf("cookie value %q is not 32 bytes base64url", c.Value)
		}

		// A browser that has the cookie keeps it: no new Set-Cookie.
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(c)
		if got := do(s, r).Result().Cookies(); len(got) != 0 {
			t.Errorf("secure=%v: cookie replaced: %v", secure, got)
		}
	}
}

func TestCSRFTokenIsHMACOfCookie(t *testing.T) {
	s, _ := MustServer(t)
	r := httptest.NewRequest("GET", "/", nil)
	if got := s.CSRFToken(r); got != "" {
		t.Errorf("token without cookie: %q", got)
	}
	r.AddCookie(&http.Cookie{Name: "nb_csrf", Value: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})
	// HMAC-SHA256(0x42 × 32, "AAAA…A"), base64url without padding.
	tok := s.CSRFToken(r)
	if !regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`).MatchString(tok) {
		t.Errorf("token %q is not base64url of 32 bytes", tok)
	}
	if tok != s.tokenFor("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA") {
		t.Error("token does not depend on the cookie alone")
	}
	other, _ := MustServer(t, func(c *Config) { c.CSRFKey = []byte("another key, another bank, 32 b!") })
	if other.CSRFToken(r) == tok {
		t.Error("token does not depend on the key")
	}
}

func TestCSRFField(t *testing.T) {
	s, _ := MustServer(t)
	f := s.funcs(Danish)["csrfField"].(func(*Page) template.HTML)
	got := string(f(&Page{CSRFToken: `abc"<def`}))
	want := `<input type="hidden" name="csrf_token" value="abc&#34;&lt;def">`
	if got != want {
		t.Errorf("csrfField = %s, want %s", got, want)
	}
}

func TestCSRFChecks(t *testing.T) {
	s := csrfServer(t)
	cookieA, cookieB := newCSRFCookieValue(), newCSRFCookieValue()
	form := func(token string) *http.Request {
		r := httptest.NewRequest("POST", "/betal", strings.NewReader(url.Values{"amount": {"100"}, CSRFFormField: {token}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	withCookie := func(r *http.Request, v string) *http.Request {
		r.AddCookie(&http.Cookie{Name: "nb_csrf", Value: v})
		return r
	}
	header := func(method, token string) *http.Request {
		r := httptest.NewRequest(method, "/betal", nil)
		r.Header.Set(CSRFHeader, token)
		return r
	}

	tests := []struct {
		name string
		req  *http.Request
		ok   bool
	}{
		{"form token matches cookie", withCookie(form(s.tokenFor(cookieA)), cookieA), true},
		{"header token matches cookie", withCookie(header("POST", s.tokenFor(cookieA)), cookieA), true},
		{"same-origin browser request", func() *http.Request {
			r := withCookie(form(s.tokenFor(cookieA)), cookieA)
			r.Header.Set("Sec-Fetch-Site", "same-origin")
			r.Header.Set("Origin", "http://example.com")
			return r
		}(), true},
		{"missing token", withCookie(form(""), cookieA), false},
		{"wrong token", withCookie(form("bm90IGEgdG9rZW4gYXQgYWxsLCBqdXN0IHNvbWUgYnl0ZXM"), cookieA), false},
		{"token from another cookie", withCookie(form(s.tokenFor(cookieB)), cookieA), false},
		{"token but no cookie", form(s.tokenFor(cookieA)), false},
		{"cookie value as token", withCookie(form(cookieA), cookieA), false},
		{"malformed cookie", withCookie(form(s.tokenFor("short")), "short"), false},
		{"PUT without token", withCookie(header("PUT", ""), cookieA), false},
		{"PATCH wrong token", withCookie(header("PATCH", s.tokenFor(cookieB)), cookieA), false},
		{"DELETE without token", withCookie(header("DELETE", ""), cookieA), false},
		{"cross-site Sec-Fetch-Site with valid token", func() *http.Request {
			r := withCookie(form(s.tokenFor(cookieA)), cookieA)
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			return r
		}(), false},
		{"cross-site Origin with valid token", func() *http.Request {
			r := withCookie(form(s.tokenFor(cookieA)), cookieA)
			r.Header.Set("Origin", "https://evil.example")
			return r
		}(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(s, tt.req)
			b := body(t, w)
			if tt.ok {
				if w.Code != http.StatusOK || b != "done" {
					t.Fatalf("status %d, body %q; want the request let through", w.Code, b)
				}
				return
			}
			if w.Code != http.StatusForbidden {
				t.Fatalf("status %d, want 403", w.Code)
			}
			text := visibleText(b)
			if !strings.Contains(text, "Sikkerhedstjekket fejlede") {
				t.Errorf("no Danish error page: %s", text)
			}
			if !regexp.MustCompile(`Fejl-id: [0-9a-f]{16}`).MatchString(text) {
				t.Errorf("no incident id: %s", text)
			}
		})
	}
}

func TestCSRFSafeMethodsPass(t *testing.T) {
	s, _ := MustServer(t)
	for _, m := range []string{"GET", "HEAD"} {
		if w := do(s, httptest.NewRequest(m, "/", nil)); w.Code != http.StatusOK {
			t.Errorf("%s / without token = %d", m, w.Code)
		}
	}
}
