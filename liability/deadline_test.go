package liability

import (
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/calendar"
)

// cph returns a wall-clock time in Copenhagen.
func cph(y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, copenhagen)
}

// TestCheckDeadline proves each dispute deadline on both sides of its
// limit: the last second of the last day is in time, the first second of
// the next day (Copenhagen) is late.
func TestCheckDeadline(t *testing.T) {
	tests := []struct {
		name    string
		c       Case
		debit   time.Time
		aware   time.Time
		filed   time.Time
		late    bool
		message string // part of the Danish error when late
	}{
		// RULE DISP-1: 8 weeks after the debit. Debit Mon 3 March 2025 →
		// last day Mon 28 April 2025.
		{name: "DISP-1 on the last day", c: UnknownAmount, debit: cph(2025, 3, 3, 10, 0, 0), filed: cph(2025, 4, 28, 23, 59, 59)},
		{name: "DISP-1 the day after", c: UnknownAmount, debit: cph(2025, 3, 3, 10, 0, 0), filed: cph(2025, 4, 29, 0, 0, 0), late: true, message: "8 uger"},
		{name: "DISP-1 same day as the debit", c: UnknownAmount, debit: cph(2025, 3, 3, 10, 0, 0), filed: cph(2025, 3, 3, 10, 0, 0)},
		// A debit at 00:30 Copenhagen time (23:30 UTC the day before)
		// counts from its Danish date.
		{name: "DISP-1 debit just after midnight in Copenhagen, last day", c: UnknownAmount, debit: time.Date(2025, 3, 2, 23, 30, 0, 0, time.UTC), filed: cph(2025, 4, 28, 23, 59, 59)},
		{name: "DISP-1 debit just after midnight in Copenhagen, day after", c: UnknownAmount, debit: time.Date(2025, 3, 2, 23, 30, 0, 0, time.UTC), filed: cph(2025, 4, 29, 0, 0, 0), late: true},

		// RULE DISP-2: 14 days after becoming aware.
		{name: "DISP-2 14th day after becoming aware", c: DistancePurchase, debit: cph(2025, 6, 1, 12, 0, 0), aware: cph(2025, 6, 10, 9, 0, 0), filed: cph(2025, 6, 24, 23, 59, 59)},
		{name: "DISP-2 15th day after becoming aware", c: DistancePurchase, debit: cph(2025, 6, 1, 12, 0, 0), aware: cph(2025, 6, 10, 9, 0, 0), filed: cph(2025, 6, 25, 0, 0, 0), late: true, message: "14 dage"},
		{name: "DISP-2 awareness unknown counts from the debit, in time", c: DistancePurchase, debit: cph(2025, 6, 1, 12, 0, 0), filed: cph(2025, 6, 15, 23, 59, 59)},
		{name: "DISP-2 awareness unknown counts from the debit, late", c: DistancePurchase, debit: cph(2025, 6, 1, 12, 0, 0), filed: cph(2025, 6, 16, 0, 0, 0), late: true},
		{name: "DISP-2 awareness before the debit counts from the debit", c: DistancePurchase, debit: cph(2025, 6, 1, 12, 0, 0), aware: cph(2025, 5, 20, 12, 0, 0), filed: cph(2025, 6, 15, 23, 59, 59)},
		{name: "DISP-2 long after the debit but soon after becoming aware", c: DistancePurchase, debit: cph(2025, 1, 5, 12, 0, 0), aware: cph(2025, 6, 10, 9, 0, 0), filed: cph(2025, 6, 12, 9, 0, 0)},

		// RULE DISP-3: 13 months after the debit.
		{name: "DISP-3 last day", c: NotApproved, debit: cph(2025, 3, 15, 8, 0, 0), filed: cph(2026, 4, 15, 23, 59, 59)},
		{name: "DISP-3 day after", c: NotApproved, debit: cph(2025, 3, 15, 8, 0, 0), filed: cph(2026, 4, 16, 0, 0, 0), late: true, message: "13 måneder"},
		{name: "DISP-3 from 31 January: last day of February", c: NotApproved, debit: cph(2024, 1, 31, 8, 0, 0), filed: cph(2025, 2, 28, 23, 59, 59)},
		{name: "DISP-3 from 31 January: 1 March is late", c: NotApproved, debit: cph(2024, 1, 31, 8, 0, 0), filed: cph(2025, 3, 1, 0, 0, 0), late: true, message: "28.02.2025"},
		{name: "DISP-3 from 29 February (leap day)", c: NotApproved, debit: cph(2024, 2, 29, 8, 0, 0), filed: cph(2025, 3, 29, 23, 59, 59)},
		{name: "DISP-3 from 29 February, day after", c: NotApproved, debit: cph(2024, 2, 29, 8, 0, 0), filed: cph(2025, 3, 30, 0, 0, 0), late: true},

		// Not a deadline question, but refused all the same.
		{name: "filed before the debit", c: NotApproved, debit: cph(2025, 3, 15, 8, 0, 0), filed: cph(2025, 3, 15, 7, 59, 59), late: true, message: "før beløbet er trukket"},
		{name: "unknown case", c: Case("other"), debit: cph(2025, 3, 15, 8, 0, 0), filed: cph(2025, 3, 16, 8, 0, 0), late: true, message: "type indsigelse"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckDeadline(tc.c, tc.debit, tc.aware, tc.filed)
			if !tc.late {
				if err != nil {
					t.Fatalf("CheckDeadline = %v, want in time (deadline %s)", err, DisputeDeadline(tc.c, tc.debit, tc.aware))
				}
				return
			}
			if netbank.ErrorCodeOf(err) != netbank.EINVALID {
				t.Fatalf("CheckDeadline = %v, want an EINVALID refusal (deadline %s)", err, DisputeDeadline(tc.c, tc.debit, tc.aware))
			}
			if !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("CheckDeadline message %q does not contain %q", netbank.ErrorMessageOf(err), tc.message)
			}
		})
	}
}

func TestDisputeLastDayAndDeadline(t *testing.T) {
	debit := cph(2025, 2, 1, 15, 0, 0) // DISP-3: last day 1 March 2026
	if got := DisputeLastDay(NotApproved, debit, time.Time{}); !got.Equal(calendar.Date(2026, 3, 1)) {
		t.Errorf("DISP-3 last day = %s, want 2026-03-01", got)
	}
	// A last day on which daylight saving time starts the night after: the
	// deadline is midnight Copenhagen time (CET, UTC+1).
	d := DisputeDeadline(UnknownAmount, cph(2025, 2, 1, 12, 0, 0), time.Time{}) // last day 29 March 2025
	if want := time.Date(2025, 3, 29, 23, 0, 0, 0, time.UTC); !d.Equal(want) {
		t.Errorf("DISP-1 deadline = %s, want %s (midnight after 29.03.2025 in Copenhagen)", d.UTC(), want)
	}
	// In summer time the same midnight is 22:00 UTC.
	d = DisputeDeadline(DistancePurchase, cph(2025, 7, 1, 12, 0, 0), time.Time{}) // last day 15 July 2025
	if want := time.Date(2025, 7, 15, 22, 0, 0, 0, time.UTC); !d.Equal(want) {
		t.Errorf("DISP-2 deadline = %s, want %s", d.UTC(), want)
	}
	// The last day is not moved off weekends or holidays: 8 weeks after
	// Saturday 1 March 2025 is Saturday 26 April 2025.
	if got := DisputeLastDay(UnknownAmount, cph(2025, 3, 1, 12, 0, 0), time.Time{}); !got.Equal(calendar.Date(2025, 4, 26)) {
		t.Errorf("DISP-1 last day = %s, want 2025-04-26 (a Saturday, not moved)", got)
	}
	if !DisputeDeadline(Case("x"), debit, debit).IsZero() || !DisputeLastDay(Case("x"), debit, debit).IsZero() {
		t.Error("an unknown case has a deadline")
	}
}

// RULE DISP-2: the cardholder must first have tried the merchant.
func TestCheckMerchantContacted_DISP2(t *testing.T) {
	if err := CheckMerchantContacted(DistancePurchase, false); netbank.ErrorCodeOf(err) != netbank.EINVALID {
		t.Errorf("distance purchase without contacting the merchant: err = %v, want EINVALID", err)
	}
	if err := CheckMerchantContacted(DistancePurchase, true); err != nil {
		t.Errorf("distance purchase with the merchant contacted: err = %v", err)
	}
	for _, c := range []Case{UnknownAmount, NotApproved} {
		if err := CheckMerchantContacted(c, false); err != nil {
			t.Errorf("%s: err = %v; only DISP-2 needs the merchant contacted", c.Rule(), err)
		}
	}
}

func TestCaseNames(t *testing.T) {
	for c, rule := range map[Case]string{UnknownAmount: "DISP-1", DistancePurchase: "DISP-2", NotApproved: "DISP-3"} {
		if !c.Valid() || c.Rule() != rule || c.Danish() == "" {
			t.Errorf("%q: Valid %v, Rule %q, Danish %q", c, c.Valid(), c.Rule(), c.Danish())
		}
	}
	if Case("").Valid() || Case("x").Rule() != "" || Case("x").Danish() != "" {
		t.Error("an unknown case looks known")
	}
}
