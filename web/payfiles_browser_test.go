package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/internal/testkit/browser"
	"github.com/netbank/netbank/payment"
)

// TestPayfileInBrowser_PAY6: a business user of the carpenter's business
// logs in with the key card, opens "Indlæs betalingsfil" from the menu
// and uploads a CSV file with three good lines and one bad (RULE PAY-6);
// the review marks the bad line with its reason and offers to sign the
// three; one signature with the password and a key-card code (BIZ-3,
// SIGN-2) pays them all, and the receipt lists each payment's status.
// Screenshots: artifacts/screenshots/payfile-*.png.
func TestPayfileInBrowser_PAY6(t *testing.T) {
	bank := newBrowserBank(t, identity.Config{})
	ctx := context.Background()
	c, err := bank.app.Identity.CreateCustomer(ctx, identity.Customer{Kind: identity.BusinessCustomer, Name: "Hansen & Søn Tømrer ApS",
		CVR: "25313763", City: "Viby J"}, identity.System)
	if err != nil {
		t.Fatal(err)
	}
	_, password, card, err := bank.app.Identity.CreateBusinessUser(ctx, c.ID, "jens.hansen", "Jens Hansen",
		[]identity.Permission{identity.PermView, identity.PermCreate}, identity.System)
	if err != nil {
		t.Fatal(err)
	}
	from, err := bank.app.Accounts.Open(ctx, c.ID, account.Salary, "Erhvervskonto", "DKK", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	bank.fund(t, "fund-browser-payfile", from.ID, 5_000_000)
	anders, err := bank.app.Identity.CreateCustomer(ctx, identity.Customer{Kind: identity.PrivateCustomer, Name: "Anders Holm", CPR: "020280-2345",
		Address: "Nørregade 3", Postcode: "8000", City: "Aarhus C"}, identity.System)
	if err != nil {
		t.Fatal(err)
	}
	to, err := bank.app.Accounts.Open(ctx, anders.ID, account.Salary, "Budget", "DKK", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "løn november.csv")
	if err := os.WriteFile(path, payCSV(from,
		";1.000,00;"+to.Reg+";"+to.Number+";Anders Holm;Løn", // line 2
		";2.500,00;5301;0012345678;Jens Smed;Faktura 17",     // line 3
		";300,00;"+to.Reg+";"+to.Number+";Anders Holm;Bonus", // line 4
		";50,00;0001;0000000123;Ingen Bank;Fejl",             // line 5: no bank 0001
	), 0o600); err != nil {
		t.Fatal(err)
	}

	b := browser.New(t)
	x := tab{t, b.Context()}
	x.open(bank.url + "/login")
	x.fill("#user-id", "jens.hansen")
	x.fill("#password", password)
	x.click("#business-submit")
	x.wait("#keycode")
	x.fill("#keycode", card.Codes[x.text("#key-number")])
	x.click("#code-submit")
	x.wait("#welcome")

	x.click("#nav-payfile")
	x.wait("#pf-form")
	x.wantBody("Indlæs betalingsfil", "Standardkonto", "Erhvervskonto")
	x.upload("#pf-upload", path)
	x.shot("payfile-01-form")
	x.click("#pf-submit")

	// The review: every line, the bad one with its reason.
	x.wait("#pf-sign-form")
	if got := x.text("#pf-line-5"); !strings.Contains(got, "Ukendt registreringsnummer 0001") {
		t.Errorf("line 5 shows %q", got)
	}
	if red := evalIn[string](x, `getComputedStyle(document.querySelector("#pf-line-5 .nbi-field-error")).color`); red != "rgb(179, 38, 30)" {
		t.Errorf("the reason of the bad line is %s, not red", red)
	}
	if got := x.text("#pf-line-3"); !strings.Contains(got, "Jens Smed") || !strings.Contains(got, "2.500,00 kr.") {
		t.Errorf("line 3 shows %q", got)
	}
	x.wantBody("løn november.csv", "I alt 3.800,00 kr.", "Anders Holm")
	if got := x.text("#pf-sign"); got != "Godkend og underskriv 3 betalinger" {
		t.Errorf("sign button %q", got)
	}
	x.shot("payfile-02-review")

	// One signature: the password and the key card's code.
	x.click("#pf-sign")
	x.wait("#keycode")
	doc := evalIn[string](x, `document.getElementById("sign-document").textContent`)
	for _, want := range []string{"Antal betalinger: 3", "I alt: 3.800,00 kr.", "Jens Smed, 2.500,00 kr.", "Reference: bat_"} {
		if !strings.Contains(doc, want) {
			t.Errorf("signed document lacks %q:\n%s", want, doc)
		}
	}
	key := x.text("#key-number")
	x.fill("#password", password)
	x.fill("#keycode", card.Codes[key])
	x.shot("payfile-03-sign")
	x.click("#sign-submit")

	// The receipt: each payment's status, the bad line still named.
	x.wait("#pf-status")
	x.wantBody("Kvittering for betalingsfil", "Underskrevet", "Gennemført", "I clearing", "Ukendt registreringsnummer 0001")
	if got := x.text("#pf-line-2"); !strings.Contains(got, "Gennemført") {
		t.Errorf("line 2 on the receipt: %q", got)
	}
	x.shot("payfile-04-receipt")
	list, err := bank.app.Payments.Batches(ctx, c.ID)
	if err != nil || len(list) != 1 || list[0].Status != payment.BatchSigned || len(list[0].Payments) != 3 {
		t.Fatalf("batches %+v, %v", list, err)
	}
	if got := balance(t, bank, to.ID); got != 130_000 {
		t.Errorf("payee's balance %d, want 130000", got)
	}
	if got := balance(t, bank, from.ID); got != 5_000_000-380_000 {
		t.Errorf("payer's balance %d", got)
	}
	// A payment's own receipt from the list.
	x.click("#pf-line-3 a")
	x.wait("#pay-status")
	x.wantBody("Jens Smed", "2.500,00 kr.")
	rep, err := bank.app.Ledger.Check(ctx)
	if err != nil || !rep.OK() {
		t.Errorf("ledger check: %+v, %v", rep, err)
	}
	requireNoUnexpectedProblems(t, b)
}
