package agreement_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/agreement"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/payment"
	"github.com/netbank/netbank/scheduler"
	"github.com/netbank/netbank/store"
)

// RULE PAY-8: the customer signs up to Betalingsservice with the
// creditor's PBS number, debtor group and customer number on one of their
// accounts; the sign-up is a signed document and the agreement is active
// only once it is signed by the user who made it. A creditor's customer
// number names one payer: a second active agreement is refused.
func TestBetalingsserviceSignUp_PAY8(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 5, 6, 10, 0, 0))
		r := f.betalingsservice("000123456")
		r.DebtorGroup = "1"
		a, err := f.svc.Create(f.ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != agreement.AwaitingSignature || a.DebtorGroup != "00001" || a.CustomerNumber != "123456" || a.AccountID != annaSalary {
			t.Fatalf("created %+v", a)
		}
		doc := agreement.Document(a)
		for _, want := range []string{"Tilmelding til Betalingsservice", "Reference: " + a.ID, "Kreditor: Ørsted Salg & Service A/S",
			"PBS-nr.: 02631445", "Debitorgruppe: 00001", "Kundenummer: 123456", "Betales fra konto: 9070 0000001001", "fuldmagt"} {
			if !strings.Contains(doc, want) {
				t.Errorf("document lacks %q:\n%s", want, doc)
			}
		}
		if list, _ := f.svc.List(f.ctx, "cus_anna"); len(list) != 0 {
			t.Fatalf("an unsigned sign-up is listed: %+v", list)
		}
		// The same form again: the same sign-up; other content: a conflict.
		if again, err := f.svc.Create(f.ctx, r); err != nil || again.ID != a.ID {
			t.Fatalf("double submit %+v %v", again, err)
		}
		changed := r
		changed.CustomerNumber = "999"
		_, err = f.svc.Create(f.ctx, changed)
		wantCode(t, err, netbank.ECONFLICT)

		_, err = f.svc.Confirm(f.ctx, "cus_anna", a.ID, "doc_x", "usr_other")
		wantCode(t, err, netbank.EFORBIDDEN)
		_, err = f.svc.Confirm(f.ctx, "cus_bent", a.ID, "doc_x", "usr_anna")
		wantCode(t, err, netbank.ENOTFOUND)
		if a, err = f.svc.Confirm(f.ctx, "cus_anna", a.ID, "doc_1", "usr_anna"); err != nil || a.Status != agreement.Active || a.SignedDocument != "doc_1" {
			t.Fatalf("confirmed %+v %v", a, err)
		}
		if again, err := f.svc.Confirm(f.ctx, "cus_anna", a.ID, "doc_1", "usr_anna"); err != nil || again.Status != agreement.Active {
			t.Fatalf("confirm retry %+v %v", again, err)
		}
		list, err := f.svc.List(f.ctx, "cus_anna")
		if err != nil || len(list) != 1 || list[0].ID != a.ID {
			t.Fatalf("list %+v %v", list, err)
		}

		// A second active agreement on the same numbers, by Anna or by Bent.
		_, err = f.svc.Create(f.ctx, f.betalingsservice("123456"))
		wantCode(t, err, netbank.ECONFLICT)
		bent := agreement.Request{CustomerID: "cus_bent", UserID: "usr_bent", ClientID: "b1", Kind: agreement.Betalingsservice,
			AccountID: bentSalary, CreditorNumber: orsted, DebtorGroup: debGroup, CustomerNumber: "123456", CreditorName: "Ørsted"}
		_, err = f.svc.Create(f.ctx, bent)
		wantCode(t, err, netbank.ECONFLICT)

		// Validation, in Danish.
		for _, tc := range []struct {
			name string
			mod  func(*agreement.Request)
			want string
		}{
			{"PBS number of 7 digits", func(r *agreement.Request) { r.CreditorNumber = "1234567" }, "PBS-nummeret skal være 8 cifre"},
			{"debtor group of 6 digits", func(r *agreement.Request) { r.DebtorGroup = "123456" }, "Debitorgruppen skal være 5 cifre"},
			{"customer number of 16 digits", func(r *agreement.Request) { r.CustomerNumber = "1234567890123456" }, "Kundenummeret skal være 1-15 cifre"},
			{"letters in the customer number", func(r *agreement.Request) { r.CustomerNumber = "12A" }, "Kundenummeret"},
			{"no creditor name", func(r *agreement.Request) { r.CreditorName = " " }, "kreditors navn"},
			{"another customer's account", func(r *agreement.Request) { r.AccountID = bentSalary }, "Vælg en af dine egne konti"},
			{"a euro account", func(r *agreement.Request) { r.AccountID = annaEUR }, "konto i kroner"},
			{"no kind", func(r *agreement.Request) { r.Kind = "" }, "Vælg Betalingsservice"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := f.betalingsservice("777")
				tc.mod(&r)
				_, err := f.svc.Create(f.ctx, r)
				wantCode(t, err, netbank.EINVALID)
				if !strings.Contains(netbank.ErrorMessageOf(err), tc.want) {
					t.Fatalf("message %q lacks %q", netbank.ErrorMessageOf(err), tc.want)
				}
			})
		}

		// A sign-up never signed lapses with the job and is never listed.
		lapsed, err := f.svc.Create(f.ctx, f.betalingsservice("888"))
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(25 * time.Hour)
		if _, err := f.svc.RunDue(f.ctx, date(2026, 5, 7)); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.svc.Get(f.ctx, "cus_anna", lapsed.ID); got.Status != agreement.Cancelled {
			t.Fatalf("lapsed sign-up %+v", got)
		}
		_, err = f.svc.Confirm(f.ctx, "cus_anna", lapsed.ID, "doc_late", "usr_anna")
		wantCode(t, err, netbank.ECONFLICT)
		if list, _ := f.svc.List(f.ctx, "cus_anna"); len(list) != 1 {
			t.Fatalf("list after the lapse %+v", list)
		}
	})
}

// RULE PAY-8, CAL-1: a creditor's announcement is matched to the active
// agreement (none: a coded not-found "Ingen aftale …"), is idempotent per
// creditor reference, and is due on a future bank day: a Saturday moves to
// Monday; today or a date the customer could no longer reject is refused.
// It shows under the customer's upcoming payments (PAY-3).
func TestAnnounce_PAY8_CAL1(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 5, 6, 10, 0, 0)) // Wednesday
		_, err := f.svc.Announce(f.ctx, announcement("123456", "inv-1", 645_00, date(2026, 5, 11)))
		wantCode(t, err, netbank.ENOTFOUND)
		if !strings.Contains(netbank.ErrorMessageOf(err), "Ingen aftale") {
			t.Fatalf("message %q", netbank.ErrorMessageOf(err))
		}
		a := f.signUp(f.betalingsservice("123456"))

		c := f.announce(announcement("000123456", "inv-1", 645_00, date(2026, 5, 9))) // a Saturday
		if c.AgreementID != a.ID || c.CustomerID != "cus_anna" || !c.DueDate.Equal(date(2026, 5, 11)) ||
			!c.RequestedDueDate.Equal(date(2026, 5, 9)) || c.Status != agreement.Announced || c.CreditorName != "Ørsted Salg & Service A/S" {
			t.Fatalf("announced %+v", c)
		}
		// A retry returns it; the same reference with other content is a conflict.
		if again := f.announce(announcement("123456", "inv-1", 645_00, date(2026, 5, 9))); again.ID != c.ID {
			t.Fatalf("retry made %s, first %s", again.ID, c.ID)
		}
		_, err = f.svc.Announce(f.ctx, announcement("123456", "inv-1", 700_00, date(2026, 5, 9)))
		wantCode(t, err, netbank.ECONFLICT)

		for _, tc := range []struct {
			name string
			due  time.Time
			want string
		}{
			{"today", date(2026, 5, 6), "ikke en fremtidig bankdag"},
			{"yesterday", date(2026, 5, 5), "ikke en fremtidig bankdag"},
			{"too far ahead", date(2027, 8, 2), "højst ligge"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.svc.Announce(f.ctx, announcement("123456", "x-"+tc.name[:3], 1_00, tc.due))
				wantCode(t, err, netbank.EINVALID)
				if !strings.Contains(netbank.ErrorMessageOf(err), tc.want) {
					t.Fatalf("message %q lacks %q", netbank.ErrorMessageOf(err), tc.want)
				}
			})
		}
		// On Saturday a collection due Monday comes too late: the customer
		// could have rejected it only until Friday.
		f.clock.Set(at(2026, 5, 9, 9, 0, 0))
		if again := f.announce(announcement("123456", "inv-1", 645_00, date(2026, 5, 9))); again.ID != c.ID {
			t.Fatalf("a retry after the deadline made %s", again.ID)
		}
		_, err = f.svc.Announce(f.ctx, announcement("123456", "late", 1_00, date(2026, 5, 11)))
		wantCode(t, err, netbank.EINVALID)
		if !strings.Contains(netbank.ErrorMessageOf(err), "08.05.2026") {
			t.Fatalf("message %q", netbank.ErrorMessageOf(err))
		}

		up, err := f.svc.Upcoming(f.ctx, "cus_anna")
		if err != nil || len(up) != 1 || up[0].ID != c.ID {
			t.Fatalf("upcoming %+v %v", up, err)
		}
		if up, _ := f.svc.Upcoming(f.ctx, "cus_bent"); len(up) != 0 {
			t.Fatalf("Bent sees %+v", up)
		}
		// The creditor follows it by its reference, and may withdraw it.
		got, err := f.svc.CreditorCollection(f.ctx, orsted, "inv-1")
		if err != nil || got.ID != c.ID {
			t.Fatalf("creditor's view %+v %v", got, err)
		}
		_, err = f.svc.CreditorCollection(f.ctx, "99999999", "inv-1")
		wantCode(t, err, netbank.ENOTFOUND)
		if w, err := f.svc.Withdraw(f.ctx, orsted, "inv-1"); err != nil || w.Status != agreement.Withdrawn {
			t.Fatalf("withdrawn %+v %v", w, err)
		}
		if up, _ := f.svc.Upcoming(f.ctx, "cus_anna"); len(up) != 0 {
			t.Fatalf("a withdrawn collection is upcoming: %+v", up)
		}
	})
}

// RULE CAL-1, PAY-8: the deadline to reject a collection is the end of the
// bank day before the due date, Copenhagen time.
func TestRejectDeadline_CAL1(t *testing.T) {
	for _, tc := range []struct {
		name     string
		due      time.Time
		deadline time.Time
	}{
		{"Tuesday: until Monday", date(2026, 5, 5), at(2026, 5, 5, 0, 0, 0)},
		{"Monday: until Friday", date(2026, 5, 11), at(2026, 5, 9, 0, 0, 0)},
		{"Monday after the Friday after Ascension: until Wednesday", date(2026, 5, 18), at(2026, 5, 14, 0, 0, 0)},
		{"Tuesday after Whit Monday: until Friday", date(2026, 5, 26), at(2026, 5, 23, 0, 0, 0)},
		{"2 January: until 30 December", date(2027, 1, 4), at(2026, 12, 31, 0, 0, 0)},
		{"summer time does not shift it", date(2026, 3, 30), at(2026, 3, 28, 0, 0, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := agreement.RejectDeadline(tc.due); !got.Equal(tc.deadline) {
				t.Fatalf("deadline %s, want %s", got.In(cph), tc.deadline)
			}
		})
	}
}

// RULE PAY-8, PAY-3, CAL-1: the customer may reject an announced
// collection until Friday 23:59:59 when it is due on Monday, and until the
// Friday before Whitsun when it is due the Tuesday after Whit Monday; a
// second later the bank refuses in Danish. A rejected collection is never
// paid.
func TestRejectCollectionAroundTheDeadline_PAY8_CAL1(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 5, 6, 10, 0, 0))
		f.signUp(f.betalingsservice("123456"))
		first := f.announce(announcement("123456", "w1", 100_00, date(2026, 5, 11)))
		second := f.announce(announcement("123456", "w2", 200_00, date(2026, 5, 11)))
		whitsun1 := f.announce(announcement("123456", "p1", 300_00, date(2026, 5, 26)))
		whitsun2 := f.announce(announcement("123456", "p2", 400_00, date(2026, 5, 26)))

		f.clock.Set(at(2026, 5, 8, 23, 59, 59)) // Friday, the last second
		if !f.collection("cus_anna", first.ID).Rejectable(f.clock.Now()) {
			t.Fatal("not rejectable on Friday evening")
		}
		c, err := f.svc.RejectCollection(f.ctx, "cus_anna", first.ID, "usr_anna")
		if err != nil || c.Status != agreement.Rejected || c.RejectedBy != "usr_anna" {
			t.Fatalf("rejected %+v %v", c, err)
		}
		if again, err := f.svc.RejectCollection(f.ctx, "cus_anna", first.ID, "usr_anna"); err != nil || again.Status != agreement.Rejected {
			t.Fatalf("reject again %+v %v", again, err)
		}
		f.clock.Set(at(2026, 5, 9, 0, 0, 0)) // Saturday
		if f.collection("cus_anna", second.ID).Rejectable(f.clock.Now()) {
			t.Fatal("rejectable on Saturday")
		}
		_, err = f.svc.RejectCollection(f.ctx, "cus_anna", second.ID, "usr_anna")
		wantCode(t, err, netbank.EINVALID)
		if msg := netbank.ErrorMessageOf(err); !strings.Contains(msg, "Fristen for at afvise betalingen udløb ved udgangen af 08.05.2026") {
			t.Fatalf("message %q", msg)
		}

		f.clock.Set(at(2026, 5, 11, 0, 30, 0))
		if _, err := f.svc.RunDue(f.ctx, date(2026, 5, 11)); err != nil {
			t.Fatal(err)
		}

		// Whitsun: due Tuesday 26 May; Whit Monday is no bank day.
		f.clock.Set(at(2026, 5, 22, 23, 59, 59))
		if _, err := f.svc.RejectCollection(f.ctx, "cus_anna", whitsun1.ID, "usr_anna"); err != nil {
			t.Fatalf("reject on the Friday before Whitsun: %v", err)
		}
		f.clock.Set(at(2026, 5, 25, 12, 0, 0)) // Whit Monday
		_, err = f.svc.RejectCollection(f.ctx, "cus_anna", whitsun2.ID, "usr_anna")
		wantCode(t, err, netbank.EINVALID)

		// Only the collections not rejected are paid.
		f.clock.Set(at(2026, 5, 26, 0, 30, 0))
		if _, err := f.svc.RunDue(f.ctx, date(2026, 5, 26)); err != nil {
			t.Fatal(err)
		}
		if got := 10_000_00 - f.posted(annaSalary); got != 200_00+400_00 {
			t.Fatalf("paid %d, want 600,00", got)
		}
		for id, want := range map[string]agreement.CollectionStatus{first.ID: agreement.Rejected, second.ID: agreement.Paid,
			whitsun1.ID: agreement.Rejected, whitsun2.ID: agreement.Paid} {
			if got := f.collection("cus_anna", id).Status; got != want {
				t.Errorf("%s is %s, want %s", id, got, want)
			}
		}
	})
}

// RULE PAY-8, PAY-3, CAL-1: on the due bank day the job pays the
// collection at 00:30, once, even when two instances tick and the job's
// run is run again: one Betalingsservice payment (no signature) debited
// from the agreement's account to the interbank clearing, settled in the
// sum clearing of the next bank day (CAL-1: after Ascension, Monday).
func TestCollectionPaidOnceOnTheDueDay_PAY8(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 5, 11, 12, 0, 0))
		f.signUp(f.betalingsservice("123456"))
		c := f.announce(announcement("123456", "maj-2026", 645_50, date(2026, 5, 13))) // Wednesday before Ascension
		other := f.instance("other")

		f.runUntil(at(2026, 5, 13, 0, 25, 0), 10*time.Minute, f.sched, other)
		if got := f.collection("cus_anna", c.ID); got.Status != agreement.Announced || f.posted(annaSalary) != 10_000_00 {
			t.Fatalf("paid before the due day: %+v", got)
		}
		f.runUntil(at(2026, 5, 13, 0, 40, 0), time.Minute, f.sched, other)
		c = f.collection("cus_anna", c.ID)
		if c.Status != agreement.Paid || c.PaymentID == "" {
			t.Fatalf("after 00:30 %+v", c)
		}
		p, err := f.payments.Get(f.ctx, "cus_anna", c.PaymentID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Kind != payment.Betalingsservice || p.Status != payment.InClearing || p.Clearing != payment.SumClearing ||
			p.ClearingCycle != "2026-05-18T01:30" || p.FromAccount != annaSalary || p.Amount != 645_50 || p.SignedDocument != "" ||
			p.ToName != "Ørsted Salg & Service A/S" || p.Payee() != "Betalingsservice PBS-nr. "+orsted {
			t.Fatalf("payment %+v", p)
		}
		if p.Kind.Danish() != "Betalingsservice" {
			t.Fatalf("kind in Danish %q", p.Kind.Danish())
		}

		// The day's run again, from both instances at once, and the job's
		// run function itself: nothing more is paid.
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := f.svc.RunDue(f.ctx, date(2026, 5, 13)); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		for _, j := range f.svc.Jobs() {
			if err := j.Run(f.ctx, "again", at(2026, 5, 13, 0, 30, 0)); err != nil {
				t.Fatal(err)
			}
		}
		if f.posted(annaSalary) != 10_000_00-645_50 || f.countTransfers("betalingsservice") != 1 {
			t.Fatalf("paid twice: balance %d, %d debits", f.posted(annaSalary), f.countTransfers("betalingsservice"))
		}
		runs, err := f.sched.Runs(f.ctx, agreement.JobName, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			if r.State != scheduler.Done || r.DueAt.In(cph).Hour() != 0 || r.DueAt.In(cph).Minute() != 30 {
				t.Errorf("run %+v", r)
			}
		}
		// The sum clearing settles it on Monday 18 May at 01:30.
		f.runUntil(at(2026, 5, 18, 2, 0, 0), 30*time.Minute, f.sched)
		if p, _ = f.payments.Get(f.ctx, "cus_anna", c.PaymentID); p.Status != payment.Settled || f.posted(clearingAccount) != 0 {
			t.Fatalf("after the sum clearing %+v, clearing %d", p, f.posted(clearingAccount))
		}
		if up, _ := f.svc.Upcoming(f.ctx, "cus_anna"); len(up) != 0 {
			t.Fatalf("a paid collection is upcoming: %+v", up)
		}
	})
}

// RULE PAY-8: a collection the account cannot cover is rejected without
// any ledger effect, and the customer is told (payment's Notify).
func TestCollectionNotCovered_PAY8(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 5, 6, 10, 0, 0))
		bent := agreement.Request{CustomerID: "cus_bent", UserID: "usr_bent", ClientID: "b1", Kind: agreement.Betalingsservice,
			AccountID: bentSalary, CreditorNumber: orsted, DebtorGroup: debGroup, CustomerNumber: "555", CreditorName: "Ørsted"}
		f.signUp(bent)
		c := f.announce(announcement("555", "bent-1", 150_00, date(2026, 5, 7))) // Bent has 100,00 kr.
		f.runUntil(at(2026, 5, 7, 1, 0, 0), 10*time.Minute)
		c = f.collection("cus_bent", c.ID)
		if c.Status != agreement.Failed || !strings.Contains(c.Reason, "ikke dækning") || c.PaymentID == "" {
			t.Fatalf("not covered %+v", c)
		}
		if f.posted(bentSalary) != 100_00 || f.countTransfers("betalingsservice") != 0 {
			t.Fatalf("money moved: %d", f.posted(bentSalary))
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if len(f.notified) != 1 || f.notified[0].ID != c.PaymentID || f.notified[0].Status != payment.Rejected {
			t.Fatalf("notified %+v", f.notified)
		}
	})
}

// RULE PAY-8: cancelling the agreement stops the collections not yet paid
// — at once, and in the job for any that slipped through — and later
// announcements find no agreement.
func TestCancelAgreementCancelsLaterCollections_PAY8(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 5, 6, 10, 0, 0))
		a := f.signUp(f.betalingsservice("123456"))
		paid := f.announce(announcement("123456", "m1", 100_00, date(2026, 5, 7)))
		later := f.announce(announcement("123456", "m2", 200_00, date(2026, 6, 1)))
		f.runUntil(at(2026, 5, 7, 1, 0, 0), 10*time.Minute)
		if got := f.collection("cus_anna", paid.ID); got.Status != agreement.Paid {
			t.Fatalf("first %+v", got)
		}

		_, err := f.svc.Cancel(f.ctx, "cus_bent", a.ID, "usr_bent")
		wantCode(t, err, netbank.ENOTFOUND)
		if a, err = f.svc.Cancel(f.ctx, "cus_anna", a.ID, "usr_anna"); err != nil || a.Status != agreement.Cancelled || a.CancelledBy != "usr_anna" {
			t.Fatalf("cancelled %+v %v", a, err)
		}
		if got := f.collection("cus_anna", later.ID); got.Status != agreement.CollectionCancelled || got.Reason == "" {
			t.Fatalf("later %+v", got)
		}
		if got := f.collection("cus_anna", paid.ID); got.Status != agreement.Paid {
			t.Fatalf("a paid collection changed: %+v", got)
		}
		_, err = f.svc.Announce(f.ctx, announcement("123456", "m3", 300_00, date(2026, 6, 1)))
		wantCode(t, err, netbank.ENOTFOUND)
		list, _ := f.svc.List(f.ctx, "cus_anna")
		if len(list) != 1 || list[0].Status != agreement.Cancelled {
			t.Fatalf("list %+v", list)
		}

		// A collection announced in the moment the agreement was cancelled
		// (put back here by hand) is cancelled by the job, never paid.
		if _, err := db.Exec(f.ctx, "UPDATE agreement_collections SET status = 'announced', reason = '' WHERE id = ?", later.ID); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(at(2026, 6, 1, 0, 30, 0))
		n, err := f.svc.RunDue(f.ctx, date(2026, 6, 1))
		if err != nil || n != 1 {
			t.Fatalf("run %d %v", n, err)
		}
		if got := f.collection("cus_anna", later.ID); got.Status != agreement.CollectionCancelled {
			t.Fatalf("job left %+v", got)
		}
		if f.posted(annaSalary) != 10_000_00-100_00 {
			t.Fatalf("balance %d", f.posted(annaSalary))
		}
	})
}

// RULE PAY-8: a run that died half-way resumes: a collection left
// "collecting" — before or after its payment was made — is paid exactly
// once by the next run.
func TestCollectionResumesAfterACrash_PAY8(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 5, 6, 10, 0, 0))
		f.signUp(f.betalingsservice("123456"))
		before := f.announce(announcement("123456", "c1", 100_00, date(2026, 5, 7)))
		after := f.announce(announcement("123456", "c2", 200_00, date(2026, 5, 7)))
		f.clock.Set(at(2026, 5, 7, 0, 30, 0))

		// Died after marking both collecting; the second's payment was made.
		if _, err := db.Exec(f.ctx, "UPDATE agreement_collections SET status = 'collecting' WHERE id IN (?, ?)", before.ID, after.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.payments.Collect(f.ctx, payment.CollectionRequest{CustomerID: "cus_anna", FromAccount: annaSalary,
			CreditorNumber: orsted, CreditorName: "Ørsted Salg & Service A/S", Amount: 200_00, Text: "BS Ørsted Salg & Service A/S",
			Reference: "bs-" + after.ID, Date: date(2026, 5, 7)}); err != nil {
			t.Fatal(err)
		}
		n, err := f.svc.RunDue(f.ctx, date(2026, 5, 7))
		if err != nil || n != 2 {
			t.Fatalf("resumed %d %v", n, err)
		}
		for _, id := range []string{before.ID, after.ID} {
			if c := f.collection("cus_anna", id); c.Status != agreement.Paid {
				t.Fatalf("%s %+v", id, c)
			}
		}
		if f.posted(annaSalary) != 10_000_00-300_00 || f.countTransfers("betalingsservice") != 2 {
			t.Fatalf("balance %d, %d debits", f.posted(annaSalary), f.countTransfers("betalingsservice"))
		}
	})
}

// RULE PAY-8: a customer can neither see nor reject another customer's
// collection, nor see or cancel their agreement.
func TestCollectionsAreTheCustomers_PAY8(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, at(2026, 5, 6, 10, 0, 0))
		a := f.signUp(f.betalingsservice("123456"))
		c := f.announce(announcement("123456", "s1", 100_00, date(2026, 5, 11)))
		_, err := f.svc.Collection(f.ctx, "cus_bent", c.ID)
		wantCode(t, err, netbank.ENOTFOUND)
		_, err = f.svc.RejectCollection(f.ctx, "cus_bent", c.ID, "usr_bent")
		wantCode(t, err, netbank.ENOTFOUND)
		_, err = f.svc.Get(f.ctx, "cus_bent", a.ID)
		wantCode(t, err, netbank.ENOTFOUND)
		if list, _ := f.svc.List(f.ctx, "cus_bent"); len(list) != 0 {
			t.Fatalf("Bent lists %+v", list)
		}
		if got := f.collection("cus_anna", c.ID); got.Status != agreement.Announced {
			t.Fatalf("Anna's collection changed: %+v", got)
		}
	})
}
