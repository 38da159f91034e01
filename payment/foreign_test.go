package payment_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/payfile"
	"github.com/netbank/netbank/payment"
	"github.com/netbank/netbank/pricing"
	"github.com/netbank/netbank/scheduler"
	"github.com/netbank/netbank/store"
)

// Foreign transfers (RULE PAY-5) against the real price list and rates
// (package pricing on the same database). The outbound message writer is
// recorded, so a test sees exactly what the bank sent.

// Payees abroad (the registries' example IBANs).
const (
	germanIBAN  = "DE89 3704 0044 0532 0130 00"
	germanBIC   = "COBADEFFXXX"
	britishIBAN = "GB29 NWBK 6016 1331 9268 19"
	britishBIC  = "NWBKGB2L"
	faroeseIBAN = "FO62 6460 0001 6316 34"
	faroeseBIC  = "EIKBFOTF"
)

// Reference rates of the tests (kroner per 100 in 1/10000) and the price
// list's default margin of 1 %: EUR 746,1200 → 753,5812 to the customer.
const (
	eurRate = 7_461_200
	usdRate = 6_434_500
)

type foreignFixture struct {
	*fixture
	pricing *pricing.Service

	wmu     sync.Mutex
	written []payfile.InterbankTransfer
	failing bool
}

// newForeignFixture is newFixture with a payment service that can price
// and send foreign transfers; the rates are set at start.
func newForeignFixture(t *testing.T, db *store.DB, start time.Time) *foreignFixture {
	t.Helper()
	f := &foreignFixture{fixture: newFixture(t, db, start)}
	f.pricing = pricing.New(db.Pricing(), pricing.Config{Clock: f.clock})
	f.setRate("EUR", eurRate)
	f.setRate("USD", usdRate)
	f.svc = payment.New(db.Payments(), f.ledger, f.accounts, payment.Config{Clock: f.clock, Quoter: f.pricing,
		Payer: func(ctx context.Context, customerID string) (payment.Party, error) {
			return payment.Party{Name: "Kunde " + customerID, Address: "Vestergade 1, 8000 Aarhus C", Country: "DK"}, nil
		},
		Pacs008: f.write,
		Notify: func(ctx context.Context, p payment.Payment) {
			f.mu.Lock()
			f.notified = append(f.notified, p)
			f.mu.Unlock()
		}})
	f.sched = scheduler.New(db.Scheduler(), scheduler.Config{Clock: f.clock, Owner: "test-foreign", Lookback: time.Hour})
	f.svc.RegisterJobs(f.sched)
	return f
}

func (f *foreignFixture) setRate(currency string, rate int64) {
	f.t.Helper()
	if err := f.pricing.SetRate(f.ctx, currency, rate, "test"); err != nil {
		f.t.Fatal(err)
	}
}

// write stands in for payfile.Pacs008: it records the transfer and
// returns a small document naming it (or fails while failing is set).
func (f *foreignFixture) write(t payfile.InterbankTransfer) ([]byte, error) {
	f.wmu.Lock()
	defer f.wmu.Unlock()
	if f.failing {
		return nil, errors.New("payfile: pacs.008 not written yet")
	}
	f.written = append(f.written, t)
	return fmt.Appendf(nil, "<pacs008 id=%q amount=\"%d\" ccy=%q/>", t.MessageID, t.Amount, t.Currency), nil
}

func (f *foreignFixture) lastWritten() payfile.InterbankTransfer {
	f.t.Helper()
	f.wmu.Lock()
	defer f.wmu.Unlock()
	if len(f.written) == 0 {
		f.t.Fatal("no message written")
	}
	return f.written[len(f.written)-1]
}

// abroad is a foreign transfer by Anna from her salary account.
func (f *foreignFixture) abroad(iban, bic, currency string, amount int64) payment.Request {
	r := f.anna("", "", amount)
	r.ToIBAN, r.ToBIC, r.Currency = iban, bic, currency
	r.ToName, r.ToAddress = "Hans Müller", "Hauptstraße 1, 10115 Berlin"
	return r
}

// RULE PAY-5: a transfer of 1.000,00 EUR to a German IBAN. The quote made
// at Create is what the document shows (amount in euro, the customer's and
// the reference rate, kroner, fee, total), what the customer signs and what
// the ledger books: the kroner to the bank's DKK position, the euros out of
// the EUR position to the correspondent account, no fee for euros inside
// the EU. The pacs.008 is written and kept, readable only by the customer.
func TestForeignTransferQuoteShownSignedBooked_PAY5(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newForeignFixture(t, db, at(2026, 11, 16, 10, 0))
		r := f.abroad(germanIBAN, "coba de ff xxx", "EUR", 1_000_00)
		r.TextToRecipient = "Invoice 2026-117, thank you for the delivery of the oak boards"
		p := f.create(r)
		q := p.Quote
		if p.Kind != payment.Foreign || p.ToIBAN != "DE89370400440532013000" || p.ToBIC != germanBIC || p.ToCountry != "DE" ||
			p.ChargeBearer != payment.ChargesShared || !p.RateFixed {
			t.Fatalf("foreign payment %+v", p)
		}
		if q.Currency != "EUR" || q.Amount != 1_000_00 || q.ReferenceRate != eurRate || q.CustomerRate != 7_535_812 || q.MarginBP != 100 ||
			q.DKK != 7_535_81 || q.Fee != 0 || q.Total != 7_535_81 || p.Amount != q.DKK || p.Currency != "DKK" {
			t.Fatalf("quote %+v (amount %d %s)", q, p.Amount, p.Currency)
		}
		doc := payment.Document(p)
		for _, want := range []string{"Betaling: Udlandsoverførsel", "Til IBAN: DE89 3704 0044 0532 0130 00", "BIC: COBADEFFXXX",
			"Modtager: Hans Müller", "Adresse: Hauptstraße 1, 10115 Berlin", "Land: DE", "Beløb: 1.000,00 EUR",
			"Kurs: 753,5812 kr. pr. 100 EUR", "Referencekurs: 746,1200 kr. pr. 100 EUR", "Beløb i kroner: 7.535,81 kr.",
			"Gebyr: 0,00 kr.", "I alt trækkes: 7.535,81 kr.", "Omkostninger: Delt (SHA)", "Kursen: Fast kurs, beregnet 16.11.2026 kl. 10:00",
			"Dato: 16.11.2026", "Tekst til modtager: Invoice 2026-117"} {
			if !strings.Contains(doc, want) {
				t.Errorf("document lacks %q:\n%s", want, doc)
			}
		}
		// What was stored is what was shown.
		if got := f.get("cus_anna", p.ID); got.Quote != q || payment.Document(got) != doc {
			t.Fatalf("stored quote %+v, shown %+v", got.Quote, q)
		}

		f.clock.Advance(10 * time.Minute)
		f.setRate("EUR", 7_500_000) // the market moves after the quote: the signed rate holds
		p, err := f.svc.Confirm(f.ctx, "cus_anna", p.ID, "doc_eur", "usr_anna")
		if err != nil || p.Status != payment.Settled || p.Clearing != payment.SWIFTClearing || p.Quote != q {
			t.Fatalf("confirmed %+v %v", p, err)
		}
		if got := f.posted(annaSalary); got != 10_000_00-7_535_81 {
			t.Fatalf("salary %d", got)
		}
		dkkPos := ledger.InternalAccountID(ledger.KindFXPosition, "DKK")
		eurPos := ledger.InternalAccountID(ledger.KindFXPosition, "EUR")
		eurNostro := ledger.InternalAccountID(ledger.KindSettlement, "EUR")
		if f.posted(dkkPos) != 7_535_81 || f.posted(eurPos) != -1_000_00 || f.posted(eurNostro) != 1_000_00 {
			t.Fatalf("positions DKK %d EUR %d, EUR nostro %d", f.posted(dkkPos), f.posted(eurPos), f.posted(eurNostro))
		}
		if !f.hasTransfer(p.ID+":debit") || !f.hasTransfer(p.ID+":fx") || f.hasTransfer(p.ID+":fee") {
			t.Fatal("ledger legs")
		}

		m := f.lastWritten()
		if m.MessageID != p.ID || m.Amount != 1_000_00 || m.Currency != "EUR" || m.ChargeBearer != "SHAR" ||
			m.CreditorIBAN != "DE89370400440532013000" || m.CreditorBIC != germanBIC || m.CreditorName != "Hans Müller" ||
			m.CreditorCountry != "DE" || m.DebtorName != "Kunde cus_anna" || m.DebtorAddress == "" || m.DebtorCountry != "DK" ||
			!strings.HasPrefix(m.DebtorIBAN, "DK") || !strings.HasSuffix(m.DebtorIBAN, "90700000001001") ||
			m.DebtorBIC != "NETBDKKK" || m.InstructingBIC != "NETBDKKK" || m.InstructedBIC != germanBIC ||
			m.RemittanceInfo != r.TextToRecipient || !m.SettlementDate.Equal(date(2026, 11, 17)) {
			t.Fatalf("message %+v", m)
		}
		body, err := f.svc.OutboundMessage(f.ctx, "cus_anna", p.ID)
		if err != nil || !strings.Contains(string(body), `id="`+p.ID+`" amount="100000" ccy="EUR"`) {
			t.Fatalf("kept message %q %v", body, err)
		}
		// Only the customer's own payment's message (and staff).
		if _, err := f.svc.OutboundMessage(f.ctx, "cus_bent", p.ID); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("another customer read the message: %v", err)
		}
		if om, err := f.svc.Outbound(f.ctx, p.ID); err != nil || om.CustomerID != "cus_anna" || om.Format != payment.Pacs008Format || string(om.Body) != string(body) {
			t.Fatalf("staff read %+v %v", om, err)
		}
		// A domestic payment has no message.
		d := f.pay(f.anna("5301", "12345678", 100_00))
		if _, err := f.svc.OutboundMessage(f.ctx, "cus_anna", d.ID); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("message of a domestic payment: %v", err)
		}
	})
}

// RULE PAY-5: the fee follows from the currency and the payee's bank's
// country: euros inside the EU/EEA cost what a national transfer costs
// (foreign_transfer_fee_eu_eur, 0 kr.), anything else the foreign transfer
// fee (50 kr.); kroner to the Faroe Islands convert at par. The fee comes
// on top and is booked to the bank's fee account.
func TestForeignTransferFeeKey_PAY5(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newForeignFixture(t, db, at(2026, 11, 16, 10, 0))
		for _, tc := range []struct {
			name, iban, bic, currency string
			amount                    int64
			fee, dkk                  int64
		}{
			{"EUR to Germany", germanIBAN, germanBIC, "EUR", 100_00, 0, 753_58},
			{"USD to Germany", germanIBAN, germanBIC, "USD", 100_00, 50_00, 649_88},
			{"EUR to the United Kingdom", britishIBAN, britishBIC, "EUR", 100_00, 50_00, 753_58},
			{"DKK to the Faroe Islands", faroeseIBAN, faroeseBIC, "DKK", 100_00, 50_00, 100_00},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := f.create(f.abroad(tc.iban, tc.bic, tc.currency, tc.amount))
				if p.Quote.Fee != tc.fee || p.Quote.DKK != tc.dkk || p.Quote.Total != tc.dkk+tc.fee {
					t.Fatalf("quote %+v", p.Quote)
				}
				before := f.posted(ledger.InternalAccountID(ledger.KindFees, "DKK"))
				salary := f.posted(annaSalary)
				p, err := f.svc.Confirm(f.ctx, "cus_anna", p.ID, "doc_"+p.ID, "usr_anna")
				if err != nil || p.Status != payment.Settled {
					t.Fatalf("confirmed %+v %v", p, err)
				}
				if got := f.posted(ledger.InternalAccountID(ledger.KindFees, "DKK")) - before; got != tc.fee {
					t.Fatalf("fee booked %d", got)
				}
				if got := salary - f.posted(annaSalary); got != tc.dkk+tc.fee {
					t.Fatalf("debited %d", got)
				}
			})
		}
	})
}

// RULE PAY-5: what a foreign transfer needs and refuses, in Danish.
func TestForeignTransferValidation_PAY5(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newForeignFixture(t, db, at(2026, 11, 16, 10, 0))
		for _, tc := range []struct {
			name string
			edit func(r *payment.Request)
			want string
		}{
			{"a Danish IBAN is a normal transfer", func(r *payment.Request) { r.ToIBAN, r.ToBIC = "DK50 0040 0440 1162 43", "DABADKKK" }, "almindelig overførsel"},
			{"bad check digits", func(r *payment.Request) { r.ToIBAN = "DE88 3704 0044 0532 0130 00" }, "kontrolcifre"},
			{"BIC of another country", func(r *payment.Request) { r.ToBIC = "NWBKGB2L" }, "IBAN'et er fra DE"},
			{"no BIC", func(r *payment.Request) { r.ToBIC = "" }, "BIC"},
			{"malformed BIC", func(r *payment.Request) { r.ToBIC = "COBADE" }, "8 eller 11 tegn"},
			{"no name", func(r *payment.Request) { r.ToName = "" }, "navn"},
			{"no address", func(r *payment.Request) { r.ToAddress = " " }, "adresse"},
			{"no currency", func(r *payment.Request) { r.Currency = "" }, "valuta"},
			{"unknown currency", func(r *payment.Request) { r.Currency = "XYZ" }, "Ukendt valuta"},
			{"a currency without a rate", func(r *payment.Request) { r.Currency = "CAD" }, "ingen kurs for CAD"},
			{"OUR inside the EEA", func(r *payment.Request) { r.ChargeBearer = "OUR" }, "SHA"},
			{"bad charge bearer", func(r *payment.Request) { r.ChargeBearer = "BEN" }, "gebyrerne"},
			{"instant", func(r *payment.Request) { r.Instant = true }, "straksoverførsel"},
			{"reg and IBAN", func(r *payment.Request) { r.ToReg, r.ToAccount = "5301", "12345678" }, "IBAN"},
			{"bad country", func(r *payment.Request) { r.ToCountry = "QQ" }, "landekode"},
			{"a message too long", func(r *payment.Request) { r.TextToRecipient = strings.Repeat("x", 141) }, "højst være 140 tegn"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := f.abroad(germanIBAN, germanBIC, "EUR", 100_00)
				tc.edit(&r)
				_, err := f.svc.Create(f.ctx, r)
				wantCode(t, err, netbank.EINVALID)
				if msg := netbank.ErrorMessageOf(err); !strings.Contains(msg, tc.want) {
					t.Fatalf("message %q lacks %q", msg, tc.want)
				}
			})
		}
		// OUR outside the EEA; the payee's country may differ from the bank's.
		r := f.abroad(britishIBAN, britishBIC, "USD", 100_00)
		r.ChargeBearer, r.ToCountry = "OUR", "us"
		p := f.create(r)
		if p.ChargeBearer != payment.ChargesPayer || p.ToCountry != "US" || !strings.Contains(payment.Document(p), "Betaler alle (OUR)") {
			t.Fatalf("OUR %+v", p)
		}
		// Without pricing the bank makes no foreign transfers.
		plain := payment.New(db.Payments(), f.ledger, f.accounts, payment.Config{Clock: f.clock})
		if _, err := plain.Create(f.ctx, f.abroad(germanIBAN, germanBIC, "EUR", 100_00)); netbank.ErrorCodeOf(err) != netbank.EUNAVAILABLE {
			t.Fatalf("without a quoter: %v", err)
		}
		if f.countTransfers("foreign") != 0 {
			t.Fatal("money moved")
		}
	})
}

// RULE PAY-5: a binding quote is signed within 15 minutes or not at all:
// after that Confirm refuses in Danish and nothing moves; within it the
// signed rate is booked.
func TestForeignTransferExpiredQuote_PAY5(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newForeignFixture(t, db, at(2026, 11, 16, 10, 0))
		late := f.create(f.abroad(germanIBAN, germanBIC, "EUR", 100_00))
		f.clock.Advance(14 * time.Minute)
		early := f.create(f.abroad(germanIBAN, germanBIC, "EUR", 200_00))
		f.clock.Advance(2 * time.Minute) // 10:16
		_, err := f.svc.Confirm(f.ctx, "cus_anna", late.ID, "doc_late", "usr_anna")
		wantCode(t, err, netbank.EINVALID)
		if msg := netbank.ErrorMessageOf(err); !strings.Contains(msg, "Kursen på udlandsoverførslen gjaldt til kl. 10:15") {
			t.Fatalf("message %q", msg)
		}
		if p := f.get("cus_anna", late.ID); p.Status != payment.AwaitingSignature || f.hasTransfer(late.ID+":debit") {
			t.Fatalf("expired quote executed: %+v", p)
		}
		p, err := f.svc.Confirm(f.ctx, "cus_anna", early.ID, "doc_early", "usr_anna")
		if err != nil || p.Status != payment.Settled || f.posted(annaSalary) != 10_000_00-early.Quote.Total {
			t.Fatalf("within the validity %+v %v", p, err)
		}
	})
}

// RULE PAY-5: the available amount must cover the kroner and the fee: for
// today Create refuses; a future-dated transfer that is not covered on its
// day is rejected without any ledger effect and the customer is told.
func TestForeignTransferInsufficientFunds_PAY5(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newForeignFixture(t, db, at(2026, 11, 16, 10, 0))
		// Bent has 1.000,00 kr.: 150,00 USD is 974,83 kr. + 50,00 kr. fee.
		bent := func(date time.Time) payment.Request {
			r := f.abroad(britishIBAN, britishBIC, "USD", 150_00)
			r.CustomerID, r.UserID, r.FromAccount, r.Date = "cus_bent", "usr_bent", bentSalary, date
			return r
		}
		_, err := f.svc.Create(f.ctx, bent(time.Time{}))
		wantCode(t, err, netbank.EINSUFFICIENT)
		if msg := netbank.ErrorMessageOf(err); !strings.Contains(msg, "1.024,83 kr.") {
			t.Fatalf("message %q", msg)
		}
		p := f.create(bent(date(2026, 11, 17)))
		if p.RateFixed || !strings.Contains(payment.Document(p), "Kursen fastsættes på betalingsdagen") {
			t.Fatalf("future-dated quote is binding: %+v", p)
		}
		if p, err = f.svc.Confirm(f.ctx, "cus_bent", p.ID, "doc", "usr_bent"); err != nil || p.Status != payment.Scheduled {
			t.Fatalf("confirmed %+v %v", p, err)
		}
		f.runUntil(at(2026, 11, 17, 1, 10), 30*time.Minute)
		if p = f.get("cus_bent", p.ID); p.Status != payment.Rejected || !strings.Contains(p.FailureReason, "ikke dækning") {
			t.Fatalf("not rejected: %+v", p)
		}
		if f.posted(bentSalary) != 1_000_00 || f.hasTransfer(p.ID+":debit") || f.hasTransfer(p.ID+":fee") || f.hasTransfer(p.ID+":fx") {
			t.Fatal("a rejected transfer moved money")
		}
		if _, err := f.svc.OutboundMessage(f.ctx, "cus_bent", p.ID); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("a rejected transfer has a message: %v", err)
		}
		if len(f.notified) != 1 || f.notified[0].ID != p.ID {
			t.Fatalf("notified %v", f.notified)
		}
	})
}

// RULE PAY-5: a future-dated transfer shows an indicative quote; it
// executes at the rate and fee of its day, fixed on the payment before the
// money moves. A crashed execution that is taken over books the same
// amounts, even after the rate has moved again, and never debits twice.
func TestForeignTransferFutureDatedAndCrashSafe_PAY5(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newForeignFixture(t, db, at(2026, 11, 16, 10, 0))
		r := f.abroad(germanIBAN, germanBIC, "EUR", 500_00)
		r.Date = date(2026, 11, 18)
		p := f.pay(r)
		if p.Status != payment.Scheduled || p.RateFixed || p.Quote.DKK != 3_767_91 {
			t.Fatalf("scheduled %+v", p)
		}
		doc := payment.Document(p)
		if !strings.Contains(doc, "Kursen: Vejledende. Kursen fastsættes på betalingsdagen") || !strings.Contains(doc, "Dato: 18.11.2026") {
			t.Fatalf("document:\n%s", doc)
		}
		f.runUntil(at(2026, 11, 17, 23, 0), time.Hour)
		f.setRate("EUR", 7_470_000) // the rate of the day: 754,4700 to the customer
		f.runUntil(at(2026, 11, 18, 1, 10), 30*time.Minute)
		p = f.get("cus_anna", p.ID)
		if p.Status != payment.Settled || !p.RateFixed || p.Quote.CustomerRate != 7_544_700 || p.Quote.DKK != 3_772_35 || p.Amount != 3_772_35 ||
			p.Quote.Amount != 500_00 {
			t.Fatalf("executed %+v", p)
		}
		if f.posted(annaSalary) != 10_000_00-3_772_35 {
			t.Fatalf("salary %d", f.posted(annaSalary))
		}

		// The execution died after the ledger write, before recording it.
		if _, err := db.Exec(f.ctx, "UPDATE payments SET status = 'executing', lease_owner = 'dead', lease_until = ? WHERE id = ?",
			f.clock.Now().Add(-time.Minute).UnixMicro(), p.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(f.ctx, "DELETE FROM outbound_messages WHERE payment_id = ?", p.ID); err != nil {
			t.Fatal(err)
		}
		f.setRate("EUR", 7_600_000)
		done, err := f.svc.ExecuteDue(f.ctx)
		if err != nil || len(done) != 1 || done[0].Status != payment.Settled || done[0].Quote.DKK != 3_772_35 {
			t.Fatalf("resumed %+v %v", done, err)
		}
		if f.posted(annaSalary) != 10_000_00-3_772_35 || f.countTransfers("foreign") != 2 {
			t.Fatalf("debited twice: salary %d, %d foreign transfers", f.posted(annaSalary), f.countTransfers("foreign"))
		}
		if _, err := f.svc.OutboundMessage(f.ctx, "cus_anna", p.ID); err != nil {
			t.Fatalf("message after the takeover: %v", err)
		}
	})
}

// RULE PAY-5: while the outbound message cannot be written (the pacs.008
// writer fails), a signed transfer is neither lost nor debited: it stays
// executing, the receipt says so, and the due job finishes it once the
// writer works — debited once.
func TestForeignTransferWaitsForTheMessageWriter_PAY5(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newForeignFixture(t, db, at(2026, 11, 16, 10, 0))
		f.failing = true
		p := f.pay(f.abroad(germanIBAN, germanBIC, "EUR", 100_00))
		if p.Status != payment.Executing || f.hasTransfer(p.ID+":debit") || f.posted(annaSalary) != 10_000_00 {
			t.Fatalf("after a failed write %+v", p)
		}
		f.runUntil(at(2026, 11, 16, 11, 10), 10*time.Minute)
		if p = f.get("cus_anna", p.ID); p.Status != payment.Executing || f.hasTransfer(p.ID+":debit") {
			t.Fatalf("while the writer fails %+v", p)
		}
		f.wmu.Lock()
		f.failing = false
		f.wmu.Unlock()
		f.runUntil(at(2026, 11, 16, 12, 10), 10*time.Minute)
		if p = f.get("cus_anna", p.ID); p.Status != payment.Settled || f.posted(annaSalary) != 10_000_00-p.Quote.Total {
			t.Fatalf("after the writer recovered %+v, salary %d", p, f.posted(annaSalary))
		}
		if f.countTransfers("foreign") != 2 {
			t.Fatalf("%d foreign transfers", f.countTransfers("foreign"))
		}
	})
}

// RULE PAY-5 with BIZ-5: a business transfer above the approval limit
// carries an indicative quote (the approval may come later); after the
// approval it executes at the rate of that moment. The same client id
// submitted again is the same payment, even after the rate has moved.
func TestForeignTransferFourEyesAndRetry_PAY5(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newForeignFixture(t, db, at(2026, 11, 16, 10, 0))
		if err := f.svc.SetApprovalLimit(f.ctx, "cus_biz", 5_000_00, "staff"); err != nil {
			t.Fatal(err)
		}
		r := f.abroad(germanIBAN, germanBIC, "EUR", 10_000_00)
		r.CustomerID, r.UserID, r.FromAccount = "cus_biz", "usr_jens", bizAccount
		p := f.create(r)
		if p.RateFixed {
			t.Fatal("a quote awaiting approval is binding")
		}
		f.setRate("EUR", 7_470_000)
		again, err := f.svc.Create(f.ctx, r)
		if err != nil || again.ID != p.ID || again.Quote != p.Quote {
			t.Fatalf("retry %+v %v", again, err)
		}
		if p, err = f.svc.Confirm(f.ctx, "cus_biz", p.ID, "doc_jens", "usr_jens"); err != nil || p.Status != payment.AwaitingApproval {
			t.Fatalf("signed %+v %v", p, err)
		}
		f.clock.Advance(3 * time.Hour)
		if p, err = f.svc.Approve(f.ctx, "cus_biz", p.ID, "usr_mette", "doc_mette"); err != nil || p.Status != payment.Settled {
			t.Fatalf("approved %+v %v", p, err)
		}
		if p.Quote.CustomerRate != 7_544_700 || p.Quote.DKK != 75_447_00 || f.posted(bizAccount) != 1_000_000_00-75_447_00 {
			t.Fatalf("executed at %+v, account %d", p.Quote, f.posted(bizAccount))
		}
	})
}

// RULE PAY-5: with the bank's own writer (payfile.Pacs008) the kept
// message is a pacs.008.001.08 naming the payee's IBAN and bank, the amount
// in euro, the payer and this bank.
func TestForeignTransferKeepsPacs008_PAY5(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newForeignFixture(t, db, at(2026, 11, 16, 10, 0))
		f.svc = payment.New(db.Payments(), f.ledger, f.accounts, payment.Config{Clock: f.clock, Quoter: f.pricing,
			Payer: func(ctx context.Context, customerID string) (payment.Party, error) {
				return payment.Party{Name: "Anna Andersen", Address: "Vestergade 1, 8000 Aarhus C", Country: "DK"}, nil
			}})
		r := f.abroad(germanIBAN, germanBIC, "EUR", 1_234_56)
		r.TextToRecipient = "Faktura 117"
		p := f.pay(r)
		if p.Status != payment.Settled {
			t.Fatalf("not sent: %+v", p)
		}
		body, err := f.svc.OutboundMessage(f.ctx, "cus_anna", p.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08", "<MsgId>" + p.ID + "</MsgId>",
			`<IntrBkSttlmAmt Ccy="EUR">1234.56</IntrBkSttlmAmt>`, "<IntrBkSttlmDt>2026-11-17</IntrBkSttlmDt>", "<ChrgBr>SHAR</ChrgBr>",
			"DE89370400440532013000", "COBADEFFXXX", "NETBDKKK", "Anna Andersen", "Hans Müller", "Faktura 117"} {
			if !strings.Contains(string(body), want) {
				t.Errorf("pacs.008 lacks %q:\n%s", want, body)
			}
		}
	})
}
