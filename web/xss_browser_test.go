package web_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/netbank/netbank/internal/testkit/browser"
)

// TestXSSInBrowser stores the payloads of xss_test.go in every free-text
// field, as their authors do, and opens every page that shows them in
// Chromium under the bank's CSP, each as the one who sees it (the
// session of that user or staff member): no JavaScript dialog opens, and
// no page reports a CSP violation, an error or an exception.
func TestXSSInBrowser(t *testing.T) {
	br := browser.New(t)
	b := newAZBank(t, false)
	var pages []azXSSPage
	for _, f := range azXSSFields() {
		payloads := azXSS
		if f.short {
			payloads = azXSSShort
		}
		for i, base := range payloads {
			p := base
			if !f.short {
				p = base + " " + strings.ToUpper(f.name[:2]) + string(rune('0'+i))
			}
			_, ps := f.store(t, b, p)
			pages = append(pages, ps...)
		}
	}

	ctx := br.Context()
	var mu sync.Mutex
	var dialogs []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			mu.Lock()
			dialogs = append(dialogs, string(e.Type)+" "+e.Message+" on "+e.URL)
			mu.Unlock()
			// Close it, or the page would wait for it forever.
			go chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}); err != nil {
		t.Fatal(err)
	}
	for _, pg := range pages {
		sess := b.webClient(pg.actor).cookie("nb_session")
		if sess == nil {
			t.Fatalf("%s has no session", pg.actor)
		}
		if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "nb_session", Value: sess.Value, URL: b.url}); err != nil {
			t.Fatal(err)
		}
		x := tab{t: t, ctx: ctx}
		x.run("open "+pg.path, 20*time.Second, chromedp.Navigate(b.url+pg.path))
		if loc := x.location(); !strings.HasSuffix(loc, pg.path) {
			t.Errorf("%s: %s is at %s", pg.actor, pg.path, loc)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(dialogs) > 0 {
		t.Errorf("dialogs opened: %v", dialogs)
	}
	requireNoUnexpectedProblems(t, br)
	t.Logf("%d pages opened", len(pages))
}
