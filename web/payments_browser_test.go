package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/internal/testkit/browser"
)

// Betalinger in a real, headless Chromium under the bank's CSP, signed with
// the real signature file (usf.js, sign.js, WebCrypto, IndexedDB).
// Screenshots: artifacts/screenshots/pay-*.png.

// TestPaymentsInBrowser: a private customer pays another customer of the
// bank from "Betalinger" (RULE PAY-1): the form names the bank of the
// registration number as it is typed and the review page names the payee
// (PAY-2); "Godkend og underskriv" leads to the signing page, signed with
// the code and the file kept at the first login; the receipt says
// "Gennemført" and the money has moved. Then a +71 card is paid by pasting
// its code line (PAY-4).
func TestPaymentsInBrowser(t *testing.T) {
	bank := newBrowserBank(t, identity.Config{})
	ctx := context.Background()
	num, pin := bank.privateUser(t, "Mette Kjær Nielsen", "150385-1234")
	u, err := bank.app.Identity.UserByLogin(ctx, num)
	if err != nil {
		t.Fatal(err)
	}
	from, err := bank.app.Accounts.Open(ctx, u.CustomerID, account.Salary, "Lønkonto", "DKK", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	bank.fund(t, "fund-browser-pay", from.ID, 1_000_000)
	anders, err := bank.app.Identity.CreateCustomer(ctx, identity.Customer{Kind: identity.PrivateCustomer, Name: "Anders Holm", CPR: "020280-2345",
		Mobile: "30 12 34 56", Address: "Nørregade 3", Postcode: "8000", City: "Aarhus C", Email: "anders.holm@example.dk"}, identity.System)
	if err != nil {
		t.Fatal(err)
	}
	to, err := bank.app.Accounts.Open(ctx, anders.ID, account.Salary, "Budget", "DKK", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	bankName, ok := dk.BankName(to.Reg)
	if !ok {
		t.Fatalf("no bank name for %s", to.Reg)
	}
	const code = "Sommer2026hus"

	b := browser.New(t)
	x := tab{t, b.Context()}

	// First login through the real pages: the file is kept in IndexedDB.
	x.firstPrivateLogin(bank.url, num, pin, code)

	// RULE PAY-1: "Betalinger" in the menu opens "Ny betaling".
	x.click("#nav-payments")
	x.wait("#pay-form")
	x.wantBody("Ny betaling", "Lønkonto", "10.000,00 kr.", "Indbetalingskort")
	x.click("#to-other")
	x.fill("#reg", to.Reg)
	// RULE PAY-2: payments.js names the bank as the number is typed.
	x.waitFor("bank name", `document.getElementById("bank-name").innerText.includes(`+strconvQuote(bankName)+`)`, 10*time.Second)
	x.fill("#account", to.Number)
	x.fill("#name", "Anders Holm")
	x.fill("#amount", "1.250,50")
	x.fill("#text_self", "Husleje")
	x.fill("#text_recipient", "Husleje december")
	x.shot("pay-01-form")
	x.click("#pay-submit")

	// The review page.
	x.wait("#pay-sign-form")
	if got := x.text("#pay-amount"); got != "1.250,50 kr." {
		t.Errorf("review amount %q", got)
	}
	if got := x.text("#pay-payee"); !strings.Contains(got, to.Reg+" "+to.Number+" ("+bankName+")") || !strings.Contains(got, "Anders Holm") {
		t.Errorf("review payee %q", got)
	}
	x.wantBody("Husleje december", "Godkend og underskriv", "Fortryd")
	// "Fortryd" sits next to "Godkend og underskriv" but deletes the payment.
	if got := evalIn[string](x, `document.getElementById("pay-abort").form.action`); !strings.HasSuffix(got, "/slet") {
		t.Errorf("Fortryd submits to %q", got)
	}
	x.shot("pay-02-review")

	// The signing page, with the file kept at the first login.
	x.click("#pay-sign")
	x.wait("#sign-form")
	x.wait("#usf-stored")
	doc := evalIn[string](x, `document.getElementById("sign-document").textContent`)
	if !strings.Contains(doc, "1.250,50") || !strings.Contains(doc, to.Number) || !strings.Contains(doc, "Betaling: ") {
		t.Errorf("signed document shown:\n%s", doc)
	}
	x.fill("#code", code)
	x.shot("pay-03-sign")
	x.click("#sign-submit")
	x.wait("#pay-status")
	if got := x.text("#pay-status"); got != "Status: Gennemført" {
		t.Errorf("receipt status %q", got)
	}
	x.wantBody("Kvittering", "1.250,50 kr.", "Anders Holm")
	x.shot("pay-04-receipt")
	if got := balance(t, bank, to.ID); got != 125_050 {
		t.Errorf("payee's balance %d, want 125050", got)
	}

	// RULE PAY-4: an FI card +71, the code line pasted.
	x.click("#pay-new")
	x.wait("#pay-form")
	x.click("#tab-slip")
	x.wait("#codeline")
	x.fill("#codeline", "+71< 000100017156728+81234567<")
	x.fill("#amount", "499,00")
	x.shot("pay-05-slip")
	x.click("#pay-submit")
	x.wait("#pay-sign-form")
	x.wantBody("Indbetalingskort", "+71 000100017156728 +81234567", "499,00 kr.")
	x.click("#pay-sign")
	x.wait("#usf-stored")
	x.fill("#code", code)
	x.click("#sign-submit")
	x.wait("#pay-status")
	x.wantBody("Kvittering", "+71 000100017156728", "499,00 kr.")
	if strings.Contains(x.text("#pay-status"), "Afvist") || strings.Contains(x.text("#pay-status"), "Afventer") {
		t.Errorf("slip receipt status %q", x.text("#pay-status"))
	}
	x.shot("pay-06-slip-receipt")

	if got := balance(t, bank, from.ID); got != 1_000_000-125_050-49_900 {
		t.Errorf("payer's balance %d", got)
	}
	if got := balance(t, bank, to.ID); got != 125_050 {
		t.Errorf("payee's balance after the slip %d", got)
	}
	rep, err := bank.app.Ledger.Check(ctx)
	if err != nil || !rep.OK() {
		t.Errorf("ledger check: %+v, %v", rep, err)
	}
	requireNoUnexpectedProblems(t, b)
}

func balance(t *testing.T, bank *browserBank, id string) int64 {
	t.Helper()
	bal, err := bank.app.Ledger.Balance(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return bal.Posted
}

// TestForeignTransferInBrowser_PAY5_PAY4: a private customer sends 1.000,00
// EUR to a German IBAN from "Udland" (RULE PAY-5): payments.js writes the
// IBAN in groups of four and names its country; the review page shows the
// amount in euro, the rate, the kroner, the fee and the total before the
// customer signs; the receipt says the transfer is sent. Then a +71 card
// is entered field by field (PAY-4): only the fields the card type has are
// shown, and a wrong check digit is caught as it is typed.
func TestForeignTransferInBrowser_PAY5_PAY4(t *testing.T) {
	bank := newBrowserBank(t, identity.Config{})
	ctx := context.Background()
	if err := bank.app.Pricing.SetRate(ctx, "EUR", 7_461_200, "test"); err != nil {
		t.Fatal(err)
	}
	num, pin := bank.privateUser(t, "Mette Kjær Nielsen", "150385-1234")
	u, err := bank.app.Identity.UserByLogin(ctx, num)
	if err != nil {
		t.Fatal(err)
	}
	from, err := bank.app.Accounts.Open(ctx, u.CustomerID, account.Salary, "Lønkonto", "DKK", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	bank.fund(t, "fund-browser-foreign", from.ID, 2_000_000)
	const code = "Vinter2026hus"

	b := browser.New(t)
	x := tab{t, b.Context()}
	x.firstPrivateLogin(bank.url, num, pin, code)

	// RULE PAY-1: "Udland" next to "Overførsel" and "Indbetalingskort".
	x.click("#nav-payments")
	x.wait("#pay-form")
	x.wantBody("Overførsel", "Indbetalingskort", "Udland")
	x.click("#tab-foreign")
	x.wait("#iban")
	x.fill("#iban", "de89370400440532013000")
	x.click("#bic") // leaving the IBAN field formats it
	x.waitFor("formatted IBAN", `document.getElementById("iban").value === "DE89 3704 0044 0532 0130 00"`, 5*time.Second)
	x.waitFor("IBAN country", `document.getElementById("iban-country").innerText.includes("Tyskland")`, 5*time.Second)
	x.fill("#bic", "cobadeffxxx")
	x.fill("#name", "Hans Müller")
	x.fill("#address", "Hauptstraße 1, 10115 Berlin")
	x.fill("#amount", "1.000,00")
	if got := x.text("#amount-label"); got != "Beløb (EUR)" {
		t.Errorf("amount label %q", got)
	}
	x.fill("#text_recipient", "Rechnung 117")
	x.shot("pay-foreign-01-form")
	x.click("#pay-submit")

	// RULE PAY-5: rate and fee before signing.
	x.wait("#pay-sign-form")
	for sel, want := range map[string]string{"#pay-amount": "1.000,00 EUR", "#pay-rate": "753,5812 kr. pr. 100 EUR",
		"#pay-refrate": "746,1200 kr. pr. 100 EUR", "#pay-dkk": "7.535,81 kr.", "#pay-fee": "0,00 kr.", "#pay-total": "7.535,81 kr."} {
		if got := x.text(sel); got != want {
			t.Errorf("review %s = %q, want %q", sel, got, want)
		}
	}
	x.wantBody("DE89 3704 0044 0532 0130 00 (COBADEFFXXX)", "Hans Müller", "Kursen er fast, hvis du underskriver senest kl.")
	x.shot("pay-foreign-02-review")
	x.click("#pay-sign")
	x.wait("#sign-form")
	x.wait("#usf-stored")
	doc := evalIn[string](x, `document.getElementById("sign-document").textContent`)
	if !strings.Contains(doc, "Kurs: 753,5812 kr. pr. 100 EUR") || !strings.Contains(doc, "I alt trækkes: 7.535,81 kr.") {
		t.Errorf("signed document shown:\n%s", doc)
	}
	x.fill("#code", code)
	x.click("#sign-submit")
	x.wait("#pay-status")
	if got := x.text("#pay-status"); !strings.Contains(got, "Sendt til modtagers bank") {
		t.Errorf("receipt status %q", got)
	}
	x.wantBody("Kvittering", "1.000,00 EUR", "7.535,81 kr.", "Hent SWIFT-besked")
	x.shot("pay-foreign-03-receipt")
	if got := balance(t, bank, from.ID); got != 2_000_000-753_581 {
		t.Errorf("payer's balance %d", got)
	}

	// RULE PAY-4: a +71 card, field by field.
	x.click("#pay-new")
	x.wait("#pay-form")
	x.click("#tab-slip")
	x.wait("#slip_type")
	setType := func(typ string) {
		t.Helper()
		evalIn[bool](x, `(() => { const s = document.getElementById("slip_type"); s.value = `+strconvQuote(typ)+`; s.dispatchEvent(new Event("change")); return true })()`)
	}
	setType("73")
	if !evalIn[bool](x, `document.getElementById("slip-id-field").hidden && !document.getElementById("slip-message-field").hidden`) {
		t.Error("+73: the payment id is shown or the message is not")
	}
	if got := x.text("#slip-account-label"); got != "Kreditornummer" {
		t.Errorf("+73 account label %q", got)
	}
	setType("71")
	if !evalIn[bool](x, `!document.getElementById("slip-id-field").hidden && document.getElementById("slip-message-field").hidden`) {
		t.Error("+71: the payment id is hidden or the message is shown")
	}
	x.fill("#slip_id", "000100017156729")
	x.waitFor("check digit refused", `document.getElementById("slip_id").getAttribute("aria-invalid") === "true"`, 5*time.Second)
	if got := x.text("#slip-id-hint"); got != "Kontrolcifferet i betalings-id'et passer ikke" {
		t.Errorf("check digit hint %q", got)
	}
	x.fill("#slip_id", "000100017156728")
	x.waitFor("check digit accepted", `document.getElementById("slip_id").getAttribute("aria-invalid") === "false"`, 5*time.Second)
	x.fill("#slip_account", "81234567")
	x.fill("#amount", "499,00")
	x.shot("pay-foreign-04-slip-fields")
	x.click("#pay-submit")
	x.wait("#pay-sign-form")
	x.wantBody("Indbetalingskort", "+71 000100017156728 +81234567", "499,00 kr.")
	x.click("#pay-sign")
	x.wait("#usf-stored")
	x.fill("#code", code)
	x.click("#sign-submit")
	x.wait("#pay-status")
	x.wantBody("Kvittering", "+71 000100017156728", "499,00 kr.")
	if got := balance(t, bank, from.ID); got != 2_000_000-753_581-49_900 {
		t.Errorf("payer's balance after the slip %d", got)
	}
	rep, err := bank.app.Ledger.Check(ctx)
	if err != nil || !rep.OK() {
		t.Errorf("ledger check: %+v, %v", rep, err)
	}
	requireNoUnexpectedProblems(t, b)
}
