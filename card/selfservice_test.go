package card_test

// The cardholder's own actions of the net bank on both engines: the terms
// of a termination shown before it is confirmed (CARD-18), and ordering a
// new card in place of a worn or blocked one (CARD-17).

import (
	"strings"
	"testing"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/store"
)

// RULE CARD-18: the terms the cardholder confirms are exactly what the
// termination then does: a month's notice, the early-termination fee
// within the first 6 months (none after), and the prepaid annual fee
// refunded pro rata.
func TestTerminationTermsAreWhatTerminateDoes_CARD18(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 11, 21, 14, 5))
		early := f.active()
		terms, err := f.svc.TerminationTerms(f.ctx, anna, early.Card.ID, true, customerActor(anna))
		if err != nil {
			t.Fatal(err)
		}
		if terms.NoticeMonths != 1 || !terms.LastDay.Equal(at(2026, 12, 21, 0, 0)) || !terms.TerminatesAt.Equal(at(2026, 12, 22, 0, 0)) ||
			terms.Fee != 100_00 || !terms.FeeUntil.Equal(at(2027, 5, 21, 14, 5)) || terms.Refund != 250_00*334/365 {
			t.Fatalf("terms %+v", terms)
		}
		if _, err := f.svc.TerminationTerms(f.ctx, carl, early.Card.ID, true, customerActor(carl)); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("a stranger's terms: %v", err)
		}
		if _, err := f.svc.TerminationTerms(f.ctx, anna, early.Card.ID, false, customerActor(anna)); netbank.ErrorCodeOf(err) != netbank.EFORBIDDEN {
			t.Fatalf("the bank's notice for a customer: %v", err)
		}
		before := f.posted(annaAcc)
		c, err := f.svc.Terminate(f.ctx, anna, early.Card.ID, true, customerActor(anna))
		if err != nil || !c.TerminatesAt.Equal(terms.TerminatesAt) || f.posted(annaAcc) != before-terms.Fee {
			t.Fatalf("terminated %v %v, account %d→%d", c.TerminatesAt, err, before, f.posted(annaAcc))
		}
		if card.Terminable(c) {
			t.Fatal("a terminated card is terminable again")
		}
		_, err = f.svc.TerminationTerms(f.ctx, anna, early.Card.ID, true, customerActor(anna))
		wantCode(t, err, netbank.ECONFLICT, "terms of a terminated card")

		// The 6 months end at the second the agreement began, 6 months on.
		later := f.active()
		f.clock.Set(at(2027, 5, 21, 14, 5))
		terms, err = f.svc.TerminationTerms(f.ctx, anna, later.Card.ID, true, customerActor(anna))
		if err != nil || terms.Fee != 0 || !terms.LastDay.Equal(at(2027, 6, 21, 0, 0)) {
			t.Fatalf("after 6 months: %+v %v", terms, err)
		}
		f.clock.Set(at(2027, 5, 21, 14, 4))
		if terms, _ = f.svc.TerminationTerms(f.ctx, anna, later.Card.ID, true, customerActor(anna)); terms.Fee != 100_00 {
			t.Fatalf("a minute before 6 months: fee %d", terms.Fee)
		}
	})
}

// RULE CARD-18: a card terminated while its new card is on its way ends
// with it, and the prepaid annual fee, which the new card carries, is
// refunded once.
func TestTerminationWithNewCardOnItsWayRefundsOnce_CARD18(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 11, 21, 14, 5))
		old := f.active()
		nc, err := f.svc.OrderReplacement(f.ctx, anna, old.Card.ID, card.ReplaceDamaged, customerActor(anna))
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Set(at(2027, 7, 1, 10, 0)) // past 6 months: no fee
		if _, err := f.svc.Terminate(f.ctx, anna, old.Card.ID, true, customerActor(anna)); err != nil {
			t.Fatal(err)
		}
		next := f.card(nc.ID)
		if !next.TerminatesAt.Equal(at(2027, 8, 2, 0, 0)) || next.AnnualFee != 250_00 {
			t.Fatalf("the new card %+v", next)
		}
		before := f.posted(annaAcc)
		f.clock.Set(at(2027, 8, 2, 0, 30))
		if n, err := f.svc.EndTerminations(f.ctx); err != nil || n != 2 {
			t.Fatalf("ended %d (%v), want both cards", n, err)
		}
		// The year paid runs to 21.11.2027: 111 of its 365 days remain
		// after 02.08.2027.
		if got, want := f.posted(annaAcc)-before, int64(250_00*111/365); got != want {
			t.Fatalf("refunded %d, want %d once", got, want)
		}
	})
}

// RULE CARD-17: the cardholder orders a new card for a worn one in the net
// bank: a new number and expiry, the same PIN, the replacement fee; the
// old card works until the new one is activated. A stranger cannot, and
// only one new card is on its way at a time.
func TestHolderOrdersNewCardForWornOne_CARD17(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 11, 21, 14, 5))
		old := f.active()
		if r, err := card.ReplacementFor(old.Card); err != nil || r != card.ReplaceDamaged {
			t.Fatalf("replacement for an active card: %s %v", r, err)
		}
		_, err := f.svc.OrderReplacement(f.ctx, carl, old.Card.ID, card.ReplaceDamaged, customerActor(carl))
		wantCode(t, err, netbank.ENOTFOUND, "a stranger's order")
		_, err = f.svc.OrderReplacement(f.ctx, anna, old.Card.ID, card.ReplaceBank, customerActor(anna))
		wantCode(t, err, netbank.EFORBIDDEN, "the bank's reason")
		_, err = f.svc.OrderReplacement(f.ctx, anna, old.Card.ID, card.ReplaceBlocked, customerActor(anna))
		wantCode(t, err, netbank.EINVALID, "blocked for an active card")

		before := f.posted(annaAcc)
		f.sent()
		nc, err := f.svc.OrderReplacement(f.ctx, anna, old.Card.ID, card.ReplaceDamaged, customerActor(anna))
		if err != nil {
			t.Fatal(err)
		}
		if nc.Status != card.Ordered || nc.Replaces != old.Card.ID || nc.Last4 == "" || nc.PANHash == old.Card.PANHash ||
			nc.AnnualFeePaidUntil != old.Card.AnnualFeePaidUntil {
			t.Fatalf("new card %+v", nc)
		}
		if got := f.posted(annaAcc); got != before-150_00 {
			t.Fatalf("replacement fee: account %d, want %d", got, before-150_00)
		}
		msgs := f.sent()
		if len(msgs) != 1 || msgs[0].subject != "Nyt betalingskort bestilt" || !strings.Contains(msgs[0].body, "samme PIN-kode") ||
			!strings.Contains(msgs[0].body, "ender på "+nc.Last4) || !strings.Contains(msgs[0].body, "150,00") {
			t.Fatalf("messages %+v", msgs)
		}
		if oc := f.card(old.Card.ID); oc.Status != card.Active || oc.ReplacedBy != nc.ID || !oc.Usable(f.clock.Now()) {
			t.Fatalf("the worn card stopped working before the new one is activated: %+v", oc)
		}
		if _, err := card.ReplacementFor(f.card(old.Card.ID)); err == nil {
			t.Fatal("a second new card offered")
		}
		_, err = f.svc.OrderReplacement(f.ctx, anna, old.Card.ID, card.ReplaceDamaged, customerActor(anna))
		wantCode(t, err, netbank.EINVALID, "a second order")

		// The new card has the old card's PIN; activating it ends the old.
		if ok, _, err := f.svc.VerifyPIN(f.ctx, nc.ID, old.PIN); err != nil || !ok {
			t.Fatalf("the old PIN on the new card: %v %v", ok, err)
		}
		if _, err := f.svc.Activate(f.ctx, anna, nc.ID, customerActor(anna)); err != nil {
			t.Fatal(err)
		}
		if oc := f.card(old.Card.ID); oc.Status != card.Replaced {
			t.Fatalf("the old card after activation: %s", oc.Status)
		}
	})
}

// RULE CARD-17: a card the holder blocked is replaced at once with the
// same PIN (free unless it was lost); one blocked because others know the
// PIN, one with a locked PIN and one the bank blocked need the bank.
func TestHolderOrdersNewCardForBlockedOne_CARD17(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 11, 21, 14, 5))
		block := func(reason card.BlockReason, by card.Actor) card.Card {
			t.Helper()
			iss := f.active()
			c, err := f.svc.Block(f.ctx, "", iss.Card.ID, reason, by)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		for _, tc := range []struct {
			reason card.BlockReason
			fee    int64
		}{{card.ReasonLost, 150_00}, {card.ReasonStolen, 0}, {card.ReasonMayBeCopied, 0}} {
			c := block(tc.reason, staff)
			if r, err := card.ReplacementFor(c); err != nil || r != card.ReplaceBlocked {
				t.Fatalf("%s: replacement %s %v", tc.reason, r, err)
			}
			before := f.posted(annaAcc)
			nc, err := f.svc.OrderReplacement(f.ctx, anna, c.ID, card.ReplaceBlocked, customerActor(anna))
			if err != nil || nc.Status != card.Ordered {
				t.Fatalf("%s: %+v %v", tc.reason, nc, err)
			}
			if got := before - f.posted(annaAcc); got != tc.fee {
				t.Fatalf("%s: fee %d, want %d", tc.reason, got, tc.fee)
			}
			if oc := f.card(c.ID); oc.Status != card.Blocked || oc.BlockReason != tc.reason || oc.ReplacedBy != nc.ID {
				t.Fatalf("%s: the blocked card %+v", tc.reason, oc)
			}
		}
		for _, tc := range []struct {
			reason card.BlockReason
			code   netbank.ErrorCode
			text   string
		}{
			{card.ReasonPINKnown, netbank.EINVALID, "ny PIN-kode"},
			{card.ReasonFraudSuspicion, netbank.EFORBIDDEN, "spærret af banken"},
		} {
			c := block(tc.reason, staff)
			if _, err := card.ReplacementFor(c); err == nil {
				t.Fatalf("%s: replacement offered", tc.reason)
			}
			_, err := f.svc.OrderReplacement(f.ctx, anna, c.ID, card.ReplaceBlocked, customerActor(anna))
			if netbank.ErrorCodeOf(err) != tc.code || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("%s: %v", tc.reason, err)
			}
		}
		locked := f.active()
		for range card.MaxPINTries {
			if _, _, err := f.svc.VerifyPIN(f.ctx, locked.Card.ID, wrongPIN(locked.PIN)); err != nil {
				t.Fatal(err)
			}
		}
		c, err := f.svc.Block(f.ctx, anna, locked.Card.ID, card.ReasonLost, customerActor(anna))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := card.ReplacementFor(c); err == nil {
			t.Fatal("a card with a locked PIN is offered a new card with the same PIN")
		}
		_, err = f.svc.OrderReplacement(f.ctx, anna, c.ID, card.ReplaceBlocked, customerActor(anna))
		wantCode(t, err, netbank.EINVALID, "locked PIN")
	})
}
