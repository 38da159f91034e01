package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/payment"
)

// Betalinger → Historik and Fra udlandet (web/payments_history.go, RULE
// PAY-7) over HTTP against a real bank on SQLite, with two customers whose
// payments must never mix.

// pay makes and signs a payment from the customer's account to another
// account in the bank, as the pages would (Create, then Confirm with a
// signed document); it executes at once. The clock moves a second first,
// so payments made one after the other are newest-first in that order.
func (b *testBank) pay(x nbCustomer, from, to account.Account, amount int64, text string) payment.Payment {
	b.t.Helper()
	ctx := context.Background()
	b.clock.Advance(time.Second)
	p, err := b.app.Payments.Create(ctx, payment.Request{CustomerID: x.customerID, UserID: x.userID, ClientID: newTestClientID(),
		FromAccount: from.ID, ToReg: to.Reg, ToAccount: to.Number, ToName: "Modtager", Amount: amount, TextToSelf: text})
	if err != nil {
		b.t.Fatal(err)
	}
	if p, err = b.app.Payments.Confirm(ctx, x.customerID, p.ID, "doc-"+p.ID, x.userID); err != nil {
		b.t.Fatal(err)
	}
	if p.Status != payment.Settled {
		b.t.Fatalf("payment %s: %s", p.ID, p.Status)
	}
	return p
}

var testClientIDs int

func newTestClientID() string {
	testClientIDs++
	return fmt.Sprintf("test-%d-%d", time.Now().UnixNano(), testClientIDs)
}

// receiveSWIFT books a SWIFT payment from a foreign bank to an account.
func (b *testBank) receiveSWIFT(to account.Account, bic, sender string, amount int64, text string, swift bool) payment.Incoming {
	b.t.Helper()
	in, err := b.app.Payments.Receive(context.Background(), payment.IncomingRequest{Reference: newTestClientID(), FromBank: bic,
		FromName: sender, FromAccount: "DE89370400440532013000", ToReg: to.Reg, ToAccount: to.Number, Amount: amount,
		Currency: "DKK", Text: text, SWIFT: swift})
	if err != nil {
		b.t.Fatal(err)
	}
	if in.Status != payment.Booked {
		b.t.Fatalf("incoming %s: %s (%s)", in.ID, in.Status, in.Reason)
	}
	return in
}

// historyIDs are the payments a history page lists, in order.
func historyIDs(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<tr id="(?:history|swift)-([^"]+)"`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func sameIDs(got []string, want ...string) bool {
	return strings.Join(got, ",") == strings.Join(want, ",")
}

// RULE PAY-7: a customer searches their past payments, newest first, by
// period, text, amount, account and status, each row linking to its
// receipt; another customer's payments never show, not even through the
// account filter; the search pages on with "Vis flere".
func TestPaymentHistory_PAY7(t *testing.T) {
	b := newTestBank(t, false)
	mette := b.loggedInPrivate("Mette Jensen", "0101801234")
	salary := b.openFunded(mette.customerID, "Lønkonto", 10_000_000)
	budget := b.openFunded(mette.customerID, "Budgetkonto", 1_000_000)
	anders := b.loggedInPrivate("Anders Holm", "0202802345")
	andersAcc := b.openFunded(anders.customerID, "Anders' konto", 1_000_000)

	rent := b.pay(mette, salary, andersAcc, 6_500_00, "Husleje")
	gym := b.pay(mette, budget, andersAcc, 299_00, "Fitness")
	gift := b.pay(mette, salary, budget, 1_000_00, "Gave til Ida")
	other := b.pay(anders, andersAcc, salary, 77_77, "Anders hemmelig")

	p := mette.c.get("/netbank/betalinger/historik")
	want(t, p, http.StatusOK, "Betalingshistorik", "Husleje", "Fitness", "Gave til Ida", "6.500,00 kr.", "Gennemført")
	if got := historyIDs(p.Body); !sameIDs(got, gift.ID, gym.ID, rent.ID) {
		t.Errorf("history %v, want newest first %v", got, []string{gift.ID, gym.ID, rent.ID})
	}
	if strings.Contains(p.Body, other.ID) || strings.Contains(p.Text(), "Anders hemmelig") || strings.Contains(p.Text(), "77,77") {
		t.Error("Mette sees Anders' payment")
	}
	if !strings.Contains(p.Body, `href="/netbank/betalinger/`+rent.ID+`/kvittering"`) {
		t.Error("no link to the receipt")
	}
	if !strings.Contains(p.Body, `id="tab-history" aria-current="page"`) || !strings.Contains(p.Body, `id="nav-payments" aria-current="page"`) {
		t.Error("Historik is not the current tab")
	}
	want(t, mette.c.get("/netbank/betalinger/"+rent.ID+"/kvittering"), http.StatusOK, "Kvittering", "6.500,00 kr.")
	want(t, mette.c.get("/netbank/betalinger/"+other.ID+"/kvittering"), http.StatusNotFound)

	// Anders sees only his own.
	if got := historyIDs(anders.c.get("/netbank/betalinger/historik").Body); !sameIDs(got, other.ID) {
		t.Errorf("Anders' history %v, want only %s", got, other.ID)
	}

	for _, tc := range []struct {
		name  string
		query url.Values
		want  []string
	}{
		{"text", url.Values{"tekst": {"husleje"}}, []string{rent.ID}},
		{"text of the payee's account", url.Values{"tekst": {andersAcc.Number}}, []string{gym.ID, rent.ID}},
		{"exact amount", url.Values{"beloeb_fra": {"299,00"}, "beloeb_til": {"299"}}, []string{gym.ID}},
		{"amount from", url.Values{"beloeb_fra": {"1.000,00"}}, []string{gift.ID, rent.ID}},
		{"account", url.Values{"konto": {budget.ID}}, []string{gym.ID}},
		{"period before the payments", url.Values{"fra": {"01.10.2026"}, "til": {"31.10.2026"}}, nil},
		{"period with them", url.Values{"fra": {"21.11.2026"}, "til": {"21.11.2026"}}, []string{gift.ID, gym.ID, rent.ID}},
		{"rejected only", url.Values{"status": {"afvist"}}, nil},
		{"no match", url.Values{"tekst": {"findes ikke"}}, nil},
	} {
		p := mette.c.get("/netbank/betalinger/historik?" + tc.query.Encode())
		if p.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d\n%s", tc.name, p.StatusCode, p.Text())
			continue
		}
		if got := historyIDs(p.Body); !sameIDs(got, tc.want...) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
		if len(tc.want) == 0 && !strings.Contains(p.Body, `id="history-none"`) {
			t.Errorf("%s: no empty-state text", tc.name)
		}
	}
	// Another customer's account is not an account Mette can filter by.
	p = mette.c.get("/netbank/betalinger/historik?konto=" + url.QueryEscape(andersAcc.ID))
	want(t, p, http.StatusBadRequest, "Vælg en af dine egne konti.")
	if len(historyIDs(p.Body)) != 0 {
		t.Error("rows shown for another customer's account")
	}
	// Wrong input: Danish messages, nothing listed.
	for _, q := range []url.Values{{"fra": {"32.13.2026"}}, {"beloeb_fra": {"12,345"}}, {"beloeb_fra": {"500"}, "beloeb_til": {"100"}},
		{"fra": {"01.12.2026"}, "til": {"01.11.2026"}}, {"status": {"alt"}}} {
		p := mette.c.get("/netbank/betalinger/historik?" + q.Encode())
		want(t, p, http.StatusBadRequest, "Søgningen kan ikke udføres")
		if len(historyIDs(p.Body)) != 0 {
			t.Errorf("%v: rows despite the error", q)
		}
	}

	// An empty history.
	lars := b.loggedInPrivate("Lars Berg", "0303803456")
	want(t, lars.c.get("/netbank/betalinger/historik"), http.StatusOK, "Du har ingen betalinger i perioden.")
}

// RULE PAY-7: more payments than a page holds go on with "Vis flere",
// continuing exactly after the last one shown.
func TestPaymentHistoryPaging_PAY7(t *testing.T) {
	b := newTestBank(t, false)
	mette := b.loggedInPrivate("Mette Jensen", "0101801234")
	salary := b.openFunded(mette.customerID, "Lønkonto", 10_000_000)
	savings := b.openFunded(mette.customerID, "Opsparing", 0)
	var ids []string // newest first
	for i := range 53 {
		p := b.pay(mette, salary, savings, int64(100+i), fmt.Sprintf("Opsparing %d", i))
		ids = append([]string{p.ID}, ids...)
	}
	p := mette.c.get("/netbank/betalinger/historik")
	first := historyIDs(p.Body)
	if len(first) != 50 || !sameIDs(first, ids[:50]...) {
		t.Fatalf("first page: %d rows", len(first))
	}
	more := attr(t, p.Body, `href="([^"]+)" id="more-link"`)
	p = mette.c.get(more)
	want(t, p, http.StatusOK, "Du ser ældre betalinger.")
	if got := historyIDs(p.Body); !sameIDs(got, ids[50:]...) {
		t.Errorf("second page %v, want %v", got, ids[50:])
	}
	if strings.Contains(p.Body, `id="more-link"`) {
		t.Error("a third page is offered")
	}
}

// RULE PAY-7: the customer searches incoming SWIFT payments by period,
// sender, amount and currency and sees the sender, the sender's bank's
// BIC, the amount as sent and the kroner booked; payments from Danish
// banks and other customers' SWIFT payments never show.
func TestSWIFTSearch_PAY7(t *testing.T) {
	b := newTestBank(t, false)
	mette := b.loggedInPrivate("Mette Jensen", "0101801234")
	salary := b.openFunded(mette.customerID, "Lønkonto", 0)
	anders := b.loggedInPrivate("Anders Holm", "0202802345")
	andersAcc := b.openFunded(anders.customerID, "Anders' konto", 0)

	now := b.clock.Now()
	b.clock.Set(now.Add(-20 * 24 * time.Hour))
	old := b.receiveSWIFT(salary, "NDEAFIHH", "Oy Suomi Ab", 2_500_00, "Faktura 17", true)
	b.clock.Set(now.Add(-time.Hour))
	fee := b.receiveSWIFT(salary, "DEUTDEFFXXX", "Hans Müller GmbH", 12_345_67, "Honorar oktober", true)
	b.clock.Set(now)
	b.receiveSWIFT(salary, "5301", "Dansk Firma ApS", 999_00, "Indenlandsk", false) // not SWIFT
	theirs := b.receiveSWIFT(andersAcc, "CHASUS33", "Anders' onkel", 4_242_00, "Til Anders", true)

	p := mette.c.get("/netbank/betalinger/fra-udlandet")
	want(t, p, http.StatusOK, "Betalinger fra udlandet", "Hans Müller GmbH", "DEUTDEFFXXX", "12.345,67 kr.", "Honorar oktober",
		"Oy Suomi Ab", "NDEAFIHH", "Indsat", "DE89370400440532013000")
	if got := historyIDs(p.Body); !sameIDs(got, fee.ID, old.ID) {
		t.Errorf("SWIFT payments %v, want %v", got, []string{fee.ID, old.ID})
	}
	if strings.Contains(p.Text(), "Dansk Firma") || strings.Contains(p.Text(), "Anders' onkel") || strings.Contains(p.Body, theirs.ID) {
		t.Error("a domestic payment or another customer's SWIFT payment shows")
	}
	if !strings.Contains(p.Body, `id="tab-swift" aria-current="page"`) {
		t.Error("Fra udlandet is not the current tab")
	}
	if got := historyIDs(anders.c.get("/netbank/betalinger/fra-udlandet").Body); !sameIDs(got, theirs.ID) {
		t.Errorf("Anders sees %v, want only %s", got, theirs.ID)
	}

	for _, tc := range []struct {
		name  string
		query url.Values
		want  []string
	}{
		{"sender", url.Values{"afsender": {"müller"}}, []string{fee.ID}},
		{"text", url.Values{"afsender": {"faktura"}}, []string{old.ID}},
		{"amount", url.Values{"beloeb_fra": {"10.000"}}, []string{fee.ID}},
		{"amount range", url.Values{"beloeb_fra": {"2.000"}, "beloeb_til": {"3.000"}}, []string{old.ID}},
		{"period", url.Values{"fra": {now.Add(-2 * 24 * time.Hour).In(cph).Format("02.01.2006")}}, []string{fee.ID}},
		{"kroner", url.Values{"valuta": {"DKK"}}, []string{fee.ID, old.ID}},
		{"euro", url.Values{"valuta": {"EUR"}}, nil},
	} {
		p := mette.c.get("/netbank/betalinger/fra-udlandet?" + tc.query.Encode())
		if p.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d\n%s", tc.name, p.StatusCode, p.Text())
			continue
		}
		if got := historyIDs(p.Body); !sameIDs(got, tc.want...) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
		if len(tc.want) == 0 && !strings.Contains(p.Text(), "Ingen betalinger fra udlandet passer til søgningen.") {
			t.Errorf("%s: no empty-state text", tc.name)
		}
	}
	want(t, mette.c.get("/netbank/betalinger/fra-udlandet?valuta=EURO"), http.StatusBadRequest, "Vælg en valuta fra listen.")
	want(t, mette.c.get("/netbank/betalinger/fra-udlandet?beloeb_fra=abc"), http.StatusBadRequest, "Søgningen kan ikke udføres")

	lars := b.loggedInPrivate("Lars Berg", "0303803456")
	want(t, lars.c.get("/netbank/betalinger/fra-udlandet"), http.StatusOK, "Du har ikke modtaget betalinger fra udlandet i perioden.")
}

// The two tabs need a login, and a business user whose profile may not see
// payments gets 403 (BIZ-5).
func TestPaymentHistoryAccess_PAY7(t *testing.T) {
	b := newTestBank(t, false)
	anon := b.client()
	for _, path := range []string{"/netbank/betalinger/historik", "/netbank/betalinger/fra-udlandet"} {
		p := anon.get(path)
		if p.StatusCode != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/login") {
			t.Errorf("%s without a login: %d → %q", path, p.StatusCode, p.Header.Get("Location"))
		}
	}
	password, card := b.businessUser("jens.hansen", "Jens Hansen", identity.PermAdmin) // administers, sees no payments
	c := b.client()
	c.businessLogin("jens.hansen", password, card)
	for _, path := range []string{"/netbank/betalinger/historik", "/netbank/betalinger/fra-udlandet"} {
		if p := c.get(path); p.StatusCode != http.StatusForbidden {
			t.Errorf("%s for a user who may not see payments: %d", path, p.StatusCode)
		}
	}
}
