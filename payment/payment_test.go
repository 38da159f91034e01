package payment_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/calendar"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/payment"
	"github.com/netbank/netbank/scheduler"
	"github.com/netbank/netbank/store"
)

// RULE PAY-1: a transfer to one of your own accounts and to another
// customer's account in the bank settles at once, each side's statement
// showing its own text; the text to self never reaches the payee.
func TestTransferInsideTheBankSettlesAtOnce(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 5, 11, 10, 0))
		r := f.anna("9070", "1002", 1_500_00) // short account numbers are padded (PAY-2)
		r.TextToSelf, r.TextToRecipient = "Til ferie", "Opsparing maj"
		p := f.create(r)
		if p.Kind != payment.Own || p.ToAccountID != annaSavings || !p.ExecutionDate.Equal(date(2026, 5, 11)) {
			t.Fatalf("own transfer %+v", p)
		}
		doc := payment.Document(p)
		for _, want := range []string{"Overførsel mellem egne konti", "Fra konto: 9070 0000001001", "Til konto: 9070 0000001002 (Netbank)",
			"Beløb: 1.500,00 kr.", "Dato: 11.05.2026", "Tekst på egen konto: Til ferie", "Tekst til modtager: Opsparing maj", p.ID} {
			if !strings.Contains(doc, want) {
				t.Errorf("document lacks %q:\n%s", want, doc)
			}
		}
		p, err := f.svc.Confirm(f.ctx, "cus_anna", p.ID, "doc_1", "usr_anna")
		if err != nil || p.Status != payment.Settled || p.SettledAt.IsZero() {
			t.Fatalf("confirmed %+v %v", p, err)
		}
		if got := f.posted(annaSalary); got != 8_500_00 {
			t.Fatalf("salary %d", got)
		}
		if got := f.posted(annaSavings); got != 1_500_00 {
			t.Fatalf("savings %d", got)
		}

		r = f.anna("9070", "0000002001", 250_00)
		r.ToName, r.TextToSelf, r.TextToRecipient = "Bent", "Hemmelig gave", "Tillykke"
		p = f.pay(r)
		if p.Kind != payment.Internal || p.Status != payment.Settled {
			t.Fatalf("internal %+v", p)
		}
		if f.posted(bentSalary) != 1_250_00 || f.posted(suspenseAccount) != 0 {
			t.Fatalf("bent %d suspense %d", f.posted(bentSalary), f.posted(suspenseAccount))
		}
		st, err := f.ledger.Statement(f.ctx, bentSalary, time.Time{}, time.Time{}, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		last := st.Entries[len(st.Entries)-1]
		if last.Text != "Tillykke" || last.Amount != 250_00 {
			t.Fatalf("payee's entry %+v", last)
		}
		st, _ = f.ledger.Statement(f.ctx, annaSalary, time.Time{}, time.Time{}, 0, 0)
		if last := st.Entries[len(st.Entries)-1]; last.Text != "Hemmelig gave" || last.Amount != -250_00 {
			t.Fatalf("payer's entry %+v", last)
		}
	})
}

// A transfer to another Danish bank is debited to the interbank clearing
// account and settles with the settlement account in the next intraday
// cycle: made at 09:30 it settles at 12:00; made after 14:00 on the
// Wednesday before Ascension it waits for Monday 01:30 (RULE CAL-1).
func TestTransferToAnotherBankSettlesInTheNextCycle(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 5, 11, 9, 30))
		r := f.anna("5301", "12345678", 2_000_00)
		r.ToName = "Arbejdernes Landsbank-kunde"
		p := f.create(r)
		if p.Kind != payment.Domestic || !strings.Contains(payment.Document(p), "5301 0012345678 (Arbejdernes Landsbank)") {
			t.Fatalf("domestic %+v\n%s", p, payment.Document(p))
		}
		p, err := f.svc.Confirm(f.ctx, "cus_anna", p.ID, "doc", "usr_anna")
		if err != nil || p.Status != payment.InClearing || p.Clearing != payment.IntradayClearing || p.ClearingCycle != "2026-05-11T12:00" {
			t.Fatalf("in clearing %+v %v", p, err)
		}
		if f.posted(annaSalary) != 8_000_00 || f.posted(clearingAccount) != 2_000_00 {
			t.Fatalf("anna %d clearing %d", f.posted(annaSalary), f.posted(clearingAccount))
		}
		f.runUntil(at(2026, 5, 11, 11, 59), 10*time.Minute)
		if p = f.get("cus_anna", p.ID); p.Status != payment.InClearing {
			t.Fatalf("settled before its cycle: %+v", p)
		}
		f.runUntil(at(2026, 5, 11, 12, 5), 5*time.Minute)
		if p = f.get("cus_anna", p.ID); p.Status != payment.Settled || p.SettledAt.Before(at(2026, 5, 11, 12, 0)) || p.SettledAt.After(at(2026, 5, 11, 12, 5)) {
			t.Fatalf("after the 12:00 cycle %+v (settled %s)", p, p.SettledAt)
		}
		if f.posted(clearingAccount) != 0 || f.posted(settlementAccount) != -(10_000_00+1_000_00+1_000_000_00)+2_000_00 {
			t.Fatalf("clearing %d settlement %d", f.posted(clearingAccount), f.posted(settlementAccount))
		}

		// Wednesday 13 May after the last cycle: Thursday is Ascension Day,
		// Friday the day after, then the weekend.
		f.runUntil(at(2026, 5, 13, 14, 30), 30*time.Minute)
		p = f.pay(f.anna("3000", "4440001234", 100_00))
		if p.ClearingCycle != "2026-05-18T01:30" {
			t.Fatalf("cycle after Wednesday 14:30: %s", p.ClearingCycle)
		}
		f.runUntil(at(2026, 5, 18, 1, 0), time.Hour)
		if p = f.get("cus_anna", p.ID); p.Status != payment.InClearing {
			t.Fatalf("settled on a non-bank day: %+v", p)
		}
		f.runUntil(at(2026, 5, 18, 2, 0), 15*time.Minute)
		if p = f.get("cus_anna", p.ID); p.Status != payment.Settled || calendar.Day(p.SettledAt) != date(2026, 5, 18) {
			t.Fatalf("Monday %+v", p)
		}
		runs, err := f.sched.Runs(f.ctx, payment.JobClearing, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			d, _ := time.ParseInLocation("2006-01-02T15:04", r.Key, cph)
			if !calendar.IsBankDay(calendar.Day(d)) {
				t.Errorf("a clearing cycle ran on a non-bank day: %s", r.Key)
			}
		}
	})
}

// RULE CAL-1, PAY-3: a payment dated Friday 15 May 2026 (the Friday after
// Ascension Day, not a bank day) shows under upcoming payments, moves to
// Monday 18 May and is executed and settled then.
func TestFridayAfterAscensionSettlesMonday(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 5, 11, 10, 0))
		r := f.anna("5301", "12345678", 3_000_00)
		r.Date = date(2026, 5, 15)
		p := f.create(r)
		if !p.RequestedDate.Equal(date(2026, 5, 15)) || !p.ExecutionDate.Equal(date(2026, 5, 18)) {
			t.Fatalf("dates %s → %s", p.RequestedDate, p.ExecutionDate)
		}
		if doc := payment.Document(p); !strings.Contains(doc, "Dato: 18.05.2026 (ønsket 15.05.2026, som ikke er en bankdag)") {
			t.Fatalf("document:\n%s", doc)
		}
		p, err := f.svc.Confirm(f.ctx, "cus_anna", p.ID, "doc", "usr_anna")
		if err != nil || p.Status != payment.Scheduled {
			t.Fatalf("confirmed %+v %v", p, err)
		}
		own := f.anna("9070", "0000001002", 500_00)
		own.Date = date(2026, 5, 15)
		q := f.pay(own)
		up, err := f.svc.Upcoming(f.ctx, "cus_anna")
		if err != nil || len(up) != 2 {
			t.Fatalf("upcoming %v %v", up, err)
		}
		f.runUntil(at(2026, 5, 15, 23, 0), 30*time.Minute)
		if f.get("cus_anna", p.ID).Status != payment.Scheduled || f.posted(annaSalary) != 10_000_00 {
			t.Fatal("executed before Monday")
		}
		f.runUntil(at(2026, 5, 18, 1, 0), 30*time.Minute)
		if q = f.get("cus_anna", q.ID); q.Status != payment.Settled || calendar.Day(q.ExecutedAt) != date(2026, 5, 18) {
			t.Fatalf("own transfer on Monday %+v", q)
		}
		if p = f.get("cus_anna", p.ID); p.Status != payment.InClearing || calendar.Day(p.ExecutedAt) != date(2026, 5, 18) {
			t.Fatalf("Monday 01:00 %+v", p)
		}
		f.runUntil(at(2026, 5, 18, 2, 0), 30*time.Minute)
		if p = f.get("cus_anna", p.ID); p.Status != payment.Settled || calendar.Day(p.SettledAt) != date(2026, 5, 18) {
			t.Fatalf("Monday 02:00 %+v", p)
		}
		if up, _ := f.svc.Upcoming(f.ctx, "cus_anna"); len(up) != 0 {
			t.Fatalf("still upcoming: %v", up)
		}
		if f.posted(annaSalary) != 6_500_00 {
			t.Fatalf("balance %d", f.posted(annaSalary))
		}
	})
}

// RULE CAL-1, PAY-3: a future date that is not a bank day moves to the next
// bank day; past dates and dates too far ahead are refused.
func TestDates(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 5, 20, 22, 30)) // Wednesday evening (20:30 UTC)
		for _, tc := range []struct {
			name      string
			requested time.Time
			want      time.Time
		}{
			{"today", time.Time{}, date(2026, 5, 20)},
			{"tomorrow, a bank day", date(2026, 5, 21), date(2026, 5, 21)},
			{"Saturday moves to Monday", date(2026, 5, 30), date(2026, 6, 1)},
			{"Whit Sunday moves past Whit Monday", date(2026, 5, 24), date(2026, 5, 26)},
			{"Constitution Day moves to Monday", date(2026, 6, 5), date(2026, 6, 8)},
			{"Christmas Eve moves past Christmas", date(2026, 12, 24), date(2026, 12, 28)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := f.anna("5301", "12345678", 100_00)
				r.Date = tc.requested
				p := f.create(r)
				if !p.ExecutionDate.Equal(tc.want) {
					t.Fatalf("execution date %s, want %s", p.ExecutionDate.Format(time.DateOnly), tc.want.Format(time.DateOnly))
				}
			})
		}
		for name, d := range map[string]time.Time{"yesterday": date(2026, 5, 19), "too far ahead": date(2027, 6, 1)} {
			r := f.anna("5301", "12345678", 100_00)
			r.Date = d
			if _, err := f.svc.Create(f.ctx, r); netbank.ErrorCodeOf(err) != netbank.EINVALID {
				t.Errorf("%s: %v", name, err)
			}
		}
	})
}

// RULE PAY-3: an upcoming payment can be cancelled until it is executed,
// and not after; another customer cannot touch it.
func TestCancel(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 6, 1, 10, 0))
		r := f.anna("5301", "12345678", 1_000_00)
		r.Date = date(2026, 6, 3)
		p := f.pay(r)
		if _, err := f.svc.Cancel(f.ctx, "cus_bent", p.ID, "usr_bent"); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("another customer cancels: %v", err)
		}
		if _, err := f.svc.Get(f.ctx, "cus_bent", p.ID); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("another customer reads: %v", err)
		}
		p, err := f.svc.Cancel(f.ctx, "cus_anna", p.ID, "usr_anna")
		if err != nil || p.Status != payment.Cancelled || p.CancelledBy != "usr_anna" {
			t.Fatalf("cancel %+v %v", p, err)
		}
		if up, _ := f.svc.Upcoming(f.ctx, "cus_anna"); len(up) != 0 {
			t.Fatalf("a cancelled payment is upcoming: %v", up)
		}
		f.runUntil(at(2026, 6, 4, 15, 0), time.Hour)
		if f.get("cus_anna", p.ID).Status != payment.Cancelled || f.posted(annaSalary) != 10_000_00 || f.hasTransfer(p.ID+":debit") {
			t.Fatal("a cancelled payment was executed")
		}
		// An unsigned payment can be cancelled too.
		d := f.create(f.anna("5301", "12345678", 1_00))
		if d, err = f.svc.Cancel(f.ctx, "cus_anna", d.ID, "usr_anna"); err != nil || d.Status != payment.Cancelled {
			t.Fatalf("cancel draft %+v %v", d, err)
		}

		// Executed (in clearing, then settled): too late.
		q := f.pay(f.anna("5301", "12345678", 1_000_00))
		if _, err := f.svc.Cancel(f.ctx, "cus_anna", q.ID, "usr_anna"); netbank.ErrorCodeOf(err) != netbank.ECONFLICT {
			t.Fatalf("cancel in clearing: %v", err)
		}
		f.runUntil(at(2026, 6, 5, 10, 0), time.Hour)
		if _, err := f.svc.Cancel(f.ctx, "cus_anna", q.ID, "usr_anna"); netbank.ErrorCodeOf(err) != netbank.ECONFLICT {
			t.Fatalf("cancel settled: %v", err)
		}
		// A scheduled payment whose execution date came is executed by the
		// due job at 00:05; cancelling at 00:30 is too late.
		r = f.anna("9070", "0000001002", 10_00)
		r.Date = date(2026, 6, 8)
		s := f.pay(r)
		f.runUntil(at(2026, 6, 8, 0, 30), 15*time.Minute)
		if _, err := f.svc.Cancel(f.ctx, "cus_anna", s.ID, "usr_anna"); netbank.ErrorCodeOf(err) != netbank.ECONFLICT {
			t.Fatalf("cancel executed: %v", err)
		}
	})
}

// Instant payments (straks) settle at once at any hour, also on a Sunday,
// up to 500.000,00 kr.; they are for transfers to other banks, dated today.
func TestInstantPayment(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 5, 17, 3, 15)) // Sunday night
		r := f.transfer("cus_biz", "usr_jens", bizAccount, "5301", "12345678", 500_000_00)
		r.Instant = true
		p := f.pay(r)
		if p.Status != payment.Settled || p.Clearing != payment.InstantClearing || !p.SettledAt.Equal(f.clock.Now().UTC()) {
			t.Fatalf("instant %+v", p)
		}
		if f.posted(clearingAccount) != 0 || f.posted(bizAccount) != 500_000_00 {
			t.Fatalf("clearing %d biz %d", f.posted(clearingAccount), f.posted(bizAccount))
		}
		if !strings.Contains(payment.Document(p), "Overførselstype: Straksoverførsel") {
			t.Fatalf("document:\n%s", payment.Document(p))
		}
		for name, mod := range map[string]func(*payment.Request){
			"above 500.000 kr.": func(r *payment.Request) { r.Amount = 500_000_01 },
			"inside the bank":   func(r *payment.Request) { r.ToReg, r.ToAccount = "9070", "0000001001" },
			"dated ahead":       func(r *payment.Request) { r.Date = date(2026, 5, 19) },
		} {
			r := f.transfer("cus_biz", "usr_jens", bizAccount, "5301", "12345678", 1_000_00)
			r.Instant = true
			mod(&r)
			if _, err := f.svc.Create(f.ctx, r); netbank.ErrorCodeOf(err) != netbank.EINVALID {
				t.Errorf("%s: %v", name, err)
			}
		}
	})
}

// The available amount incl. overdraft is checked (CARD-4's rule for
// payments): a payment for today that is not covered is refused at once; a
// future one that is not covered on its date is rejected without any ledger
// effect, and the customer is told.
func TestAvailableAmount(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 6, 1, 10, 0))
		// Carl has 0 kr. and a 1.000 kr. overdraft.
		p := f.pay(f.transfer("cus_carl", "usr_carl", carlOverdraw, "5301", "12345678", 800_00))
		if p.Status != payment.InClearing || f.posted(carlOverdraw) != -800_00 {
			t.Fatalf("within the overdraft %+v", p)
		}
		_, err := f.svc.Create(f.ctx, f.transfer("cus_carl", "usr_carl", carlOverdraw, "5301", "12345678", 200_01))
		wantCode(t, err, netbank.EINSUFFICIENT)

		r := f.transfer("cus_bent", "usr_bent", bentSalary, "5301", "12345678", 900_00)
		r.Date = date(2026, 6, 3)
		future := f.pay(r)
		// Bent spends the money before the date.
		f.pay(f.transfer("cus_bent", "usr_bent", bentSalary, "9070", "0000001001", 500_00))
		f.runUntil(at(2026, 6, 3, 12, 0), time.Hour)
		future = f.get("cus_bent", future.ID)
		if future.Status != payment.Rejected || !strings.Contains(future.FailureReason, "ikke dækning") {
			t.Fatalf("not covered %+v", future)
		}
		if f.hasTransfer(future.ID+":debit") || f.posted(bentSalary) != 500_00 {
			t.Fatal("a rejected payment touched the ledger")
		}
		if len(f.notified) != 1 || f.notified[0].ID != future.ID {
			t.Fatalf("notified %v", f.notified)
		}
	})
}

// RULE BIZ-5: above the business's approval limit a payment needs a second
// user's approval (four-eyes) before it goes; the creator cannot approve it.
func TestFourEyes(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 6, 2, 10, 0))
		if err := f.svc.SetApprovalLimit(f.ctx, "cus_biz", 10_000_00, "staff_admin"); err != nil {
			t.Fatal(err)
		}
		small := f.pay(f.transfer("cus_biz", "usr_jens", bizAccount, "5301", "12345678", 10_000_00))
		if small.Status != payment.InClearing || small.ApprovalRequired {
			t.Fatalf("at the limit %+v", small)
		}
		big := f.create(f.transfer("cus_biz", "usr_jens", bizAccount, "5301", "12345678", 10_000_01))
		if _, err := f.svc.Confirm(f.ctx, "cus_biz", big.ID, "doc_x", "usr_anne"); netbank.ErrorCodeOf(err) != netbank.EFORBIDDEN {
			t.Fatalf("signed by another than the creator: %v", err)
		}
		big, err := f.svc.Confirm(f.ctx, "cus_biz", big.ID, "doc_big", "usr_jens")
		if err != nil || big.Status != payment.AwaitingApproval || !big.ApprovalRequired {
			t.Fatalf("above the limit %+v %v", big, err)
		}
		if up, _ := f.svc.Upcoming(f.ctx, "cus_biz"); len(up) != 1 || up[0].ID != big.ID {
			t.Fatalf("upcoming %v", up)
		}
		f.runUntil(at(2026, 6, 2, 13, 0), time.Hour)
		if f.get("cus_biz", big.ID).Status != payment.AwaitingApproval || f.hasTransfer(big.ID+":debit") {
			t.Fatal("executed without approval")
		}
		_, err = f.svc.Approve(f.ctx, "cus_biz", big.ID, "usr_jens", "doc_self")
		wantCode(t, err, netbank.EFORBIDDEN)
		big, err = f.svc.Approve(f.ctx, "cus_biz", big.ID, "usr_anne", "doc_anne")
		if err != nil || big.Status != payment.InClearing || big.ApprovedBy != "usr_anne" {
			t.Fatalf("approved %+v %v", big, err)
		}
		if again, err := f.svc.Approve(f.ctx, "cus_biz", big.ID, "usr_anne", "doc_anne"); err != nil || again.Status != payment.InClearing {
			t.Fatalf("approve retry %+v %v", again, err)
		}

		// Approved after its date: executed at once.
		r := f.transfer("cus_biz", "usr_jens", bizAccount, "9070", "0000002001", 50_000_00)
		r.Date = date(2026, 6, 3)
		late := f.pay(r)
		f.runUntil(at(2026, 6, 4, 9, 0), time.Hour)
		if late = f.get("cus_biz", late.ID); late.Status != payment.AwaitingApproval {
			t.Fatalf("late %+v", late)
		}
		if late, err = f.svc.Approve(f.ctx, "cus_biz", late.ID, "usr_anne", "doc_late"); err != nil || late.Status != payment.Settled {
			t.Fatalf("late approval %+v %v", late, err)
		}
		// Private customers (no limit) never wait.
		if p := f.pay(f.anna("5301", "12345678", 9_000_00)); p.Status != payment.InClearing {
			t.Fatalf("private %+v", p)
		}
		if err := f.svc.RemoveApprovalLimit(f.ctx, "cus_biz"); err != nil {
			t.Fatal(err)
		}
		if p := f.pay(f.transfer("cus_biz", "usr_jens", bizAccount, "5301", "12345678", 20_000_00)); p.Status != payment.InClearing {
			t.Fatalf("after removing the limit %+v", p)
		}
	})
}

// A double-click or a retry never pays twice: the same client id with the
// same content is the same payment; with other content it is a conflict.
func TestIdempotentSubmission(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 6, 2, 10, 0))
		r := f.anna("5301", "12345678", 1_000_00)
		p1 := f.create(r)
		p2 := f.create(r)
		if p1.ID != p2.ID {
			t.Fatalf("two payments for one submission: %s %s", p1.ID, p2.ID)
		}
		other := r
		other.Amount = 1_000_01
		_, err := f.svc.Create(f.ctx, other)
		wantCode(t, err, netbank.ECONFLICT)
		// The same client id at another customer is another payment.
		b := r
		b.CustomerID, b.UserID, b.FromAccount = "cus_bent", "usr_bent", bentSalary
		b.Amount = 10_00
		if pb := f.create(b); pb.ID == p1.ID {
			t.Fatal("client ids are not scoped by customer")
		}
		c1, err := f.svc.Confirm(f.ctx, "cus_anna", p1.ID, "doc_1", "usr_anna")
		if err != nil {
			t.Fatal(err)
		}
		c2, err := f.svc.Confirm(f.ctx, "cus_anna", p1.ID, "doc_1", "usr_anna")
		if err != nil || c2.Status != c1.Status {
			t.Fatalf("confirm retry %+v %v", c2, err)
		}
		_, err = f.svc.Confirm(f.ctx, "cus_anna", p1.ID, "doc_2", "usr_anna")
		wantCode(t, err, netbank.ECONFLICT)
		// Creating again after it executed still returns it.
		if p3 := f.create0(r); p3.ID != p1.ID || p3.Status != payment.InClearing {
			t.Fatalf("retry after execution %+v", p3)
		}
		if f.posted(annaSalary) != 9_000_00 {
			t.Fatalf("paid twice: %d", f.posted(annaSalary))
		}
	})
}

// create0 creates without asserting the status.
func (f *fixture) create0(r payment.Request) payment.Payment {
	f.t.Helper()
	p, err := f.svc.Create(f.ctx, r)
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

// The due job and the clearing cycle resume after a crash without paying
// twice: a run claimed by an instance that died is taken over when its
// lease lapses; an execution that died before or after writing to the
// ledger is finished by the next run; running a job twice changes nothing.
func TestCrashRecovery(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 6, 8, 23, 30))
		r := f.anna("5301", "12345678", 1_000_00)
		r.Date = date(2026, 6, 9)
		p := f.pay(r)
		r = f.anna("9070", "0000002001", 100_00)
		r.Date = date(2026, 6, 9)
		q := f.pay(r)

		// Another instance claims the 00:05 run and dies.
		f.runUntil(at(2026, 6, 8, 23, 50), 10*time.Minute) // the earlier runs are done
		st := db.Scheduler()
		due := at(2026, 6, 9, 0, 5)
		key := due.UTC().Format("2006-01-02T15:04Z")
		f.clock.Set(due)
		if err := st.Plan(f.ctx, schedRun(payment.JobDue, key, due)); err != nil {
			t.Fatal(err)
		}
		if ok, err := st.Claim(f.ctx, payment.JobDue, key, "dead", due, due.Add(5*time.Minute)); err != nil || !ok {
			t.Fatalf("claim %v %v", ok, err)
		}
		if _, err := f.sched.Tick(f.ctx); err != nil {
			t.Fatal(err)
		}
		if f.get("cus_anna", p.ID).Status != payment.Scheduled {
			t.Fatal("ran a run whose lease another instance holds")
		}
		f.runUntil(at(2026, 6, 9, 0, 15), time.Minute) // the lease lapses; this instance takes over
		if p = f.get("cus_anna", p.ID); p.Status != payment.InClearing {
			t.Fatalf("after takeover %+v", p)
		}

		// The execution died after the ledger write, before recording it:
		// put the payments back to executing with a lapsed lease.
		revert := func(id string, status payment.Status) {
			t.Helper()
			if _, err := db.Exec(f.ctx, "UPDATE payments SET status = ?, lease_owner = 'dead', lease_until = ? WHERE id = ?",
				string(status), f.clock.Now().Add(-time.Minute).UnixMicro(), id); err != nil {
				t.Fatal(err)
			}
		}
		revert(p.ID, payment.Executing)
		revert(q.ID, payment.Executing)
		done, err := f.svc.ExecuteDue(f.ctx)
		if err != nil || len(done) != 2 {
			t.Fatalf("resumed %v %v", done, err)
		}
		if p = f.get("cus_anna", p.ID); p.Status != payment.InClearing || p.ClearingCycle != "2026-06-09T01:30" {
			t.Fatalf("resumed %+v", p)
		}
		if f.posted(annaSalary) != 8_900_00 || f.posted(bentSalary) != 1_100_00 {
			t.Fatalf("paid twice: anna %d bent %d", f.posted(annaSalary), f.posted(bentSalary))
		}
		// A lease still held by a live execution is left alone.
		revert(p.ID, payment.Executing)
		if _, err := db.Exec(f.ctx, "UPDATE payments SET lease_until = ? WHERE id = ?", f.clock.Now().Add(time.Minute).UnixMicro(), p.ID); err != nil {
			t.Fatal(err)
		}
		if done, _ := f.svc.ExecuteDue(f.ctx); len(done) != 0 {
			t.Fatalf("took over a live lease: %v", done)
		}
		f.clock.Advance(2 * time.Minute)
		if done, _ := f.svc.ExecuteDue(f.ctx); len(done) != 1 {
			t.Fatalf("lapsed lease not taken over: %v", done)
		}

		// The clearing cycle, run twice, and once more after its record was lost.
		f.runUntil(at(2026, 6, 9, 1, 45), 15*time.Minute)
		if p = f.get("cus_anna", p.ID); p.Status != payment.Settled {
			t.Fatalf("after 01:30 %+v", p)
		}
		for i := 0; i < 2; i++ {
			if _, err := f.svc.RunClearing(f.ctx, at(2026, 6, 9, 1, 30)); err != nil {
				t.Fatal(err)
			}
		}
		revert(p.ID, payment.InClearing)
		if n, err := f.svc.RunClearing(f.ctx, at(2026, 6, 9, 1, 30)); err != nil || n != 1 {
			t.Fatalf("re-settle %d %v", n, err)
		}
		if f.posted(clearingAccount) != 0 || f.countTransfers("clearing") != 1 {
			t.Fatalf("clearing %d, %d settlements", f.posted(clearingAccount), f.countTransfers("clearing"))
		}
		// Running the due job's run again is harmless too.
		for _, j := range f.svc.Jobs() {
			if err := j.Run(f.ctx, "again", f.clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
		if f.posted(annaSalary) != 8_900_00 {
			t.Fatalf("paid twice: %d", f.posted(annaSalary))
		}
	})
}

// Incoming payments from other banks are booked to the account, or returned
// when it does not exist here; a retry is harmless; SWIFT ones are
// searchable (PAY-7).
func TestIncoming(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 6, 10, 11, 0))
		in := payment.IncomingRequest{Reference: "E2E-0001", FromBank: "5301", FromName: "Søren Ærø", FromAccount: "5301 0012345678",
			ToReg: "9070", ToAccount: "2001", Amount: 750_00, Text: "Husleje juni"}
		got, err := f.svc.Receive(f.ctx, in)
		if err != nil || got.Status != payment.Booked || got.AccountID != bentSalary || got.CustomerID != "cus_bent" {
			t.Fatalf("received %+v %v", got, err)
		}
		again, err := f.svc.Receive(f.ctx, in)
		if err != nil || again.ID != got.ID {
			t.Fatalf("retry %+v %v", again, err)
		}
		if f.posted(bentSalary) != 1_750_00 || f.countTransfers("incoming") != 1 {
			t.Fatalf("booked twice: %d", f.posted(bentSalary))
		}
		changed := in
		changed.Amount = 751_00
		_, err = f.svc.Receive(f.ctx, changed)
		wantCode(t, err, netbank.ECONFLICT)

		missing := in
		missing.Reference, missing.ToAccount = "E2E-0002", "9999999"
		got, err = f.svc.Receive(f.ctx, missing)
		if err != nil || got.Status != payment.Returned || got.Reason == "" || got.AccountID != "" {
			t.Fatalf("to a missing account %+v %v", got, err)
		}
		eur := in
		eur.Reference, eur.ToAccount = "E2E-0003", "0000002002"
		if got, err = f.svc.Receive(f.ctx, eur); err != nil || got.Status != payment.Returned {
			t.Fatalf("to a EUR account %+v %v", got, err)
		}
		if f.countTransfers("incoming") != 1 {
			t.Fatal("a returned payment was booked")
		}

		iban, _ := dk.DanishIBAN("9070", "0000001001")
		swift := payment.IncomingRequest{Reference: "SWIFT-77", FromBank: "deutdeff", FromName: "Müller GmbH", FromAccount: "DE89370400440532013000",
			ToIBAN: iban, Amount: 12_345_67, Currency: "dkk", Text: "Invoice 42", SWIFT: true}
		got, err = f.svc.Receive(f.ctx, swift)
		if err != nil || got.Status != payment.Booked || got.AccountID != annaSalary || got.Source != "DEUTDEFF" {
			t.Fatalf("swift %+v %v", got, err)
		}
		if f.countTransfers("swift") != 1 {
			t.Fatal("swift not booked with code swift")
		}
		for name, bad := range map[string]func(*payment.IncomingRequest){
			"EUR":           func(r *payment.IncomingRequest) { r.Currency = "EUR" },
			"bad BIC":       func(r *payment.IncomingRequest) { r.FromBank = "DEUT" },
			"bad IBAN":      func(r *payment.IncomingRequest) { r.ToIBAN = "DK0090700000001001" },
			"zero amount":   func(r *payment.IncomingRequest) { r.Amount = 0 },
			"no reference":  func(r *payment.IncomingRequest) { r.Reference = "" },
			"long text":     func(r *payment.IncomingRequest) { r.Text = strings.Repeat("x", 141) },
			"non-DK IBAN":   func(r *payment.IncomingRequest) { r.ToIBAN = "DE89370400440532013000" },
			"reg of 3 digs": func(r *payment.IncomingRequest) { r.ToIBAN, r.ToReg, r.ToAccount = "", "907", "1001" },
		} {
			r := swift
			r.Reference = "bad-" + strings.ReplaceAll(name, " ", "-")
			bad(&r)
			if _, err := f.svc.Receive(f.ctx, r); netbank.ErrorCodeOf(err) != netbank.EINVALID {
				t.Errorf("%s: %v", name, err)
			}
		}
		// PAY-7: search incoming SWIFT payments; customers see only their own.
		list, err := f.svc.SearchIncoming(f.ctx, "cus_anna", payment.IncomingFilter{IncomingQuery: payment.IncomingQuery{SWIFTOnly: true}})
		if err != nil || len(list) != 1 || list[0].Reference != "SWIFT-77" {
			t.Fatalf("swift search %v %v", list, err)
		}
		if list, _ := f.svc.SearchIncoming(f.ctx, "cus_bent", payment.IncomingFilter{IncomingQuery: payment.IncomingQuery{SWIFTOnly: true}}); len(list) != 0 {
			t.Fatalf("bent sees %v", list)
		}
		list, _ = f.svc.SearchIncoming(f.ctx, "cus_bent", payment.IncomingFilter{Text: "søren ÆRØ"})
		if len(list) != 1 || list[0].Text != "Husleje juni" {
			t.Fatalf("text search %v", list)
		}
	})
}

// RULE PAY-4: payment slips of every type are validated with their check
// digits before they are accepted, with the fields each type has; they are
// settled in the night's sum clearing on the next bank day.
func TestPaymentSlips(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 5, 12, 10, 0)) // Tuesday
		slip := func(codeLine, message string) payment.Request {
			r := f.anna("", "", 123_45)
			r.CodeLine, r.TextToRecipient = codeLine, message
			return r
		}
		valid := []struct {
			name, line, message string
			want                dk.Slip
		}{
			{"+01 giro with message", "+01<+1234567<", "Kontingent", dk.Slip{Type: "01", GiroAccount: "1234567"}},
			{"+04 giro with payment id", "+04< 1234567890123452+1234567<", "", dk.Slip{Type: "04", PaymentID: "1234567890123452", GiroAccount: "1234567"}},
			{"+15 giro with payment id and message", "+15<0000000012345674+12345678<", "Faktura 7", dk.Slip{Type: "15", PaymentID: "0000000012345674", GiroAccount: "12345678"}},
			{"+71 FI with payment id", "+71< 000100017156728+81234567<", "", dk.Slip{Type: "71", PaymentID: "000100017156728", Creditor: "81234567"}},
			{"+73 FI with message", "+73< +81234567<", "Medlem 1234", dk.Slip{Type: "73", Creditor: "81234567"}},
			{"+75 FI with payment id and message", "+75< 0000000012345674+87654321<", "Ordre 9", dk.Slip{Type: "75", PaymentID: "0000000012345674", Creditor: "87654321"}},
		}
		for _, tc := range valid {
			t.Run(tc.name, func(t *testing.T) {
				p := f.create(slip(tc.line, tc.message))
				if p.Kind != payment.SlipPayment || p.Slip != tc.want {
					t.Fatalf("slip %+v", p.Slip)
				}
				if doc := payment.Document(p); !strings.Contains(doc, "Kodelinje: "+tc.want.CodeLine()) {
					t.Fatalf("document:\n%s", doc)
				}
			})
		}
		// The same slips typed field by field.
		fields := f.anna("", "", 10_00)
		fields.SlipType, fields.SlipPaymentID, fields.SlipAccount = "+71", "0001 0001 7156 728", "8123 4567"
		if p := f.create(fields); p.Slip != (dk.Slip{Type: "71", PaymentID: "000100017156728", Creditor: "81234567"}) {
			t.Fatalf("fields %+v", p.Slip)
		}
		invalid := map[string]payment.Request{
			"+71 check digit wrong":    slip("+71<000100017156729+81234567<", ""),
			"+75 check digit wrong":    slip("+75<0000000012345675+87654321<", ""),
			"+04 check digit wrong":    slip("+04<1234567890123453+1234567<", ""),
			"+15 id too short":         slip("+15<000000012345674+12345678<", ""),
			"+73 with a payment id":    slip("+73<000100017156728+81234567<", ""),
			"+01 giro of 6 digits":     slip("+01<+123456<", ""),
			"+71 creditor not 8…":      slip("+71<000100017156728+71234567<", ""),
			"+72 unknown type":         slip("+72<000100017156728+81234567<", ""),
			"+71 has no message":       slip("+71<000100017156728+81234567<", "Hej"),
			"+04 has no message":       slip("+04<1234567890123452+1234567<", "Hej"),
			"+75 message too long":     slip("+75<0000000012345674+87654321<", strings.Repeat("x", 42)),
			"field: +75 check digit":   {CustomerID: "cus_anna", UserID: "usr_anna", ClientID: "f1", FromAccount: annaSalary, Amount: 1, SlipType: "75", SlipPaymentID: "0000000012345675", SlipAccount: "87654321"},
			"field: +73 creditor":      {CustomerID: "cus_anna", UserID: "usr_anna", ClientID: "f2", FromAccount: annaSalary, Amount: 1, SlipType: "73", SlipAccount: "1234567"},
			"slip and account":         func() payment.Request { r := slip("+73<+81234567<", ""); r.ToReg, r.ToAccount = "5301", "1"; return r }(),
			"code line and fields too": func() payment.Request { r := slip("+73<+81234567<", ""); r.SlipType = "73"; return r }(),
		}
		for name, r := range invalid {
			if _, err := f.svc.Create(f.ctx, r); netbank.ErrorCodeOf(err) != netbank.EINVALID {
				t.Errorf("%s: %v", name, err)
			}
		}

		// Paid Tuesday: settled in the sum clearing Wednesday 01:30.
		p := f.pay(slip("+71<000100017156728+81234567<", ""))
		if p.Status != payment.InClearing || p.Clearing != payment.SumClearing || p.ClearingCycle != "2026-05-13T01:30" {
			t.Fatalf("slip %+v", p)
		}
		st, _ := f.ledger.Statement(f.ctx, annaSalary, time.Time{}, time.Time{}, 0, 0)
		if last := st.Entries[len(st.Entries)-1]; last.Text != "Indbetalingskort +71 81234567" || last.Code != "slip" {
			t.Fatalf("statement %+v", last)
		}
		// Paid Wednesday: Thursday is Ascension Day, Friday the day after:
		// settled Monday.
		f.runUntil(at(2026, 5, 13, 10, 0), time.Hour)
		if p = f.get("cus_anna", p.ID); p.Status != payment.Settled {
			t.Fatalf("Tuesday's slip %+v", p)
		}
		q := f.pay(slip("+73<+81234567<", "Medlemskab"))
		if q.ClearingCycle != "2026-05-18T01:30" {
			t.Fatalf("Wednesday's slip clears %s", q.ClearingCycle)
		}
		f.runUntil(at(2026, 5, 18, 3, 0), time.Hour)
		if q = f.get("cus_anna", q.ID); q.Status != payment.Settled || calendar.Day(q.SettledAt) != date(2026, 5, 18) {
			t.Fatalf("Wednesday's slip %+v", q)
		}
	})
}

// RULE PAY-2: a Danish account is a 4-digit registration number + account
// number; a registration number that is malformed or belongs to no bank is
// refused, as is an account of this bank that does not exist.
func TestPayeeValidation(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 6, 10, 11, 0))
		for name, tc := range map[string]struct {
			reg, account string
			want         string
		}{
			"reg of 3 digits":         {"530", "12345678", "4 cifre"},
			"reg with letters":        {"53a1", "12345678", "4 cifre"},
			"no reg":                  {"", "12345678", "mangler"},
			"unknown reg":             {"1234", "12345678", "Ukendt registreringsnummer"},
			"account of 11 digits":    {"5301", "12345678901", "1-10 cifre"},
			"account with letters":    {"5301", "12a45", "1-10 cifre"},
			"no such account here":    {"9070", "9999999", "findes ikke"},
			"to the paying account":   {"9070", "1001", "betaler fra"},
			"to a EUR account here":   {"9070", "2002", "kronekonto"},
			"no account number given": {"5301", "", "mangler"},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := f.svc.Create(f.ctx, f.anna(tc.reg, tc.account, 100_00))
				wantCode(t, err, netbank.EINVALID)
				if !strings.Contains(netbank.ErrorMessageOf(err), tc.want) {
					t.Fatalf("message %q lacks %q", netbank.ErrorMessageOf(err), tc.want)
				}
			})
		}
		for name, mod := range map[string]func(*payment.Request){
			"from another customer's account": func(r *payment.Request) { r.FromAccount = bentSalary },
			"zero amount":                     func(r *payment.Request) { r.Amount = 0 },
			"negative amount":                 func(r *payment.Request) { r.Amount = -5 },
			"text to self too long":           func(r *payment.Request) { r.TextToSelf = strings.Repeat("æ", payment.MaxTextToSelf+1) },
			"text to recipient too long":      func(r *payment.Request) { r.TextToRecipient = strings.Repeat("x", payment.MaxTextToRecipient+1) },
			"line break in a text":            func(r *payment.Request) { r.TextToRecipient = "a\nb" },
			"no client id":                    func(r *payment.Request) { r.ClientID = "" },
			"client id with spaces":           func(r *payment.Request) { r.ClientID = "a b" },
		} {
			r := f.anna("5301", "12345678", 100_00)
			mod(&r)
			if _, err := f.svc.Create(f.ctx, r); netbank.ErrorCodeOf(err) != netbank.EINVALID {
				t.Errorf("%s: %v", name, err)
			}
		}
		// Limits exactly at the edge are fine.
		r := f.anna("5301", "12345678", 100_00)
		r.TextToSelf, r.TextToRecipient = strings.Repeat("æ", payment.MaxTextToSelf), strings.Repeat("x", payment.MaxTextToRecipient)
		f.create(r)
	})
}

// PAY-7: past payments can be searched by text, status, account, period
// and amount, newest first; each customer sees only its own.
func TestSearch(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 6, 10, 11, 0))
		var ids []string
		for i, text := range []string{"Husleje juni", "Tandlæge", "Husleje juli", "Ærlig gave"} {
			r := f.anna("5301", "12345678", int64(i+1)*100_00)
			r.TextToSelf = text
			ids = append(ids, f.pay(r).ID)
			f.clock.Advance(time.Minute)
		}
		f.pay(f.transfer("cus_bent", "usr_bent", bentSalary, "5301", "12345678", 10_00))
		all, err := f.svc.Search(f.ctx, "cus_anna", payment.Filter{})
		if err != nil || len(all) != 4 || all[0].ID != ids[3] || all[3].ID != ids[0] {
			t.Fatalf("all %v %v", all, err)
		}
		got, _ := f.svc.Search(f.ctx, "cus_anna", payment.Filter{Text: "HUSLEJE"})
		if len(got) != 2 || got[0].ID != ids[2] {
			t.Fatalf("husleje %v", got)
		}
		if got, _ := f.svc.Search(f.ctx, "cus_anna", payment.Filter{Text: "ærlig"}); len(got) != 1 || got[0].ID != ids[3] {
			t.Fatalf("ærlig %v", got)
		}
		if got, _ := f.svc.Search(f.ctx, "cus_anna", payment.Filter{Query: payment.Query{MinAmount: 200_00, MaxAmount: 300_00}}); len(got) != 2 {
			t.Fatalf("amounts %v", got)
		}
		if got, _ := f.svc.Search(f.ctx, "cus_anna", payment.Filter{Query: payment.Query{Limit: 1}}); len(got) != 1 || got[0].ID != ids[3] {
			t.Fatalf("limit %v", got)
		}
		page2, _ := f.svc.Search(f.ctx, "cus_anna", payment.Filter{Query: payment.Query{Limit: 2, BeforeCreated: all[1].CreatedAt, BeforeID: all[1].ID}})
		if len(page2) != 2 || page2[0].ID != ids[1] {
			t.Fatalf("page 2 %v", page2)
		}
		if got, _ := f.svc.Search(f.ctx, "cus_anna", payment.Filter{Query: payment.Query{Statuses: []payment.Status{payment.Settled}}}); len(got) != 0 {
			t.Fatalf("settled %v", got)
		}
		if got, _ := f.svc.Search(f.ctx, "cus_anna", payment.Filter{Query: payment.Query{FromDate: date(2026, 6, 11)}}); len(got) != 0 {
			t.Fatalf("period %v", got)
		}
		if got, _ := f.svc.Search(f.ctx, "cus_bent", payment.Filter{Text: "husleje"}); len(got) != 0 {
			t.Fatalf("bent sees %v", got)
		}
	})
}

// A simulated month (May–June 2026, with Ascension, the Friday after it,
// Whit Monday and Constitution Day) of payments of every kind, with the
// real scheduler ticking every 30 minutes: every payment ends settled
// exactly once, on a bank day for those that clear; every bank day has its
// four cycles and no other day has any.
func TestSimulatedMonth(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		start := at(2026, 5, 4, 8, 0)
		f := newFixture(t, db, start)
		end := at(2026, 6, 11, 0, 0)
		var paid []payment.Payment
		var total int64
		for day := date(2026, 5, 4); day.Before(date(2026, 6, 8)); day = day.AddDate(0, 0, 1) {
			f.runUntil(time.Date(day.Year(), day.Month(), day.Day(), 10, 7, 0, 0, cph), 30*time.Minute)
			reqs := []payment.Request{f.anna("5301", "12345678", 10_00), f.anna("9070", "0000002001", 5_00)}
			slip := f.anna("", "", 7_00)
			slip.CodeLine = "+71<000100017156728+81234567<"
			future := f.transfer("cus_biz", "usr_jens", bizAccount, "3000", "4440001234", 20_00)
			future.Date = day.AddDate(0, 0, 3)
			instant := f.transfer("cus_biz", "usr_jens", bizAccount, "0040", "1234567890", 3_00)
			instant.Instant = true
			for _, r := range append(reqs, slip, future, instant) {
				paid = append(paid, f.pay(r))
				total += r.Amount
			}
		}
		f.runUntil(end, 30*time.Minute)
		for _, p := range paid {
			p = f.get(p.CustomerID, p.ID)
			if p.Status != payment.Settled {
				t.Errorf("%s (%s, %s) is %s", p.ID, p.Kind, p.ExecutionDate.Format(time.DateOnly), p.Status)
				continue
			}
			if !calendar.IsBankDay(p.ExecutionDate) && !p.ExecutionDate.Equal(calendar.Day(p.CreatedAt)) {
				t.Errorf("%s executed on %s, not a bank day", p.ID, p.ExecutionDate.Format(time.DateOnly))
			}
			if p.Clearing == payment.IntradayClearing || p.Clearing == payment.SumClearing {
				if !calendar.IsBankDay(calendar.Day(p.SettledAt)) {
					t.Errorf("%s settled on %s", p.ID, p.SettledAt.In(cph))
				}
				if p.SettledAt.Before(p.ClearingAt) || p.SettledAt.After(p.ClearingAt.Add(30*time.Minute)) || !p.ClearingAt.After(p.ExecutedAt) {
					t.Errorf("%s executed %s cleared %s settled %s", p.ID, p.ExecutedAt.In(cph), p.ClearingAt.In(cph), p.SettledAt.In(cph))
				}
			}
		}
		internal := countInternal(paid)
		if got := f.posted(annaSalary) + f.posted(bizAccount); got != 10_000_00+1_000_000_00-total {
			t.Errorf("payers hold %d, want %d", got, 10_000_00+1_000_000_00-total)
		}
		if got := f.posted(bentSalary); got != 1_000_00+internal {
			t.Errorf("bent holds %d, want %d", got, 1_000_00+internal)
		}
		if got := f.posted(settlementAccount); got != -(10_000_00+1_000_000_00+1_000_00)+total-internal {
			t.Errorf("settlement %d, want %d", got, -(10_000_00+1_000_000_00+1_000_00)+total-internal)
		}
		if f.posted(clearingAccount) != 0 {
			t.Errorf("money left on the clearing account: %d", f.posted(clearingAccount))
		}
		runs, err := f.sched.Runs(f.ctx, payment.JobClearing, 1000)
		if err != nil {
			t.Fatal(err)
		}
		bankDays := 0
		for d := calendar.Day(start); !d.After(calendar.Day(end)); d = d.AddDate(0, 0, 1) {
			if calendar.IsBankDay(d) {
				bankDays++
			}
		}
		// 4 May 08:00 is after the day's 01:30 cycle; 11 June 00:00 before its four.
		if want := 4*bankDays - 1 - 4; len(runs) != want {
			t.Errorf("%d clearing runs, want %d", len(runs), want)
		}
		for _, r := range runs {
			d, _ := time.ParseInLocation("2006-01-02T15:04", r.Key, cph)
			if !calendar.IsBankDay(calendar.Day(d)) || r.Attempts != 1 || r.State != "done" {
				t.Errorf("clearing run %+v", r)
			}
		}
		if n, want := f.countTransfers("clearing"), len(paid)-countKind(paid, payment.Own, payment.Internal); n != want {
			t.Errorf("%d settlement transfers for %d payments that clear", n, want)
		}
	})
}

func countKind(ps []payment.Payment, kinds ...payment.Kind) int {
	n := 0
	for _, p := range ps {
		for _, k := range kinds {
			if p.Kind == k {
				n++
			}
		}
	}
	return n
}

func countInternal(ps []payment.Payment) int64 {
	var n int64
	for _, p := range ps {
		if p.Kind == payment.Internal {
			n += p.Amount
		}
	}
	return n
}

// schedRun is a pending run of a job.
func schedRun(job, key string, due time.Time) scheduler.Run {
	return scheduler.Run{Job: job, Key: key, DueAt: due.UTC(), State: scheduler.Pending}
}

// Several instances at once: concurrent double-clicks make one payment;
// due jobs and clearing cycles running side by side pay each payment once.
func TestConcurrentInstances(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 6, 1, 10, 0))
		click := f.transfer("cus_biz", "usr_jens", bizAccount, "5301", "12345678", 1_00)
		ids := make(chan string, 8)
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p, err := f.svc.Create(f.ctx, click)
				if err != nil {
					t.Error(err)
					return
				}
				ids <- p.ID
			}()
		}
		wg.Wait()
		close(ids)
		first := ""
		for id := range ids {
			if first == "" {
				first = id
			} else if id != first {
				t.Fatalf("a double-click made two payments: %s %s", first, id)
			}
		}

		var want int64
		for i := 0; i < 30; i++ {
			r := f.transfer("cus_biz", "usr_jens", bizAccount, "5301", "12345678", int64(i+1)*100)
			if i%3 == 0 {
				r.ToReg, r.ToAccount = "9070", "0000002001"
			}
			r.Date = date(2026, 6, 2)
			f.pay(r)
			want += r.Amount
		}
		f.clock.Set(at(2026, 6, 2, 9, 30))
		// Four instances' due jobs at once, and then four clearings.
		for _, run := range []func() error{
			func() error { _, err := f.svc.ExecuteDue(f.ctx); return err },
			func() error { _, err := f.svc.RunClearing(f.ctx, at(2026, 6, 2, 12, 0)); return err },
		} {
			var wg sync.WaitGroup
			for i := 0; i < 4; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := run(); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
		}
		if got := 1_000_000_00 - f.posted(bizAccount); got != want {
			t.Fatalf("paid %d, want %d", got, want)
		}
		if f.posted(clearingAccount) != 0 {
			t.Fatalf("clearing %d", f.posted(clearingAccount))
		}
		list, _ := f.svc.Search(f.ctx, "cus_biz", payment.Filter{Query: payment.Query{Statuses: []payment.Status{payment.Settled}}})
		if len(list) != 30 {
			t.Fatalf("%d settled", len(list))
		}
	})
}
