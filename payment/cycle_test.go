package payment_test

import (
	"testing"
	"time"

	"github.com/netbank/netbank/payment"
)

// RULE CAL-1: the clearing cycles run on bank days only; a transfer waits
// for the next intraday cycle, a payment slip for the sum clearing of the
// next bank day.
func TestCycles(t *testing.T) {
	for _, tc := range []struct {
		name           string
		debit          time.Time
		intraday, slip string
	}{
		{"Monday night", at(2026, 5, 11, 0, 10), "2026-05-11T01:30", "2026-05-12T01:30"},
		{"Monday 09:00 sharp waits for 12:00", at(2026, 5, 11, 9, 0), "2026-05-11T12:00", "2026-05-12T01:30"},
		{"Monday 09:30", at(2026, 5, 11, 9, 30), "2026-05-11T12:00", "2026-05-12T01:30"},
		{"Monday 13:59", at(2026, 5, 11, 13, 59), "2026-05-11T14:00", "2026-05-12T01:30"},
		{"Wednesday before Ascension, 14:30", at(2026, 5, 13, 14, 30), "2026-05-18T01:30", "2026-05-18T01:30"},
		{"Friday after Ascension", at(2026, 5, 15, 10, 0), "2026-05-18T01:30", "2026-05-18T01:30"},
		{"Saturday before Whit Monday", at(2026, 5, 23, 10, 0), "2026-05-26T01:30", "2026-05-26T01:30"},
		{"Christmas Eve", at(2026, 12, 24, 10, 0), "2026-12-28T01:30", "2026-12-28T01:30"},
		{"New Year's Eve, winter time", at(2026, 12, 31, 23, 59), "2027-01-04T01:30", "2027-01-04T01:30"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := payment.CycleKey(payment.NextIntradayCycle(tc.debit)); got != tc.intraday {
				t.Errorf("intraday %s, want %s", got, tc.intraday)
			}
			if got := payment.CycleKey(payment.SumClearingCycle(tc.debit)); got != tc.slip {
				t.Errorf("sum clearing %s, want %s", got, tc.slip)
			}
		})
	}
}

// The planner finds the 01:30 cycle also when the window it is given lies
// between Copenhagen midnight and UTC midnight (a tick every 15 minutes).
func TestPlanCyclesNarrowWindow(t *testing.T) {
	got := payment.PlanCycles(at(2026, 5, 12, 1, 22), at(2026, 5, 12, 1, 37))
	if len(got) != 1 || got[0].Key != "2026-05-12T01:30" || !got[0].DueAt.Equal(at(2026, 5, 12, 1, 30)) {
		t.Fatalf("planned %+v", got)
	}
	week := payment.PlanCycles(at(2026, 5, 10, 0, 0), at(2026, 5, 17, 0, 0)) // Ascension week: 3 bank days
	if len(week) != 12 {
		t.Fatalf("%d cycles in Ascension week: %+v", len(week), week)
	}
	hours := payment.Hourly(5)(at(2026, 10, 25, 1, 0), at(2026, 10, 25, 4, 0)) // the night summer time ends
	if len(hours) != 4 {
		t.Fatalf("hourly across the DST change: %+v", hours)
	}
}
