package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/payment"
)

// Betalinger (web/payments.go) over HTTP against a real bank on SQLite:
// the form, the review, the signing page and the receipt.

// openFunded opens a kroner account for a customer with amount øre on it.
func (b *testBank) openFunded(customerID, name string, amount int64) account.Account {
	b.t.Helper()
	ctx := context.Background()
	a, err := b.app.Accounts.Open(ctx, customerID, account.Salary, name, "DKK", "", 0)
	if err != nil {
		b.t.Fatal(err)
	}
	if amount > 0 {
		if _, err := b.app.Ledger.Transfer(ctx, ledger.TransferRequest{ID: "fund-" + strings.ReplaceAll(a.ID, "-", ""),
			DebitAccountID: ledger.InternalAccountID(ledger.KindSettlement, "DKK"), CreditAccountID: a.ID, Amount: amount}); err != nil {
			b.t.Fatal(err)
		}
	}
	return a
}

func (b *testBank) posted(id string) int64 {
	b.t.Helper()
	bal, err := b.app.Ledger.Balance(context.Background(), id)
	if err != nil {
		b.t.Fatal(err)
	}
	return bal.Posted
}

func (b *testBank) customerOf(login string) string {
	b.t.Helper()
	u, err := b.app.Identity.UserByLogin(context.Background(), login)
	if err != nil {
		b.t.Fatal(err)
	}
	return u.CustomerID
}

func (b *testBank) ledgerOK() {
	b.t.Helper()
	rep, err := b.app.Ledger.Check(context.Background())
	if err != nil || !rep.OK() {
		b.t.Fatalf("ledger check: %+v, %v", rep, err)
	}
}

func (b *testBank) payments(customerID string) []payment.Payment {
	b.t.Helper()
	ps, err := b.app.Payments.Search(context.Background(), customerID, payment.Filter{})
	if err != nil {
		b.t.Fatal(err)
	}
	return ps
}

// payForm reads the form's client id and fills in the rest.
func payForm(t *testing.T, c *browserClient, path string, fields url.Values) url.Values {
	t.Helper()
	p := c.get(path)
	if p.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", path, p.StatusCode, p.Text())
	}
	f := cloneValues(fields)
	f.Set("client_id", attr(t, p.Body, `name="client_id" value="([^"]+)"`))
	f.Set("mode", attr(t, p.Body, `name="mode" value="([^"]+)"`))
	return f
}

// reviewID reads the payment id from the review page.
func reviewID(t *testing.T, p httpPage) string {
	t.Helper()
	if p.StatusCode != http.StatusOK || !strings.Contains(p.Body, `id="pay-sign-form"`) {
		t.Fatalf("no review page: %d\n%s", p.StatusCode, p.Text())
	}
	return attr(t, p.Body, `action="/netbank/betalinger/([^"/]+)/underskriv"`)
}

// signPrivate posts "Godkend og underskriv" and signs with the file's key.
func (x nbCustomer) signPayment(t *testing.T, id string) httpPage {
	t.Helper()
	sp := readSignPage(t, x.c.post("/netbank/betalinger/"+id+"/underskriv", nil))
	if !strings.Contains(sp.document, "Betaling: "+id) {
		t.Fatalf("signed document does not name the payment:\n%s", sp.document)
	}
	return x.signWith(sp, x.key, auth.Checksum([]byte(sp.document)))
}

// RULE PAY-1, PAY-2: a transfer to another customer's account in the bank,
// form → review → signing → receipt; the money moves at once. PAY-4: a +71
// slip is paid from the code line; a wrong check digit is refused in
// Danish. A double submit makes one payment. CSRF guards every POST.
func TestPaymentTransferAndSlip(t *testing.T) {
	b := newTestBank(t, false)
	mette := b.loggedInPrivate("Mette Jensen", "0101801234")
	from := b.openFunded(mette.customerID, "Lønkonto", 1_000_000) // 10.000,00 kr.
	anders, _ := b.privateUser("Anders Holm", "0202802345")
	to := b.openFunded(b.customerOf(anders), "Budget", 0)

	p := mette.c.get("/netbank/betalinger")
	want(t, p, http.StatusOK, "Ny betaling", "Lønkonto", "10.000,00 kr.", "Indbetalingskort")
	if !strings.Contains(p.Body, `id="nav-payments" aria-current="page"`) {
		t.Error("Betalinger is not the current menu item")
	}

	// A wrong amount: the form again, in Danish, with the values kept.
	f := payForm(t, mette.c, "/netbank/betalinger", url.Values{"from": {from.ID}, "to_kind": {"other"}, "reg": {to.Reg},
		"account": {to.Number}, "name": {"Anders Holm"}, "amount": {"12,345"}, "text_self": {"Husleje"}})
	p = mette.c.post("/netbank/betalinger", f)
	want(t, p, http.StatusBadRequest)
	if !strings.Contains(p.Body, `id="pay-error"`) || !strings.Contains(p.Body, `value="Anders Holm"`) || !strings.Contains(p.Body, `value="Husleje"`) {
		t.Fatalf("no message or values lost:\n%s", p.Text())
	}

	f.Set("amount", "1.250,50")
	f.Set("text_recipient", "Husleje december")
	p = mette.c.post("/netbank/betalinger", f)
	id := reviewID(t, p)
	wantText(t, p, "1.250,50 kr.", to.Reg+" "+to.Number+" (Netbank)", "Anders Holm", "21.11.2026", "Husleje december", "Godkend og underskriv")
	// The same form again (a double submit): the same payment.
	if again := reviewID(t, mette.c.post("/netbank/betalinger", f)); again != id {
		t.Fatalf("double submit made a second payment %s (first %s)", again, id)
	}
	if n := len(b.payments(mette.customerID)); n != 1 {
		t.Fatalf("%d payments after a double submit, want 1", n)
	}
	// Without the CSRF token nothing is signed.
	raw := url.Values{}
	if p := mette.c.postRaw("/netbank/betalinger/"+id+"/underskriv", raw, nil); p.StatusCode != http.StatusForbidden {
		t.Errorf("sign without CSRF: %d", p.StatusCode)
	}
	if p := mette.c.postRaw("/netbank/betalinger", f, nil); p.StatusCode != http.StatusForbidden {
		t.Errorf("create without CSRF: %d", p.StatusCode)
	}

	p = mette.signPayment(t, id)
	wantRedirect(t, p, "/netbank/betalinger/"+id+"/kvittering")
	want(t, mette.c.follow(p), http.StatusOK, "Kvittering", "Status: Gennemført", "1.250,50 kr.", "Anders Holm")
	if got := b.posted(to.ID); got != 125_050 {
		t.Errorf("payee's balance %d, want 125050", got)
	}
	if got := b.posted(from.ID); got != 1_000_000-125_050 {
		t.Errorf("payer's balance %d", got)
	}

	// A transfer to another bank: the review names the bank (PAY-2);
	// "Fortryd" deletes the unsigned payment.
	bank, ok := dk.BankName("5301")
	if !ok {
		t.Fatal("no bank 5301")
	}
	df := payForm(t, mette.c, "/netbank/betalinger", url.Values{"from": {from.ID}, "to_kind": {"other"}, "reg": {"5301"},
		"account": {"1234567"}, "name": {"Jens Smed"}, "amount": {"10,00"}})
	did := reviewID(t, mette.c.post("/netbank/betalinger", df))
	wantText(t, mette.c.get("/netbank/betalinger/"+did+"/kvittering"), "5301 0001234567 ("+bank+")", "Afventer underskrift")
	wantRedirect(t, mette.c.post("/netbank/betalinger/"+did+"/slet", nil), "/netbank/betalinger/kommende?besked=slettet")
	// A wrong registration number: the form again, in Danish.
	df.Set("reg", "0001")
	df.Set("client_id", "web-other")
	p = mette.c.post("/netbank/betalinger", df)
	want(t, p, http.StatusBadRequest, "registreringsnummer")
	if !strings.Contains(p.Body, `value="Jens Smed"`) {
		t.Error("the payee's name is not kept")
	}

	// PAY-4: an FI card +71, the whole code line pasted.
	sf := payForm(t, mette.c, "/netbank/betalinger?type=kort", url.Values{"from": {from.ID},
		"codeline": {"+71< 000100017156729+81234567<"}, "amount": {"499,00"}})
	if sf.Get("mode") != "slip" {
		t.Fatalf("slip form mode %q", sf.Get("mode"))
	}
	p = mette.c.post("/netbank/betalinger", sf)
	want(t, p, http.StatusBadRequest, "Kontrolcifferet i betalings-id'et passer ikke")
	if !strings.Contains(p.Body, `name="codeline"`) || !strings.Contains(p.Body, `000100017156729`) {
		t.Error("the code line is not kept")
	}
	sf.Set("codeline", "+71< 000100017156728+81234567<")
	p = mette.c.post("/netbank/betalinger", sf)
	sid := reviewID(t, p)
	wantText(t, p, "Indbetalingskort", "+71 000100017156728 +81234567", "499,00 kr.")
	p = mette.signPayment(t, sid)
	wantRedirect(t, p, "/netbank/betalinger/"+sid+"/kvittering")
	want(t, mette.c.follow(p), http.StatusOK, "Kvittering", "+71 000100017156728")
	got, err := b.app.Payments.Get(context.Background(), mette.customerID, sid)
	if err != nil || got.Status == payment.AwaitingSignature || got.Status == payment.Rejected || got.SignedDocument == "" {
		t.Fatalf("slip payment after signing: %+v, %v", got, err)
	}
	if n := len(b.payments(mette.customerID)); n != 3 {
		t.Errorf("%d payments, want 3 (transfer, deleted transfer, slip)", n)
	}
	if got := b.posted(from.ID); got != 1_000_000-125_050-49_900 {
		t.Errorf("payer's balance after the slip %d", got)
	}
	b.ledgerOK()
}

// RULE PAY-3: a payment dated in the future (on a Saturday: moved to the
// next bank day, and the review says so) shows under "Kommende betalinger"
// and is deleted there without touching the ledger.
func TestPaymentFutureAndCancel(t *testing.T) {
	b := newTestBank(t, false)
	mette := b.loggedInPrivate("Mette Jensen", "0101801234")
	from := b.openFunded(mette.customerID, "Lønkonto", 500_000)
	savings := b.openFunded(mette.customerID, "Opsparing", 0)

	f := payForm(t, mette.c, "/netbank/betalinger", url.Values{"from": {from.ID}, "to_kind": {"own"}, "to_own": {savings.ID},
		"amount": {"100"}, "date": {"2026-11-28"}})
	p := mette.c.post("/netbank/betalinger", f)
	id := reviewID(t, p)
	wantText(t, p, "Overførsel mellem egne konti", "100,00 kr.", "Den valgte dato 28.11.2026 er ikke en bankdag. Betalingen gennemføres 30.11.2026.")
	p = mette.signPayment(t, id)
	want(t, mette.c.follow(p), http.StatusOK, "Status: Planlagt til 30.11.2026")

	p = mette.c.get("/netbank/betalinger/kommende")
	want(t, p, http.StatusOK, "Kommende betalinger", "30.11.2026", "100,00 kr.", "Slet")
	if !strings.Contains(p.Body, `id="upcoming-`+id+`"`) {
		t.Fatal("the payment is not under kommende")
	}
	if p := mette.c.postRaw("/netbank/betalinger/"+id+"/slet", url.Values{}, nil); p.StatusCode != http.StatusForbidden {
		t.Errorf("cancel without CSRF: %d", p.StatusCode)
	}
	wantRedirect(t, mette.c.post("/netbank/betalinger/"+id+"/slet", nil), "/netbank/betalinger/kommende?besked=slettet")
	p = mette.c.get("/netbank/betalinger/kommende?besked=slettet")
	want(t, p, http.StatusOK, "Betalingen er slettet.", "Du har ingen kommende betalinger.")
	got, err := b.app.Payments.Get(context.Background(), mette.customerID, id)
	if err != nil || got.Status != payment.Cancelled {
		t.Fatalf("after cancel: %s, %v", got.Status, err)
	}
	b.clock.Advance(10 * 24 * time.Hour)
	if b.posted(from.ID) != 500_000 || b.posted(savings.ID) != 0 {
		t.Errorf("a cancelled payment moved money: %d, %d", b.posted(from.ID), b.posted(savings.ID))
	}
	b.ledgerOK()
}

// RULE BIZ-5: a business user without "create" cannot pay. RULE BIZ-3:
// above the approval limit a payment waits for a second user; its creator
// cannot approve it; another user with "approve" approves it by signing.
func TestPaymentBusinessFourEyes(t *testing.T) {
	b := newTestBank(t, false)
	ctx := context.Background()
	pwJens, cardJens := b.businessUser("jens.hansen", "Jens Hansen", identity.PermView, identity.PermCreate, identity.PermApprove)
	pwPia, cardPia := b.businessUser("pia.hansen", "Pia Hansen", identity.PermView, identity.PermApprove)
	pwOle, cardOle := b.businessUser("ole.hansen", "Ole Hansen", identity.PermView)
	biz := b.customerOf("jens.hansen")
	from := b.openFunded(biz, "Erhvervskonto", 10_000_000)
	anders, _ := b.privateUser("Anders Holm", "0202802345")
	to := b.openFunded(b.customerOf(anders), "Budget", 0)
	if err := b.app.Payments.SetApprovalLimit(ctx, biz, 200_000, "stf_lone"); err != nil {
		t.Fatal(err)
	}

	ole := b.client()
	p, _, _ := ole.businessLogin("ole.hansen", pwOle, cardOle)
	wantRedirect(t, p, "/netbank")
	// A see-only user is sent from "Ny betaling" to the payment history.
	wantRedirect(t, ole.get("/netbank/betalinger"), "/netbank/betalinger/historik")
	// RULE BIZ-5: the menu offers "Betalinger" only to users who may pay.
	if p := ole.get("/netbank"); p.StatusCode != http.StatusOK || strings.Contains(p.Body, `id="nav-payments"`) {
		t.Errorf("a see-only user is offered Betalinger (%d)", p.StatusCode)
	}
	want(t, ole.post("/netbank/betalinger", url.Values{"from": {from.ID}, "reg": {to.Reg}, "account": {to.Number},
		"amount": {"10"}, "client_id": {"x1"}}), http.StatusForbidden)
	if n := len(b.payments(biz)); n != 0 {
		t.Fatalf("%d payments by a see-only user", n)
	}

	jens := b.client()
	p, _, _ = jens.businessLogin("jens.hansen", pwJens, cardJens)
	wantRedirect(t, p, "/netbank")
	f := payForm(t, jens, "/netbank/betalinger", url.Values{"from": {from.ID}, "to_kind": {"other"}, "reg": {to.Reg},
		"account": {to.Number}, "name": {"Anders Holm"}, "amount": {"5.000,00"}})
	p = jens.post("/netbank/betalinger", f)
	id := reviewID(t, p)
	wantText(t, p, "over virksomhedens beløbsgrænse på 2.000,00 kr.", "en anden bruger")
	bizSign := func(c *browserClient, path, password string, card auth.KeyCard) httpPage {
		t.Helper()
		sp := readSignPage(t, c.post(path, nil))
		return c.post("/netbank/underskriv/"+sp.id, url.Values{"request": {sp.sealed}, "password": {password},
			"code": {card.Codes[sp.keyNumber]}, "checksum": {auth.Checksum([]byte(sp.document))}})
	}
	p = bizSign(jens, "/netbank/betalinger/"+id+"/underskriv", pwJens, cardJens)
	wantRedirect(t, p, "/netbank/betalinger/"+id+"/kvittering")
	want(t, jens.follow(p), http.StatusOK, "Status: Afventer godkendelse")
	if b.posted(to.ID) != 0 {
		t.Fatal("paid before approval")
	}

	// Jens may approve, but not his own payment.
	p = jens.get("/netbank/betalinger/kommende")
	want(t, p, http.StatusOK, "Afventer godkendelse", "5.000,00 kr.")
	if strings.Contains(p.Body, `id="pay-approvals"`) {
		t.Error("the creator is offered his own payment to approve")
	}
	want(t, jens.post("/netbank/betalinger/"+id+"/godkend", nil), http.StatusForbidden)

	pia := b.client()
	p, _, _ = pia.businessLogin("pia.hansen", pwPia, cardPia)
	wantRedirect(t, p, "/netbank")
	if p := pia.get("/netbank"); !strings.Contains(p.Body, `id="nav-payments"`) {
		t.Error("an approver is not offered Betalinger")
	}
	p = pia.get("/netbank/betalinger/kommende")
	want(t, p, http.StatusOK, "Afventer din godkendelse", "Anders Holm", "Godkend")
	if !strings.Contains(p.Body, `id="approval-`+id+`"`) {
		t.Fatal("the payment is not in the approver's queue")
	}
	if p := pia.postRaw("/netbank/betalinger/"+id+"/godkend", url.Values{}, nil); p.StatusCode != http.StatusForbidden {
		t.Errorf("approve without CSRF: %d", p.StatusCode)
	}
	// Pia may approve but not create: "Betalinger" leads her to her queue.
	wantRedirect(t, pia.get("/netbank/betalinger"), "/netbank/betalinger/kommende")
	p = bizSign(pia, "/netbank/betalinger/"+id+"/godkend", pwPia, cardPia)
	wantRedirect(t, p, "/netbank/betalinger/"+id+"/kvittering")
	want(t, pia.follow(p), http.StatusOK, "Status: Gennemført")
	got, err := b.app.Payments.Get(ctx, biz, id)
	if err != nil || got.ApprovedBy == "" || got.ApprovedBy == got.CreatedBy || got.ApprovalDocument == "" {
		t.Fatalf("after approval: %+v, %v", got, err)
	}
	if b.posted(to.ID) != 500_000 {
		t.Errorf("payee's balance %d, want 500000", b.posted(to.ID))
	}
	b.ledgerOK()
}

// RULE PAY-5: "Udland" on Betalinger: a transfer of 1.000,00 EUR to a
// German IBAN. The review page shows the amount in euro, our rate and the
// reference rate, the kroner, the fee and the total before signing, and
// that the rate is fixed for 15 minutes; the signed document says the
// same. A Danish IBAN is refused in Danish with the values kept. After
// signing, the receipt offers the pacs.008 the bank sent, which only the
// customer can fetch.
func TestForeignTransferPage_PAY5(t *testing.T) {
	b := newTestBank(t, false)
	ctx := context.Background()
	if err := b.app.Pricing.SetRate(ctx, "EUR", 7_461_200, "test"); err != nil {
		t.Fatal(err)
	}
	mette := b.loggedInPrivate("Mette Jensen", "0101801234")
	from := b.openFunded(mette.customerID, "Lønkonto", 1_000_000)

	p := mette.c.get("/netbank/betalinger?type=udland")
	want(t, p, http.StatusOK, "Ny betaling", "Udland", "Modtagers IBAN", "BIC", "Modtagers adresse", "Delt (SHA)")
	if !strings.Contains(p.Body, `id="tab-foreign" aria-current="page"`) || !strings.Contains(p.Body, `<option value="EUR" selected>EUR</option>`) {
		t.Fatalf("foreign form:\n%s", p.Body)
	}
	fields := url.Values{"from": {from.ID}, "iban": {"DK50 0040 0440 1162 43"}, "bic": {"cobadeffxxx"}, "name": {"Hans Müller"},
		"address": {"Hauptstraße 1, 10115 Berlin"}, "currency": {"EUR"}, "amount_in": {"currency"}, "amount": {"1.000,00"},
		"charges": {"SHA"}, "text_recipient": {"Rechnung 117"}}
	f := payForm(t, mette.c, "/netbank/betalinger?type=udland", fields)
	if f.Get("mode") != "foreign" {
		t.Fatalf("mode %q", f.Get("mode"))
	}
	p = mette.c.post("/netbank/betalinger", f)
	want(t, p, http.StatusBadRequest, "almindelig overførsel")
	if !strings.Contains(p.Body, `value="Hauptstraße 1, 10115 Berlin"`) {
		t.Error("the address is not kept")
	}

	f.Set("iban", "DE89 3704 0044 0532 0130 00")
	p = mette.c.post("/netbank/betalinger", f)
	id := reviewID(t, p)
	wantText(t, p, "Udlandsoverførsel", "1.000,00 EUR", "Kurs 753,5812 kr. pr. 100 EUR", "Referencekurs 746,1200 kr. pr. 100 EUR",
		"Beløb i kroner 7.535,81 kr.", "Gebyr 0,00 kr.", "I alt trækkes fra kontoen 7.535,81 kr.", "DE89 3704 0044 0532 0130 00 (COBADEFFXXX)",
		"Hans Müller", "Hauptstraße 1, 10115 Berlin, DE", "Kursen er fast, hvis du underskriver senest kl. 14:20.", "Rechnung 117")

	sp := readSignPage(t, mette.c.post("/netbank/betalinger/"+id+"/underskriv", nil))
	for _, w := range []string{"Beløb: 1.000,00 EUR", "Kurs: 753,5812 kr. pr. 100 EUR", "Beløb i kroner: 7.535,81 kr.", "Gebyr: 0,00 kr.",
		"I alt trækkes: 7.535,81 kr.", "Til IBAN: DE89 3704 0044 0532 0130 00"} {
		if !strings.Contains(sp.document, w) {
			t.Errorf("signed document lacks %q:\n%s", w, sp.document)
		}
	}
	p = mette.signWith(sp, mette.key, auth.Checksum([]byte(sp.document)))
	wantRedirect(t, p, "/netbank/betalinger/"+id+"/kvittering")
	p = mette.c.follow(p)
	want(t, p, http.StatusOK, "Kvittering", "Sendt til modtagers bank", "1.000,00 EUR", "7.535,81 kr.", "Hent SWIFT-besked")
	if got := b.posted(from.ID); got != 1_000_000-753_581 {
		t.Errorf("payer's balance %d", got)
	}
	x := mette.c.get("/netbank/betalinger/" + id + "/swift")
	if x.StatusCode != http.StatusOK || !strings.Contains(x.Body, "DE89370400440532013000") || !strings.Contains(x.Body, "pacs.008.001.08") {
		t.Fatalf("pacs.008 download %d:\n%s", x.StatusCode, x.Body)
	}
	anders := b.loggedInPrivate("Anders Holm", "0202802345")
	want(t, anders.c.get("/netbank/betalinger/"+id+"/swift"), http.StatusNotFound)
	b.ledgerOK()
}

// RULE PAY-4: a payment slip entered field by field: the card type, the
// payment id (checked by its check digit) and the creditor number; +73
// carries a message, +71 refuses one. RULE PAY-1: a transfer to another
// bank can be a straksoverførsel, which settles at once.
func TestSlipFieldsAndInstant_PAY4_PAY1(t *testing.T) {
	b := newTestBank(t, false)
	mette := b.loggedInPrivate("Mette Jensen", "0101801234")
	from := b.openFunded(mette.customerID, "Lønkonto", 1_000_000)

	p := mette.c.get("/netbank/betalinger?type=kort")
	want(t, p, http.StatusOK, "Kortart", "Betalings-id", "+71", "+73", "+75", "+01", "+04", "+15")
	f := payForm(t, mette.c, "/netbank/betalinger?type=kort", url.Values{"from": {from.ID}, "slip_type": {"71"},
		"slip_id": {"000100017156729"}, "slip_account": {"81234567"}, "amount": {"499,00"}})
	want(t, mette.c.post("/netbank/betalinger", f), http.StatusBadRequest, "Kontrolcifferet i betalings-id'et passer ikke")
	f.Set("slip_id", "0001 0001 7156 728")
	f.Set("text_recipient", "Tak")
	want(t, mette.c.post("/netbank/betalinger", f), http.StatusBadRequest, "Kortart +71 har ikke plads til en tekst til modtager")
	f.Del("text_recipient")
	p = mette.c.post("/netbank/betalinger", f)
	id := reviewID(t, p)
	wantText(t, p, "Indbetalingskort", "+71 000100017156728 +81234567", "499,00 kr.")
	p = mette.signPayment(t, id)
	want(t, mette.c.follow(p), http.StatusOK, "Kvittering", "+71 000100017156728")

	f = payForm(t, mette.c, "/netbank/betalinger?type=kort", url.Values{"from": {from.ID}, "slip_type": {"+73"},
		"slip_account": {"81234567"}, "amount": {"100,00"}, "text_recipient": {"Kontingent 2027"}})
	p = mette.c.post("/netbank/betalinger", f)
	reviewID(t, p)
	wantText(t, p, "+73", "+81234567", "Kontingent 2027")

	// Straksoverførsel to another bank.
	tf := payForm(t, mette.c, "/netbank/betalinger", url.Values{"from": {from.ID}, "to_kind": {"other"}, "reg": {"5301"},
		"account": {"1234567"}, "name": {"Jens Smed"}, "amount": {"250,00"}, "instant": {"1"}})
	p = mette.c.post("/netbank/betalinger", tf)
	tid := reviewID(t, p)
	wantText(t, p, "Overførsel (Straksoverførsel)")
	p = mette.signPayment(t, tid)
	want(t, mette.c.follow(p), http.StatusOK, "Status: Gennemført")
	got, err := b.app.Payments.Get(context.Background(), mette.customerID, tid)
	if err != nil || !got.Instant || got.Status != payment.Settled || got.Clearing != payment.InstantClearing {
		t.Fatalf("instant %+v %v", got, err)
	}
	// Not to an account in this bank.
	savings := b.openFunded(mette.customerID, "Opsparing", 0)
	tf.Set("reg", savings.Reg)
	tf.Set("account", savings.Number)
	tf.Set("client_id", "web-instant-own")
	want(t, mette.c.post("/netbank/betalinger", tf), http.StatusBadRequest, "Straksoverførsel kan kun vælges til en konto i en anden bank")
	b.ledgerOK()
}
