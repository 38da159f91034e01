package card_test

// The authorization engine over a real TCP connection: the bank's ISO 8583
// server (package iso8583) on 127.0.0.1:0 with the engine as its handler,
// a client from iso8583.Dial, on both engines. The ledger's invariants are
// checked after every test (newFixture).

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/cardsec"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/iso8583"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/pricing"
	"github.com/netbank/netbank/store"
)

// authStart is a Wednesday before Easter 2026 (Easter Sunday is 5 April).
var authStart = at(2026, 3, 25, 10, 0)

// authFixture is the card fixture with the authorization engine behind an
// ISO 8583 server and a client connected to it.
type authFixture struct {
	*fixture
	auth   *card.Authorizer
	srv    *iso8583.Server
	client *iso8583.Client
	n      int
}

// newAuthFixture starts the engine (configured further by opts) and its
// server, and connects a client.
func newAuthFixture(t *testing.T, db *store.DB, start time.Time, opts ...func(*card.AuthConfig)) *authFixture {
	t.Helper()
	f := &authFixture{fixture: newFixture(t, db, start)}
	cfg := card.AuthConfig{Clock: f.clock, Store: db.CardAuthorizations(), Ledger: f.ledger, Pricing: f.pricing,
		PriceTTL: -1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, o := range opts {
		o(&cfg)
	}
	var err error
	if f.auth, err = card.NewAuthorizer(f.svc, cfg); err != nil {
		t.Fatal(err)
	}
	f.srv = iso8583.NewServer("127.0.0.1:0", app.CardNetworkHandler(f.auth), iso8583.WithLogger(cfg.Logger))
	if err := f.srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.srv.Close(context.Background()) })
	if f.client, err = iso8583.Dial(f.ctx, f.srv.Addr()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.client.Close() })
	return f
}

// request is a chip + PIN purchase (0100) of amount øre with iss at a
// Danish supermarket, changed by opts.
func (f *authFixture) request(iss card.Issued, amount int64, opts ...func(*iso8583.Request)) iso8583.Request {
	f.t.Helper()
	f.n++
	f.clock.Advance(time.Second) // one request after the other
	now := f.clock.Now()
	r := iso8583.Request{MTI: iso8583.MTIAuthorization, PAN: iss.PAN, ProcessingCode: "000000", Amount: amount,
		TransmissionTime: now.UTC().Format("0102150405"), STAN: fmt.Sprintf("%06d", f.n), LocalTime: now.In(cph).Format("150405"),
		LocalDate: now.In(cph).Format("0102"), Expiry: iss.Card.Expiry, MCC: "5411", POSEntryMode: "051", POSCondition: "00",
		RRN: fmt.Sprintf("%012d", f.n), TerminalID: "TERM0001", MerchantID: "MERCHANT0000001",
		Merchant: iso8583.Merchant{Name: "Netto Vesterbro", City: "Koebenhavn", Country: "DK"}, Currency: "208"}
	if iss.PIN != "" {
		r.PINBlock = f.pinBlock(iss.PAN, iss.PIN)
	}
	for _, o := range opts {
		o(&r)
	}
	return r
}

func (f *authFixture) pinBlock(pan, pin string) string {
	f.t.Helper()
	b, err := cardsec.EncodePINBlock(pin, pan, f.zpk)
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

// send sends r over the connection and returns the bank's answer.
func (f *authFixture) send(r iso8583.Request) iso8583.Response {
	f.t.Helper()
	m, err := iso8583.BuildRequest(r)
	if err != nil {
		f.t.Fatalf("build %s: %v", r.MTI, err)
	}
	out, err := f.client.Send(f.ctx, m)
	if err != nil {
		f.t.Fatalf("send %s: %v", r.MTI, err)
	}
	resp, err := iso8583.ParseResponse(out)
	if err != nil {
		f.t.Fatalf("answer to %s: %v", r.MTI, err)
	}
	if mti, _ := out.GetMTI(); mti != iso8583.ResponseMTI(r.MTI) {
		f.t.Fatalf("answer MTI %s to %s", mti, r.MTI)
	}
	return resp
}

// expect sends r and fails unless the answer has code.
func (f *authFixture) expect(r iso8583.Request, code string) iso8583.Response {
	f.t.Helper()
	resp := f.send(r)
	if resp.Code != code {
		f.t.Fatalf("%s %s of %d: code %s, want %s (%v)", r.MTI, r.ProcessingCode, r.Amount, resp.Code, code, f.lastReasons())
	}
	if code == iso8583.CodeApproved && len(resp.AuthCode) != 6 {
		f.t.Fatalf("approval without a 6-character authorization code: %q", resp.AuthCode)
	}
	return resp
}

// lastReasons are the reasons of the newest stored decision, for messages.
func (f *authFixture) lastReasons() []string {
	var reasons string
	_ = f.db.QueryRow(f.ctx, "SELECT reasons FROM card_authorizations ORDER BY created_at DESC, id DESC LIMIT 1").Scan(&reasons)
	return strings.Split(reasons, "\n")
}

// last is the newest stored decision on a card.
func (f *authFixture) last(cardID string) card.Authorization {
	f.t.Helper()
	list, err := f.auth.Authorizations(f.ctx, cardID, 1)
	if err != nil || len(list) == 0 {
		f.t.Fatalf("no stored authorization for %s: %v", cardID, err)
	}
	return list[0]
}

// balance is an account's ledger balance.
func (f *authFixture) balance(id string) ledger.Balance {
	f.t.Helper()
	b, err := f.ledger.Balance(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

// deposit puts money on an account.
func (f *authFixture) deposit(id string, amount int64) {
	f.t.Helper()
	f.n++
	f.mustTransfer(ledger.TransferRequest{ID: fmt.Sprintf("deposit:%s:%d", id, f.n), DebitAccountID: "bank:settlement:DKK",
		CreditAccountID: id, Amount: amount, Code: "deposit", Text: "Indskud"})
}

// expire releases the holds whose time ran out, as the bank's job does.
func (f *authFixture) expire() {
	f.t.Helper()
	if _, err := f.ledger.ExpireHolds(f.ctx); err != nil {
		f.t.Fatal(err)
	}
}

func original(r iso8583.Request) *iso8583.OriginalData {
	return &iso8583.OriginalData{MTI: r.MTI, STAN: r.STAN, TransmissionTime: r.TransmissionTime}
}

// Request changes used by the tests.
var (
	contactless = func(r *iso8583.Request) { r.POSEntryMode, r.PINBlock = "071", "" }
	noPIN       = func(r *iso8583.Request) { r.PINBlock = "" }
	cashAtATM   = func(r *iso8583.Request) {
		r.MTI, r.ProcessingCode, r.MCC, r.TerminalID = iso8583.MTIFinancial, "010000", "6011", "ATM00001"
	}
	mailOrder = func(cvv2 string) func(*iso8583.Request) {
		return func(r *iso8583.Request) {
			r.POSEntryMode, r.POSCondition, r.PINBlock = "012", "08", ""
			r.Field48 = map[string]string{iso8583.TagCVV2: cvv2}
		}
	}
	mcc = func(code string) func(*iso8583.Request) { return func(r *iso8583.Request) { r.MCC = code } }
)

// completion is the 0220 claiming orig with the final amount.
func (f *authFixture) completion(iss card.Issued, orig iso8583.Request, final int64) iso8583.Request {
	return f.request(iss, final, func(r *iso8583.Request) {
		r.MTI, r.PINBlock, r.Original = iso8583.MTICompletion, "", original(orig)
		r.MCC, r.POSEntryMode, r.POSCondition, r.Currency, r.TerminalID = orig.MCC, orig.POSEntryMode, orig.POSCondition, orig.Currency, orig.TerminalID
		r.Field48 = nil
	})
}

// reversal is the 0400 undoing orig.
func (f *authFixture) reversal(iss card.Issued, orig iso8583.Request) iso8583.Request {
	return f.request(iss, orig.Amount, func(r *iso8583.Request) {
		r.MTI, r.PINBlock, r.Original, r.ProcessingCode = iso8583.MTIReversal, "", original(orig), orig.ProcessingCode
		r.MCC, r.Currency, r.TerminalID = orig.MCC, orig.Currency, orig.TerminalID
	})
}

// acceptCAVV is a Visa Secure stand-in that accepts one result for one
// card, amount and merchant (dynamic linking, CARD-11).
type acceptCAVV struct {
	pan, currency, merchant, cavv string
	amount                        int64
}

func (v acceptCAVV) Verify(ctx context.Context, pan string, amount int64, currency, merchant, cavv string) bool {
	return pan == v.pan && amount == v.amount && currency == v.currency && merchant == v.merchant && cavv == v.cavv
}

// failingQuotes is a price list whose exchange rates are unreachable.
type failingQuotes struct{ card.AuthPricing }

func (failingQuotes) Quote(ctx context.Context, r pricing.QuoteRequest) (pricing.Quote, error) {
	return pricing.Quote{}, fmt.Errorf("the rate table is unreachable")
}

// TestApprovedPurchaseHoldsTheAmount_CARD7 approves a chip + PIN purchase:
// 00 with an authorization code, the amount held on the account until 7
// calendar days + 2 bank days, and the decision stored with its reasons.
func TestApprovedPurchaseHoldsTheAmount_CARD7(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newAuthFixture(t, db, authStart)
		iss := f.active()
		before := f.balance(annaAcc)
		resp := f.expect(f.request(iss, 125_00), iso8583.CodeApproved)
		after := f.balance(annaAcc)
		if after.Pending != before.Pending+125_00 || after.Posted != before.Posted || after.Available != before.Available-125_00 {
			t.Errorf("balance %+v after %+v, want 125,00 kr. held", after, before)
		}
		a := f.last(iss.Card.ID)
		if a.Code != "00" || a.AuthCode != resp.AuthCode || a.Status != card.AuthApproved || a.AmountDKK != 125_00 ||
			a.Currency != "DKK" || !a.PINVerified || len(a.Reasons) == 0 || a.MerchantName != "Netto Vesterbro" {
			t.Errorf("stored %+v", a)
		}
		if want := at(2026, 4, 9, 0, 0); !a.HoldExpiresAt.Equal(want) {
			t.Errorf("hold expires %s, want %s (7 days + 2 bank days over Easter)", a.HoldExpiresAt.In(cph), want)
		}
		h, err := f.ledger.GetHold(f.ctx, a.TransferID)
		if err != nil || h.Status != ledger.Open || h.Amount != 125_00 || !h.ExpiresAt.Equal(a.HoldExpiresAt) {
			t.Errorf("ledger hold %+v %v", h, err)
		}
		var n int
		if err := db.QueryRow(f.ctx, "SELECT COUNT(*) FROM card_authorizations WHERE reasons LIKE ?", "%"+iss.PAN+"%").Scan(&n); err != nil || n != 0 {
			t.Errorf("a stored decision contains the card number (%d, %v)", n, err)
		}
	})
}

// TestEveryResponseCode answers each response code of the issue over TCP.
func TestEveryResponseCode(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newAuthFixture(t, db, authStart)
		iss := f.active()
		t.Run("00 approved", func(t *testing.T) {
			f.expect(f.request(iss, 10_00), "00")
		})
		t.Run("05 wrong CVV2", func(t *testing.T) {
			wrong := "000"
			if iss.CVV2 == wrong {
				wrong = "001"
			}
			f.expect(f.request(iss, 10_00, mailOrder(wrong)), "05")
			f.expect(f.request(iss, 10_00, mailOrder(iss.CVV2)), "00")
		})
		t.Run("12 invalid transaction", func(t *testing.T) {
			f.expect(f.request(iss, 10_00, func(r *iso8583.Request) { r.ProcessingCode = "400000" }), "12")
			f.expect(f.request(iss, 10_00, func(r *iso8583.Request) { r.ProcessingCode = "010000" }), "12") // cash as 0100
		})
		t.Run("13 no amount", func(t *testing.T) {
			f.expect(f.request(iss, 0), "13")
		})
		t.Run("14 invalid card number", func(t *testing.T) {
			bad := iss.PAN[:15] + string('0'+(iss.PAN[15]-'0'+1)%10)
			f.expect(f.request(card.Issued{PAN: bad, Card: iss.Card}, 10_00), "14")
			unknown, err := cardsec.PANFromSerial("457199", 999_999_999)
			if err != nil {
				t.Fatal(err)
			}
			f.expect(f.request(card.Issued{PAN: unknown, Card: iss.Card}, 10_00), "14")
		})
		t.Run("30 format error", func(t *testing.T) {
			m, err := iso8583.BuildRequest(f.request(iss, 10_00))
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Field(14, "2613"); err != nil { // month 13
				t.Fatal(err)
			}
			out, err := f.client.Send(f.ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			if resp, err := iso8583.ParseResponse(out); err != nil || resp.Code != "30" {
				t.Errorf("answer %+v %v, want 30", resp, err)
			}
		})
		t.Run("41 lost", func(t *testing.T) {
			lost := f.active()
			if _, err := f.svc.Block(f.ctx, anna, lost.Card.ID, card.ReasonLost, customerActor(anna)); err != nil {
				t.Fatal(err)
			}
			f.expect(f.request(lost, 10_00), "41")
		})
		t.Run("43 stolen", func(t *testing.T) {
			stolen := f.active()
			if _, err := f.svc.Block(f.ctx, anna, stolen.Card.ID, card.ReasonStolen, customerActor(anna)); err != nil {
				t.Fatal(err)
			}
			f.expect(f.request(stolen, 10_00), "43")
		})
		t.Run("51 insufficient funds CARD-4", func(t *testing.T) {
			f.expect(f.request(iss, f.balance(annaAcc).Available+1), "51")
		})
		t.Run("54 expired", func(t *testing.T) {
			old := f.issue(card.IssueRequest{CustomerID: anna, AccountID: annaAcc, IssuedAt: authStart.AddDate(-5, 0, 0)})
			f.expect(f.request(old, 10_00), "54")
			f.expect(f.request(iss, 10_00, func(r *iso8583.Request) { r.Expiry = "3001" }), "54") // not the card's expiry
		})
		t.Run("55 wrong PIN", func(t *testing.T) {
			other := f.active()
			f.expect(f.request(other, 10_00, func(r *iso8583.Request) { r.PINBlock = f.pinBlock(other.PAN, wrongPIN(other.PIN)) }), "55")
			f.expect(f.request(other, 10_00), "00") // the right PIN forgets the wrong try
		})
		t.Run("57 gambling with Visa Junior", func(t *testing.T) {
			junior := f.issue(card.IssueRequest{CustomerID: anna, AccountID: annaAcc, HolderCustomerID: freja, Type: card.VisaJunior})
			if _, err := f.svc.Activate(f.ctx, anna, junior.Card.ID, customerActor(anna)); err != nil {
				t.Fatal(err)
			}
			f.expect(f.request(junior, 10_00, mcc("7995"), noPIN), "57")
			f.expect(f.request(junior, 10_00, mcc("5411")), "00")
			f.expect(f.request(iss, 10_00, mcc("7995")), "00") // Visa Debit may
		})
		t.Run("61 over the daily cash limit CARD-5", func(t *testing.T) {
			f.deposit(annaAcc, 20_000_00)
			f.expect(f.request(iss, 6_000_00, cashAtATM), "00")
			f.expect(f.request(iss, 4_000_01, cashAtATM), "61")
			f.expect(f.request(iss, 4_000_00, cashAtATM), "00") // exactly the limit
		})
		t.Run("62 not activated", func(t *testing.T) {
			ordered := f.issue(card.IssueRequest{CustomerID: anna, AccountID: annaAcc})
			f.expect(f.request(ordered, 10_00), "62")
		})
		t.Run("75 PIN tries exceeded", func(t *testing.T) {
			other := f.active()
			bad := func(r *iso8583.Request) { r.PINBlock = f.pinBlock(other.PAN, wrongPIN(other.PIN)) }
			f.expect(f.request(other, 10_00, bad), "55")
			f.expect(f.request(other, 10_00, bad), "55")
			f.expect(f.request(other, 10_00, bad), "75")
			f.expect(f.request(other, 10_00), "75") // even the right PIN now
			if c := f.card(other.Card.ID); !c.PINLocked {
				t.Error("the PIN is not locked")
			}
		})
		t.Run("1A contactless above the limit CARD-6", func(t *testing.T) {
			f.expect(f.request(iss, 350_01, contactless), "1A")
		})
		t.Run("94 duplicate", func(t *testing.T) {
			r := f.request(iss, 20_00)
			f.expect(r, "00")
			r.Amount = 21_00
			f.expect(r, "94")
		})
		// 96: TestSystemErrorAnswers96AndMovesNothing.
	})
}

func wrongPIN(pin string) string {
	if pin == "9999" {
		return "9998"
	}
	return "9999"
}

// TestHoldExpiresAfterSevenDaysAndTwoBankDays_CARD7 releases an unclaimed
// hold at the end of the second bank day after the 7th calendar day —
// across Easter and Christmas, where the holidays push it out.
func TestHoldExpiresAfterSevenDaysAndTwoBankDays_CARD7(t *testing.T) {
	for _, tc := range []struct {
		name     string
		at, want time.Time
	}{
		{"ordinary week", at(2026, 3, 4, 12, 0), at(2026, 3, 14, 0, 0)},                    // Wed → Wed + Thu, Fri
		{"over Easter 2026", at(2026, 3, 25, 10, 0), at(2026, 4, 9, 0, 0)},                 // Wed 1.4 → Tue 7.4, Wed 8.4
		{"over Christmas 2026", at(2026, 12, 17, 23, 30), at(2026, 12, 30, 0, 0)},          // Thu 24.12 → Mon 28, Tue 29
		{"late evening is the Danish date", at(2026, 3, 24, 23, 30), at(2026, 4, 8, 0, 0)}, // Tue 31.3 → Wed 1.4, Tue 7.4
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := card.HoldExpiry(tc.at); !got.Equal(tc.want) {
				t.Errorf("HoldExpiry(%s) = %s, want %s", tc.at, got.In(cph), tc.want)
			}
		})
	}
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newAuthFixture(t, db, authStart)
		iss := f.active()
		before := f.balance(annaAcc)
		f.expect(f.request(iss, 300_00), "00")
		f.clock.Set(at(2026, 4, 8, 23, 59)) // the last day of the reservation (Easter Monday and Maundy Thursday do not count)
		f.expire()
		if b := f.balance(annaAcc); b.Pending != 300_00 {
			t.Fatalf("pending %d on the last day, want 300,00 kr. held", b.Pending)
		}
		f.clock.Set(at(2026, 4, 9, 0, 0))
		f.expire()
		if b := f.balance(annaAcc); b != before {
			t.Fatalf("balance %+v after the reservation lapsed, want %+v", b, before)
		}
	})
}

// TestCardNotPresentClaimAfterTheHoldExpired_CARD7: a mail order may be
// claimed within 30 days, also after its hold was released; later, and a
// card-present purchase after its hold lapsed, may not.
func TestCardNotPresentClaimAfterTheHoldExpired_CARD7(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newAuthFixture(t, db, authStart)
		iss := f.active()
		before := f.balance(annaAcc)
		order := f.request(iss, 499_00, mailOrder(iss.CVV2))
		late := f.request(iss, 200_00, mailOrder(iss.CVV2))
		shop := f.request(iss, 100_00)
		for _, r := range []iso8583.Request{order, late, shop} {
			f.expect(r, "00")
		}
		if a := f.last(iss.Card.ID); !a.CardNotPresent && a.MTI == "0100" {
			t.Fatal("the mail order is not marked card-not-present")
		}
		f.clock.Set(at(2026, 4, 20, 9, 0)) // holds expired 9 April; the orders ship now
		f.expire()
		if b := f.balance(annaAcc); b != before {
			t.Fatalf("holds not released: %+v, want %+v", b, before)
		}
		f.expect(f.completion(iss, order, 499_00), "00")
		if b := f.balance(annaAcc); b.Posted != before.Posted-499_00 || b.Pending != 0 {
			t.Errorf("after the claim %+v, want 499,00 kr. debited from %+v", b, before)
		}
		f.expect(f.completion(iss, shop, 100_00), "12") // card present: the merchant was too late
		f.clock.Set(at(2026, 4, 24, 10, 1))             // 30 days after the order
		f.expect(f.completion(iss, late, 200_00), "12")
		if b := f.balance(annaAcc); b.Posted != before.Posted-499_00 {
			t.Errorf("late claims moved money: %+v", b)
		}
	})
}

// TestFuelPreAuthorizationCompletedNextDay_CARD9: the fuel station holds
// 1.500 kr.; the next day's completion debits the real 423,50 kr. and
// releases the rest.
func TestFuelPreAuthorizationCompletedNextDay_CARD9(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newAuthFixture(t, db, authStart)
		iss := f.active()
		before := f.balance(annaAcc)
		pre := f.request(iss, 1_500_00, mcc("5542"))
		f.expect(pre, "00")
		if b := f.balance(annaAcc); b.Pending != 1_500_00 {
			t.Fatalf("pending %d, want the pre-authorization", b.Pending)
		}
		f.clock.Advance(24 * time.Hour)
		claim := f.completion(iss, pre, 423_50)
		f.expect(claim, "00")
		b := f.balance(annaAcc)
		if b.Posted != before.Posted-423_50 || b.Pending != 0 || b.Available != before.Available-423_50 {
			t.Errorf("after completion %+v, want 423,50 kr. debited and the rest released (before %+v)", b, before)
		}
		a := f.last(iss.Card.ID)
		if a.MTI != "0220" || a.AmountDKK != 423_50 || a.OriginalID == "" {
			t.Errorf("completion stored as %+v", a)
		}
		orig, err := db.CardAuthorizations().AuthorizationsByID(f.ctx, []string{a.OriginalID})
		if err != nil || len(orig) != 1 || orig[0].Status != card.AuthCompleted {
			t.Errorf("pre-authorization after completion: %+v %v", orig, err)
		}
		f.expect(claim, "00")                          // the acquirer repeats the advice: same answer
		f.expect(f.completion(iss, pre, 100_00), "12") // a second claim on it
		if got := f.balance(annaAcc); got != b {
			t.Errorf("repeats moved money: %+v, want %+v", got, b)
		}
		over := f.request(iss, 500_00, mcc("5542"))
		f.expect(over, "00")
		f.expect(f.completion(iss, over, 500_01), "13") // more than authorized, not a hotel
	})
}

// TestHotelIncrementalAuthorizationAndLaterCharge_CARD10: a hotel holds
// 2.000 kr., adds 500 kr. (incremental, field 90), completes with
// 2.300 kr. (the rest of the increment is released) and charges the
// minibar later; a supermarket cannot add to a reservation.
func TestHotelIncrementalAuthorizationAndLaterCharge_CARD10(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newAuthFixture(t, db, authStart)
		iss := f.active()
		f.deposit(annaAcc, 10_000_00)
		before := f.balance(annaAcc)
		hotel := func(r *iso8583.Request) {
			r.MCC, r.PINBlock, r.TerminalID = "7011", "", "HOTEL001"
			r.Merchant = iso8583.Merchant{Name: "Hotel d'Angleterre", City: "Koebenhavn", Country: "DK"}
		}
		checkIn := f.request(iss, 2_000_00, hotel)
		f.expect(checkIn, "00")
		f.clock.Advance(48 * time.Hour)
		more := f.request(iss, 500_00, hotel, func(r *iso8583.Request) { r.Original = original(checkIn) })
		f.expect(more, "00")
		if b := f.balance(annaAcc); b.Pending != 2_500_00 {
			t.Fatalf("pending %d, want 2.500,00 kr. after the increment", b.Pending)
		}
		f.expect(f.request(iss, 100_00, func(r *iso8583.Request) { r.Original = original(checkIn) }), "12") // not a hotel
		f.clock.Advance(24 * time.Hour)
		checkOut := f.completion(iss, checkIn, 2_300_00)
		checkOut.TerminalID = "HOTEL001"
		f.expect(checkOut, "00")
		b := f.balance(annaAcc)
		if b.Posted != before.Posted-2_300_00 || b.Pending != 0 {
			t.Fatalf("after check-out %+v, want 2.300,00 kr. debited and 200,00 kr. released (before %+v)", b, before)
		}
		minibar := f.completion(iss, checkIn, 150_00)
		minibar.TerminalID = "HOTEL001"
		f.expect(minibar, "00")
		if got := f.balance(annaAcc); got.Posted != b.Posted-150_00 {
			t.Errorf("later charge: posted %d, want %d", got.Posted, b.Posted-150_00)
		}
		if a := f.last(iss.Card.ID); a.MTI != "0220" || a.AmountDKK != 150_00 || a.LimitDKK != 150_00 {
			t.Errorf("later charge stored as %+v", a)
		}
	})
}

// TestForeignCurrencySettledAtAnotherRate_CARD8: EUR 100 is held in
// kroner at the reference rate + the card margin; settled when the rate
// has moved, the hold is released and the final kroner debited; both
// amounts and rates are stored.
func TestForeignCurrencySettledAtAnotherRate_CARD8(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newAuthFixture(t, db, authStart)
		iss := f.active()
		if err := f.pricing.SetRate(f.ctx, "EUR", 746_1200, "system"); err != nil {
			t.Fatal(err)
		}
		before := f.balance(annaAcc)
		eur := func(r *iso8583.Request) {
			r.Currency, r.TerminalID = "978", "PARIS001"
			r.Merchant = iso8583.Merchant{Name: "Galeries Lafayette", City: "Paris", Country: "FR"}
		}
		buy := f.request(iss, 100_00, eur)
		f.expect(buy, "00")
		held := f.last(iss.Card.ID)
		// 746,12 + 1 % = 753,5812 kr. per 100 EUR: 753,58 kr.
		if held.AmountDKK != 753_58 || held.Amount != 100_00 || held.Currency != "EUR" || held.Rate != 746_1200 ||
			held.CustomerRate != 753_5812 || held.MarginBP != 100 {
			t.Fatalf("authorization stored as %+v", held)
		}
		if b := f.balance(annaAcc); b.Pending != 753_58 {
			t.Fatalf("pending %d, want 753,58 kr.", b.Pending)
		}
		f.clock.Advance(36 * time.Hour)
		if err := f.pricing.SetRate(f.ctx, "EUR", 750_0000, "system"); err != nil {
			t.Fatal(err)
		}
		settle := f.completion(iss, buy, 100_00)
		f.expect(settle, "00")
		b := f.balance(annaAcc)
		// 750,00 + 1 % = 757,50 kr.
		if b.Posted != before.Posted-757_50 || b.Pending != 0 {
			t.Errorf("after settlement %+v, want the hold released and 757,50 kr. debited (before %+v)", b, before)
		}
		final := f.last(iss.Card.ID)
		if final.AmountDKK != 757_50 || final.Amount != 100_00 || final.Rate != 750_0000 || final.CustomerRate != 757_5000 {
			t.Errorf("settlement stored as %+v", final)
		}
		h, err := f.ledger.GetHold(f.ctx, held.TransferID)
		if err != nil || h.Status != ledger.Voided {
			t.Errorf("the original hold is %+v %v, want voided (reversed)", h, err)
		}
	})
}

// TestRefundCreditsTheAccount_CARD2: a merchant refunds onto the card.
func TestRefundCreditsTheAccount_CARD2(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newAuthFixture(t, db, authStart)
		iss := f.active()
		before := f.balance(annaAcc)
		refund := f.request(iss, 249_95, noPIN, func(r *iso8583.Request) { r.MTI, r.ProcessingCode = iso8583.MTIFinancial, "200000" })
		f.expect(refund, "00")
		if b := f.balance(annaAcc); b.Posted != before.Posted+249_95 {
			t.Errorf("posted %d after the refund, want %d", b.Posted, before.Posted+249_95)
		}
		f.expect(f.reversal(iss, refund), "00")
		if b := f.balance(annaAcc); b != before {
			t.Errorf("after reversing the refund %+v, want %+v", b, before)
		}
	})
}

// TestBalanceInquiryAnswersField54 answers the booked and available
// balance with the PIN, and 55 without it.
func TestBalanceInquiryAnswersField54(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newAuthFixture(t, db, authStart)
		iss := f.active()
		f.expect(f.request(iss, 100_00), "00")
		b := f.balance(annaAcc)
		inquiry := func(r *iso8583.Request) { r.MTI, r.ProcessingCode, r.MCC = iso8583.MTIFinancial, "300000", "6011" }
		resp := f.expect(f.request(iss, 0, inquiry), "00")
		want := []iso8583.Balance{
			{AccountType: "20", AmountType: "01", Currency: "208", Amount: b.Posted},
			{AccountType: "20", AmountType: "02", Currency: "208", Amount: b.Available},
		}
		if fmt.Sprint(resp.Balances) != fmt.Sprint(want) {
			t.Errorf("field 54 %+v, want %+v", resp.Balances, want)
		}
		f.expect(f.request(iss, 0, inquiry, noPIN), "55")
		if got := f.balance(annaAcc); got != b {
			t.Errorf("an inquiry moved money: %+v, want %+v", got, b)
		}
	})
}

// TestReversals releases a hold, credits back a withdrawal with its fee,
// and has nothing to undo for a declined request or an unknown one.
func TestReversals(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newAuthFixture(t, db, authStart)
		iss := f.active()
		before := f.balance(annaAcc)
		buy := f.request(iss, 75_00)
		f.expect(buy, "00")
		f.expect(f.reversal(iss, buy), "00")
		if b := f.balance(annaAcc); b != before {
			t.Fatalf("after reversing the purchase %+v, want %+v", b, before)
		}
		f.expect(f.completion(iss, buy, 75_00), "12") // reversed: nothing to claim

		cash := f.request(iss, 500_00, cashAtATM)
		f.expect(cash, "00")
		if b := f.balance(annaAcc); b.Posted != before.Posted-500_00-25_00 {
			t.Fatalf("posted %d after the withdrawal, want amount and the 25,00 kr. fee debited", b.Posted)
		}
		f.expect(f.reversal(iss, cash), "00")
		if b := f.balance(annaAcc); b != before {
			t.Fatalf("after reversing the withdrawal %+v, want %+v", b, before)
		}
		rev := f.last(iss.Card.ID)
		if rev.MTI != "0400" || rev.AmountDKK != 500_00 || rev.FeeDKK != 25_00 {
			t.Errorf("reversal stored as %+v", rev)
		}

		declined := f.request(iss, f.balance(annaAcc).Available+1)
		f.expect(declined, "51")
		f.expect(f.reversal(iss, declined), "00")
		unknown := f.request(iss, 10_00)
		unknown.STAN = "999999"
		f.expect(f.reversal(iss, unknown), "12")
		if b := f.balance(annaAcc); b != before {
			t.Errorf("balance %+v, want %+v", b, before)
		}
	})
}

// TestIdenticalRetryGetsTheFirstAnswer: the acquirer resends a request
// (a new transmission time): the same answer and authorization code, one
// hold; the same STAN and RRN with other content is 94 and moves nothing.
func TestIdenticalRetryGetsTheFirstAnswer(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newAuthFixture(t, db, authStart)
		iss := f.active()
		r := f.request(iss, 64_00)
		first := f.expect(r, "00")
		held := f.balance(annaAcc)
		f.clock.Advance(30 * time.Second)
		r.TransmissionTime = f.clock.Now().UTC().Format("0102150405")
		again := f.expect(r, "00")
		if again.AuthCode != first.AuthCode {
			t.Errorf("retry answered %s, want the first authorization code %s", again.AuthCode, first.AuthCode)
		}
		if b := f.balance(annaAcc); b != held {
			t.Errorf("retry moved money: %+v, want %+v", b, held)
		}
		dup := r
		dup.Amount = 640_00
		f.expect(dup, "94")
		dup.MCC = "7995"
		dup.Amount = 64_00
		f.expect(dup, "94")
		if b := f.balance(annaAcc); b != held {
			t.Errorf("duplicate moved money: %+v, want %+v", b, held)
		}
		if a := f.last(iss.Card.ID); a.Code != "94" || a.OriginalID == "" || len(a.Reasons) == 0 {
			t.Errorf("duplicate stored as %+v", a)
		}
		// A wrong PIN's retry does not count a second try.
		other := f.active()
		bad := f.request(other, 10_00, func(r *iso8583.Request) { r.PINBlock = f.pinBlock(other.PAN, wrongPIN(other.PIN)) })
		for range 3 {
			f.expect(bad, "55")
		}
		if c := f.card(other.Card.ID); c.PINTries != 1 || c.PINLocked {
			t.Errorf("retries of one wrong PIN counted %d tries (locked %v), want 1", c.PINTries, c.PINLocked)
		}
	})
}

// TestThreeWrongPINsAnswer75 locks the PIN at the third wrong one.
func TestThreeWrongPINsAnswer75(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newAuthFixture(t, db, authStart)
		iss := f.active()
		bad := func(r *iso8583.Request) { r.PINBlock = f.pinBlock(iss.PAN, wrongPIN(iss.PIN)) }
		f.expect(f.request(iss, 10_00, bad), "55")
		f.expect(f.request(iss, 10_00, bad), "55")
		f.expect(f.request(iss, 10_00, bad), "75")
		f.expect(f.request(iss, 10_00), "75")
		f.expect(f.request(iss, 10_00, cashAtATM), "75")
		f.expect(f.request(iss, 10_00, contactless), "00") // no PIN asked: the lock is about the PIN
	})
}

// TestContactlessNeedsThePINAtIntervals_CARD6: above 350 kr., after 5
// contactless payments in a row without PIN, or once they pass 1.119 kr.
// since the last PIN, the PIN is asked (1A); a payment with the right PIN
// starts again.
func TestContactlessNeedsThePINAtIntervals_CARD6(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newAuthFixture(t, db, authStart)
		iss := f.active()
		f.expect(f.request(iss, 350_01, contactless), "1A")
		f.expect(f.request(iss, 350_00, contactless), "00")
		for range 4 {
			f.expect(f.request(iss, 50_00, contactless), "00")
		}
		f.expect(f.request(iss, 10_00, contactless), "1A")                                         // the 6th in a row
		f.expect(f.request(iss, 10_00, func(r *iso8583.Request) { r.POSEntryMode = "071" }), "00") // contactless with PIN
		for range 3 {
			f.expect(f.request(iss, 300_00, contactless), "00")
		}
		f.expect(f.request(iss, 220_00, contactless), "1A") // 900 + 220 > 1.119
		f.expect(f.request(iss, 219_00, contactless), "00") // 1.119 exactly
		f.expect(f.request(iss, 1_00, contactless), "1A")
		if a := f.last(iss.Card.ID); a.Code != "1A" || !strings.Contains(strings.Join(a.Reasons, " "), "CARD-6") {
			t.Errorf("stored as %+v", a)
		}
		f.expect(f.request(iss, 5_00), "00") // chip + PIN
		f.expect(f.request(iss, 1_00, contactless), "00")
	})
}

// TestCashFeeAndThirtyDayTotal_CARD5: a withdrawal costs the price list's
// fee; purchases and cash together stop at the rolling 30-day total,
// reversed amounts do not count, and older ones fall out.
func TestCashFeeAndThirtyDayTotal_CARD5(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newAuthFixture(t, db, authStart)
		iss := f.active()
		f.deposit(annaAcc, 100_000_00)
		before := f.balance(annaAcc)
		f.expect(f.request(iss, 1_000_00, cashAtATM), "00")
		if b := f.balance(annaAcc); b.Posted != before.Posted-1_025_00 {
			t.Fatalf("posted %d, want 1.000,00 kr. + 25,00 kr. fee debited", b.Posted)
		}
		if a := f.last(iss.Card.ID); a.FeeDKK != 25_00 || !a.Cash {
			t.Errorf("withdrawal stored as %+v", a)
		}
		big := f.request(iss, 40_000_00)
		f.expect(big, "00")
		f.clock.Advance(10 * 24 * time.Hour)
		f.expect(f.request(iss, 19_000_00), "00")       // 60.000 in all
		f.expect(f.request(iss, 1_00, cashAtATM), "61") // the total, not the daily cash limit
		f.expect(f.request(iss, 1_00), "61")
		f.expect(f.reversal(iss, big), "00")
		f.expect(f.request(iss, 40_000_00), "00") // the reversed 40.000 no longer counts
		f.expect(f.request(iss, 1_00), "61")
		f.clock.Advance(21 * 24 * time.Hour) // the first withdrawal is 31 days old
		f.expect(f.request(iss, 1_000_00), "00")
		f.expect(f.request(iss, 1_00), "61")
	})
}

// TestBalanceOnlyCardsIgnoreTheOverdraft_CARD4: spending may use an agreed
// overdraft, except with the types that always check the balance.
func TestBalanceOnlyCardsIgnoreTheOverdraft_CARD4(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newAuthFixture(t, db, authStart)
		acc, err := f.accounts.Open(f.ctx, carl, account.Salary, "", "DKK", "0000003003", 1_000_00)
		if err != nil {
			t.Fatal(err)
		}
		f.deposit(acc.ID, 500_00) // the annual fees
		issue := func(typ card.Type) card.Issued {
			iss := f.issue(card.IssueRequest{CustomerID: carl, AccountID: acc.ID, Type: typ})
			if _, err := f.svc.Activate(f.ctx, carl, iss.Card.ID, customerActor(carl)); err != nil {
				t.Fatal(err)
			}
			return iss
		}
		debit, basis := issue(card.VisaDebit), issue(card.VisaBasis)
		b := f.balance(acc.ID)
		f.expect(f.request(basis, b.Posted+1), "51") // the overdraft does not count for Visa Basis
		f.expect(f.request(debit, b.Posted+500_00), "00")
		f.expect(f.request(basis, 1_00), "51")
		f.expect(f.request(debit, 500_00), "00") // the overdraft's last krone
		f.expect(f.request(debit, 1), "51")
	})
}

// TestInternetPurchasesNeedVisaSecure_CARD11: without a verifier every
// internet purchase is 1A; with one, only a CAVV for this card, amount and
// merchant passes; a recurring payment on a stored card needs none.
func TestInternetPurchasesNeedVisaSecure_CARD11(t *testing.T) {
	online := func(cavv string) func(*iso8583.Request) {
		return func(r *iso8583.Request) {
			r.POSEntryMode, r.POSCondition, r.PINBlock, r.MCC = "812", "59", "", "5732"
			r.Field48 = map[string]string{iso8583.TagCVV2: "", iso8583.TagCAVV: cavv}
			if cavv == "" {
				delete(r.Field48, iso8583.TagCAVV)
			}
		}
	}
	withCVV := func(cvv string) func(*iso8583.Request) {
		return func(r *iso8583.Request) { r.Field48[iso8583.TagCVV2] = cvv }
	}
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		const cavv = "AAABBEg0VhI0VniQEjRWAAAAAAA="
		var v acceptCAVV
		var cfg card.AuthConfig
		f := newAuthFixture(t, db, authStart, func(c *card.AuthConfig) { c.CAVV, cfg = &v, *c })
		iss := f.active()
		v = acceptCAVV{pan: iss.PAN, amount: 100_00, currency: "DKK", merchant: "MERCHANT0000001", cavv: cavv}

		// Without a verifier every internet purchase is 1A, with or without a CAVV.
		cfg.CAVV = nil
		without, err := card.NewAuthorizer(f.svc, cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []string{"", cavv} {
			if resp := without.Authorize(f.ctx, app.AuthRequest(f.request(iss, 100_00, online(c), withCVV(iss.CVV2)))); resp.Code != "1A" {
				t.Errorf("without a verifier, CAVV %q: %+v, want 1A", c, resp)
			}
		}

		f.expect(f.request(iss, 100_00, online(""), withCVV(iss.CVV2)), "1A")
		f.expect(f.request(iss, 100_01, online(cavv), withCVV(iss.CVV2)), "1A") // another amount
		f.expect(f.request(iss, 100_00, online(cavv), withCVV(iss.CVV2), func(r *iso8583.Request) { r.MerchantID = "OTHERSHOP000001" }), "1A")
		f.expect(f.request(iss, 100_00, online(cavv), withCVV(iss.CVV2)), "00")
		subscription := func(r *iso8583.Request) {
			r.POSEntryMode, r.POSCondition, r.PINBlock, r.Expiry = "102", "59", "", ""
			r.Field48 = map[string]string{iso8583.TagRecurring: "1"}
		}
		f.expect(f.request(iss, 129_00, subscription), "00")
		f.expect(f.request(iss, 129_00, subscription, func(r *iso8583.Request) { r.Field48 = nil }), "1A") // stored card, not recurring
	})
}

// TestSystemErrorAnswers96AndMovesNothing: when the bank cannot decide
// (here: the exchange rates are unreachable) the answer is 96, stored, and
// nothing is held.
func TestSystemErrorAnswers96AndMovesNothing(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newAuthFixture(t, db, authStart, func(c *card.AuthConfig) { c.Pricing = failingQuotes{c.Pricing} })
		iss := f.active()
		before := f.balance(annaAcc)
		r := f.request(iss, 100_00, func(r *iso8583.Request) { r.Currency = "978" })
		f.expect(r, "96")
		if b := f.balance(annaAcc); b != before {
			t.Errorf("balance %+v after 96, want %+v", b, before)
		}
		if a := f.last(iss.Card.ID); a.Code != "96" || a.Status != card.AuthDeclined || len(a.Reasons) == 0 {
			t.Errorf("stored as %+v", a)
		}
		f.expect(f.request(iss, 100_00), "00") // kroner need no rate
	})
}

// deadlineLedger is the ledger, but the request's deadline passes while
// it holds the money (the test's cancel runs inside the first transfer).
type deadlineLedger struct {
	card.AuthLedger
	cancel func()
}

func (l *deadlineLedger) Transfer(ctx context.Context, r ledger.TransferRequest) (ledger.Transfer, error) {
	out, err := l.AuthLedger.Transfer(ctx, r)
	if l.cancel != nil {
		l.cancel()
		l.cancel = nil
	}
	return out, err
}

// TestDeadlinePassedWhileHoldingUndoesTheHold: the ISO 8583 server has
// answered 96 when the deadline passed, so the hold made meanwhile is
// released and the decision stored as 96; a retry gets 96 again.
func TestDeadlinePassedWhileHoldingUndoesTheHold(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		l := &deadlineLedger{}
		f := newAuthFixture(t, db, authStart, func(c *card.AuthConfig) {
			l.AuthLedger = c.Ledger
			c.Ledger = l
		})
		iss := f.active()
		before := f.balance(annaAcc)
		r := app.AuthRequest(f.request(iss, 100_00))
		ctx, cancel := context.WithCancel(f.ctx)
		defer cancel()
		l.cancel = cancel
		if resp := f.auth.Authorize(ctx, r); resp.Code != card.CodeSystemError {
			t.Fatalf("answer %+v, want 96", resp)
		}
		if b := f.balance(annaAcc); b != before {
			t.Errorf("balance %+v, want the hold released: %+v", b, before)
		}
		a := f.last(iss.Card.ID)
		if a.Code != "96" || a.AuthCode != "" {
			t.Errorf("stored as %+v", a)
		}
		if resp := f.auth.Authorize(f.ctx, r); resp.Code != card.CodeSystemError {
			t.Errorf("retry answered %+v, want the stored 96", resp)
		}
		if b := f.balance(annaAcc); b != before {
			t.Errorf("retry moved money: %+v", b)
		}
	})
}
