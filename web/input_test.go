package web

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// The input checks (input.go) in front of a POST handler that says "done"
// when a request reaches it: what no form of the bank sends is refused with
// the Danish page before the handler runs; forms of text pass.
func TestInputChecks(t *testing.T) {
	s := csrfServer(t)
	form := func(v url.Values) *http.Request {
		r := httptest.NewRequest("POST", "/betal", strings.NewReader(v.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
		withCSRF(s, r)
		return r
	}
	raw := func(ctype, b string) *http.Request {
		r := httptest.NewRequest("POST", "/betal", strings.NewReader(b))
		if ctype != "" {
			r.Header.Set("Content-Type", ctype)
		}
		withCSRF(s, r)
		return r
	}
	upload := func(name string, size int) *http.Request {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(bytes.Repeat([]byte("x"), size))
		mw.Close()
		return raw(mw.FormDataContentType(), b.String())
	}
	tests := []struct {
		name   string
		req    *http.Request
		status int
		text   string
	}{
		{"a form of text", form(url.Values{"text": {"Husleje\r\nmaj\tæøå"}}), 200, ""},
		{"no body", raw("", ""), 200, ""},
		{"an upload", upload("maj.csv", 1000), 200, ""},
		{"invalid UTF-8", form(url.Values{"text": {"Hus\xffleje"}}), 400, "Oplysningerne kan ikke modtages"},
		{"a NUL", form(url.Values{"text": {"Hus\x00leje"}}), 400, "Oplysningerne kan ikke modtages"},
		{"an escape character", form(url.Values{"text": {"\x1b[31m"}}), 400, "Oplysningerne kan ikke modtages"},
		{"a bad key", form(url.Values{"te\x00xt": {"x"}}), 400, "Oplysningerne kan ikke modtages"},
		{"a file name with a NUL", upload("maj\x00.csv", 10), 400, "Oplysningerne kan ikke modtages"},
		{"a broken form", raw("application/x-www-form-urlencoded", "a=%zz"), 400, "Oplysningerne kan ikke modtages"},
		{"JSON", raw("application/json", `{"text":"x"}`), 415, "Oplysningerne kan ikke modtages"},
		{"no content type", raw("", "text=x"), 415, "Oplysningerne kan ikke modtages"},
		{"a form over 1 MB", form(url.Values{"text": {strings.Repeat("x", maxFormBody)}}), 413, "For meget data"},
		{"an upload over 4 MB", upload("stor.csv", maxMultipartBody), 413, "For meget data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(s, tt.req)
			b := body(t, w)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, visibleText(b))
			}
			if tt.status == 200 {
				if b != "done" {
					t.Errorf("body %q", b)
				}
				return
			}
			if text := visibleText(b); !strings.Contains(text, tt.text) || !strings.Contains(b, `<html lang="da">`) {
				t.Errorf("not the Danish page %q: %s", tt.text, text)
			}
		})
	}
	// A page's query is its handler's to clean: GET passes.
	if w := do(s, httptest.NewRequest("GET", "/?q=%ff%00", nil)); w.Code != http.StatusOK {
		t.Errorf("GET with a query that is not text: %d", w.Code)
	}
}
