package app_test

// The card retention jobs as the bank runs them (issue 5, RULES CARD-20
// and CARD-11): the demo bank's scheduler, on both engines and a moved
// clock, removes a Visa Secure code from its SMS the night after, and
// deletes the card data of 2026 — the authorization, the Visa Secure
// authentication and its SMS — once 2026 is more than five years past.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/cardsec"
	"github.com/netbank/netbank/demo"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/scheduler"
)

// cardTableRows counts a table's rows.
func cardTableRows(t *testing.T, a *app.App, table string) int {
	t.Helper()
	var n int
	if err := a.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// cardJobDone reports whether a job's newest run is done.
func cardJobDone(t *testing.T, a *app.App, job string) bool {
	t.Helper()
	runs, err := a.Scheduler.Runs(context.Background(), job, 1)
	if err != nil {
		t.Fatal(err)
	}
	return len(runs) == 1 && runs[0].State == "done"
}

// TestCardRetentionJobsRunInTheBank_CARD20: a purchase with the good demo
// card and a Visa Secure authentication on Saturday 21 November 2026; the
// night's run at 04:20 replaces the code in the SMS (CARD-11, data
// minimisation); in January 2032 the retention run at 04:10 deletes the
// authorization, the authentication and the SMS of 2026 (CARD-20: the
// current year + 5 years), and the ledger still adds up.
func TestCardRetentionJobsRunInTheBank_CARD20(t *testing.T) {
	for _, e := range bankEngines {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			clock := testkit.NewClock(time.Date(2026, 11, 21, 13, 0, 0, 0, time.UTC))
			cfg := e.config(t)
			cfg.Demo, cfg.Clock = true, clock
			a := mustNew(t, cfg)
			creds, err := demo.ReadCredentials(cfg.DataDir)
			if err != nil {
				t.Fatal(err)
			}
			good := creds.Cards[0]
			zpk, err := cardsec.ParseKey(creds.ZPK)
			if err != nil {
				t.Fatal(err)
			}
			pinBlock, err := cardsec.EncodePINBlock(good.PIN, good.PAN, zpk)
			if err != nil {
				t.Fatal(err)
			}
			now := clock.Now()
			resp := a.Authorizer.Authorize(ctx, card.AuthRequest{MTI: card.MsgAuthorization, PAN: good.PAN, ProcessingCode: "000000",
				Amount: 89_95, Currency: "208", TransmissionTime: now.Format("0102150405"), STAN: "000001", Expiry: good.Expiry,
				MCC: "5411", POSEntryMode: "051", POSCondition: "00", RRN: "000000000001", TerminalID: "TERM0001",
				MerchantID: "MERCHANT0000001", MerchantName: "Netto Vesterbro", MerchantCity: "Koebenhavn", MerchantCountry: "DK",
				PINBlock: pinBlock})
			if resp.Code != card.CodeApproved {
				t.Fatalf("the purchase answered %s", resp.Code)
			}
			if _, err := a.VisaSecure.StartAuthentication(ctx, card.Challenge{PAN: good.PAN, Amount: 499_00,
				MerchantID: "MERCHANT0000001", MerchantName: "Elgiganten Online", Requester: "apk_test"}); err != nil {
				t.Fatal(err)
			}
			text := func() string {
				t.Helper()
				out, err := a.VisaSecure.Outbox(ctx, 10)
				if err != nil || len(out) != 1 {
					t.Fatalf("outbox %+v %v", out, err)
				}
				return out[0].Text
			}
			if !strings.HasPrefix(text(), "Kode ") || strings.HasPrefix(text(), "Kode "+card.RedactedCode) {
				t.Fatalf("the SMS before the night: %q", text())
			}

			// The night's run.
			clock.Set(time.Date(2026, 11, 22, 3, 30, 0, 0, time.UTC)) // 04:30 in Copenhagen
			if _, err := a.Scheduler.Tick(ctx); err != nil {
				t.Fatal(err)
			}
			if !cardJobDone(t, a, card.JobVisaSecureRetention) || !strings.HasPrefix(text(), "Kode "+card.RedactedCode+" til køb hos Elgiganten Online") {
				t.Fatalf("after the night's run the SMS reads %q", text())
			}
			for _, table := range []string{"card_authorizations", "visa_secure_authentications"} {
				if n := cardTableRows(t, a, table); n != 1 {
					t.Fatalf("%d rows in %s the day after, want 1", n, table)
				}
			}

			// January 2032, the bank started again (a scheduler that plans
			// from now, not five years of runs since the last tick): 2026 is
			// past the current year + 5 years.
			clock.Set(time.Date(2032, 1, 2, 3, 30, 0, 0, time.UTC))
			restarted := scheduler.New(a.DB.Scheduler(), scheduler.Config{Clock: clock, Owner: "restarted", Logger: quietLogger()})
			a.Cards.RegisterJobs(restarted)
			if _, err := restarted.Tick(ctx); err != nil {
				t.Fatal(err)
			}
			if !cardJobDone(t, a, card.JobRetention) {
				t.Fatal("the retention job did not run")
			}
			for _, table := range []string{"card_authorizations", "visa_secure_authentications", "sms_outbox"} {
				if n := cardTableRows(t, a, table); n != 0 {
					t.Errorf("%d rows left in %s in 2032", n, table)
				}
			}
			if rep, err := a.Ledger.Check(ctx); err != nil || !rep.OK() {
				t.Errorf("ledger check: %v %v", rep.Violations, err)
			}
		})
	}
}
