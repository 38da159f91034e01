package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/payment"
)

// RULE PAY-7: a SWIFT payment in euros converted into kroner shows in
// "Fra udlandet" with the euros sent, and under "Indsat i kroner" the
// kroner booked with the euros and the bank's buying rate. The currency
// filter picks it by the currency sent, and amounts typed in that currency
// are compared with the amount sent; a payment returned to its sender
// (booked to no account) is not listed.
func TestSWIFTSearchShowsConvertedPayment_PAY7(t *testing.T) {
	b := newTestBank(t, false)
	ctx := context.Background()
	if err := b.app.Pricing.SetRate(ctx, "EUR", 7_461_200, "test"); err != nil {
		t.Fatal(err)
	}
	mette := b.loggedInPrivate("Mette Jensen", "0101801234")
	salary := b.openFunded(mette.customerID, "Lønkonto", 0)
	receive := func(ref, currency string, amount int64) payment.Incoming {
		t.Helper()
		in, err := b.app.Payments.Receive(ctx, payment.IncomingRequest{Reference: ref, FromBank: "DEUTDEFFXXX", FromName: "Müller GmbH",
			ToReg: salary.Reg, ToAccount: salary.Number, OriginalCurrency: currency, OriginalAmount: amount, Text: "Invoice " + ref, SWIFT: true})
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	eur := receive("E-1", "EUR", 1_000_00)
	if eur.Status != payment.Booked || eur.Amount != 7_386_59 {
		t.Fatalf("EUR payment %+v", eur)
	}
	b.clock.Advance(time.Second) // newest first: the kroner payment, then the euros
	dkk := b.receiveSWIFT(salary, "NDEAFIHH", "Oy Suomi Ab", 2_500_00, "Faktura 17", true)
	returned := receive("I-1", "ISK", 150_000) // the bank has no rate for ISK
	if returned.Status != payment.Returned {
		t.Fatalf("ISK payment %+v", returned)
	}

	p := mette.c.get("/netbank/betalinger/fra-udlandet")
	want(t, p, http.StatusOK, "Müller GmbH", "1.000,00 EUR", "7.386,59 kr.", "1.000,00 EUR til kurs 738,6588", "2.500,00 kr.")
	if got := historyIDs(p.Body); !sameIDs(got, dkk.ID, eur.ID) {
		t.Errorf("SWIFT payments %v, want %s, %s", got, dkk.ID, eur.ID)
	}
	if strings.Contains(p.Body, returned.ID) || strings.Contains(p.Text(), "Invoice I-1") {
		t.Error("a returned payment shows")
	}
	if strings.Count(p.Body, "swift-rate") != 1 {
		t.Error("the rate shows on a payment that was not converted")
	}
	for _, tc := range []struct {
		name  string
		query url.Values
		want  []string
	}{
		{"euros", url.Values{"valuta": {"EUR"}}, []string{eur.ID}},
		{"kroner", url.Values{"valuta": {"DKK"}}, []string{dkk.ID}},
		{"euros from 900", url.Values{"valuta": {"EUR"}, "beloeb_fra": {"900"}}, []string{eur.ID}},
		// 2.000 EUR: more than the euros sent, less than the kroner booked.
		{"euros from 2.000", url.Values{"valuta": {"EUR"}, "beloeb_fra": {"2.000"}}, nil},
		{"kroner from 7.000", url.Values{"beloeb_fra": {"7.000"}}, []string{eur.ID}},
	} {
		p := mette.c.get("/netbank/betalinger/fra-udlandet?" + tc.query.Encode())
		if p.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", tc.name, p.StatusCode)
			continue
		}
		if got := historyIDs(p.Body); !sameIDs(got, tc.want...) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
