package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/agreement"
	"github.com/netbank/netbank/calendar"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/internal/testkit/browser"
)

// TestAgreementsInBrowser_PAY8: in a real, headless Chromium under the
// bank's CSP, a private customer signs up to Betalingsservice in
// "Aftaleoversigt" and signs it with the kept signature file (SIGN-2);
// rejects the creditor's announced collection with "Afvis" under Kommende
// betalinger (PAY-3, CAL-1); and approves a bill under "Ikke godkendte"
// with a smaller amount, signing its +71 payment (PAY-4). Screenshots:
// artifacts/screenshots/agr-*.png.
func TestAgreementsInBrowser_PAY8(t *testing.T) {
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
	bank.fund(t, "fund-browser-agr", from.ID, 1_000_000)
	const code = "Sommer2026hus"

	b := browser.New(t)
	x := tab{t, b.Context()}
	x.firstPrivateLogin(bank.url, num, pin, code)

	// Betalingsaftaler → Aftaleoversigt → Tilmeld Betalingsservice.
	x.click("#nav-agreements")
	x.wait("#tab-agreements")
	x.click("#tab-agreements")
	x.wait("#bs-form")
	x.fill("#bs-name", "Ørsted Salg & Service A/S")
	x.fill("#bs-creditor", "02631445")
	x.fill("#bs-group", "00001")
	x.fill("#bs-customer", "5710012345")
	x.shot("agr-01-signup")
	x.click("#bs-submit")
	x.wait("#sign-form")
	x.wait("#usf-stored")
	doc := evalIn[string](x, `document.getElementById("sign-document").textContent`)
	for _, want := range []string{"Tilmelding til Betalingsservice", "PBS-nr.: 02631445", "Kundenummer: 5710012345"} {
		if !strings.Contains(doc, want) {
			t.Errorf("signed document lacks %q:\n%s", want, doc)
		}
	}
	x.fill("#code", code)
	x.shot("agr-02-sign")
	x.click("#sign-submit")
	x.wait("#agr-notice")
	x.wantBody("Du er tilmeldt Betalingsservice", "Ørsted Salg & Service A/S", "Aktiv")
	x.shot("agr-03-agreements")

	// The creditor announces a collection due in two bank days: "Afvis".
	due := calendar.NextBankDay(calendar.NextBankDay(calendar.Day(time.Now())))
	c, err := bank.app.Agreements.Announce(ctx, agreement.Announcement{CreditorNumber: "02631445", DebtorGroup: "00001",
		CustomerNumber: "5710012345", Amount: 645_50, DueDate: due, Text: "El, aconto", CreditorReference: "browser-1"})
	if err != nil {
		t.Fatal(err)
	}
	x.open(bank.url + "/netbank/betalinger/kommende")
	x.wait("#collection-" + c.ID)
	x.wantBody("Betalingsservice", "645,50 kr.", "El, aconto", "Kan afvises til og med")
	x.shot("agr-04-upcoming")
	x.click("#reject-" + c.ID)
	x.wait("#pay-notice")
	x.wantBody("Betalingen er afvist")
	if got, _ := bank.app.Agreements.Collection(ctx, u.CustomerID, c.ID); got.Status != agreement.Rejected {
		t.Errorf("collection %+v", got)
	}

	// A bill under "Ikke godkendte", approved with a smaller amount.
	if _, err := bank.app.Agreements.Create(ctx, agreement.Request{CustomerID: u.CustomerID, UserID: u.ID, ClientID: "browser-e",
		Kind: agreement.EInvoice, AccountID: from.ID, CreditorNumber: testFI, CustomerNumber: "4410001"}); err != nil {
		t.Fatal(err)
	}
	inv, err := bank.app.Agreements.SendInvoice(ctx, agreement.Invoice{CreditorNumber: testFI, CustomerNumber: "4410001", SlipType: "71",
		PaymentID: waterSlipID, Amount: 1_187_50, DueDate: due, Text: "Vand og afledning", CreditorName: "Aarhus Vand A/S", Reference: "browser-b"})
	if err != nil {
		t.Fatal(err)
	}
	x.open(bank.url + "/netbank/regninger")
	x.wait("#nav-bills")
	if got := x.text("#nav-bills"); !strings.Contains(got, "1") {
		t.Errorf("menu count %q", got)
	}
	x.wantBody("Aarhus Vand A/S", "1.187,50 kr.")
	x.shot("agr-05-invoices")
	x.click("#approve-" + inv.ID)
	x.wait("#invoice-approve-form")
	x.fill("#amount", "1.000,00")
	x.shot("agr-06-approve")
	x.click("#invoice-approve")
	x.wait("#sign-form")
	x.wait("#usf-stored")
	doc = evalIn[string](x, `document.getElementById("sign-document").textContent`)
	if !strings.Contains(doc, "Beløb: 1.000,00 kr.") || !strings.Contains(doc, "Indbetalingskort: +71") {
		t.Errorf("signed payment:\n%s", doc)
	}
	x.fill("#code", code)
	x.click("#sign-submit")
	x.wait("#pay-status")
	x.wantBody("Kvittering", "1.000,00 kr.")
	x.shot("agr-07-receipt")
	if got, _ := bank.app.Agreements.Invoice(ctx, u.CustomerID, inv.ID); got.Status != agreement.InvoiceApproved {
		t.Errorf("bill %+v", got)
	}
	requireNoUnexpectedProblems(t, b)
}
