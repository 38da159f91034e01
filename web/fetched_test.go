package web

import (
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// RULE SESS-4: every page shows when it was fetched, "Siden hentet
// dd.mm.åååå tt.mm.ss", in Danish time from the injected clock.
func TestSidenHentet(t *testing.T) {
	tests := []struct {
		name string
		now  time.Time
		lang string
		want string
	}{
		{"winter time, UTC+1", testTime, "da", "Siden hentet 21.11.2026 14.05.09"},
		{"summer time, UTC+2", time.Date(2026, 7, 1, 22, 0, 0, 0, time.UTC), "da", "Siden hentet 02.07.2026 00.00.00"},
		{"clock in another zone", time.Date(2026, 1, 5, 8, 30, 7, 0, time.FixedZone("EST", -5*3600)), "da", "Siden hentet 05.01.2026 14.30.07"},
		{"English", testTime, "en", "Page fetched 21.11.2026 14.05.09"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := MustServer(t, func(c *Config) { c.Clock = fixedClock{tt.now} })
			r := httptest.NewRequest("GET", "/", nil)
			r.AddCookie(&http.Cookie{Name: "lang", Value: tt.lang})
			b := body(t, do(s, r))
			if text := visibleText(b); !strings.Contains(text, tt.want) {
				t.Errorf("page text lacks %q:\n%s", tt.want, text)
			}
		})
	}
}

// RULE SESS-4: the line is on every page, not just the start page.
func TestSidenHentetOnEveryPage(t *testing.T) {
	s, _ := MustServer(t)
	s.HandleFunc("GET /boom", func(w http.ResponseWriter, r *http.Request) { s.Error(w, r, errTest) })
	for _, target := range []string{"/", "/findes-ikke", "/boom"} {
		b := body(t, do(s, httptest.NewRequest("GET", target, nil)))
		if !strings.Contains(visibleText(b), "Siden hentet 21.11.2026 14.05.09") {
			t.Errorf("%s: no Siden hentet line", target)
		}
		if !strings.Contains(html.UnescapeString(b), `<time datetime="2026-11-21T14:05:09+01:00">21.11.2026 14.05.09</time>`) {
			t.Errorf("%s: no machine-readable time", target)
		}
	}
}
