package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/store"
)

// TestCardAuthorizationStore covers what the authorization engine relies
// on, on both engines: a batch of decisions in one transaction that tells
// new ones from stored ones (a retry racing the first, the same id twice
// in one batch), the updates of completions and reversals, the look-up by
// field 90 (an approval first, never a 94), reservations with their
// incremental authorizations, and the sums of the limits (RULES CARD-5,
// CARD-6).
func TestCardAuthorizationStore(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := db.CardAuthorizations()
		now := time.Date(2026, 3, 25, 9, 0, 0, 0, time.UTC)
		n := 0
		auth := func(code string, at time.Time, change func(*card.Authorization)) card.Authorization {
			n++
			a := card.Authorization{ID: "aut_" + string(rune('a'+n)), CardID: "crd_1", AccountID: "9070-0000000001", MTI: "0100",
				STAN: "000001", RRN: "000000000001", Transmitted: "0325090000", TerminalID: "TERM0001", ProcessingCode: "000000",
				Amount: 100_00, Currency: "DKK", AmountDKK: 100_00, LimitDKK: 100_00, Code: code, Status: card.AuthApproved,
				Reasons: []string{"første grund", "anden grund"}, Fingerprint: "fp", CreatedAt: at}
			if code != card.CodeApproved {
				a.Status, a.LimitDKK = card.AuthDeclined, 0
			}
			if change != nil {
				change(&a)
			}
			return a
		}
		save := func(saves ...card.AuthSave) []card.AuthSaved {
			t.Helper()
			out, err := s.SaveAuthorizations(ctx, saves)
			if err != nil {
				t.Fatal(err)
			}
			return out
		}

		pinned := auth("00", now.Add(-40*24*time.Hour), func(a *card.Authorization) { a.PINVerified, a.LimitDKK = true, 0 })
		old := auth("00", now.Add(-31*24*time.Hour), nil)
		cash := auth("00", now.Add(-time.Hour), func(a *card.Authorization) { a.Cash, a.AmountDKK, a.LimitDKK = true, 500_00, 500_00 })
		yesterdayCash := auth("00", now.Add(-20*time.Hour), func(a *card.Authorization) { a.Cash, a.AmountDKK, a.LimitDKK = true, 300_00, 300_00 })
		tap1 := auth("00", now.Add(-3*time.Hour), func(a *card.Authorization) { a.ContactlessNoPIN, a.AmountDKK, a.LimitDKK = true, 50_00, 50_00 })
		tap2 := auth("00", now.Add(-2*time.Hour), func(a *card.Authorization) { a.ContactlessNoPIN, a.AmountDKK, a.LimitDKK = true, 70_00, 70_00 })
		tapDeclined := auth("1A", now.Add(-90*time.Minute), func(a *card.Authorization) { a.ContactlessNoPIN, a.AmountDKK = true, 400_00 })
		reversed := auth("00", now.Add(-30*time.Minute), func(a *card.Authorization) {
			a.ContactlessNoPIN, a.AmountDKK, a.LimitDKK, a.STAN, a.Transmitted = true, 20_00, 20_00, "000009", "0325083000"
		})
		other := auth("00", now.Add(-time.Minute), func(a *card.Authorization) { a.CardID = "crd_2" })
		out := save(card.AuthSave{Auth: pinned}, card.AuthSave{Auth: old}, card.AuthSave{Auth: cash}, card.AuthSave{Auth: yesterdayCash},
			card.AuthSave{Auth: tap1}, card.AuthSave{Auth: tap2}, card.AuthSave{Auth: tapDeclined}, card.AuthSave{Auth: reversed},
			card.AuthSave{Auth: other}, card.AuthSave{Auth: tap1})
		for i, o := range out[:9] {
			if !o.Inserted {
				t.Errorf("decision %d not inserted", i)
			}
		}
		if out[9].Inserted || out[9].Auth.ID != tap1.ID {
			t.Errorf("the same id twice in a batch: %+v", out[9])
		}

		// A reversal stored with the change it makes.
		rev := auth("00", now, func(a *card.Authorization) { a.MTI, a.OriginalID, a.LimitDKK = "0400", reversed.ID, 0 })
		save(card.AuthSave{Auth: rev, Updates: []card.AuthUpdate{{ID: reversed.ID, Status: card.AuthReversed, ClearLimit: true}}})
		got, err := s.AuthorizationsByID(ctx, []string{reversed.ID, "aut_missing", cash.ID})
		if err != nil || len(got) != 2 {
			t.Fatalf("by id: %+v %v", got, err)
		}
		for _, a := range got {
			if a.ID == reversed.ID && (a.Status != card.AuthReversed || a.LimitDKK != 0 || !a.UpdatedAt.Equal(now)) {
				t.Errorf("reversed authorization %+v", a)
			}
			if a.ID == cash.ID && (a.Status != card.AuthApproved || !a.Cash || len(a.Reasons) != 2 || !a.CreatedAt.Equal(cash.CreatedAt)) {
				t.Errorf("round trip %+v, want %+v", a, cash)
			}
		}

		// Stored already: nothing written, the stored one returned.
		again := cash
		again.Amount = 1
		if o := save(card.AuthSave{Auth: again}); o[0].Inserted || o[0].Auth.Amount != cash.Amount {
			t.Errorf("a second insert of %s: %+v", cash.ID, o[0])
		}
		// A batch with an update of a missing authorization fails whole.
		bad := auth("00", now, nil)
		if _, err := s.SaveAuthorizations(ctx, []card.AuthSave{{Auth: bad, Updates: []card.AuthUpdate{{ID: "aut_missing", Status: card.AuthCompleted}}}}); err == nil {
			t.Error("an update of a missing authorization was accepted")
		} else if got, _ := s.AuthorizationsByID(ctx, []string{bad.ID}); len(got) != 0 {
			t.Error("the failed batch left its decision behind")
		}

		u, err := s.CardUsage(ctx, "crd_1", now.Add(-9*time.Hour), now.Add(-30*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		// cash today: 500 (yesterday's 300 is before the day's start); 30 days: 500 + 300 + 50 + 70 (the
		// 31-day-old and the reversed do not count); contactless since the PIN 40 days ago: 50 + 70.
		want := card.Usage{CashToday: 500_00, Total30: 920_00, ContactlessSincePIN: 120_00, ContactlessCount: 2}
		if u != want {
			t.Errorf("usage %+v, want %+v", u, want)
		}
		withPIN := auth("00", now.Add(-150*time.Minute), func(a *card.Authorization) { a.PINVerified, a.LimitDKK = true, 0 })
		save(card.AuthSave{Auth: withPIN})
		if u, err := s.CardUsage(ctx, "crd_1", now.Add(-9*time.Hour), now.Add(-30*24*time.Hour)); err != nil ||
			u.ContactlessCount != 1 || u.ContactlessSincePIN != 70_00 {
			t.Errorf("after a PIN: %+v %v, want only the later tap", u, err)
		}

		// Field 90: the approval, not a duplicate with the same trace.
		dup := auth("94", now, func(a *card.Authorization) { a.STAN, a.Transmitted = tap2.STAN, tap2.Transmitted })
		save(card.AuthSave{Auth: dup})
		o, err := s.OriginalAuthorization(ctx, "TERM0001", "0100", reversed.STAN, reversed.Transmitted)
		if err != nil || o.ID != reversed.ID {
			t.Errorf("original: %+v %v", o, err)
		}
		if _, err := s.OriginalAuthorization(ctx, "TERM0002", "0100", reversed.STAN, reversed.Transmitted); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Errorf("another terminal's: %v, want not found", err)
		}

		// A reservation and its incremental authorizations, oldest first.
		inc := auth("00", now.Add(time.Minute), func(a *card.Authorization) { a.OriginalID = tap1.ID })
		completion := auth("00", now.Add(2*time.Minute), func(a *card.Authorization) { a.MTI, a.OriginalID = "0220", tap1.ID })
		save(card.AuthSave{Auth: inc}, card.AuthSave{Auth: completion})
		group, err := s.AuthorizationGroup(ctx, tap1.ID)
		if err != nil || len(group) != 2 || group[0].ID != tap1.ID || group[1].ID != inc.ID {
			t.Errorf("group %+v %v", group, err)
		}
		list, err := s.CardAuthorizations(ctx, "crd_2", 10)
		if err != nil || len(list) != 1 || list[0].ID != other.ID {
			t.Errorf("card list %+v %v", list, err)
		}
	})
}
