package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
)

// Names of the places a CSRF token may travel in.
const (
	// CSRFFormField is the name of the hidden form field with the token.
	CSRFFormField = "csrf_token"
	// CSRFHeader is the request header with the token, for scripts.
	CSRFHeader = "X-CSRF-Token"
)

// csrfCookieBytes is the size of the random per-browser cookie value.
const csrfCookieBytes = 32

// csrfContextKey carries the browser's CSRF cookie value through a request,
// also when the cookie was made by this very request.
type csrfContextKey struct{}

// csrfCookieName is __Host-nb_csrf over HTTPS (the prefix makes the browser
// refuse the cookie unless it is Secure, host-only and Path=/) and nb_csrf
// in plain-HTTP development.
func (s *Server) csrfCookieName() string {
	if s.secure {
		return "__Host-nb_csrf"
	}
	return "nb_csrf"
}

// csrfCookieValue returns the well-formed CSRF cookie of r, if any.
func (s *Server) csrfCookieValue(r *http.Request) (string, bool) {
	c, err := r.Cookie(s.csrfCookieName())
	if err != nil {
		return "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || len(b) != csrfCookieBytes {
		return "", false
	}
	return c.Value, true
}

// tokenFor derives the token that belongs to a cookie value:
// base64url(HMAC-SHA256(CSRFKey, cookie value)). An attacker who can plant a
// cookie still cannot mint a token for it without the key.
func (s *Server) tokenFor(cookieValue string) string {
	mac := hmac.New(sha256.New, s.csrfKey)
	mac.Write([]byte(cookieValue))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// CSRFToken returns the CSRF token for the browser that sent r, to put into
// a form (the template func csrfField does that) or give to a script for the
// X-CSRF-Token header. It returns "" for a request that did not pass through
// the Server.
func (s *Server) CSRFToken(r *http.Request) string {
	v, ok := r.Context().Value(csrfContextKey{}).(string)
	if !ok {
		if v, ok = s.csrfCookieValue(r); !ok {
			return ""
		}
	}
	return s.tokenFor(v)
}

// unsafeMethod reports whether a request with method m may change state and
// so must prove it comes from the bank's own pages.
func unsafeMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return false
	}
	return true
}

// csrf gives every browser a random CSRF cookie and rejects unsafe requests
// whose token (header or form field) does not match that cookie.
func (s *Server) csrf(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		value, ok := s.csrfCookieValue(r)
		staticGet := strings.HasPrefix(r.URL.Path, "/static/") && !unsafeMethod(r.Method)
		if !ok && !staticGet {
			// First visit (or a mangled cookie): give the browser its secret.
			value = newCSRFCookieValue()
			http.SetCookie(w, &http.Cookie{
				Name:     s.csrfCookieName(),
				Value:    value,
				Path:     "/",
				Secure:   s.secure,
				HttpOnly: true,
				SameSite: http.SameSiteStrictMode,
			})
		}
		if unsafeMethod(r.Method) {
			// checkInput (input.go) has bounded and parsed the body.
			// A cookie made just now cannot have a token yet: reject.
			if !ok || !s.validToken(value, requestToken(r)) {
				s.rejectCSRF(w, r.WithContext(context.WithValue(r.Context(), csrfContextKey{}, value)), "token")
				return
			}
		}
		if value != "" {
			r = r.WithContext(context.WithValue(r.Context(), csrfContextKey{}, value))
		}
		next.ServeHTTP(w, r)
	})
}

// Limits of request bodies: forms are small; only the payment-file uploads
// (multipart) carry files, which the handlers cap at
// payment.MaxBatchFileSize (2 MiB) — the limit leaves room for the form's
// other fields and the multipart framing.
const (
	maxFormBody      = 1 << 20
	maxMultipartBody = 4 << 20
)

// maxBodyOf is the largest body an unsafe request may have.
func maxBodyOf(r *http.Request) int64 {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		return maxMultipartBody
	}
	return maxFormBody
}

// requestToken finds the token of an unsafe request: the header first (no
// body parsing needed), else the form field.
func requestToken(r *http.Request) string {
	if t := r.Header.Get(CSRFHeader); t != "" {
		return t
	}
	return r.PostFormValue(CSRFFormField)
}

// newCSRFCookieValue returns 32 random bytes, base64url-encoded.
func newCSRFCookieValue() string {
	b := make([]byte, csrfCookieBytes)
	rand.Read(b) // never fails: crypto/rand aborts the program instead
	return base64.RawURLEncoding.EncodeToString(b)
}

// validToken compares in constant time.
func (s *Server) validToken(cookieValue, token string) bool {
	if token == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(s.tokenFor(cookieValue)), []byte(token)) == 1
}

// crossOriginProtection refuses unsafe cross-origin browser requests, judged
// by Sec-Fetch-Site and Origin (Go's http.CrossOriginProtection). It is a
// second, independent line next to the token.
func (s *Server) crossOriginProtection(next http.Handler) http.Handler {
	p := http.NewCrossOriginProtection()
	p.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.rejectCSRF(w, r, "cross-origin")
	}))
	return p.Handler(next)
}

// rejectCSRF answers 403 with the Danish (or English) error page.
func (s *Server) rejectCSRF(w http.ResponseWriter, r *http.Request, reason string) {
	id := newIncidentID()
	s.log.WarnContext(r.Context(), "csrf check failed",
		"incident", id, "reason", reason, "method", r.Method, "path", r.URL.Path)
	s.renderError(w, r, http.StatusForbidden, errorTexts{"error.csrf.title", "error.csrf.text"}, id)
}
