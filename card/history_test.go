package card_test

// A card's recent use for the net bank (card/history.go) on both engines:
// the engine's decisions newest first with their kind, the open
// reservations apart from them (CARD-7), what may be disputed, and who
// may see it.

import (
	"fmt"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/cardsec"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/liability"
	"github.com/netbank/netbank/store"
)

// refuse asks the engine for a chip purchase with a wrong PIN and returns
// the stored refusal.
func (f *disputeFixture) refuse(iss card.Issued, amount int64) card.Authorization {
	f.t.Helper()
	block, err := cardsec.EncodePINBlock(wrongPIN(iss.PIN), iss.PAN, f.zpk)
	if err != nil {
		f.t.Fatal(err)
	}
	f.n++
	f.clock.Advance(time.Second)
	now := f.clock.Now()
	resp := f.auth.Authorize(f.ctx, card.AuthRequest{MTI: card.MsgFinancial, PAN: iss.PAN, ProcessingCode: "000000",
		Amount: amount, Currency: "208", TransmissionTime: now.UTC().Format("0102150405"), STAN: fmt.Sprintf("%06d", f.n),
		RRN: fmt.Sprintf("%012d", f.n), TerminalID: "TERM0002", MerchantID: "MERCHANT0000002", MerchantName: "Kiosken",
		MerchantCity: "Aarhus", MerchantCountry: "DK", MCC: "5411", POSEntryMode: "051", POSCondition: "00", Expiry: iss.Card.Expiry,
		PINBlock: block})
	if resp.Code != card.CodeIncorrectPIN {
		f.t.Fatalf("wrong PIN answered %s", resp.Code)
	}
	list, err := f.auth.Authorizations(f.ctx, iss.Card.ID, 1)
	if err != nil || len(list) != 1 {
		f.t.Fatalf("authorizations: %v %v", list, err)
	}
	return list[0]
}

// history reads the card's history as customerID and fails on an error.
func (f *disputeFixture) history(customerID, cardID string, limit int) card.CardHistory {
	f.t.Helper()
	h, err := f.disputes.History(f.ctx, customerID, cardID, limit)
	if err != nil {
		f.t.Fatalf("history: %v", err)
	}
	return h
}

func actIDs(acts []card.CardActivity) []string {
	out := make([]string, len(acts))
	for i, a := range acts {
		out[i] = a.ID
	}
	return out
}

// RULE CARD-7: the card's page lists the latest decisions newest first,
// refusals too, and apart from them the reservations still held on the
// account until they lapse after 7 calendar days + 2 bank days or the
// merchant claims them; debited purchases may be disputed (DISP-3), once.
func TestCardHistoryRecentAndReservations_CARD7(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newDisputeFixture(t, db, at(2026, 3, 2, 9, 0)) // Monday
		iss := f.active()
		hotel := f.send(iss, card.AuthRequest{MTI: card.MsgAuthorization, Amount: 1_500_00, MCC: "7011", TerminalID: "HOTEL001",
			MerchantID: "HOTEL0000000001", MerchantName: "Hotel Ørsted", MerchantCity: "Odense", MerchantCountry: "DK",
			POSEntryMode: "051", POSCondition: "00"})
		fuel := f.send(iss, card.AuthRequest{MTI: card.MsgAuthorization, Amount: 500_00, MCC: "5542", TerminalID: "FUEL0001",
			MerchantID: "FUEL00000000001", MerchantName: "Tankstationen", MerchantCity: "Vejle", MerchantCountry: "DK",
			POSEntryMode: "051", POSCondition: "00"})
		buy := f.buy(iss, 200_00)
		wrong := f.refuse(iss, 75_00)
		refund := f.send(iss, card.AuthRequest{MTI: card.MsgFinancial, ProcessingCode: "200000", Amount: 50_00})

		h := f.history(anna, iss.Card.ID, 0)
		if got, want := actIDs(h.Recent), []string{refund.ID, wrong.ID, buy.ID, fuel.ID, hotel.ID}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("recent %v, want %v newest first", got, want)
		}
		kinds := map[string]card.ActivityKind{refund.ID: card.ActivityRefund, wrong.ID: card.ActivityPurchase,
			buy.ID: card.ActivityPurchase, fuel.ID: card.ActivityPurchase, hotel.ID: card.ActivityPurchase}
		for _, a := range h.Recent {
			if a.Kind != kinds[a.ID] {
				t.Errorf("%s is %s, want %s", a.ID, a.Kind, kinds[a.ID])
			}
			// Only the debited purchase may be disputed: not a hold, a
			// refusal or a refund.
			if a.Disputable != (a.ID == buy.ID) {
				t.Errorf("%s (%s %s) disputable %v", a.ID, a.MTI, a.Code, a.Disputable)
			}
			if a.Reserved != (a.ID == hotel.ID || a.ID == fuel.ID) {
				t.Errorf("%s reserved %v", a.ID, a.Reserved)
			}
		}
		if got := actIDs(h.Reservations); fmt.Sprint(got) != fmt.Sprint([]string{fuel.ID, hotel.ID}) || h.Reserved != 2_000_00 {
			t.Fatalf("reservations %v (%d øre)", got, h.Reserved)
		}
		if w := h.Recent[1]; w.Approved() || w.Code != card.CodeIncorrectPIN || w.MerchantName != "Kiosken" {
			t.Fatalf("the refusal %+v", w)
		}

		// A short list still shows every open reservation.
		h = f.history(anna, iss.Card.ID, 2)
		if len(h.Recent) != 2 || fmt.Sprint(actIDs(h.Reservations)) != fmt.Sprint([]string{fuel.ID, hotel.ID}) {
			t.Fatalf("limit 2: recent %v reservations %v", actIDs(h.Recent), actIDs(h.Reservations))
		}

		// The fuel station claims 412 kr. the next day (CARD-9): the
		// completion is debited, and may be disputed; the hold is no
		// longer reserved.
		f.clock.Advance(24 * time.Hour)
		done := f.send(iss, card.AuthRequest{MTI: card.MsgCompletion, Amount: 412_00, TerminalID: "FUEL0001", MerchantID: "FUEL00000000001",
			MerchantName: " ", MCC: "5542", POSEntryMode: "051", POSCondition: "00",
			Original: &card.OriginalRef{MTI: card.MsgAuthorization, STAN: fuel.STAN, TransmissionTime: fuel.Transmitted}})
		h = f.history(anna, iss.Card.ID, 0)
		if got := actIDs(h.Reservations); fmt.Sprint(got) != fmt.Sprint([]string{hotel.ID}) || h.Reserved != 1_500_00 {
			t.Fatalf("after the completion: reservations %v (%d øre)", got, h.Reserved)
		}
		if c := h.Recent[0]; c.ID != done.ID || c.Kind != card.ActivityCompletion || !c.Disputable || c.AmountDKK != 412_00 ||
			c.MerchantName != "Tankstationen" {
			t.Fatalf("the completion %+v (the merchant comes from the reservation)", c)
		}

		// Disputed: the row carries the dispute and is offered no more.
		d := f.open(anna, card.DisputeRequest{AuthorizationID: buy.ID, Case: liability.NotApproved, Description: "Ikke mig."})
		for _, a := range f.history(anna, iss.Card.ID, 0).Recent {
			if a.ID == buy.ID && (a.Disputable || a.Dispute == nil || a.Dispute.ID != d.ID) {
				t.Fatalf("the disputed purchase %+v", a)
			}
		}

		// The hotel's hold lapses at the end of the 2nd bank day after the
		// 7th calendar day: Monday 2 March + 7 = Monday 9 March, + 2 bank
		// days = Wednesday 11 March.
		f.clock.Set(at(2026, 3, 11, 23, 59))
		if h := f.history(anna, iss.Card.ID, 0); len(h.Reservations) != 1 {
			t.Fatalf("the last minute of the hold: %v", actIDs(h.Reservations))
		}
		f.clock.Set(at(2026, 3, 12, 0, 0))
		if h := f.history(anna, iss.Card.ID, 0); len(h.Reservations) != 0 || h.Reserved != 0 {
			t.Fatalf("after the hold lapsed: %v", actIDs(h.Reservations))
		}
	})
}

// The history is the cardholder's and the owner's only: anyone else gets
// "not found", as for a card that does not exist.
func TestCardHistoryOnlyForHolderAndOwner(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newDisputeFixture(t, db, at(2026, 3, 2, 9, 0))
		proxy := f.issue(card.IssueRequest{CustomerID: anna, AccountID: annaAcc, HolderCustomerID: bent})
		if _, err := f.svc.Activate(f.ctx, bent, proxy.Card.ID, customerActor(bent)); err != nil {
			t.Fatal(err)
		}
		buy := f.buy(proxy, 99_00)
		for _, who := range []string{anna, bent} {
			if h := f.history(who, proxy.Card.ID, 0); len(h.Recent) != 1 || h.Recent[0].ID != buy.ID {
				t.Fatalf("%s sees %v", who, actIDs(h.Recent))
			}
		}
		for _, who := range []string{carl, ""} {
			_, err := f.disputes.History(f.ctx, who, proxy.Card.ID, 0)
			wantCode(t, err, netbank.ENOTFOUND, "history for "+who)
		}
		_, err := f.disputes.History(f.ctx, anna, "crd_doesnotexist", 0)
		wantCode(t, err, netbank.ENOTFOUND, "history of no card")
	})
}

// KindOf names every kind of request the engine stores.
func TestKindOf(t *testing.T) {
	for _, tc := range []struct {
		a    card.Authorization
		want card.ActivityKind
	}{
		{card.Authorization{MTI: card.MsgAuthorization, ProcessingCode: "000000"}, card.ActivityPurchase},
		{card.Authorization{MTI: card.MsgAuthorization, ProcessingCode: "000000", OriginalID: "aut_x"}, card.ActivityIncrement},
		{card.Authorization{MTI: card.MsgFinancial, ProcessingCode: "000000"}, card.ActivityPurchase},
		{card.Authorization{MTI: card.MsgFinancial, ProcessingCode: "010000"}, card.ActivityCash},
		{card.Authorization{MTI: card.MsgFinancial, ProcessingCode: "200000"}, card.ActivityRefund},
		{card.Authorization{MTI: card.MsgFinancial, ProcessingCode: "300000"}, card.ActivityBalance},
		{card.Authorization{MTI: card.MsgCompletion, ProcessingCode: "000000", OriginalID: "aut_x"}, card.ActivityCompletion},
		{card.Authorization{MTI: card.MsgReversal, ProcessingCode: "000000", OriginalID: "aut_x"}, card.ActivityReversal},
	} {
		if got := card.KindOf(tc.a); got != tc.want {
			t.Errorf("%s %s: %s, want %s", tc.a.MTI, tc.a.ProcessingCode, got, tc.want)
		}
	}
}
