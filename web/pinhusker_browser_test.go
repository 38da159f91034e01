package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/internal/testkit/browser"
)

// requestLog records the requests a tab sends while it is on.
type requestLog struct {
	mu   sync.Mutex
	on   bool
	reqs []*network.Request
}

// listen records the tab's requests into l (chromedp.Listen: the
// callback only appends under the lock).
func (l *requestLog) listen(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok && e.Request != nil {
			l.mu.Lock()
			if l.on {
				l.reqs = append(l.reqs, e.Request)
			}
			l.mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
}

func (l *requestLog) record(on bool) {
	l.mu.Lock()
	l.on = on
	l.mu.Unlock()
}

func (l *requestLog) requests() []*network.Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*network.Request(nil), l.reqs...)
}

// memoriserFields reads the 40 fields of the PIN memoriser.
func memoriserFields(x tab) []string {
	x.t.Helper()
	return evalIn[[]string](x, `Array.from(document.querySelectorAll('.pinhusker-field')).map(f => f.textContent.trim())`)
}

// makeMemoriser types pin, clicks the pattern's fields in order and fills
// the memoriser.
func makeMemoriser(x tab, pin string, pattern []int) {
	x.t.Helper()
	x.fill("#pinhusker-pin", pin)
	for _, i := range pattern {
		x.click(fmt.Sprintf("#pinhusker-field-%d", i))
	}
	x.click("#pinhusker-fill")
	x.waitFor("the memoriser filled", `document.querySelectorAll('.pinhusker-field').length === 40 &&
		Array.from(document.querySelectorAll('.pinhusker-field')).every(f => /^[0-9]$/.test(f.textContent.trim()))`, 10*time.Second)
}

// RULE CARD-21: TestPINMemoriserInBrowser makes a PIN memoriser in
// Chromium under the real CSP, from the card's page: a PIN with a repeated
// digit (9299) in a pattern of 4 fields. Read back, the 40 fields hold
// every digit 0–9 exactly 4 times and the PIN in the pattern's fields in
// order; the pattern is no longer marked and the PIN field is empty; no
// request carries the PIN — the page sends nothing at all but the session
// timer's status check. A second memoriser with the same PIN and pattern
// differs in the other 36 fields (random). Screenshots:
// artifacts/screenshots/pinhusker-*.png.
func TestPINMemoriserInBrowser_CARD21(t *testing.T) {
	bank := newBrowserBank(t, identity.Config{})
	ctx := context.Background()
	userNumber, pin := bank.privateUser(t, "Mette Kjær Nielsen", "150385-1234")
	u, err := bank.app.Identity.UserByLogin(ctx, userNumber)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := bank.app.Accounts.Open(ctx, u.CustomerID, account.Salary, "Lønkonto", "DKK", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	bank.fund(t, "fund-browser-pinhusker", acc.ID, 1_000_00)
	iss, err := bank.app.Cards.Issue(ctx, card.IssueRequest{CustomerID: u.CustomerID, AccountID: acc.ID, Type: card.VisaDebit, By: card.System})
	if err != nil {
		t.Fatal(err)
	}

	b := browser.New(t)
	x := tab{t, b.Context()}
	var log requestLog
	log.listen(t, x.ctx)
	x.firstPrivateLogin(bank.url, userNumber, pin, "mette2026ab")
	x.click("#nav-cards")
	x.wait("#cards")
	x.click(`a.acc-name[href="/netbank/kort/` + iss.Card.ID + `"]`)
	x.wait("#pin-memoriser-link")
	x.click("#pin-memoriser-link")
	x.wait("#pinhusker-pin")
	x.wantBody("PIN-kode-husker", "Vælg fire af de farvede felter", "Husk")
	if n := evalIn[int](x, `document.querySelectorAll('.pinhusker-field:not([disabled])').length`); n != 40 {
		t.Fatalf("%d fields to click, want 40", n)
	}

	const thePIN = "9299" // the digit 9 three times
	pattern := []int{3, 12, 21, 30}
	log.record(true)
	x.fill("#pinhusker-pin", thePIN)
	for _, i := range pattern {
		x.click(fmt.Sprintf("#pinhusker-field-%d", i))
	}
	if got := evalIn[string](x, `Array.from(document.querySelectorAll('.pinhusker-field[aria-pressed="true"]')).map(f => f.id + "=" + f.textContent).join(",")`); got != "pinhusker-field-3=1,pinhusker-field-12=2,pinhusker-field-21=3,pinhusker-field-30=4" {
		t.Fatalf("the pattern as marked: %s", got)
	}
	x.shot("pinhusker-01-pattern")
	x.click("#pinhusker-fill")
	x.waitFor("the memoriser filled", `!document.getElementById('pinhusker-print').hidden`, 10*time.Second)
	first := memoriserFields(x)
	checkMemoriser(t, first, thePIN, pattern)
	if marked := evalIn[int](x, `document.querySelectorAll('.pinhusker-field[aria-pressed="true"], .pinhusker-chosen').length`); marked != 0 {
		t.Fatalf("%d fields still marked after filling: the pattern shows", marked)
	}
	if v := evalIn[string](x, `document.getElementById('pinhusker-pin').value`); v != "" {
		t.Fatalf("the PIN field still holds %q", v)
	}
	x.wantBody("PIN-kode-huskeren er udfyldt")
	x.shot("pinhusker-02-filled")

	// A second one with the same PIN and pattern: the PIN in the same
	// fields, the other 36 drawn anew.
	x.click("#pinhusker-reset")
	x.wait("#pinhusker-fill")
	makeMemoriser(x, thePIN, pattern)
	second := memoriserFields(x)
	checkMemoriser(t, second, thePIN, pattern)
	if strings.Join(first, "") == strings.Join(second, "") {
		t.Fatal("two memorisers are the same: the other fields are not random")
	}
	log.record(false)

	// Nothing of it went to the bank.
	for _, r := range log.requests() {
		u, err := url.Parse(r.URL)
		if err != nil || strings.Contains(r.URL, thePIN) || r.HasPostData || r.Method != "GET" || u.Path != "/netbank/session/status" {
			t.Errorf("a request while making the memoriser: %s %s (post data %v)", r.Method, r.URL, r.HasPostData)
		}
		for _, e := range r.PostDataEntries {
			if strings.Contains(string(e.Bytes), thePIN) {
				t.Errorf("the PIN in a request body: %s", r.URL)
			}
		}
	}

	// The printout: the card alone, without the page around it.
	if _, err := chromedp.Call(x.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	if hidden := evalIn[bool](x, `getComputedStyle(document.querySelector('.site-header')).display === 'none' &&
		getComputedStyle(document.getElementById('pinhusker-steps')).display === 'none' &&
		getComputedStyle(document.getElementById('pinhusker-card')).display !== 'none'`); !hidden {
		t.Error("the print stylesheet does not print the memoriser alone")
	}
	x.shot("pinhusker-03-print")
	if _, err := chromedp.Call(x.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
		t.Fatal(err)
	}
	requireNoUnexpectedProblems(t, b)
}

// checkMemoriser checks a filled memoriser (RULE CARD-21): 40 fields,
// every digit 0–9 in exactly 4 of them, and the PIN's digits in the
// pattern's fields, in order.
func checkMemoriser(t *testing.T, fields []string, pin string, pattern []int) {
	t.Helper()
	if len(fields) != 40 {
		t.Fatalf("%d fields, want 40", len(fields))
	}
	count := map[string]int{}
	for _, f := range fields {
		count[f]++
	}
	for d := '0'; d <= '9'; d++ {
		if count[string(d)] != 4 {
			t.Errorf("digit %c stands in %d fields, want 4: %v", d, count[string(d)], fields)
		}
	}
	for i, at := range pattern {
		if fields[at] != pin[i:i+1] {
			t.Errorf("field %d holds %q, want the PIN's digit %d %q: %v", at, fields[at], i+1, pin[i:i+1], fields)
		}
	}
}
