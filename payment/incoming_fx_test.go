package payment_test

import (
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/payment"
	"github.com/netbank/netbank/store"
)

// RULE PAY-7: a SWIFT payment in euros to a kroner account is converted at
// the bank's buying rate (the reference rate less the margin of the price
// list, 1 %) and the kroner are booked; the record keeps the euros, the
// rates and the kroner. A retry after the rate changed is the same payment
// at the same kroner, booked once. An account in euros takes euros as they
// are; a currency the bank has no rate for, or an account in a third
// currency, returns the payment; a stale rate asks the sender to try again.
func TestIncomingSWIFTInForeignCurrency_PAY7(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newForeignFixture(t, db, at(2026, 6, 10, 11, 0))
		f.svc = payment.New(db.Payments(), f.ledger, f.accounts, payment.Config{Clock: f.clock, Buyer: f.pricing})
		iban, _ := dk.DanishIBAN("9070", "0000001001")
		eur := payment.IncomingRequest{Reference: "DEUT-0001", FromBank: "DEUTDEFFXXX", FromName: "Müller GmbH",
			FromAccount: "DE89370400440532013000", ToIBAN: iban, OriginalCurrency: "eur", OriginalAmount: 1_000_00,
			Text: "Invoice 117", SWIFT: true}
		before := f.posted(annaSalary)
		got, err := f.svc.Receive(f.ctx, eur)
		// 746,1200 less 1 % is 738,6588 kr. per 100 EUR: 1.000,00 EUR is 7.386,59 kr.
		if err != nil || got.Status != payment.Booked || got.Amount != 7_386_59 || got.Currency != "DKK" ||
			got.OriginalAmount != 1_000_00 || got.OriginalCurrency != "EUR" || got.Rate != 7_386_588 ||
			got.ReferenceRate != eurRate || got.MarginBP != 100 || !got.Converted() || got.Sent().String() != "1.000,00 EUR" {
			t.Fatalf("received %+v %v", got, err)
		}
		if f.posted(annaSalary)-before != 7_386_59 || !f.hasTransfer(got.ID+":fx") || !f.hasTransfer(got.ID+":credit") {
			t.Fatalf("booked %d", f.posted(annaSalary)-before)
		}

		// The rate moves; the same payment again is answered from the record.
		f.setRate("EUR", 7_500_000)
		again, err := f.svc.Receive(f.ctx, eur)
		if err != nil || again.ID != got.ID || again.Amount != 7_386_59 || f.posted(annaSalary)-before != 7_386_59 {
			t.Fatalf("retry %+v %v, booked %d", again, err, f.posted(annaSalary)-before)
		}
		changed := eur
		changed.OriginalAmount = 1_001_00
		_, err = f.svc.Receive(f.ctx, changed)
		wantCode(t, err, netbank.ECONFLICT)

		// An account in euros takes the euros.
		toEUR := eur
		toEUR.Reference, toEUR.ToIBAN = "DEUT-0002", ""
		toEUR.ToReg, toEUR.ToAccount = "9070", "0000002002"
		got, err = f.svc.Receive(f.ctx, toEUR)
		if err != nil || got.Status != payment.Booked || got.Amount != 1_000_00 || got.Currency != "EUR" || got.Converted() ||
			f.posted(bentEUR) != 1_000_00 {
			t.Fatalf("to a EUR account %+v %v (%d)", got, err, f.posted(bentEUR))
		}
		// Dollars to the euro account, Icelandic kroner (no rate) anywhere: returned, nothing booked.
		usd := toEUR
		usd.Reference, usd.OriginalCurrency = "DEUT-0003", "USD"
		got, err = f.svc.Receive(f.ctx, usd)
		if err != nil || got.Status != payment.Returned || got.Reason != "Kontoen er i EUR og kan ikke modtage en betaling i USD." ||
			got.Money().String() != "1.000,00 USD" || got.AccountID != "" {
			t.Fatalf("USD to a EUR account %+v %v", got, err)
		}
		isk := eur
		isk.Reference, isk.OriginalCurrency, isk.OriginalAmount = "DEUT-0004", "ISK", 150_000
		got, err = f.svc.Receive(f.ctx, isk)
		if err != nil || got.Status != payment.Returned || got.Reason != "Banken modtager ikke betalinger i ISK." || got.CustomerID != "" {
			t.Fatalf("ISK %+v %v", got, err)
		}
		if f.posted(bentEUR) != 1_000_00 || f.posted(annaSalary)-before != 7_386_59 {
			t.Fatal("a returned payment was booked")
		}

		// A rate older than pricing's MaxAge: unavailable, nothing kept; the
		// sender's retry after a new rate converts at that rate.
		f.clock.Advance(5 * 24 * time.Hour)
		late := eur
		late.Reference = "DEUT-0005"
		_, err = f.svc.Receive(f.ctx, late)
		wantCode(t, err, netbank.EUNAVAILABLE)
		f.setRate("EUR", eurRate)
		if got, err = f.svc.Receive(f.ctx, late); err != nil || got.Status != payment.Booked || got.Amount != 7_386_59 {
			t.Fatalf("after a new rate %+v %v", got, err)
		}

		for name, bad := range map[string]func(*payment.IncomingRequest){
			"not SWIFT":        func(r *payment.IncomingRequest) { r.SWIFT, r.FromBank = false, "5301" },
			"kroner too":       func(r *payment.IncomingRequest) { r.Amount = 100_00 },
			"currency too":     func(r *payment.IncomingRequest) { r.Currency = "EUR" },
			"DKK as original":  func(r *payment.IncomingRequest) { r.OriginalCurrency = "DKK" },
			"unknown currency": func(r *payment.IncomingRequest) { r.OriginalCurrency = "XYZ" },
			"no amount":        func(r *payment.IncomingRequest) { r.OriginalAmount = 0 },
			"no currency":      func(r *payment.IncomingRequest) { r.OriginalCurrency = "" },
		} {
			r := eur
			r.Reference = "bad-" + strings.ReplaceAll(name, " ", "-")
			bad(&r)
			if _, err := f.svc.Receive(f.ctx, r); netbank.ErrorCodeOf(err) != netbank.EINVALID {
				t.Errorf("%s: %v", name, err)
			}
		}

		// PAY-7: the search shows what was sent and what was booked.
		list, err := f.svc.SearchIncoming(f.ctx, "cus_anna", payment.IncomingFilter{IncomingQuery: payment.IncomingQuery{SWIFTOnly: true}})
		if err != nil || len(list) != 2 || list[1].ID != again.ID || list[1].OriginalAmount != 1_000_00 || list[1].Rate != 7_386_588 {
			t.Fatalf("search %+v %v", list, err)
		}
	})
}

// Without a Buyer (a bank that does not trade currency) a SWIFT payment
// in another currency goes back to the sender.
func TestIncomingForeignCurrencyWithoutBuyerIsReturned_PAY7(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 6, 10, 11, 0))
		got, err := f.svc.Receive(f.ctx, payment.IncomingRequest{Reference: "X-1", FromBank: "DEUTDEFF", ToReg: "9070", ToAccount: "1001",
			OriginalCurrency: "EUR", OriginalAmount: 10_00, SWIFT: true})
		if err != nil || got.Status != payment.Returned || got.Reason != "Banken modtager ikke betalinger i EUR." || f.countTransfers("swift") != 0 {
			t.Fatalf("%+v %v", got, err)
		}
	})
}
