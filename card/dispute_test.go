package card_test

// Disputes of card transactions (card/dispute.go) on both engines: the
// deadlines of DISP-1…DISP-3 on both sides of each limit through
// OpenDispute, the credit while investigated and the decisions of DISP-4,
// the cardholder's liability of LIAB-1…LIAB-5 when a misuse is founded,
// who may see and do what, and retries. The ledger's invariants are
// checked after every test (newFixture).

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/cardsec"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/liability"
	"github.com/netbank/netbank/store"
)

// The bank's accounts a dispute moves money through.
const (
	suspenseAcc = "bank:suspense:DKK"
	interestAcc = "bank:interest:DKK"
)

// flakyLedger fails the first transfer whose id ends with failSuffix, as
// a crash between two steps would leave things.
type flakyLedger struct {
	*ledger.Service
	mu         sync.Mutex
	failSuffix string
}

func (l *flakyLedger) fail(reqs []ledger.TransferRequest) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range reqs {
		if l.failSuffix != "" && strings.HasSuffix(r.ID, l.failSuffix) {
			l.failSuffix = ""
			return true
		}
	}
	return false
}

func (l *flakyLedger) Transfer(ctx context.Context, r ledger.TransferRequest) (ledger.Transfer, error) {
	if l.fail([]ledger.TransferRequest{r}) {
		return ledger.Transfer{}, netbank.Errorf(netbank.EUNAVAILABLE, "ledger unavailable (test)")
	}
	return l.Service.Transfer(ctx, r)
}

func (l *flakyLedger) TransferLinked(ctx context.Context, reqs []ledger.TransferRequest) ([]ledger.Transfer, error) {
	if l.fail(reqs) {
		return nil, netbank.Errorf(netbank.EUNAVAILABLE, "ledger unavailable (test)")
	}
	return l.Service.TransferLinked(ctx, reqs)
}

// disputeFixture is the card fixture with the authorization engine
// (called directly, without the network) and the disputes.
type disputeFixture struct {
	*fixture
	auth     *card.Authorizer
	disputes *card.Disputes
	flaky    *flakyLedger
	n        int
}

func newDisputeFixture(t *testing.T, db *store.DB, start time.Time) *disputeFixture {
	t.Helper()
	f := &disputeFixture{fixture: newFixture(t, db, start)}
	var err error
	f.auth, err = card.NewAuthorizer(f.svc, card.AuthConfig{Clock: f.clock, Store: db.CardAuthorizations(), Ledger: f.ledger,
		Pricing: f.pricing, PriceTTL: -1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	f.flaky = &flakyLedger{Service: f.ledger}
	f.disputes, err = card.NewDisputes(f.svc, card.DisputeConfig{Store: db.Disputes(), Authorizations: db.CardAuthorizations(),
		Ledger: f.flaky})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// deposit puts kroner on an account.
func (f *disputeFixture) deposit(account string, amount int64) {
	f.t.Helper()
	f.n++
	f.mustTransfer(ledger.TransferRequest{ID: fmt.Sprintf("deposit:%s:%d", account, f.n), DebitAccountID: "bank:settlement:DKK",
		CreditAccountID: account, Amount: amount, Code: "deposit", Text: "Indskud"})
}

// send asks the engine and fails unless it approves; it returns the
// stored authorization.
func (f *disputeFixture) send(iss card.Issued, r card.AuthRequest) card.Authorization {
	f.t.Helper()
	f.n++
	f.clock.Advance(time.Second)
	now := f.clock.Now()
	r.PAN, r.Expiry, r.Currency = iss.PAN, iss.Card.Expiry, "208"
	r.TransmissionTime, r.STAN, r.RRN = now.UTC().Format("0102150405"), fmt.Sprintf("%06d", f.n), fmt.Sprintf("%012d", f.n)
	if r.TerminalID == "" {
		r.TerminalID, r.MerchantID, r.MCC, r.POSEntryMode, r.POSCondition = "TERM0001", "MERCHANT0000001", "5411", "051", "00"
	}
	if r.MerchantName == "" {
		r.MerchantName, r.MerchantCity, r.MerchantCountry = "Netto Vesterbro", "Koebenhavn", "DK"
	}
	if r.ProcessingCode == "" {
		r.ProcessingCode = "000000"
	}
	if r.PINBlock == "" && r.MTI != card.MsgCompletion && r.MTI != card.MsgReversal {
		b, err := cardsec.EncodePINBlock(iss.PIN, iss.PAN, f.zpk)
		if err != nil {
			f.t.Fatal(err)
		}
		r.PINBlock = b
	}
	resp := f.auth.Authorize(f.ctx, r)
	list, err := f.auth.Authorizations(f.ctx, iss.Card.ID, 1)
	if err != nil || len(list) != 1 {
		f.t.Fatalf("authorizations: %v %v", list, err)
	}
	if resp.Code != card.CodeApproved {
		f.t.Fatalf("%s %d: answered %s: %v", r.MTI, r.Amount, resp.Code, list[0].Reasons)
	}
	return list[0]
}

// buy is a chip + PIN purchase debited at once (0200).
func (f *disputeFixture) buy(iss card.Issued, amount int64) card.Authorization {
	f.t.Helper()
	return f.send(iss, card.AuthRequest{MTI: card.MsgFinancial, Amount: amount})
}

// open files a dispute and fails the test on an error.
func (f *disputeFixture) open(customerID string, r card.DisputeRequest) card.Dispute {
	f.t.Helper()
	if r.By.ID == "" {
		r.By = customerActor(customerID)
	}
	d, err := f.disputes.OpenDispute(f.ctx, customerID, r)
	if err != nil {
		f.t.Fatalf("open %+v: %v", r, err)
	}
	return d
}

// decide decides a dispute as staff and fails the test on an error.
func (f *disputeFixture) decide(id string, dec card.Decision) card.Dispute {
	f.t.Helper()
	d, err := f.disputes.Decide(f.ctx, id, dec, staff)
	if err != nil {
		f.t.Fatalf("decide %s %+v: %v", id, dec, err)
	}
	return d
}

// balances reads the posted balances of accounts.
func (f *disputeFixture) balances(ids ...string) []int64 {
	f.t.Helper()
	out := make([]int64, len(ids))
	for i, id := range ids {
		out[i] = f.posted(id)
	}
	return out
}

// RULES DISP-1, DISP-2, DISP-3: each deadline through OpenDispute, on
// both sides of its limit: the last second of the last day (Danish time)
// is in time, the first second of the next day is refused with the reason.
func TestOpenDisputeDeadlines_DISP1_DISP2_DISP3(t *testing.T) {
	start := at(2026, 3, 2, 9, 0) // Monday 2 March 2026
	tests := []struct {
		name     string
		c        liability.Case
		aware    time.Time
		lastDay  time.Time // the last second in time, Danish time
		message  string    // part of the refusal the second after
		lastText string    // the last day as the refusal names it
	}{
		// 8 weeks after Monday 2 March 2026: Monday 27 April 2026.
		{name: "DISP-1 unknown final amount, 8 weeks", c: liability.UnknownAmount,
			lastDay: time.Date(2026, 4, 27, 23, 59, 59, 0, cph), message: "8 uger", lastText: "27.04.2026"},
		// Aware on 20 March: 14 days later is 3 April 2026.
		{name: "DISP-2 distance purchase, 14 days after becoming aware", c: liability.DistancePurchase,
			aware: at(2026, 3, 20, 12, 0), lastDay: time.Date(2026, 4, 3, 23, 59, 59, 0, cph), message: "14 dage", lastText: "03.04.2026"},
		// 13 months after 2 March 2026: 2 April 2027.
		{name: "DISP-3 not approved, 13 months", c: liability.NotApproved,
			lastDay: time.Date(2027, 4, 2, 23, 59, 59, 0, cph), message: "13 måneder", lastText: "02.04.2027"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
				f := newDisputeFixture(t, db, start)
				iss := f.active()
				inTime, late := f.buy(iss, 200_00), f.buy(iss, 300_00)
				req := func(a card.Authorization) card.DisputeRequest {
					return card.DisputeRequest{AuthorizationID: a.ID, Case: tc.c, AwareAt: tc.aware, MerchantContacted: true,
						Description: "Beløbet passer ikke.", By: customerActor(anna)}
				}
				f.clock.Set(tc.lastDay)
				d := f.open(anna, req(inTime))
				if d.Status != card.DisputeOpen || d.Case != tc.c || d.LastDay.Format("02.01.2006") != tc.lastText {
					t.Fatalf("in time: %+v", d)
				}
				f.clock.Advance(time.Second)
				_, err := f.disputes.OpenDispute(f.ctx, anna, req(late))
				wantCode(t, err, netbank.EINVALID, "a dispute one second late")
				if msg := netbank.ErrorMessageOf(err); !strings.Contains(msg, tc.message) || !strings.Contains(msg, tc.lastText) {
					t.Fatalf("refusal %q does not give the rule (%q) and the last day (%s)", msg, tc.message, tc.lastText)
				}
				if _, err := f.disputes.Get(f.ctx, anna, card.DisputeID(late.ID)); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
					t.Fatalf("the late dispute was stored: %v", err)
				}
			})
		})
	}
}

// RULE DISP-2: the cardholder must have tried the merchant first; a
// becoming-aware date in the future is refused.
func TestDistancePurchaseNeedsTheMerchantTriedFirst_DISP2(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newDisputeFixture(t, db, at(2026, 3, 2, 9, 0))
		iss := f.active()
		a := f.buy(iss, 499_00)
		_, err := f.disputes.OpenDispute(f.ctx, anna, card.DisputeRequest{AuthorizationID: a.ID, Case: liability.DistancePurchase,
			By: customerActor(anna)})
		wantCode(t, err, netbank.EINVALID, "a distance purchase without the merchant tried")
		if !strings.Contains(netbank.ErrorMessageOf(err), "forretningen") {
			t.Fatalf("refusal %q", netbank.ErrorMessageOf(err))
		}
		_, err = f.disputes.OpenDispute(f.ctx, anna, card.DisputeRequest{AuthorizationID: a.ID, Case: liability.DistancePurchase,
			MerchantContacted: true, AwareAt: f.clock.Now().Add(48 * time.Hour), By: customerActor(anna)})
		wantCode(t, err, netbank.EINVALID, "aware in the future")
		d := f.open(anna, card.DisputeRequest{AuthorizationID: a.ID, Case: liability.DistancePurchase, MerchantContacted: true})
		if !d.MerchantContacted {
			t.Fatal("the merchant contact is not recorded")
		}
	})
}

// RULE DISP-4: while the dispute is investigated the amount is credited
// back, in one ledger transfer from the suspense account whose id derives
// from the dispute's; the cardholder gets a message; the opening is
// audited; a second dispute of the same transaction is refused.
func TestOpeningADisputeCreditsTheAmount_DISP4(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newDisputeFixture(t, db, at(2026, 3, 2, 9, 0))
		iss := f.active()
		a := f.buy(iss, 1_234_50)
		f.sent()
		before := f.balances(annaAcc, suspenseAcc)
		d := f.open(anna, card.DisputeRequest{AuthorizationID: a.ID, Case: liability.UnknownAmount, Description: "Hotelregningen er alt for høj."})
		after := f.balances(annaAcc, suspenseAcc)
		if after[0]-before[0] != 1_234_50 || after[1]-before[1] != -1_234_50 {
			t.Fatalf("balances %v → %v, want 1.234,50 kr. credited from the suspense account", before, after)
		}
		tr, err := f.ledger.GetTransfer(f.ctx, d.ID+":credit")
		if err != nil || tr.Amount != 1_234_50 || tr.CreditAccountID != annaAcc || tr.DebitAccountID != suspenseAcc {
			t.Fatalf("the credit transfer %+v %v", tr, err)
		}
		if d.ID != card.DisputeID(a.ID) || d.CreditedAt.IsZero() || d.Amount != 1_234_50 || d.MerchantName != "Netto Vesterbro" ||
			d.Description != "Hotelregningen er alt for høj." || d.FiledBy != anna || d.AccountID != annaAcc {
			t.Fatalf("dispute %+v", d)
		}
		msgs := f.sent()
		if len(msgs) != 1 || msgs[0].customer != anna || msgs[0].subject != "Vi har modtaget din indsigelse" ||
			!strings.Contains(msgs[0].body, "1.234,50 kr.") || !strings.Contains(msgs[0].body, "gebyr for notakopi (50,00 kr.)") {
			t.Fatalf("messages %+v", msgs)
		}
		entries, err := db.Audit().List(f.ctx, audit.Filter{Action: card.ActionDisputeOpened, Subject: d.ID})
		if err != nil || len(entries) != 1 || entries[0].Details["rule"] != "DISP-1" || entries[0].ActorKind != audit.ActorCustomer {
			t.Fatalf("audit %+v %v", entries, err)
		}
		_, err = f.disputes.OpenDispute(f.ctx, anna, card.DisputeRequest{AuthorizationID: a.ID, Case: liability.NotApproved,
			By: customerActor(anna)})
		wantCode(t, err, netbank.ECONFLICT, "a second dispute of the transaction")
		if got := f.balances(annaAcc); got[0] != after[0] {
			t.Fatal("the second attempt credited again")
		}
		list, err := f.disputes.List(f.ctx, anna)
		if err != nil || len(list) != 1 || list[0].ID != d.ID || list[0].Status != card.DisputeOpen {
			t.Fatalf("List %+v %v", list, err)
		}
	})
}

// Only a debited transaction that stands can be disputed: a hold (0100)
// cannot, its completion (0220) can, with the merchant of the hold; a
// reversed debit cannot.
func TestOnlyDebitedTransactionsAreDisputed_DISP4(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newDisputeFixture(t, db, at(2026, 3, 2, 9, 0))
		iss := f.active()
		hold := f.send(iss, card.AuthRequest{MTI: card.MsgAuthorization, Amount: 800_00, MCC: "7011", TerminalID: "HOTEL001",
			MerchantID: "HOTEL0000000001", POSEntryMode: "051", POSCondition: "00", MerchantName: "Hotel Fjord", MerchantCity: "Vejle"})
		req := card.DisputeRequest{AuthorizationID: hold.ID, Case: liability.UnknownAmount, By: customerActor(anna)}
		_, err := f.disputes.OpenDispute(f.ctx, anna, req)
		wantCode(t, err, netbank.EINVALID, "a dispute of a hold")
		done := f.send(iss, card.AuthRequest{MTI: card.MsgCompletion, Amount: 950_00, MCC: "7011", TerminalID: "HOTEL001",
			MerchantID: "HOTEL0000000001", POSEntryMode: "051", POSCondition: "00", MerchantName: " ",
			Original: &card.OriginalRef{MTI: card.MsgAuthorization, STAN: hold.STAN, TransmissionTime: hold.Transmitted}})
		if !card.Debited(done) {
			t.Fatalf("the completion %+v is not debited", done)
		}
		txs, err := f.disputes.Transactions(f.ctx, anna, iss.Card.ID, 0)
		if err != nil || len(txs) != 1 || txs[0].ID != done.ID || txs[0].MerchantName != "Hotel Fjord" || txs[0].Dispute != nil {
			t.Fatalf("Transactions %+v %v", txs, err)
		}
		d := f.open(anna, card.DisputeRequest{AuthorizationID: done.ID, Case: liability.UnknownAmount})
		if d.Amount != 950_00 || d.Merchant() != "Hotel Fjord, Vejle" {
			t.Fatalf("dispute of the completion %+v", d)
		}
		if txs, _ := f.disputes.Transactions(f.ctx, anna, iss.Card.ID, 0); len(txs) != 1 || txs[0].Dispute == nil || txs[0].Dispute.ID != d.ID {
			t.Fatalf("the transaction does not name its dispute: %+v", txs)
		}

		debit := f.buy(iss, 100_00)
		f.send(iss, card.AuthRequest{MTI: card.MsgReversal, Amount: 100_00,
			Original: &card.OriginalRef{MTI: card.MsgFinancial, STAN: debit.STAN, TransmissionTime: debit.Transmitted}})
		_, err = f.disputes.OpenDispute(f.ctx, anna, card.DisputeRequest{AuthorizationID: debit.ID, Case: liability.NotApproved,
			By: customerActor(anna)})
		wantCode(t, err, netbank.EINVALID, "a dispute of a reversed debit")
	})
}

// RULE DISP-4 with LIAB-1…LIAB-5: a founded dispute of a payment the
// cardholder did not approve keeps the credit, less what the liability
// function says the cardholder pays under the facts staff entered: 0
// (LIAB-1, LIAB-5), 375 kr. (LIAB-2), 8.000 kr. (LIAB-3) or everything
// (LIAB-4); exactly that is debited, in one transfer.
func TestFoundedMisuseDebitsTheCardholdersLiability_DISP4_LIAB(t *testing.T) {
	tests := []struct {
		name   string
		facts  *liability.Facts
		clause string
		debit  int64
	}{
		{name: "LIAB-1 nothing shown: the bank covers", facts: nil, clause: liability.ClauseBankCovers, debit: 0},
		{name: "LIAB-5 after the block notice", facts: &liability.Facts{PINUsed: true, LossAfterBlockNotice: 9_000_00}, clause: liability.ClauseExempt, debit: 0},
		{name: "LIAB-2 PIN used: 375 kr.", facts: &liability.Facts{PINUsed: true}, clause: liability.ClausePIN, debit: 375_00},
		{name: "LIAB-3 PIN used and late notice: 8.000 kr.", facts: &liability.Facts{PINUsed: true, LateNotice: true}, clause: liability.ClauseExtended, debit: 8_000_00},
		{name: "LIAB-4 fraud: everything", facts: &liability.Facts{Fraud: true}, clause: liability.ClauseFull, debit: 9_000_00},
	}
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newDisputeFixture(t, db, at(2026, 3, 2, 9, 0))
		f.deposit(annaAcc, 50_000_00)
		iss := f.active()
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				a := f.buy(iss, 9_000_00)
				d := f.open(anna, card.DisputeRequest{AuthorizationID: a.ID, Case: liability.NotApproved, Description: "Ikke mig."})
				f.sent()
				f.clock.Advance(24 * time.Hour)
				before := f.balances(annaAcc, suspenseAcc)
				d = f.decide(d.ID, card.Decision{Founded: true, Facts: tc.facts, Note: "Kortet var stjålet."})
				after := f.balances(annaAcc, suspenseAcc)
				if d.Status != card.DisputeFounded || d.LiabilityClause != tc.clause || d.Debit != tc.debit || d.LiabilityReason == "" {
					t.Fatalf("decision %s %q debit %d (%s), want %s %d", d.Status, d.LiabilityClause, d.Debit, d.LiabilityReason, tc.clause, tc.debit)
				}
				if after[0]-before[0] != -tc.debit || after[1]-before[1] != tc.debit {
					t.Fatalf("balances %v → %v, want %d debited to the suspense account", before, after, tc.debit)
				}
				tr, err := f.ledger.GetTransfer(f.ctx, d.ID+":liability")
				switch {
				case tc.debit == 0 && netbank.ErrorCodeOf(err) != netbank.ENOTFOUND:
					t.Fatalf("a liability transfer without liability: %+v %v", tr, err)
				case tc.debit > 0 && (err != nil || tr.Amount != tc.debit || tr.DebitAccountID != annaAcc):
					t.Fatalf("the liability transfer %+v %v", tr, err)
				}
				msgs := f.sent()
				if len(msgs) != 1 || msgs[0].subject != "Din indsigelse er afgjort" || !strings.Contains(msgs[0].body, "medhold") ||
					!strings.Contains(msgs[0].body, "Kortet var stjålet.") {
					t.Fatalf("messages %+v", msgs)
				}
				if tc.debit > 0 && !strings.Contains(msgs[0].body, netbank.NewMoney(tc.debit, "DKK").String()) {
					t.Fatalf("the message does not name the debit: %s", msgs[0].body)
				}
				entries, err := db.Audit().List(f.ctx, audit.Filter{Action: card.ActionDisputeDecided, Subject: d.ID})
				if err != nil || len(entries) != 1 || entries[0].Actor != staffID || entries[0].Details["clause"] != tc.clause {
					t.Fatalf("audit %+v %v", entries, err)
				}
			})
		}
	})
}

// RULE DISP-4: a founded dispute of a merchant case (DISP-1, DISP-2)
// keeps the credit and books nothing more.
func TestFoundedMerchantDisputeKeepsTheCredit_DISP4(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newDisputeFixture(t, db, at(2026, 3, 2, 9, 0))
		iss := f.active()
		a := f.buy(iss, 700_00)
		d := f.open(anna, card.DisputeRequest{AuthorizationID: a.ID, Case: liability.DistancePurchase, MerchantContacted: true})
		before := f.balances(annaAcc, suspenseAcc)
		d = f.decide(d.ID, card.Decision{Founded: true, Facts: &liability.Facts{Fraud: true}}) // facts are for misuse only
		if d.Status != card.DisputeFounded || d.Debit != 0 || d.LiabilityClause != "" || d.Facts != nil || d.DecisionTransferID != "" {
			t.Fatalf("decision %+v", d)
		}
		if after := f.balances(annaAcc, suspenseAcc); after[0] != before[0] || after[1] != before[1] {
			t.Fatalf("balances %v → %v", before, after)
		}
	})
}

// RULE DISP-4: an unfounded dispute is debited again with interest for
// the period (the configured annual rate, calendar days from the credit
// to the decision) and the receipt-copy fee of the price list, in one
// linked ledger transaction. Deciding it again the same way changes
// nothing; the other way is refused.
func TestUnfoundedDisputeDebitsAmountInterestAndFee_DISP4(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newDisputeFixture(t, db, at(2026, 3, 2, 9, 0))
		iss := f.active()
		a := f.buy(iss, 1_000_00)
		d := f.open(anna, card.DisputeRequest{AuthorizationID: a.ID, Case: liability.NotApproved, Description: "Kender den ikke."})
		f.sent()
		f.clock.Set(at(2026, 4, 1, 15, 0)) // 30 days after the credit
		preview, err := f.disputes.Preview(f.ctx, d.ID, card.Decision{Founded: false})
		if err != nil || preview.Status != card.DisputeOpen || preview.InterestDays != 30 {
			t.Fatalf("Preview %+v %v", preview, err)
		}
		before := f.balances(annaAcc, suspenseAcc, interestAcc, fees)
		d = f.decide(d.ID, card.Decision{Founded: false, Note: "Betalingen er gennemført med kortets chip og PIN-kode."})
		after := f.balances(annaAcc, suspenseAcc, interestAcc, fees)
		// 1.000,00 kr. × 8 % × 30 / 365 = 6,575… kr. → 6,58 kr.
		const interest, fee = 6_58, 50_00
		if d.Status != card.DisputeUnfounded || d.InterestDays != 30 || d.InterestBP != card.DefaultDisputeInterestBP ||
			d.Interest != interest || d.Fee != fee || d.Debit != 1_000_00+interest+fee {
			t.Fatalf("decision %+v", d)
		}
		want := []int64{-(1_000_00 + interest + fee), 1_000_00, interest, fee}
		for i := range want {
			if after[i]-before[i] != want[i] {
				t.Fatalf("balances %v → %v, want changes %v", before, after, want)
			}
		}
		for _, id := range []string{d.ID + ":reverse", d.ID + ":interest", d.ID + ":fee"} {
			if _, err := f.ledger.GetTransfer(f.ctx, id); err != nil {
				t.Fatalf("transfer %s: %v", id, err)
			}
		}
		msgs := f.sent()
		if len(msgs) != 1 || !strings.Contains(msgs[0].body, "ikke fået medhold") || !strings.Contains(msgs[0].body, "6,58 kr.") ||
			!strings.Contains(msgs[0].body, "50,00 kr.") || !strings.Contains(msgs[0].body, "1.056,58 kr.") {
			t.Fatalf("messages %+v", msgs)
		}

		// Again the same way: nothing moves, no message; the other way: refused.
		again := f.decide(d.ID, card.Decision{Founded: false})
		if again.BookedAt != d.BookedAt || len(f.sent()) != 0 {
			t.Fatalf("deciding again changed %+v", again)
		}
		_, err = f.disputes.Decide(f.ctx, d.ID, card.Decision{Founded: true}, staff)
		wantCode(t, err, netbank.ECONFLICT, "deciding a decided dispute the other way")
		if got := f.balances(annaAcc, suspenseAcc, interestAcc, fees); got[0] != after[0] || got[1] != after[1] {
			t.Fatalf("balances moved: %v → %v", after, got)
		}
	})
}

// RULE DISP-4: when the account cannot pay an unfounded dispute's debit,
// nothing is booked and the dispute stays open.
func TestUnfoundedWithoutCoverStaysOpen_DISP4(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newDisputeFixture(t, db, at(2026, 3, 2, 9, 0))
		iss := f.active()
		a := f.buy(iss, 1_000_00)
		d := f.open(anna, card.DisputeRequest{AuthorizationID: a.ID, Case: liability.NotApproved})
		f.mustTransfer(ledger.TransferRequest{ID: "spend-all", DebitAccountID: annaAcc, CreditAccountID: "bank:settlement:DKK",
			Amount: f.posted(annaAcc), Code: "payment", Text: "Alt brugt"})
		_, err := f.disputes.Decide(f.ctx, d.ID, card.Decision{Founded: false}, staff)
		wantCode(t, err, netbank.EINSUFFICIENT, "an unfounded decision the account cannot pay")
		got, err := f.disputes.Dispute(f.ctx, d.ID)
		if err != nil || got.Status != card.DisputeOpen || got.Outcome != "" || got.Debit != 0 {
			t.Fatalf("after the refusal %+v %v", got, err)
		}
		if _, err := f.ledger.GetTransfer(f.ctx, d.ID+":reverse"); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("something was booked: %v", err)
		}
	})
}

// RULE DISP-4, every step idempotent: a credit or a decision interrupted
// before its ledger transaction is finished by doing it again, booked once;
// while a decision is recorded, the other decision is refused.
func TestInterruptedStepsFinishOnce_DISP4(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newDisputeFixture(t, db, at(2026, 3, 2, 9, 0))
		iss := f.active()
		a := f.buy(iss, 400_00)
		f.sent()
		before := f.posted(annaAcc)
		f.flaky.failSuffix = ":credit"
		req := card.DisputeRequest{AuthorizationID: a.ID, Case: liability.NotApproved, By: customerActor(anna)}
		if _, err := f.disputes.OpenDispute(f.ctx, anna, req); err == nil {
			t.Fatal("the interrupted credit reported success")
		}
		if d, err := f.disputes.Dispute(f.ctx, card.DisputeID(a.ID)); err != nil || !d.CreditedAt.IsZero() || f.posted(annaAcc) != before {
			t.Fatalf("after the interruption %+v %v", d, err)
		}
		d := f.open(anna, req)
		if d.CreditedAt.IsZero() || f.posted(annaAcc) != before+400_00 {
			t.Fatalf("the second attempt did not finish the credit once: %+v, balance %d", d, f.posted(annaAcc))
		}
		if msgs := f.sent(); len(msgs) != 1 {
			t.Fatalf("messages %+v", msgs)
		}

		f.flaky.failSuffix = ":liability"
		if _, err := f.disputes.Decide(f.ctx, d.ID, card.Decision{Founded: true, Facts: &liability.Facts{PINUsed: true}}, staff); err == nil {
			t.Fatal("the interrupted decision reported success")
		}
		if got, _ := f.disputes.Dispute(f.ctx, d.ID); got.Status != card.DisputeDeciding || got.Debit != 375_00 {
			t.Fatalf("after the interruption %+v", got)
		}
		_, err := f.disputes.Decide(f.ctx, d.ID, card.Decision{Founded: false}, staff)
		wantCode(t, err, netbank.ECONFLICT, "the other decision while one is recorded")
		mid := f.posted(annaAcc)
		// Finishing it takes the recorded facts, not new ones.
		d = f.decide(d.ID, card.Decision{Founded: true, Facts: &liability.Facts{Fraud: true}})
		if d.Status != card.DisputeFounded || d.Debit != 375_00 || f.posted(annaAcc) != mid-375_00 {
			t.Fatalf("finished %+v, balance %d → %d", d, mid, f.posted(annaAcc))
		}
	})
}

// Who may do what: another customer can neither open nor see a dispute
// (not found, as for one that does not exist); the proxy holder and the
// account's owner both see the proxy card's dispute; only staff decide,
// and staff do not file disputes for the cardholder.
func TestDisputeAccess_DISP4(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newDisputeFixture(t, db, at(2026, 3, 2, 9, 0))
		iss := f.issue(card.IssueRequest{CustomerID: anna, AccountID: annaAcc, HolderCustomerID: bent})
		c, err := f.svc.Activate(f.ctx, bent, iss.Card.ID, customerActor(bent))
		if err != nil {
			t.Fatal(err)
		}
		iss.Card = c
		a := f.buy(iss, 250_00)
		f.sent()
		req := card.DisputeRequest{AuthorizationID: a.ID, Case: liability.NotApproved, By: customerActor(carl)}
		_, err = f.disputes.OpenDispute(f.ctx, carl, req)
		wantCode(t, err, netbank.ENOTFOUND, "a stranger's dispute")
		if _, _, err := f.disputes.Transaction(f.ctx, carl, a.ID); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("a stranger reads the transaction: %v", err)
		}
		if _, err := f.disputes.Transactions(f.ctx, carl, iss.Card.ID, 0); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("a stranger lists the card's transactions: %v", err)
		}
		req.By = staff
		_, err = f.disputes.OpenDispute(f.ctx, bent, req)
		wantCode(t, err, netbank.EFORBIDDEN, "staff filing a dispute")

		d := f.open(bent, card.DisputeRequest{AuthorizationID: a.ID, Case: liability.NotApproved})
		for _, who := range []string{anna, bent} {
			if got, err := f.disputes.Get(f.ctx, who, d.ID); err != nil || got.ID != d.ID {
				t.Fatalf("%s does not see the dispute: %v", who, err)
			}
			if list, err := f.disputes.List(f.ctx, who); err != nil || len(list) != 1 {
				t.Fatalf("%s lists %+v %v", who, list, err)
			}
		}
		if _, err := f.disputes.Get(f.ctx, carl, d.ID); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("a stranger reads the dispute: %v", err)
		}
		if list, err := f.disputes.List(f.ctx, carl); err != nil || len(list) != 0 {
			t.Fatalf("a stranger lists %+v %v", list, err)
		}
		msgs := f.sent()
		if len(msgs) != 2 || msgs[0].customer == msgs[1].customer {
			t.Fatalf("the holder and the owner are not both told: %+v", msgs)
		}
		_, err = f.disputes.Decide(f.ctx, d.ID, card.Decision{Founded: true}, customerActor(anna))
		wantCode(t, err, netbank.EFORBIDDEN, "a customer deciding")
		_, err = f.disputes.Decide(f.ctx, d.ID, card.Decision{Founded: true}, card.System)
		wantCode(t, err, netbank.EFORBIDDEN, "the system deciding")
		pending, decided, err := f.disputes.Queue(f.ctx, 10)
		if err != nil || len(pending) != 1 || len(decided) != 0 {
			t.Fatalf("Queue %+v %+v %v", pending, decided, err)
		}
	})
}

// The interest of DISP-4: simple, 365-day year, rounded half up.
func TestInterest_DISP4(t *testing.T) {
	for _, tc := range []struct {
		amount   int64
		bp, days int
		want     int64
	}{
		{1_000_00, 800, 30, 6_58},
		{1_000_00, 800, 0, 0},
		{1_000_00, 0, 30, 0},
		{365_00, 1000, 1, 10},                       // 0,10 kr. exactly
		{1_83, 10000, 1, 1},                         // 0,5013… øre → 1
		{1_82, 10000, 1, 0},                         // 0,4986… øre → 0
		{999_999_999_99, 2000, 366, 200_547_945_20}, // no overflow
	} {
		if got := card.Interest(tc.amount, tc.bp, tc.days); got != tc.want {
			t.Errorf("Interest(%d, %d bp, %d days) = %d, want %d", tc.amount, tc.bp, tc.days, got, tc.want)
		}
	}
}
