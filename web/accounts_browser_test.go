package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/demo"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/internal/testkit/browser"
)

// TestAccountsInBrowser: Mette logs in with her signature file, sees her
// accounts first on the overview, opens "Konti" and her salary account,
// searches for the rent, pages with "Vis flere", and opens the printable
// statement — on a desktop and on a phone, under the real CSP. Screenshots
// go to artifacts/screenshots/accounts-*.png.
func TestAccountsInBrowser(t *testing.T) {
	bank, creds := demoBrowserBank(t)
	mette := creds.Users[0]
	if mette.Name != "Mette Kjær Nielsen" {
		t.Fatalf("first demo user is %s", mette.Name)
	}
	file := bank.enrolledFile(t, mette.UserNumber, mette.PINCode, "mette2026a", t.TempDir())

	b := browser.New(t)
	x := tab{t, b.Context()}
	x.open(bank.url + "/login")
	x.fill("#user-number", mette.UserNumber)
	x.click("#private-submit")
	x.wait("#usf-pick")
	x.upload("#usf-file", file)
	x.fill("#code", "mette2026a")
	x.click("#signature-submit")
	x.wait("#welcome")

	// The overview: the accounts first.
	x.wait("#overview-accounts")
	x.wantBody("Dine konti", "Lønkonto", "9070 0004410001", "Opsparing", "9070 0004410002", "Disponibelt")
	x.shot("accounts-01-overview")

	// Konti.
	x.click("#nav-accounts")
	x.wait("#accounts")
	x.wantBody("Konti", "Lønkonto", "IBAN DK", "Saldo", "Disponibelt", "Trækningsret", "5.000,00 kr.", "I alt")
	x.shot("accounts-02-list")

	// The salary account: the postings, newest first.
	x.click(`a.acc-name[href="/netbank/konti/9070-0004410001"]`)
	x.wait("#postings")
	x.wantBody("Lønkonto", "9070 0004410001", "Søg i posteringer", "Posteringer", "Saldo primo", "Saldo ultimo")
	x.shot("accounts-03-account")

	// "Vis flere": the next postings are added to the table (accounts.js).
	rows := func() int { return evalIn[int](x, `document.querySelectorAll("#postings tbody tr").length`) }
	if n := rows(); n != 50 {
		t.Fatalf("%d postings on the first page, want 50", n)
	}
	x.click("#more-link")
	x.waitFor("more postings", `document.querySelectorAll("#postings tbody tr").length > 50`, 10*time.Second)
	if loc := x.location(); loc != "/netbank/konti/9070-0004410001" {
		t.Errorf("Vis flere left the page: %s", loc)
	}
	if got := evalIn[string](x, `document.getElementById("more-status").textContent`); got != "Flere posteringer er vist." {
		t.Errorf("screen readers hear %q", got)
	}

	// Search for the rent.
	x.fill("#tekst", "husleje")
	x.click("#search-submit")
	x.waitNavigation("search", `location.search.includes("tekst=husleje") && document.readyState === "complete" && !!document.getElementById("postings")`, 10*time.Second)
	texts := evalIn[[]string](x, `Array.from(document.querySelectorAll("#postings .posting-text")).map(e => e.textContent)`)
	if len(texts) != 3 {
		t.Errorf("the search found %d postings: %v", len(texts), texts)
	}
	for _, s := range texts {
		if !strings.Contains(s, "Husleje") {
			t.Errorf("the search found %q", s)
		}
	}
	x.shot("accounts-04-search")

	// A wrong amount: a Danish message at the form.
	x.fill("#beloeb_fra", "mange")
	x.click("#search-submit")
	x.wait("#search-errors")
	x.wantBody("Søgningen kan ikke udføres", "Beløb fra: Beløbet skal skrives som et tal, f.eks. 1.234,56")
	x.shot("accounts-05-search-error")

	// The statement for the period, with a print button.
	x.click("#search-reset")
	x.wait("#statement-link")
	x.click("#statement-link")
	x.wait("#statement")
	x.wait("#print") // shown by accounts.js
	x.wantBody("Kontoudtog", "Mette Kjær Nielsen", "Vestergade 12, 2. th.", "8000 Aarhus C", "Primosaldo", "Ultimosaldo",
		"Indbetalinger i alt", "Udbetalinger i alt", "Udskriv")
	x.shot("accounts-06-statement")
	printScreenshot(t, x.ctx, "accounts-07-statement-print")
	if n := printedPages(t, x.ctx); n < 2 {
		t.Errorf("three months print on %d A4 page(s)", n)
	}

	// On a phone: no sideways scrolling, every figure labelled.
	phone := tab{t, b.NewTab(t)}
	phone.run("phone", 20*time.Second, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	for _, page := range []struct{ path, shot, wait string }{
		{"/netbank", "accounts-10-phone-overview", "#overview-accounts"},
		{"/netbank/konti", "accounts-11-phone-list", "#accounts"},
		{"/netbank/konti/9070-0004410001", "accounts-12-phone-account", "#postings"},
		{"/netbank/konti/9070-0004410001/kontoudtog", "accounts-13-phone-statement", "#statement"},
	} {
		phone.open(bank.url + page.path)
		phone.wait(page.wait)
		if evalIn[bool](phone, `document.documentElement.scrollWidth > window.innerWidth`) {
			t.Errorf("%s scrolls sideways on a phone", page.path)
		}
		phone.shot(page.shot)
	}
	requireNoUnexpectedProblems(t, b)
}

// demoBrowserBank starts the demo bank (SQLite in a temporary directory,
// the per-address login limit lifted: every browser comes from 127.0.0.1)
// served over HTTP, and returns it with its demo.json.
func demoBrowserBank(t *testing.T) (*browserBank, demo.Credentials) {
	t.Helper()
	dir := t.TempDir()
	a, err := app.New(context.Background(), app.Config{DataDir: dir, Demo: true, Identity: identity.Config{RateLimit: 10000},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	ts := httptest.NewServer(a.Handler)
	t.Cleanup(ts.Close)
	creds, err := demo.ReadCredentials(dir)
	if err != nil {
		t.Fatal(err)
	}
	return &browserBank{app: a, url: ts.URL}, creds
}
