package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/liability"
	"github.com/netbank/netbank/store"
)

// TestDisputeStore covers what the disputes (card/dispute.go, RULES
// DISP-1…DISP-4) rely on, on both engines: a dispute round-trips with its
// decision and liability facts, a transaction is disputed once, the
// filters (a customer as owner or holder, a card, statuses, the queue's
// order) and the lock-and-update of a decision with its audit entry.
func TestDisputeStore(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, c := range []string{"cus_owner", "cus_holder", "cus_other"} {
			if _, err := db.Exec(ctx, "INSERT INTO customers (id, kind, name, created_at) VALUES (?, 'private', ?, 1)", c, c); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Exec(ctx, `INSERT INTO accounts (id, customer_id, reg, number, iban, name, product, currency, created_at)
			VALUES ('9070-0000000001', 'cus_owner', '9070', '0000000001', 'DK0000000000000001', 'Løn', 'salary', 'DKK', 1)`); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		crd := card.Card{ID: "crd_1", CustomerID: "cus_owner", AccountID: "9070-0000000001", HolderCustomerID: "cus_holder",
			HolderName: "Holder", Type: card.VisaDebit, PANSealed: "sealed", PANHash: "hash1", Last4: "1234", BIN: "457199",
			Expiry: "3003", ExpiresAt: now.AddDate(4, 0, 0), Status: card.Active, AgreementStart: now, IssuedAt: now}
		if err := db.Cards().Tx(ctx, func(tx card.Tx) error { return tx.InsertCard(ctx, crd) }); err != nil {
			t.Fatal(err)
		}
		s := db.Disputes()
		dispute := func(auth string, opened time.Time, status card.DisputeStatus) card.Dispute {
			return card.Dispute{ID: card.DisputeID(auth), AuthorizationID: auth, CardID: crd.ID, AccountID: crd.AccountID,
				CardType: crd.Type, CardLast4: crd.Last4, OwnerCustomerID: "cus_owner", HolderCustomerID: "cus_holder",
				FiledBy: "cus_holder", FiledByUser: "usr_holder", Case: liability.NotApproved, Description: "Ikke mig.\nSlet ikke.",
				MerchantContacted: true, AwareAt: opened.Add(-time.Hour), DebitedAt: opened.Add(-24 * time.Hour),
				LastDay: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), Amount: 123_45, OriginalAmount: 16_55, OriginalCurrency: "EUR",
				MerchantName: "Shop", MerchantCity: "Berlin", MerchantCountry: "DE", MCC: "5999", Status: status, OpenedAt: opened,
				CreditTransferID: card.DisputeID(auth) + ":credit", UpdatedAt: opened}
		}
		a := dispute("aut_a", now, card.DisputeOpen)
		b := dispute("aut_b", now.Add(time.Hour), card.DisputeFounded)
		c := dispute("aut_c", now.Add(2*time.Hour), card.DisputeOpen)
		err := s.DisputeTx(ctx, func(tx card.DisputeTx) error {
			for _, d := range []card.Dispute{a, b, c} {
				if err := tx.InsertDispute(ctx, d); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = s.DisputeTx(ctx, func(tx card.DisputeTx) error { return tx.InsertDispute(ctx, a) })
		if netbank.ErrorCodeOf(err) != netbank.ECONFLICT {
			t.Fatalf("the same transaction disputed twice: %v", err)
		}

		// Decide a: lock, update with facts, audit, in one transaction.
		err = s.DisputeTx(ctx, func(tx card.DisputeTx) error {
			d, err := tx.Dispute(ctx, a.ID, true)
			if err != nil {
				return err
			}
			d.Status, d.Outcome, d.DecidedAt, d.DecidedBy, d.Note = card.DisputeFounded, card.OutcomeFounded, now.Add(48*time.Hour), "stf_1", "Medhold."
			d.CreditedAt, d.BookedAt, d.UpdatedAt = now.Add(time.Second), now.Add(48*time.Hour), now.Add(48*time.Hour)
			d.Facts = &liability.Facts{Loss: 123_45, PINUsed: true, SamePINCards: []liability.CardLoss{{Loss: 10_00}}}
			d.LiabilityClause, d.LiabilityReason, d.LiabilityAmount, d.Debit = liability.ClausePIN, "PIN-koden er anvendt.", 133_45, 123_45
			d.DecisionTransferID = d.ID + ":liability"
			if err := tx.UpdateDispute(ctx, d); err != nil {
				return err
			}
			return tx.Audit(ctx, now, audit.Event{Actor: "stf_1", ActorKind: audit.ActorStaff, Action: card.ActionDisputeDecided, Subject: d.ID})
		})
		if err != nil {
			t.Fatal(err)
		}
		var got card.Dispute
		err = s.DisputeTx(ctx, func(tx card.DisputeTx) error {
			var err error
			got, err = tx.Dispute(ctx, a.ID, false)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != card.DisputeFounded || got.Facts == nil || !got.Facts.PINUsed || len(got.Facts.SamePINCards) != 1 ||
			got.LiabilityClause != liability.ClausePIN || got.Debit != 123_45 || !got.CreditedAt.Equal(now.Add(time.Second)) ||
			got.Description != a.Description || !got.AwareAt.Equal(a.AwareAt) || !got.LastDay.Equal(a.LastDay) || !got.MerchantContacted ||
			got.OriginalCurrency != "EUR" || got.Case != liability.NotApproved || got.CardType != card.VisaDebit {
			t.Fatalf("round trip: %+v", got)
		}

		list := func(f card.DisputeFilter) []string {
			t.Helper()
			var out []card.Dispute
			if err := s.DisputeTx(ctx, func(tx card.DisputeTx) error {
				var err error
				out, err = tx.Disputes(ctx, f)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			ids := make([]string, len(out))
			for i, d := range out {
				ids[i] = d.AuthorizationID
			}
			return ids
		}
		for _, tc := range []struct {
			name string
			f    card.DisputeFilter
			want []string
		}{
			{"owner, newest first", card.DisputeFilter{CustomerID: "cus_owner"}, []string{"aut_c", "aut_b", "aut_a"}},
			{"holder", card.DisputeFilter{CustomerID: "cus_holder", Limit: 2}, []string{"aut_c", "aut_b"}},
			{"a stranger", card.DisputeFilter{CustomerID: "cus_other"}, nil},
			{"the queue, oldest first", card.DisputeFilter{Statuses: []card.DisputeStatus{card.DisputeOpen, card.DisputeDeciding}, OldestFirst: true}, []string{"aut_c"}},
			{"decided", card.DisputeFilter{Statuses: []card.DisputeStatus{card.DisputeFounded, card.DisputeUnfounded}}, []string{"aut_b", "aut_a"}},
			{"card", card.DisputeFilter{CardID: "crd_1", OldestFirst: true}, []string{"aut_a", "aut_b", "aut_c"}},
			{"another card", card.DisputeFilter{CardID: "crd_2"}, nil},
		} {
			if got := list(tc.f); !slices.Equal(got, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			}
		}
		err = s.DisputeTx(ctx, func(tx card.DisputeTx) error {
			_, err := tx.Dispute(ctx, "dsp_missing", false)
			return err
		})
		if netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("a missing dispute: %v", err)
		}
	})
}
