package web

import (
	"bytes"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

// fixedClock is a netbank.Clock that always says the same time.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// testTime is 21.11.2026 14.05.09 in Copenhagen (UTC+1 in November).
var testTime = time.Date(2026, 11, 21, 13, 5, 9, 0, time.UTC)

// testKey is a fixed CSRF key; real ones come from crypto/rand.
var testKey = bytes.Repeat([]byte{0x42}, 32)

// MustServer returns a Server on the fixed clock whose log goes to the
// returned buffer.
func MustServer(t testing.TB, mods ...func(*Config)) (*Server, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	cfg := Config{
		Clock:   fixedClock{testTime},
		CSRFKey: testKey,
		Logger:  slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, m := range mods {
		m(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s, &logs
}

// do runs one request through s and returns the recorded response.
func do(s http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

// body returns the response body as a string.
func body(t testing.TB, w *httptest.ResponseRecorder) string {
	t.Helper()
	b, err := io.ReadAll(w.Result().Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var (
	tagRE   = regexp.MustCompile(`(?s)<[^>]*>`)
	spaceRE = regexp.MustCompile(`\s+`)
)

// visibleText strips tags and collapses white space, roughly what a reader
// sees of an HTML page.
func visibleText(page string) string {
	if i := strings.Index(page, "<body"); i >= 0 {
		page = page[i:]
	}
	return strings.TrimSpace(spaceRE.ReplaceAllString(html.UnescapeString(tagRE.ReplaceAllString(page, " ")), " "))
}

func TestNewRejectsShortKey(t *testing.T) {
	for _, n := range []int{0, 16, 31} {
		if _, err := New(Config{CSRFKey: make([]byte, n)}); err == nil {
			t.Errorf("New with a %d-byte CSRF key: no error", n)
		}
	}
}

func TestNewDefaults(t *testing.T) {
	s, err := New(Config{CSRFKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	w := do(s, httptest.NewRequest("GET", "/", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("GET / = %d", w.Code)
	}
	if b := body(t, w); !strings.Contains(b, "<title>Netbank – ") {
		t.Errorf("default bank name not in title:\n%s", b)
	}
}

func TestBankName(t *testing.T) {
	s, _ := MustServer(t, func(c *Config) { c.BankName = "Fjordbanken" })
	b := body(t, do(s, httptest.NewRequest("GET", "/", nil)))
	if !strings.Contains(b, "<title>Fjordbanken – ") || !strings.Contains(visibleText(b), "Fjordbanken er en dansk netbank") {
		t.Errorf("bank name not used:\n%s", b)
	}
}

func TestHomePage(t *testing.T) {
	s, _ := MustServer(t)
	w := do(s, httptest.NewRequest("GET", "/", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	b := body(t, w)
	for _, want := range []string{
		`<!DOCTYPE html>`,
		`<html lang="da">`,
		`<a class="button button-primary button-block" href="/login" id="login">Log på</a>`,
		`href="?lang=en"`,
	} {
		if !strings.Contains(b, want) {
			t.Errorf("home page lacks %s", want)
		}
	}
	text := visibleText(b)
	for _, want := range []string{
		"Hele din økonomi samlet ét sted",
		"Visa Debit",
		"Vi beder dig aldrig om koder på e-mail, sms eller telefon.", // RULE MSG-1
	} {
		if !strings.Contains(text, want) {
			t.Errorf("home page text lacks %q", want)
		}
	}
	// No inline scripts, styles or handlers: the CSP would block them.
	for _, bad := range []string{"<script>", "<style", " style=", " onclick=", " onload=", "javascript:"} {
		if strings.Contains(b, bad) {
			t.Errorf("home page contains %q", bad)
		}
	}
}

func TestHeadRequest(t *testing.T) {
	s, _ := MustServer(t)
	w := do(s, httptest.NewRequest("HEAD", "/", nil))
	if w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Errorf("HEAD / = %d with %d body bytes", w.Code, w.Body.Len())
	}
}
