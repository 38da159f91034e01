package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/agreement"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/payment"
)

// Betalingsaftaler (web/agreements.go) and the Betalingsservice part of
// Kommende betalinger, over HTTP against a real bank on SQLite.

// The test clock starts on Saturday 21 November 2026 (loginTestTime).
var (
	tuesday24   = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	wednesday25 = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
)

const (
	testPBS = "02631445"
	testFI  = "81234567"
)

// waterSlipID is the +71 payment id of the test bill.
var waterSlipID = dk.PaymentIDWithCheckDigit("00012345600052")

func (b *testBank) announce(reference string, amount int64, due time.Time) agreement.Collection {
	b.t.Helper()
	c, err := b.app.Agreements.Announce(context.Background(), agreement.Announcement{CreditorNumber: testPBS, DebtorGroup: "1",
		CustomerNumber: "5710012345", Amount: amount, DueDate: due, Text: "El, aconto december", CreditorReference: reference})
	if err != nil {
		b.t.Fatal(err)
	}
	return c
}

func (b *testBank) sendBill(reference string, amount int64) agreement.Invoice {
	b.t.Helper()
	inv, err := b.app.Agreements.SendInvoice(context.Background(), agreement.Invoice{CreditorNumber: testFI, CustomerNumber: "4410001",
		SlipType: "71", PaymentID: waterSlipID, Amount: amount, DueDate: time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC),
		Text: "Vand og afledning", CreditorName: "Aarhus Vand A/S", Reference: reference})
	if err != nil {
		b.t.Fatal(err)
	}
	return inv
}

// signUpBS posts "Tilmeld Betalingsservice" and signs the sign-up with the
// signature file's key (SIGN-2).
func (x nbCustomer) signUpBS(t *testing.T, form url.Values) httpPage {
	t.Helper()
	sp := readSignPage(t, x.c.post("/netbank/aftaler", form))
	if !strings.Contains(sp.document, "Tilmelding til Betalingsservice") || !strings.Contains(sp.document, "\nAftale: agr_") {
		t.Fatalf("signed document:\n%s", sp.document)
	}
	return x.signWith(sp, x.key, auth.Checksum([]byte(sp.document)))
}

// RULE PAY-8, PAY-3, CAL-1, SIGN-2: Tilmeld Betalingsservice in
// "Aftaleoversigt" is signed; the creditor's collection shows under
// Kommende betalinger with "Afvis" until the end of the bank day before
// the due date, and after that the bank refuses in Danish. Cancelling the
// agreement deletes its next collection. Another customer reaches none of
// it, and every form needs the CSRF token.
func TestBetalingsservicePages_PAY8(t *testing.T) {
	b := newTestBank(t, false)
	mette := b.loggedInPrivate("Mette Jensen", "0101801234")
	from := b.openFunded(mette.customerID, "Lønkonto", 1_000_000)

	p := mette.c.get("/netbank/aftaler")
	want(t, p, http.StatusOK, "Aftaleoversigt", "Ikke godkendte", "Tilmeld Betalingsservice", "Du har ingen betalingsaftaler")
	if !strings.Contains(p.Body, `id="nav-agreements" aria-current="page"`) {
		t.Error("Betalingsaftaler is not the current menu item")
	}
	form := url.Values{"kind": {"betalingsservice"}, "client_id": {"web-bs-1"}, "name": {"Ørsted Salg & Service A/S"},
		"creditor": {"0263144"}, "debtor_group": {"1"}, "customer_number": {"5710012345"}, "from": {from.ID}}
	p = mette.c.post("/netbank/aftaler", form)
	want(t, p, http.StatusBadRequest, "PBS-nummeret skal være 8 cifre")
	if !strings.Contains(p.Body, `value="Ørsted Salg &amp; Service A/S"`) {
		t.Error("the creditor's name is not kept")
	}
	if raw := mette.c.postRaw("/netbank/aftaler", form, nil); raw.StatusCode != http.StatusForbidden {
		t.Errorf("sign-up without CSRF: %d", raw.StatusCode)
	}
	form.Set("creditor", testPBS)
	p = mette.signUpBS(t, form)
	wantRedirect(t, p, "/netbank/aftaler?besked=tilmeldt")
	p = mette.c.follow(p)
	want(t, p, http.StatusOK, "Du er tilmeldt Betalingsservice", "Ørsted Salg & Service A/S", "PBS-nr. "+testPBS,
		"Debitorgruppe 00001", "Kundenummer 5710012345", "Aktiv", "Lønkonto")
	list, err := b.app.Agreements.List(context.Background(), mette.customerID)
	if err != nil || len(list) != 1 || list[0].Status != agreement.Active || list[0].SignedDocument == "" {
		t.Fatalf("agreements %+v %v", list, err)
	}

	// The creditor announces two collections.
	first := b.announce("dec-1", 645_50, tuesday24)
	second := b.announce("dec-2", 299_00, wednesday25)
	p = mette.c.get("/netbank/betalinger/kommende")
	want(t, p, http.StatusOK, "Betalingsservice", "Ørsted Salg & Service A/S", "El, aconto december", "645,50 kr.", "24.11.2026",
		"Kan afvises til og med 23.11.2026", "Kan afvises til og med 24.11.2026")
	if strings.Contains(p.Body, `id="pay-none"`) {
		t.Error("says there are no upcoming payments")
	}
	if !strings.Contains(p.Body, `id="reject-`+first.ID+`"`) {
		t.Fatal("no Afvis button")
	}
	p = mette.c.post("/netbank/aftaler/betalinger/"+first.ID+"/afvis", nil)
	wantRedirect(t, p, "/netbank/betalinger/kommende?besked=afvist")
	p = mette.c.follow(p)
	want(t, p, http.StatusOK, "Betalingen er afvist og bliver ikke betalt")
	if strings.Contains(p.Body, `id="collection-`+first.ID+`"`) {
		t.Error("a rejected collection is still upcoming")
	}

	// Another customer can neither see nor reject Mette's collection, nor cancel her agreement.
	anders := b.loggedInPrivate("Anders Holm", "0202802345")
	if p := anders.c.get("/netbank/betalinger/kommende"); strings.Contains(p.Body, "Ørsted") {
		t.Error("Anders sees Mette's collection")
	}
	want(t, anders.c.post("/netbank/aftaler/betalinger/"+second.ID+"/afvis", nil), http.StatusNotFound)
	want(t, anders.c.post("/netbank/aftaler/"+list[0].ID+"/opsig", nil), http.StatusNotFound)

	// Tuesday 24 November: the second (due Wednesday) can be rejected
	// until midnight, not after.
	b.clock.Set(time.Date(2026, 11, 24, 22, 59, 0, 0, time.UTC)) // 23.59 in Copenhagen
	mette.c.login(mette.num, mette.key)
	if p := mette.c.get("/netbank/betalinger/kommende"); !strings.Contains(p.Body, `id="reject-`+second.ID+`"`) {
		t.Fatal("no Afvis button at 23.59 the day before")
	}
	b.clock.Set(time.Date(2026, 11, 24, 23, 0, 0, 0, time.UTC)) // midnight
	p = mette.c.get("/netbank/betalinger/kommende")
	want(t, p, http.StatusOK, "Betales 25.11.2026")
	if strings.Contains(p.Body, `id="reject-`+second.ID+`"`) {
		t.Fatal("Afvis after the deadline")
	}
	p = mette.c.post("/netbank/aftaler/betalinger/"+second.ID+"/afvis", nil)
	wantRedirect(t, p, "/netbank/betalinger/kommende?besked=frist")
	want(t, mette.c.follow(p), http.StatusOK, "Betalingen kan ikke længere afvises")
	if c, _ := b.app.Agreements.Collection(context.Background(), mette.customerID, second.ID); c.Status != agreement.Announced {
		t.Fatalf("rejected after the deadline: %+v", c)
	}

	// Opsig: the next collection goes with it.
	third := b.announce("jan-1", 645_50, time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC))
	p = mette.c.post("/netbank/aftaler/"+list[0].ID+"/opsig", nil)
	wantRedirect(t, p, "/netbank/aftaler?besked=opsagt")
	want(t, mette.c.follow(p), http.StatusOK, "Aftalen er opsagt", "Opsagt 25.11.2026")
	if c, _ := b.app.Agreements.Collection(context.Background(), mette.customerID, third.ID); c.Status != agreement.CollectionCancelled {
		t.Fatalf("the next collection after cancelling: %+v", c)
	}
}

// RULE PAY-8, PAY-4, SIGN-2: a bill sent under an e-invoice agreement
// waits under "Ikke godkendte" (the menu counts it); approving it with
// another amount and date signs a +71 slip payment with those and the bill
// leaves the list; another bill is rejected with a reason. The receipt of
// a paid FI slip offers to receive the creditor's bills electronically.
func TestInvoicePages_PAY8(t *testing.T) {
	b := newTestBank(t, false)
	mette := b.loggedInPrivate("Mette Jensen", "0101801234")
	from := b.openFunded(mette.customerID, "Lønkonto", 1_000_000)

	p := mette.c.post("/netbank/aftaler", url.Values{"kind": {"einvoice"}, "client_id": {"web-e-1"}, "creditor": {testFI},
		"customer_number": {"4410001"}, "from": {from.ID}})
	wantRedirect(t, p, "/netbank/aftaler?besked=oprettet")
	want(t, mette.c.follow(p), http.StatusOK, "Aftalen om elektronisk indbetalingskort er oprettet", "Kreditornummer "+testFI,
		"Elektronisk indbetalingskort")

	p = mette.c.get("/netbank/regninger")
	want(t, p, http.StatusOK, "Ikke godkendte regninger", "Du har ingen regninger")
	if strings.Contains(p.Body, `id="nav-bills"`) {
		t.Error("a bill count without bills")
	}
	bill := b.sendBill("q4", 1_187_50)
	other := b.sendBill("q4-extra", 50_00)
	p = mette.c.get("/netbank/regninger")
	want(t, p, http.StatusOK, "Aarhus Vand A/S", "Vand og afledning", "1.187,50 kr.", "15.12.2026", "+71 "+waterSlipID+" +"+testFI)
	if !strings.Contains(p.Body, `id="nav-bills">2<`) {
		t.Error("the menu does not count 2 bills")
	}

	// Another customer cannot open or approve it.
	anders := b.loggedInPrivate("Anders Holm", "0202802345")
	want(t, anders.c.get("/netbank/regninger/"+bill.ID), http.StatusNotFound)
	want(t, anders.c.post("/netbank/regninger/"+bill.ID+"/godkend", url.Values{"client_id": {"x"}}), http.StatusNotFound)

	p = mette.c.get("/netbank/regninger/" + bill.ID)
	want(t, p, http.StatusOK, "Godkend og betal", "Afvis regningen")
	if !strings.Contains(p.Body, `value="1.187,50"`) || !strings.Contains(p.Body, `value="2026-12-15"`) {
		t.Fatalf("the form is not prefilled with the bill's amount and due date:\n%s", p.Text())
	}
	clientID := attr(t, p.Body, `name="client_id" value="([^"]+)"`)
	approve := url.Values{"client_id": {clientID}, "from": {from.ID}, "amount": {"1.000,00"}, "date": {"2026-12-12"}} // a Saturday
	p = mette.c.post("/netbank/regninger/"+bill.ID+"/godkend", approve)
	want(t, p, http.StatusBadRequest, "ikke en bankdag")
	approve.Set("date", "2026-12-11")
	sp := readSignPage(t, mette.c.post("/netbank/regninger/"+bill.ID+"/godkend", approve))
	for _, want := range []string{"Indbetalingskort: +71", "Beløb: 1.000,00 kr.", "Dato: 11.12.2026", "Kreditornummer: " + testFI} {
		if !strings.Contains(sp.document, want) {
			t.Errorf("signed document lacks %q:\n%s", want, sp.document)
		}
	}
	p = mette.signWith(sp, mette.key, auth.Checksum([]byte(sp.document)))
	if loc := p.Header.Get("Location"); p.StatusCode != http.StatusSeeOther || !strings.HasSuffix(loc, "/kvittering") {
		t.Fatalf("after signing: %d → %q", p.StatusCode, loc)
	}
	want(t, mette.c.follow(p), http.StatusOK, "Kvittering", "1.000,00 kr.", "11.12.2026")
	got, err := b.app.Agreements.Invoice(context.Background(), mette.customerID, bill.ID)
	if err != nil || got.Status != agreement.InvoiceApproved {
		t.Fatalf("bill %+v %v", got, err)
	}
	pay, err := b.app.Payments.Get(context.Background(), mette.customerID, got.ApprovedPayment)
	if err != nil || pay.Kind != payment.SlipPayment || pay.Amount != 1_000_00 || pay.Status != payment.Scheduled {
		t.Fatalf("payment %+v %v", pay, err)
	}
	want(t, mette.c.get("/netbank/betalinger/kommende"), http.StatusOK, "1.000,00 kr.", "11.12.2026")

	// Reject the other one, with a reason.
	p = mette.c.post("/netbank/regninger/"+other.ID+"/afvis", url.Values{"reason": {"Fejl i regningen"}})
	wantRedirect(t, p, "/netbank/regninger?besked=afvist")
	p = mette.c.follow(p)
	want(t, p, http.StatusOK, "Regningen er afvist", "Du har ingen regninger")
	if strings.Contains(p.Body, `id="nav-bills"`) {
		t.Error("bills still counted")
	}

	// The receipt of a +71 slip to another creditor offers e-invoices.
	ctx := context.Background()
	slip, err := b.app.Payments.Create(ctx, payment.Request{CustomerID: mette.customerID, UserID: mette.userID, ClientID: "slip-1",
		FromAccount: from.ID, CodeLine: "+71< 000100017156728+81234568<", Amount: 499_00})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.app.Payments.Confirm(ctx, mette.customerID, slip.ID, "doc_slip", mette.userID); err != nil {
		t.Fatal(err)
	}
	p = mette.c.get("/netbank/betalinger/" + slip.ID + "/kvittering")
	want(t, p, http.StatusOK, "Modtag fremtidige regninger fra denne kreditor elektronisk")
	p = mette.c.post("/netbank/aftaler/eindbetaling", url.Values{"payment": {slip.ID}, "customer_number": {"777"}})
	want(t, p, http.StatusBadRequest, "Sæt flueben")
	p = mette.c.post("/netbank/aftaler/eindbetaling", url.Values{"payment": {slip.ID}, "customer_number": {"777"}, "confirm": {"yes"}})
	wantRedirect(t, p, "/netbank/aftaler?besked=oprettet")
	want(t, mette.c.follow(p), http.StatusOK, "Kreditornummer 81234568", "Kundenummer 777")
	want(t, anders.c.post("/netbank/aftaler/eindbetaling", url.Values{"payment": {slip.ID}, "customer_number": {"1"}, "confirm": {"yes"}}),
		http.StatusNotFound)
}
