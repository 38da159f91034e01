package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/netbank/netbank"
)

var incidentRE = regexp.MustCompile(`Fejl-id: ([0-9a-f]{16})`)

func TestErrorPageMapping(t *testing.T) {
	tests := []struct {
		err    error
		status int
		title  string
	}{
		{netbank.Errorf(netbank.EINVALID, "amount must be positive"), 400, "Oplysningerne kunne ikke godkendes"},
		{netbank.Errorf(netbank.ENOTFOUND, "account 1234 not found"), 404, "Siden findes ikke"},
		{netbank.Errorf(netbank.EFORBIDDEN, "user 42 may not approve"), 403, "Adgang nægtet"},
		{netbank.Errorf(netbank.EUNAUTHORIZED, "session expired"), 401, "Du er ikke logget på"},
		{netbank.Errorf(netbank.ECONFLICT, "idempotency key reused"), 409, "Oplysningerne er forældede"},
		{netbank.Errorf(netbank.EINSUFFICIENT, "available 100, need 200"), 422, "Der er ikke dækning på kontoen"},
		{netbank.Errorf(netbank.EUNAVAILABLE, "db down at 10.0.0.7"), 503, "Netbanken er midlertidigt utilgængelig"},
		{netbank.Errorf(netbank.EINTERNAL, "nil map in ledger"), 500, "Der opstod en fejl"},
		{errTest, 500, "Der opstod en fejl"},
		{fmt.Errorf("store: %w", netbank.Errorf(netbank.ENOTFOUND, "row")), 404, "Siden findes ikke"},
		{nil, 500, "Der opstod en fejl"},
	}
	for _, tt := range tests {
		name := "nil"
		if tt.err != nil {
			name = tt.err.Error()
		}
		t.Run(name, func(t *testing.T) {
			s, logs := MustServer(t)
			s.HandleFunc("GET /x", func(w http.ResponseWriter, r *http.Request) { s.Error(w, r, tt.err) })
			w := do(s, httptest.NewRequest("GET", "/x", nil))
			if w.Code != tt.status {
				t.Errorf("status %d, want %d", w.Code, tt.status)
			}
			b := body(t, w)
			text := visibleText(b)
			if !strings.Contains(b, "<h1>"+tt.title+"</h1>") {
				t.Errorf("no heading %q:\n%s", tt.title, text)
			}
			m := incidentRE.FindStringSubmatch(text)
			if m == nil {
				t.Fatalf("no incident id on the page:\n%s", text)
			}
			if !strings.Contains(logs.String(), "incident="+m[1]) {
				t.Errorf("incident %s not logged:\n%s", m[1], logs)
			}
			// Users never see internals: not the error text, not even the
			// coded message (it is English and meant for logs).
			if tt.err != nil {
				for _, leak := range []string{tt.err.Error(), netbank.ErrorMessageOf(tt.err), "10.0.0.7", "password"} {
					if strings.Contains(b, leak) {
						t.Errorf("page shows internals %q", leak)
					}
				}
				if msg := netbank.ErrorMessageOf(tt.err); msg == "internal error" && !strings.Contains(logs.String(), "10.0.0.7") ||
					msg != "internal error" && !strings.Contains(logs.String(), msg) {
					t.Errorf("error not logged:\n%s", logs)
				}
			}
			wantLevel := "level=INFO"
			if tt.status >= 500 {
				wantLevel = "level=ERROR"
			}
			if !strings.Contains(logs.String(), wantLevel) {
				t.Errorf("log not at %s:\n%s", wantLevel, logs)
			}
			if hasLogin := strings.Contains(b, `href="/login"`); hasLogin != (tt.status == 401) {
				t.Errorf("login link shown: %v", hasLogin)
			}
			if ra := w.Header().Get("Retry-After"); (ra != "") != (tt.status == 503) {
				t.Errorf("Retry-After = %q", ra)
			}
		})
	}
}

func TestErrorPageEnglish(t *testing.T) {
	s, _ := MustServer(t)
	s.HandleFunc("GET /x", func(w http.ResponseWriter, r *http.Request) {
		s.Error(w, r, netbank.Errorf(netbank.EINSUFFICIENT, "no"))
	})
	r := httptest.NewRequest("GET", "/x", nil)
	r.AddCookie(&http.Cookie{Name: "lang", Value: "en"})
	text := visibleText(body(t, do(s, r)))
	if !strings.Contains(text, "Insufficient funds") || !regexp.MustCompile(`Incident ID: [0-9a-f]{16}`).MatchString(text) {
		t.Errorf("English error page:\n%s", text)
	}
}

func TestIncidentIDsDiffer(t *testing.T) {
	s, _ := MustServer(t)
	s.HandleFunc("GET /x", func(w http.ResponseWriter, r *http.Request) { s.Error(w, r, errTest) })
	seen := map[string]bool{}
	for range 20 {
		m := incidentRE.FindStringSubmatch(visibleText(body(t, do(s, httptest.NewRequest("GET", "/x", nil)))))
		if m == nil || seen[m[1]] {
			t.Fatalf("incident id missing or repeated: %v", m)
		}
		seen[m[1]] = true
	}
}

func TestNotFoundPage(t *testing.T) {
	s, _ := MustServer(t)
	for _, target := range []string{"/findes-ikke", "/konti/123", "/index.html"} {
		w := do(s, httptest.NewRequest("GET", target, nil))
		if w.Code != http.StatusNotFound {
			t.Errorf("%s: status %d", target, w.Code)
		}
		b := body(t, w)
		if !strings.Contains(b, "<title>Siden findes ikke – Netbank</title>") || !strings.Contains(b, "<h1>Siden findes ikke</h1>") {
			t.Errorf("%s: not the Danish 404 page:\n%s", target, b)
		}
		if !strings.Contains(b, `href="/"`) {
			t.Errorf("%s: no way back to the front page", target)
		}
	}
}

func TestMethodNotAllowedPage(t *testing.T) {
	s, _ := MustServer(t)
	r := httptest.NewRequest("POST", "/", nil)
	withCSRF(s, r)
	w := do(s, r)
	if w.Code != http.StatusMethodNotAllowed {
		t.Fatalf("status %d", w.Code)
	}
	if allow := w.Header().Get("Allow"); !strings.Contains(allow, "GET") {
		t.Errorf("Allow = %q", allow)
	}
	if !strings.Contains(body(t, w), "<h1>Handlingen er ikke tilladt</h1>") {
		t.Error("not the Danish 405 page")
	}
}

func TestRenderUnknownView(t *testing.T) {
	s, logs := MustServer(t)
	s.HandleFunc("GET /x", func(w http.ResponseWriter, r *http.Request) { s.Render(w, r, 200, "no-such-view", nil) })
	w := do(s, httptest.NewRequest("GET", "/x", nil))
	if w.Code != 500 || !strings.Contains(body(t, w), "Fejl-id") {
		t.Errorf("status %d", w.Code)
	}
	if !strings.Contains(logs.String(), "no-such-view") {
		t.Errorf("not logged: %s", logs)
	}
}

// Handle registers pages that render inside the layout.
func TestHandleAndRender(t *testing.T) {
	s, _ := MustServer(t)
	s.Handle("GET /om", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Render(w, r, http.StatusTeapot, "notfound", nil)
	}))
	w := do(s, httptest.NewRequest("GET", "/om", nil))
	if w.Code != http.StatusTeapot {
		t.Errorf("status %d", w.Code)
	}
	if b := body(t, w); !strings.Contains(b, `<header class="site-header">`) || !strings.Contains(visibleText(b), "Siden hentet") {
		t.Error("view not drawn inside the layout")
	}
}

// TestScriptErrorUnavailable: the answers to login.js and session.js say
// 503 with the "unavailable" text, Retry-After and an incident id when the
// database is away, and 500 for anything else unexpected; never internals.
func TestScriptErrorUnavailable(t *testing.T) {
	for _, tt := range []struct {
		err    error
		status int
		text   string
	}{
		{netbank.Errorf(netbank.EUNAVAILABLE, "db down at 10.0.0.7"), 503, "Vi kan ikke gennemføre din handling lige nu"},
		{netbank.Errorf(netbank.EINTERNAL, "nil map at 10.0.0.7"), 500, "Der opstod en fejl hos os"},
		{netbank.Errorf(netbank.EUNAUTHORIZED, "Login-forsøget er udløbet."), 401, "Login-forsøget er udløbet."},
	} {
		s, logs := MustServer(t)
		s.HandleFunc("GET /x", func(w http.ResponseWriter, r *http.Request) { s.jsonError(w, r, tt.err, nil) })
		w := do(s, httptest.NewRequest("GET", "/x", nil))
		b := body(t, w)
		if w.Code != tt.status || !strings.Contains(b, tt.text) || strings.Contains(b, "10.0.0.7") {
			t.Errorf("%v: %d %s", tt.err, w.Code, b)
		}
		if ra := w.Header().Get("Retry-After"); (ra != "") != (tt.status == 503) {
			t.Errorf("%v: Retry-After = %q", tt.err, ra)
		}
		if tt.status >= 500 {
			m := regexp.MustCompile(`Fejl-id: ([0-9a-f]{16})`).FindStringSubmatch(b)
			if m == nil || !strings.Contains(logs.String(), "incident="+m[1]) {
				t.Errorf("%v: no logged incident id in %s", tt.err, b)
			}
		}
	}
}
