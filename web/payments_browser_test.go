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
	"github.com/netbank/netbank/ledger"
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
	if _, err := bank.app.Ledger.Transfer(ctx, ledger.TransferRequest{ID: "fund-browser-pay",
		DebitAccountID: ledger.InternalAccountID(ledger.KindSettlement, "DKK"), CreditAccountID: from.ID, Amount: 1_000_000}); err != nil {
		t.Fatal(err)
	}
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
	x.open(bank.url + "/login")
	x.fill("#user-number", num)
	x.click("#private-submit")
	x.wait("#pin")
	x.fill("#pin", pin)
	x.click("#pin-submit")
	x.wait("#new-code")
	x.fill("#new-code", code)
	x.fill("#new-code-again", code)
	x.click("#enroll-submit")
	x.wait("#enroll-done")
	x.click("#continue")
	x.wait("#welcome")

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
