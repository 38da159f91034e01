package payment_test

import (
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/payment"
	"github.com/netbank/netbank/store"
)

func collection(customer, from, reference string, amount int64, due time.Time) payment.CollectionRequest {
	return payment.CollectionRequest{CustomerID: customer, FromAccount: from, CreditorNumber: "0263 1445",
		CreditorName: "Ørsted Salg & Service A/S", Amount: amount, Text: "BS Ørsted Salg & Service A/S", Reference: reference, Date: due}
}

// RULE PAY-8: a Betalingsservice collection is paid without a signature
// (the agreement is the mandate), once per reference, through the sum
// clearing like a payment slip (CAL-1: debited Friday, settled Monday
// 01:30); one for a later date waits for the due job; one the account
// cannot cover is rejected without ledger effect and the customer is told.
func TestCollect_PAY8(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 5, 22, 0, 30)) // Friday before Whitsun
		r := collection("cus_anna", annaSalary, "bs-col_1", 645_50, date(2026, 5, 22))
		p, err := f.svc.Collect(f.ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if p.Kind != payment.Betalingsservice || p.Status != payment.InClearing || p.Clearing != payment.SumClearing ||
			p.ClearingCycle != "2026-05-26T01:30" || p.ToAccount != "02631445" || p.TextToSelf != "BS Ørsted Salg & Ser" ||
			p.CreatedBy != "betalingsservice" || p.SignedDocument != "" {
			t.Fatalf("collected %+v", p)
		}
		if p.Payee() != "Betalingsservice PBS-nr. 02631445" || p.Kind.Danish() != "Betalingsservice" {
			t.Fatalf("payee %q, kind %q", p.Payee(), p.Kind.Danish())
		}
		if again, err := f.svc.Collect(f.ctx, r); err != nil || again.ID != p.ID || again.Status != payment.InClearing {
			t.Fatalf("again %+v %v", again, err)
		}
		r.Amount = 700_00
		_, err = f.svc.Collect(f.ctx, r)
		wantCode(t, err, netbank.ECONFLICT)
		if f.posted(annaSalary) != 10_000_00-645_50 || f.countTransfers("betalingsservice") != 1 {
			t.Fatalf("balance %d, %d debits", f.posted(annaSalary), f.countTransfers("betalingsservice"))
		}

		later, err := f.svc.Collect(f.ctx, collection("cus_anna", annaSalary, "bs-col_2", 100_00, date(2026, 5, 26)))
		if err != nil || later.Status != payment.Scheduled {
			t.Fatalf("later %+v %v", later, err)
		}
		_, err = f.svc.Collect(f.ctx, collection("cus_bent", annaSalary, "bs-col_3", 1_00, date(2026, 5, 22)))
		wantCode(t, err, netbank.EINVALID)

		poor, err := f.svc.Collect(f.ctx, collection("cus_carl", carlOverdraw, "bs-col_4", 1_500_00, date(2026, 5, 22)))
		if err != nil || poor.Status != payment.Rejected || !strings.Contains(poor.FailureReason, "ikke dækning") {
			t.Fatalf("not covered %+v %v", poor, err)
		}
		f.mu.Lock()
		if len(f.notified) != 1 || f.notified[0].ID != poor.ID {
			t.Fatalf("notified %+v", f.notified)
		}
		f.mu.Unlock()

		f.runUntil(at(2026, 5, 26, 2, 0), 30*time.Minute)
		if p = f.get("cus_anna", p.ID); p.Status != payment.Settled {
			t.Fatalf("after the sum clearing %+v", p)
		}
		if later = f.get("cus_anna", later.ID); later.Status != payment.InClearing || later.ClearingCycle != "2026-05-27T01:30" {
			t.Fatalf("later on its date %+v", later)
		}
	})
}
