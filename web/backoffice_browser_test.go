package web_test

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/internal/testkit/browser"
)

// TestBackofficeInBrowser walks the back office in a real Chromium under
// the real CSP: a staff member logs in with username, password and TOTP
// code, creates a private customer (first with a wrong CPR number), gives
// the customer a net bank user, gets the PIN letter (which prints on one A4
// page), creates a business user with a key card, and reads and verifies
// the audit log. Screenshots: artifacts/screenshots/bo-*.png.
//
// RULE AUTH-1: the letter carries the 11-digit user number and the PIN.
// RULE SESS-4: every page shows "Siden hentet".
func TestBackofficeInBrowser(t *testing.T) {
	b := newBoBank(t)
	st := b.staff("kasper", "Kasper Thomsen", identity.RoleSupport, identity.RoleAuditor)
	biz, err := b.a.Identity.CreateCustomer(b.ctx, identity.Customer{Kind: identity.BusinessCustomer, Name: "Hansen & Søn Tømrer ApS",
		CVR: "25313763", Address: "Industrivej 8", Postcode: "8260", City: "Viby J", Email: "kontor@hansen-toemrer.example.dk"}, identity.System)
	if err != nil {
		t.Fatal(err)
	}

	br := browser.New(t)
	ctx := br.Context()
	x := boTab{t, ctx}
	do, text, eval, submit := x.do, x.text, x.eval, x.submit
	typeIn := func(sel, value string) {
		t.Helper()
		do(chromedp.Clear(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), value))
	}
	path := func() string { return eval(`location.pathname`) }

	// The back office sends you to its login.
	do(chromedp.Navigate(b.url + "/backoffice"))
	if p := path(); p != "/backoffice/login" {
		t.Fatalf("at %s, want the login", p)
	}
	if h1 := text("h1"); h1 != "Log på backoffice" {
		t.Errorf("login heading %q", h1)
	}
	if bg := eval(`getComputedStyle(document.querySelector(".bo-bar")).backgroundColor`); bg != "rgb(15, 47, 87)" {
		t.Errorf("back office bar %q: backoffice.css not applied", bg)
	}
	browser.Screenshot(t, ctx, "bo-login")

	b.clock.Advance(30 * time.Second)
	typeIn("#username", "kasper")
	typeIn("#password", st.password)
	typeIn("#totp", auth.TOTPCode(st.secret, b.clock.Now()))
	submit("#login-submit", http.StatusOK)
	if p := path(); p != "/backoffice" {
		t.Fatalf("after login at %s", p)
	}
	if got := text("#staff-name"); got != "Kasper Thomsen" {
		t.Errorf("staff name %q", got)
	}
	if got := text("#fetched"); !strings.Contains(got, "Siden hentet 21.11.2026 10.00.30") {
		t.Errorf("footer %q", got)
	}

	// A new private customer; a wrong CPR number first.
	do(chromedp.Click(chromedp.CSS("#new-customer")), chromedp.WaitVisible(chromedp.CSS("#customer-form")))
	for sel, v := range map[string]string{"#name": "Mette Kjær Nielsen", "#cpr": "320185-1234", "#mobile": "20 45 67 89",
		"#address": "Vestergade 12, 2. th.", "#postcode": "8000", "#city": "Aarhus C", "#email": "mette.kjaer@example.dk"} {
		typeIn(sel, v)
	}
	submit("#create-customer", http.StatusUnprocessableEntity)
	if got := text("#cpr-error"); got != "CPR-nummeret indeholder ikke en gyldig fødselsdato." {
		t.Errorf("CPR error %q", got)
	}
	if got := eval(`document.querySelector("#name").value`); got != "Mette Kjær Nielsen" {
		t.Errorf("the name was not kept: %q", got)
	}
	browser.Screenshot(t, ctx, "bo-customer-errors")
	typeIn("#cpr", "150385-1234")
	submit("#create-customer", http.StatusOK)
	if got := text("#flash"); got != "Kunden er oprettet." {
		t.Errorf("flash %q", got)
	}
	if got := text("#customer-cpr"); got != "150385-XXXX" {
		t.Errorf("CPR on the card %q, want it masked", got)
	}
	browser.Screenshot(t, ctx, "bo-customer-card")

	// The user and the PIN letter.
	submit("#create-user", http.StatusOK)
	userNumber, pin := text("#user-number"), text("#pin")
	if !regexp.MustCompile(`^\d{11}$`).MatchString(userNumber) || !regexp.MustCompile(`^\d{8}$`).MatchString(pin) {
		t.Fatalf("user number %q, PIN %q", userNumber, pin)
	}
	if got := text(".letter-to"); got != "Mette Kjær Nielsen Vestergade 12, 2. th. 8000 Aarhus C" {
		t.Errorf("address %q", got)
	}
	browser.Screenshot(t, ctx, "bo-pin-letter")
	if pages := printedPages(t, ctx); pages != 1 {
		t.Errorf("the PIN letter prints on %d pages, want 1", pages)
	}
	printScreenshot(t, ctx, "bo-pin-letter-print")
	do(chromedp.Click(chromedp.CSS("#back-to-card")), chromedp.WaitVisible(chromedp.CSS(".bo-user-card")))
	if got := text(".bo-user-card .bo-status"); got != "Pinkode sendt – venter på første login" {
		t.Errorf("user status %q", got)
	}
	browser.Screenshot(t, ctx, "bo-customer-card-user")
	if _, err := b.a.Identity.VerifyPIN(b.ctx, userNumber, pin, identity.Actor{}); err != nil {
		t.Errorf("the PIN from the browser does not work: %v", err)
	}

	// A business user: password letter and key card.
	do(chromedp.Navigate(b.url+"/backoffice/kunder/"+biz.ID), chromedp.WaitVisible(chromedp.CSS("#biz-form")))
	typeIn("#login", "pia.hansen")
	typeIn("#biz-name", "Pia Hansen")
	do(chromedp.Click(chromedp.CSS(`input[name="profile"][value="approve"]`)))
	submit("#create-user", http.StatusOK)
	if n := eval(`String(document.querySelectorAll(".keycard-grid li").length)`); n != "148" {
		t.Errorf("%s key card pairs", n)
	}
	browser.Screenshot(t, ctx, "bo-business-letter")
	if pages := printedPages(t, ctx); pages != 2 {
		t.Errorf("the password letter and key card print on %d pages, want 2", pages)
	}
	printScreenshot(t, ctx, "bo-business-letter-print")
	do(chromedp.Click(chromedp.CSS("#back-to-card")), chromedp.WaitVisible(chromedp.CSS(".bo-user-card")))
	if got := text(".bo-user-card .bo-status"); got != "Aktiv" {
		t.Errorf("business user status %q", got)
	}
	browser.Screenshot(t, ctx, "bo-business-card")

	// The audit log, and the check of the chain.
	do(chromedp.Click(chromedp.CSS("#nav-audit")), chromedp.WaitVisible(chromedp.CSS("#audit-log")))
	if got := text("#audit-log tbody tr:first-child"); !strings.Contains(got, "Kasper Thomsen (kasper)") || !strings.Contains(got, "Kundekort vist") {
		t.Errorf("newest entry %q", got)
	}
	if got := text("#audit-log tbody"); !strings.Contains(got, "Bruger oprettet") || !strings.Contains(got, "Kunde oprettet") {
		t.Errorf("the log lacks the staff member's actions: %q", got)
	}
	browser.Screenshot(t, ctx, "bo-audit")
	submit("#verify", http.StatusOK)
	if got := text("#verify-result"); !strings.HasPrefix(got, "Kæden er intakt") {
		t.Errorf("verification %q", got)
	}
	browser.Screenshot(t, ctx, "bo-audit-verified")

	// The search keeps CPR numbers out of the address bar.
	do(chromedp.Navigate(b.url + "/backoffice"))
	typeIn("#q", "150385-1234")
	submit("#search-submit", http.StatusOK)
	if got := eval(`location.href`); strings.Contains(got, "150385") {
		t.Errorf("the CPR number is in the URL: %s", got)
	}
	if got := text("#results tbody"); !strings.Contains(got, "Mette Kjær Nielsen Privat 150385-XXXX") {
		t.Errorf("search results %q", got)
	}
	browser.Screenshot(t, ctx, "bo-search")

	// A phone-sized window does not scroll sideways on the card.
	phone := br.NewTab(t)
	if err := chromedp.Do(phone, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(b.url+"/backoffice/kunder/"+biz.ID)); err != nil {
		t.Fatal(err)
	}
	if overflow, err := chromedp.Run(phone, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); err != nil || overflow {
		t.Errorf("the customer card scrolls sideways on a phone (%v)", err)
	}
	browser.Screenshot(t, phone, "bo-customer-card-mobile")

	// Log af.
	submit("#logout", http.StatusOK)
	if got := text("#login-reason"); got != "Du er logget af backoffice." {
		t.Errorf("after logout %q", got)
	}

	if v := br.CSPViolations(); len(v) > 0 {
		t.Errorf("CSP violations: %v", v)
	}
	for _, m := range br.Problems() {
		// The customer form answers 422 on purpose; the browser logs it.
		if !strings.Contains(m.Text, "status of 422") {
			t.Errorf("browser problem: %v", m)
		}
	}
}

// printedPages prints the tab to PDF on A4 with the page's own @page rules
// and counts the pages.
func printedPages(t *testing.T, ctx context.Context) int {
	t.Helper()
	res, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) (page.PrintToPDFResult, error) {
		yes := true
		return cdp.Call(ctx, tg, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &yes, PaperWidth: 8.27, PaperHeight: 11.69})
	})
	if err != nil {
		t.Fatalf("print to PDF: %v", err)
	}
	return bytes.Count(res.Data, []byte("/Type /Page\n")) + bytes.Count(res.Data, []byte("/Type /Page ")) +
		bytes.Count(res.Data, []byte("/Type /Page>")) + bytes.Count(res.Data, []byte("/Type /Page/"))
}

// printScreenshot shows the page as the print stylesheet draws it, in a
// window as wide as the printable part of an A4 page (178 mm).
func printScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	media := func(m string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
			return err
		})
	}
	if err := chromedp.Do(ctx, media("print"), chromedp.EmulateViewport(673, 1000)); err != nil {
		t.Fatal(err)
	}
	browser.Screenshot(t, ctx, name)
	if err := chromedp.Do(ctx, media(""), chromedp.EmulateViewport(browser.Width, browser.Height)); err != nil {
		t.Fatal(err)
	}
}

// boTab drives one Chromium tab for the back-office browser tests.
type boTab struct {
	t   *testing.T
	ctx context.Context
}

func (x boTab) do(actions ...chromedp.Action[chromedp.Void]) {
	x.t.Helper()
	if err := chromedp.Do(x.ctx, actions...); err != nil {
		x.t.Fatal(err)
	}
}

// text is the visible text of sel, with white space folded.
func (x boTab) text(sel string) string {
	x.t.Helper()
	s, err := chromedp.Run(x.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		x.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.Join(strings.Fields(s), " ")
}

func (x boTab) eval(js string) string {
	x.t.Helper()
	s, err := chromedp.Run(x.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		x.t.Fatalf("%s: %v", js, err)
	}
	return s
}

// submit clicks a button that sends a form and waits for the answer.
func (x boTab) submit(sel string, want int) {
	x.t.Helper()
	resp, err := chromedp.RunResponse(x.ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		x.t.Fatalf("click %s: %v", sel, err)
	}
	if int(resp.Status) != want {
		x.t.Fatalf("click %s: status %d, want %d", sel, resp.Status, want)
	}
}
