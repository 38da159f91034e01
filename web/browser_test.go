package web_test

import (
	"crypto/rand"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/netbank/netbank/internal/testkit/browser"
	"github.com/netbank/netbank/web"
)

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// TestStartPageInBrowser loads the start page in a real Chromium under the
// real CSP, switches language there and back, and saves screenshots for
// design review (artifacts/screenshots/web-*.png).
//
// RULE SESS-4: the page shows "Siden hentet 21.11.2026 14.05.09".
func TestStartPageInBrowser(t *testing.T) {
	key := make([]byte, 32)
	rand.Read(key)
	srv, err := web.New(web.Config{
		Clock:   fixedClock{time.Date(2026, 11, 21, 13, 5, 9, 0, time.UTC)},
		CSRFKey: key,
		Logger:  slog.New(slog.NewTextHandler(t.Output(), nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.HandleFunc("GET /fejl", func(w http.ResponseWriter, r *http.Request) {
		srv.Error(w, r, errors.New("simulated failure"))
	})
	ts := httptest.NewServer(srv)
	defer ts.Close()

	b := browser.New(t)
	ctx := b.Context()

	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return s
	}
	click := func(sel string) {
		t.Helper()
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("click %s: %v", sel, err)
		}
		if resp.Status != http.StatusOK {
			t.Fatalf("click %s: status %d", sel, resp.Status)
		}
	}
	checkPage := func(lang, title, login, fetched string) {
		t.Helper()
		if got := eval(`document.documentElement.lang`); got != lang {
			t.Errorf("lang = %q, want %q", got, lang)
		}
		if got, err := chromedp.Run(ctx, chromedp.Title()); err != nil || got != title {
			t.Errorf("title = %q, %v; want %q", got, err, title)
		}
		if got := text("#login"); got != login {
			t.Errorf("login button = %q, want %q", got, login)
		}
		href, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("#login"), "href"))
		if err != nil || href.Value != "/login" {
			t.Errorf("login href = %+v, %v", href, err)
		}
		if got := text("#fetched"); !strings.Contains(strings.Join(strings.Fields(got), " "), fetched) {
			t.Errorf("footer = %q, want %q", got, fetched)
		}
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/")); err != nil {
		t.Fatal(err)
	}
	checkPage("da", "Netbank – netbank for private og erhverv", "Log på", "Siden hentet 21.11.2026 14.05.09")

	// The stylesheet and the script loaded under the CSP.
	if bg := eval(`getComputedStyle(document.querySelector(".site-header")).backgroundColor`); bg != "rgb(11, 37, 69)" {
		t.Errorf("header background %q: app.css not applied", bg)
	}
	if js := eval(`performance.getEntriesByType("resource").map(e => e.name).filter(n => /\/static\/app\.[0-9a-f]{8}\.js$/.test(n)).length + ""`); js != "1" {
		t.Errorf("app.js loaded %s times", js)
	}
	browser.Screenshot(t, ctx, "web-start-da")

	click("#lang-en")
	checkPage("en", "Netbank – online banking for personal and business customers", "Log in", "Page fetched 21.11.2026 14.05.09")
	browser.Screenshot(t, ctx, "web-start-en")

	click("#lang-da")
	checkPage("da", "Netbank – netbank for private og erhverv", "Log på", "Siden hentet 21.11.2026 14.05.09")
	if loc := eval(`location.pathname + location.search`); loc != "/" {
		t.Errorf("after switching back: at %q, want /", loc)
	}

	// A phone-sized window, in a tab of its own.
	phone := b.NewTab(t)
	if err := chromedp.Do(phone, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(ts.URL+"/")); err != nil {
		t.Fatal(err)
	}
	if overflow, err := chromedp.Run(phone, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); err != nil || overflow {
		t.Errorf("the start page scrolls sideways on a phone (%v)", err)
	}
	browser.Screenshot(t, phone, "web-start-da-mobile")

	b.RequireNoProblems(t)

	// The 404 and error pages: the browser logs their status as a failed
	// resource, which is expected; CSP violations are not.
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/findes-ikke")); err != nil {
		t.Fatal(err)
	}
	if h1 := text("h1"); h1 != "Siden findes ikke" {
		t.Errorf("404 heading %q", h1)
	}
	browser.Screenshot(t, ctx, "web-notfound-da")
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/fejl")); err != nil {
		t.Fatal(err)
	}
	if h1 := text("h1"); h1 != "Der opstod en fejl" {
		t.Errorf("error heading %q", h1)
	}
	browser.Screenshot(t, ctx, "web-error-da")
	if v := b.CSPViolations(); len(v) > 0 {
		t.Errorf("CSP violations: %v", v)
	}
	for _, m := range b.Problems() {
		if !strings.Contains(m.Text, "status of 404") && !strings.Contains(m.Text, "status of 500") {
			t.Errorf("unexpected problem: %v", m)
		}
	}
}
