package card_test

// Issue 5's "Proof" list, the cases the other test files leave out, over
// a real TCP connection (newAuthFixture) on both engines, with the
// ledger's invariants checked after every test (newFixture):
//
//   - response code 62 for every card state that is not lost, stolen,
//     expired or usable — the cardholder's other block reasons, the bank's
//     block reasons (CARD-15), a replaced card (CARD-17) — and a lifted
//     bank block approving again;
//   - 57 for the youth cards at every merchant category closed to them
//     (CARD-1 types, the issue's merchant-category rule);
//   - reservations across Christmas and New Year, Easter 2027 and
//     Ascension 2027 on the ledger, on both sides of the expiry (CARD-7);
//   - car rentals, which reserve and charge later like hotels (CARD-10),
//     and a fuel pre-authorization nobody completes (CARD-9);
//   - foreign currency settled at a lower rate and for another foreign
//     amount, and cash abroad debited in kroner at once (CARD-8).
//
// Where the rest of the list is proved: every other response code in
// TestEveryResponseCode and TestSystemErrorAnswers96AndMovesNothing
// (iso8583_test.go); 3-D Secure dynamic linking in visasecure_test.go and
// cmd/netbank's TestTerminalVisaSecure_CARD11; dispute deadlines on both
// sides of 8 weeks, 14 days and 13 months in dispute_test.go and
// liability/deadline_test.go; the liability table in
// liability/liability_test.go.

import (
	"testing"
	"time"

	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/iso8583"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/store"
)

// RULES CARD-14, CARD-15, CARD-17: a card blocked for any reason but lost
// (41) or stolen (43) is answered 62 — the cardholder's "code known by
// others", "misuse" and "may be copied", and the bank's "account closed",
// "overdraft after a written reminder" and "fraud suspicion" — and so is a
// card the bank replaced, while its replacement is approved. A bank block
// lifted by staff approves again; a cardholder's block is never lifted.
func TestEveryBlockAndReplacementAnswers62_CARD14_CARD15_CARD17(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newAuthFixture(t, db, authStart)
		for _, reason := range []card.BlockReason{card.ReasonPINKnown, card.ReasonMisuse, card.ReasonMayBeCopied} {
			iss := f.active()
			if _, err := f.svc.Block(f.ctx, anna, iss.Card.ID, reason, customerActor(anna)); err != nil {
				t.Fatal(err)
			}
			f.expect(f.request(iss, 10_00), card.CodeRestrictedCard)
			if _, err := f.svc.Unblock(f.ctx, iss.Card.ID, staff); err == nil {
				t.Errorf("staff lifted the cardholder's block %s (CARD-14: it stays blocked)", reason)
			}
		}
		for _, reason := range []card.BlockReason{card.ReasonOverdraftAfterReminder, card.ReasonFraudSuspicion, card.ReasonAccountClosed} {
			iss := f.active()
			if _, err := f.svc.Block(f.ctx, "", iss.Card.ID, reason, staff); err != nil {
				t.Fatal(err)
			}
			f.expect(f.request(iss, 10_00), card.CodeRestrictedCard)
			if _, err := f.svc.Unblock(f.ctx, iss.Card.ID, staff); err != nil {
				t.Fatalf("lifting %s: %v", reason, err)
			}
			f.expect(f.request(iss, 10_00), card.CodeApproved)
		}
		old := f.active()
		repl, err := f.svc.Replace(f.ctx, old.Card.ID, card.ReplaceBank, staff)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Activate(f.ctx, anna, repl.Card.ID, customerActor(anna)); err != nil {
			t.Fatal(err)
		}
		f.expect(f.request(old, 10_00), card.CodeRestrictedCard)
		f.expect(f.request(repl, 10_00), card.CodeApproved)
		if a := f.last(old.Card.ID); a.Status != card.AuthDeclined || len(a.Reasons) == 0 {
			t.Errorf("the replaced card's refusal stored as %+v", a)
		}
	})
}

// RULE CARD-1 with the issue's merchant-category rule: Visa 12:17 and
// Visa Junior are answered 57 at every category closed to children
// (gambling, lotteries, tobacco, dating, …) and nothing is held; Visa
// Debit is approved there; the youth cards are approved at a supermarket.
func TestYouthCardsRefusedAtClosedCategories_CARD1(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newAuthFixture(t, db, authStart)
		adult := f.active()
		youth := map[card.Type]card.Issued{}
		for _, typ := range []card.Type{card.Visa1217, card.VisaJunior} {
			iss := f.issue(card.IssueRequest{CustomerID: anna, AccountID: annaAcc, HolderCustomerID: freja, Type: typ})
			if _, err := f.svc.Activate(f.ctx, freja, iss.Card.ID, customerActor(freja)); err != nil {
				t.Fatal(err)
			}
			youth[typ] = iss
		}
		before := f.balance(annaAcc)
		for _, code := range card.YouthBlockedMCCs {
			for typ, iss := range youth {
				if resp := f.send(f.request(iss, 20_00, mcc(code))); resp.Code != card.CodeNotPermitted {
					t.Errorf("%s at MCC %s: %s, want 57", typ, code, resp.Code)
				}
			}
		}
		if b := f.balance(annaAcc); b != before {
			t.Errorf("refusals moved money: %+v, want %+v", b, before)
		}
		f.expect(f.request(adult, 20_00, mcc(card.YouthBlockedMCCs[0])), card.CodeApproved)
		for _, iss := range youth {
			f.expect(f.request(iss, 20_00, mcc("5411")), card.CodeApproved)
		}
	})
}

// RULE CARD-7 with CAL-1: a purchase's reservation is released at the
// end of the second bank day after its 7th calendar day, whatever
// holidays lie between: still held at 23:59:59 on that day, released at
// midnight. Christmas 2026 (24–26 December and the weekend), New Year
// 2026/27 (New Year's Eve, New Year's Day and the weekend), Easter 2027
// (Maundy Thursday to Easter Monday, 25–29 March) and Ascension 2027 (the
// Friday after, 7 May).
func TestReservationsExpireAcrossHolidays_CARD7(t *testing.T) {
	for _, tc := range []struct {
		name          string
		bought, until time.Time // until: the first moment the hold is gone
	}{
		// Thu 17.12 → Thu 24.12 (Christmas Eve); bank days Mon 28, Tue 29.
		{"Christmas 2026", at(2026, 12, 17, 23, 30), at(2026, 12, 30, 0, 0)},
		// Thu 24.12 → Thu 31.12 (New Year's Eve); Fri 1.1 is a holiday; bank days Mon 4, Tue 5.
		{"New Year 2027", at(2026, 12, 24, 10, 0), at(2027, 1, 6, 0, 0)},
		// Thu 18.3 → Thu 25.3 (Maundy Thursday); Good Friday, Easter Monday; bank days Tue 30, Wed 31.
		{"Easter 2027", at(2027, 3, 18, 10, 0), at(2027, 4, 1, 0, 0)},
		// Fri 30.4 → Fri 7.5 (the Friday after Ascension Day); bank days Mon 10, Tue 11.
		{"Ascension 2027", at(2027, 4, 30, 10, 0), at(2027, 5, 12, 0, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := card.HoldExpiry(tc.bought); !got.Equal(tc.until) {
				t.Errorf("HoldExpiry(%s) = %s, want %s", tc.bought.In(cph), got.In(cph), tc.until.In(cph))
			}
			testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
				f := newAuthFixture(t, db, tc.bought.Add(-time.Second))
				iss := f.active()
				before := f.balance(annaAcc)
				f.expect(f.request(iss, 250_00), card.CodeApproved)
				if a := f.last(iss.Card.ID); !a.HoldExpiresAt.Equal(tc.until) {
					t.Fatalf("hold expires %s, want %s", a.HoldExpiresAt.In(cph), tc.until.In(cph))
				}
				f.clock.Set(tc.until.Add(-time.Second))
				f.expire()
				if b := f.balance(annaAcc); b.Pending != 250_00 {
					t.Fatalf("pending %d at the last second, want 250,00 kr. held", b.Pending)
				}
				f.clock.Set(tc.until)
				f.expire()
				if b := f.balance(annaAcc); b != before {
					t.Fatalf("balance %+v after the reservation lapsed, want %+v", b, before)
				}
			})
		})
	}
}

// RULE CARD-10: a car rental (MCC 7512) reserves what the cardholder
// agreed to, adds to it (incremental authorization), is completed with
// the final amount (the rest released) and charges a later cost (fuel,
// damage) on the same reservation. RULE CARD-9: a fuel pre-authorization
// nobody completes is released like any reservation, and a completion
// after that is refused.
func TestCarRentalAndUnclaimedFuel_CARD9_CARD10(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newAuthFixture(t, db, authStart)
		iss := f.active()
		f.deposit(annaAcc, 20_000_00)
		before := f.balance(annaAcc)
		rental := func(r *iso8583.Request) {
			r.MCC, r.PINBlock, r.TerminalID = "7512", "", "CARRENT1"
			r.Merchant = iso8583.Merchant{Name: "Avis Kastrup", City: "Kastrup", Country: "DK"}
		}
		pickUp := f.request(iss, 3_000_00, rental)
		f.expect(pickUp, card.CodeApproved)
		f.clock.Advance(72 * time.Hour)
		f.expect(f.request(iss, 1_000_00, rental, func(r *iso8583.Request) { r.Original = original(pickUp) }), card.CodeApproved)
		if b := f.balance(annaAcc); b.Pending != 4_000_00 {
			t.Fatalf("pending %d, want 4.000,00 kr. after the extension", b.Pending)
		}
		f.clock.Advance(24 * time.Hour)
		back := f.completion(iss, pickUp, 3_650_00)
		back.TerminalID = "CARRENT1"
		f.expect(back, card.CodeApproved)
		b := f.balance(annaAcc)
		if b.Posted != before.Posted-3_650_00 || b.Pending != 0 {
			t.Fatalf("after the return %+v, want 3.650,00 kr. debited and 350,00 kr. released (before %+v)", b, before)
		}
		f.clock.Advance(10 * 24 * time.Hour)
		damage := f.completion(iss, pickUp, 900_00)
		damage.TerminalID = "CARRENT1"
		f.expect(damage, card.CodeApproved)
		if got := f.balance(annaAcc); got.Posted != b.Posted-900_00 {
			t.Errorf("the later charge: posted %d, want %d", got.Posted, b.Posted-900_00)
		}

		fuel := f.request(iss, 1_500_00, mcc("5542"))
		f.expect(fuel, card.CodeApproved)
		a := f.last(iss.Card.ID)
		held := f.balance(annaAcc)
		f.clock.Set(a.HoldExpiresAt)
		f.expire()
		if got := f.balance(annaAcc); got.Pending != held.Pending-1_500_00 || got.Posted != held.Posted {
			t.Fatalf("the unclaimed pre-authorization: %+v, want 1.500,00 kr. released from %+v", got, held)
		}
		f.expect(f.completion(iss, fuel, 400_00), card.CodeInvalidTransaction) // card present: too late
	})
}

// RULE CARD-8: a purchase in euros is held in kroner at the reference
// rate + the margin of the price list; settled when the rate has fallen
// and for a smaller euro amount, the hold is released in full and the
// final euro amount is debited in kroner at the new rate (less than was
// held). Cash abroad is debited in kroner at once, with the fee.
func TestForeignCurrencySettledLowerAndCashAbroad_CARD8(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newAuthFixture(t, db, authStart)
		iss := f.active()
		if err := f.pricing.SetRate(f.ctx, "EUR", 746_0000, "system"); err != nil {
			t.Fatal(err)
		}
		abroad := func(r *iso8583.Request) {
			r.Currency, r.TerminalID = "978", "BERLIN01"
			r.Merchant = iso8583.Merchant{Name: "KaDeWe", City: "Berlin", Country: "DE"}
		}
		before := f.balance(annaAcc)
		buy := f.request(iss, 200_00, abroad)
		f.expect(buy, card.CodeApproved)
		held := f.last(iss.Card.ID)
		// 746,00 + 1 % = 753,46 kr. per 100 EUR: 1.506,92 kr. for 200 EUR.
		if held.AmountDKK != 1_506_92 || held.Rate != 746_0000 || held.CustomerRate != 753_4600 {
			t.Fatalf("held as %+v", held)
		}
		f.clock.Advance(48 * time.Hour)
		if err := f.pricing.SetRate(f.ctx, "EUR", 740_0000, "system"); err != nil {
			t.Fatal(err)
		}
		f.expect(f.completion(iss, buy, 180_00), card.CodeApproved) // 20 EUR less, at 740,00 + 1 %
		settled := f.last(iss.Card.ID)
		// 180 EUR × 7,474 = 1.345,32 kr.
		if settled.AmountDKK != 1_345_32 || settled.Amount != 180_00 || settled.Currency != "EUR" || settled.CustomerRate != 747_4000 {
			t.Errorf("settled as %+v", settled)
		}
		b := f.balance(annaAcc)
		if b.Posted != before.Posted-1_345_32 || b.Pending != 0 {
			t.Errorf("after settlement %+v, want 1.345,32 kr. debited and the hold released (before %+v)", b, before)
		}
		if h, err := f.ledger.GetHold(f.ctx, held.TransferID); err != nil || h.Status != ledger.Voided {
			t.Errorf("the original hold %+v %v, want voided", h, err)
		}

		atm := f.request(iss, 100_00, abroad, cashAtATM, func(r *iso8583.Request) { r.TerminalID = "BERLATM1" })
		f.expect(atm, card.CodeApproved)
		cash := f.last(iss.Card.ID)
		if cash.AmountDKK != 747_40 || cash.FeeDKK <= 0 || !cash.Cash {
			t.Errorf("cash abroad stored as %+v, want 100 EUR as 747,40 kr. and the fee", cash)
		}
		if got := f.balance(annaAcc); got.Posted != b.Posted-747_40-cash.FeeDKK || got.Pending != 0 {
			t.Errorf("after cash abroad %+v, want 747,40 kr. and the fee debited at once from %+v", got, b)
		}
	})
}
