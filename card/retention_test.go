package card_test

// The retention jobs (card/jobs.go) on both engines with a moved clock:
// DeleteOldTransactions deletes every kind of card transaction data of
// RULE CARD-20 — authorizations, Visa Secure authentications, SMS and
// decided disputes — older than the current year + 5 years, on both
// sides of the cutoff; MinimizeVisaSecureData removes the one-time codes,
// the code and CAVV hashes and the SMS as soon as they are no longer
// needed (data minimisation), on both sides of each limit. The ledger's
// invariants are checked after every test (newFixture).

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/liability"
	"github.com/netbank/netbank/store"
)

// count counts the rows of a table matching a condition.
func count(t *testing.T, f *fixture, table, where string, args ...any) int {
	t.Helper()
	var n int
	if err := f.db.QueryRow(f.ctx, "SELECT COUNT(*) FROM "+table+" WHERE "+where, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// ids lists the ids of a table's rows, ordered.
func ids(t *testing.T, f *fixture, table string) string {
	t.Helper()
	rows, err := f.db.Query(f.ctx, "SELECT id FROM "+table+" ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return strings.Join(out, ",")
}

// sorted joins ids in the order ids lists them.
func sorted(list ...string) string { return strings.Join(slices.Sorted(slices.Values(list)), ",") }

// retentionAudit lists the audit entries of the retention jobs.
func retentionAudit(t *testing.T, f *fixture) []audit.Entry {
	t.Helper()
	list, err := f.db.Audit().List(f.ctx, audit.Filter{Action: card.ActionRetention})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestDeleteOldTransactionsCoversAllCardData_CARD20: in November 2026 the
// cutoff is 1 January 2021 (Danish time). What was made on 31 December
// 2020 at 23:59:59 — authorizations, a Visa Secure authentication and its
// SMS, a decided dispute — is deleted; what was made at 00:00:00 on 1
// January 2021 stays, and so does a dispute from 2020 that is still open.
// A second run deletes nothing; every deletion is audited with its count
// and no card data.
func TestDeleteOldTransactionsCoversAllCardData_CARD20(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newDisputeFixture(t, db, at(2020, 12, 31, 23, 50))
		acs := newACS(t, f.fixture, card.VisaSecureConfig{})
		iss := f.active()
		notMe := func(a card.Authorization) card.DisputeRequest {
			return card.DisputeRequest{AuthorizationID: a.ID, Case: liability.NotApproved, Description: "Ikke mig."}
		}

		// Old: the last seconds of 2020.
		f.clock.Set(time.Date(2020, 12, 31, 23, 59, 50, 0, cph))
		oldDecided, oldOpen := f.buy(iss, 200_00), f.buy(iss, 300_00)
		oldVSA, _ := authenticate(t, f.fixture, acs, challenge(iss.PAN))
		decided := f.decide(f.open(anna, notMe(oldDecided)).ID, card.Decision{Founded: true})
		open := f.open(anna, notMe(oldOpen))
		if now := f.clock.Now(); !now.Before(at(2021, 1, 1, 0, 0)) {
			t.Fatalf("the old data reached %s", now.In(cph))
		}

		// New: from the first second of 2021 (f.buy moves the clock a second first).
		f.clock.Set(time.Date(2020, 12, 31, 23, 59, 59, 0, cph))
		newer := f.buy(iss, 400_00)
		if !newer.CreatedAt.Equal(at(2021, 1, 1, 0, 0)) {
			t.Fatalf("the new purchase is from %s", newer.CreatedAt.In(cph))
		}
		newVSA, _ := authenticate(t, f.fixture, acs, challenge(iss.PAN))
		newDecided := f.decide(f.open(anna, notMe(newer)).ID, card.Decision{Founded: true})
		keptAuths := sorted(newer.ID)
		if got := count(t, f.fixture, "card_authorizations", "created_at >= ?", at(2021, 1, 1, 0, 0).UnixMicro()); got != 1 {
			t.Fatalf("%d authorizations from 2021", got)
		}

		f.clock.Set(at(2026, 11, 21, 4, 10)) // the job's hour
		n, err := f.svc.DeleteOldTransactions(f.ctx)
		// 2 authorizations, 1 authentication, 1 SMS, 1 decided dispute.
		if err != nil || n != 5 {
			t.Fatalf("deleted %d rows (%v), want 5", n, err)
		}
		if got := ids(t, f.fixture, "card_authorizations"); got != keptAuths {
			t.Errorf("authorizations left %s, want %s", got, keptAuths)
		}
		if got := ids(t, f.fixture, "visa_secure_authentications"); got != newVSA.ID {
			t.Errorf("authentications left %s, want %s (not %s)", got, newVSA.ID, oldVSA.ID)
		}
		if got := count(t, f.fixture, "sms_outbox", "reference = ?", newVSA.ID); got != 1 || count(t, f.fixture, "sms_outbox", "1 = 1") != 1 {
			t.Errorf("SMS left: %s", ids(t, f.fixture, "sms_outbox"))
		}
		if got, want := ids(t, f.fixture, "card_disputes"), sorted(open.ID, newDecided.ID); got != want {
			t.Errorf("disputes left %s, want %s (the decided %s of 2020 deleted)", got, want, decided.ID)
		}
		if d, err := f.disputes.Get(f.ctx, anna, open.ID); err != nil || d.Status != card.DisputeOpen {
			t.Errorf("the open dispute of 2020: %+v %v", d, err)
		}

		entries := retentionAudit(t, f.fixture)
		tables := map[string]string{}
		for _, e := range entries {
			tables[e.Subject] = e.Details["rows"]
			for k, v := range e.Details {
				if strings.Contains(v, iss.PAN) || strings.Contains(v, iss.Card.Last4+" ") || k == "pan" {
					t.Errorf("audit detail %s=%q holds card data", k, v)
				}
			}
		}
		want := map[string]string{"card_authorizations": "2", "visa_secure_authentications": "1", "sms_outbox": "1", "card_disputes": "1"}
		for k, v := range want {
			if tables[k] != v {
				t.Errorf("audit of %s: %q rows, want %s (%v)", k, tables[k], v, tables)
			}
		}
		if n, err := f.svc.DeleteOldTransactions(f.ctx); err != nil || n != 0 {
			t.Fatalf("a second run deleted %d (%v)", n, err)
		}
		if got := len(retentionAudit(t, f.fixture)); got != len(entries) {
			t.Errorf("a run that deleted nothing wrote %d audit entries", got-len(entries))
		}
	})
}

// TestMinimizeVisaSecureData_CARD11: a one-time code stays readable in the
// SMS while it can be used and is replaced by ****** the second after it
// expired, the merchant and the amount staying; the code and CAVV hashes
// stay while the authentication can be completed or its CAVV used (a
// second before the limit the CAVV still authorizes) and are blanked
// after; the SMS goes 30 days after it was written, while the
// authentication — card, amount, merchant, when approved — stays as the
// proof of strong customer authentication (LIAB-5). The job runs daily
// through the scheduler.
func TestMinimizeVisaSecureData_CARD11(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, authStart)
		acs := newACS(t, f, card.VisaSecureConfig{})
		iss := f.active()
		start := f.clock.Now()
		a, err := acs.StartAuthentication(f.ctx, challenge(iss.PAN))
		if err != nil {
			t.Fatal(err)
		}
		sms, code := smsOf(t, f, acs, a.ID)
		run := func(want int) {
			t.Helper()
			if n, err := f.svc.MinimizeVisaSecureData(f.ctx); err != nil || n != want {
				t.Fatalf("at +%s: changed %d rows (%v), want %d", f.clock.Now().Sub(start), n, err, want)
			}
		}
		text := func() string {
			t.Helper()
			out, err := acs.Outbox(f.ctx, 10)
			if err != nil || len(out) != 1 {
				t.Fatalf("outbox %+v %v", out, err)
			}
			return out[0].Text
		}
		hashes := func() (string, string) {
			t.Helper()
			var c, v string
			if err := db.QueryRow(f.ctx, "SELECT code_hash, cavv_hash FROM visa_secure_authentications WHERE id = ?", a.ID).Scan(&c, &v); err != nil {
				t.Fatal(err)
			}
			return c, v
		}

		// The code, typed at the last second it holds.
		f.clock.Set(start.Add(card.CodeValidity - time.Second))
		run(0)
		if text() != sms.Text {
			t.Fatalf("the code was removed while it could be used: %q", text())
		}
		cavv, err := acs.CompleteAuthentication(f.ctx, merchKey, a.ID, code)
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Set(start.Add(card.CodeValidity + time.Second))
		run(1)
		want := "Kode " + card.RedactedCode + " til køb hos Boghandlen ApS på 100,00 kr. Del aldrig koden."
		if got := text(); got != want || strings.Contains(got, code) || card.RedactSMSCode(sms.Text) != want {
			t.Fatalf("the SMS after the code expired: %q, want %q", got, want)
		}

		// The CAVV holds until 30 minutes after the code: the hashes stay.
		f.clock.Set(start.Add(card.VisaSecureSecretLifetime - 2*time.Second))
		run(0)
		if c, v := hashes(); c == "" || v == "" {
			t.Fatal("the hashes went while the CAVV could be used")
		}
		if !acs.Verify(f.ctx, iss.PAN, 100_00, "DKK", shopA, cavv) {
			t.Fatal("the CAVV does not hold at its last second")
		}
		f.clock.Set(start.Add(card.VisaSecureSecretLifetime + time.Second))
		run(1)
		if c, v := hashes(); c != "" || v != "" {
			t.Fatalf("hashes %q %q after the authentication ended", c, v)
		}

		// The SMS goes after 30 days; the authentication's facts stay.
		f.clock.Set(start.Add(card.SMSRetention - time.Second))
		run(0)
		f.clock.Set(start.Add(card.SMSRetention + time.Second))
		run(1)
		if out, err := acs.Outbox(f.ctx, 10); err != nil || len(out) != 0 {
			t.Fatalf("outbox after 30 days %+v %v", out, err)
		}
		var amount int64
		var merchant, status string
		var completed int64
		if err := db.QueryRow(f.ctx, "SELECT amount, merchant_name, status, completed_at FROM visa_secure_authentications WHERE id = ?", a.ID).
			Scan(&amount, &merchant, &status, &completed); err != nil || amount != 100_00 || merchant != shopAName ||
			status != string(card.CAVVUsed) || completed == 0 {
			t.Fatalf("the authentication's facts: %d %q %q %d (%v)", amount, merchant, status, completed, err)
		}
		run(0)
		subjects := map[string]bool{}
		for _, e := range retentionAudit(t, f) {
			subjects[e.Subject] = true
			for _, v := range e.Details {
				if strings.Contains(v, code) && len(v) > len(code) {
					t.Errorf("audit detail %q holds the code", v)
				}
			}
		}
		for _, s := range []string{"sms_outbox.codes", "visa_secure_authentications.secrets", "sms_outbox"} {
			if !subjects[s] {
				t.Errorf("no audit entry for %s (%v)", s, subjects)
			}
		}

		// Through the scheduler: the day's run at 04:20 removes the code of
		// an SMS sent the evening before.
		f.clock.Set(at(2026, 6, 1, 21, 0))
		b, err := acs.StartAuthentication(f.ctx, challenge(iss.PAN))
		if err != nil {
			t.Fatal(err)
		}
		sched := newScheduler(f)
		f.clock.Set(at(2026, 6, 2, 4, 30))
		if _, err := sched.Tick(f.ctx); err != nil {
			t.Fatal(err)
		}
		out, err := acs.Outbox(f.ctx, 10)
		if err != nil || len(out) != 1 || out[0].Reference != b.ID || !strings.HasPrefix(out[0].Text, "Kode "+card.RedactedCode+" ") {
			t.Errorf("after the night's job the outbox holds %+v (%v)", out, err)
		}
	})
}
