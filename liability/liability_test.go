package liability

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// kroner returns øre.
func kroner(k int64) int64 { return k * 100 }

// TestAssess is the liability table of issue 5: every clause of
// RULES LIAB-1…5, with the facts that trigger it and the ones that must not.
func TestAssess(t *testing.T) {
	tests := []struct {
		name       string
		facts      Facts
		want       int64
		clause     string
		perCard    []int64 // nil: not checked
		reasonHas  string  // "" : not checked
		reasonNone string  // must not appear
	}{
		// LIAB-1: the bank covers, and it must prove the facts against the
		// cardholder; without the PIN used, lapses do not count.
		{name: "LIAB-1 no facts shown", facts: Facts{Loss: kroner(10_000)}, want: 0, clause: "LIAB-1", reasonHas: "Banken dækker tabet"},
		{name: "LIAB-1 late notice and gross negligence without the PIN used", facts: Facts{Loss: kroner(10_000), LateNotice: true, GrossNegligence: true, CodeGivenAway: true}, want: 0, clause: "LIAB-1"},
		{name: "LIAB-1 PIN given away knowingly but not used", facts: Facts{Loss: kroner(10_000), CodeGivenAwayKnowingly: true}, want: 0, clause: "LIAB-1"},
		{name: "LIAB-1 zero loss", facts: Facts{}, want: 0, clause: "LIAB-1"},

		// LIAB-2: PIN used → up to 375 kr.
		{name: "LIAB-2 PIN used, loss above 375 kr.", facts: Facts{Loss: kroner(1_000), PINUsed: true}, want: kroner(375), clause: "LIAB-2", reasonHas: "375,00 kr."},
		{name: "LIAB-2 PIN used, loss below 375 kr.", facts: Facts{Loss: kroner(200), PINUsed: true}, want: kroner(200), clause: "LIAB-2"},
		{name: "LIAB-2 PIN used, loss exactly 375 kr.", facts: Facts{Loss: kroner(375), PINUsed: true}, want: kroner(375), clause: "LIAB-2"},
		{name: "LIAB-2 same-PIN cards blocked together: 375 kr. in total", facts: Facts{Loss: kroner(300), PINUsed: true,
			SamePINCards: []CardLoss{{Loss: kroner(300)}}, SamePINCardsBlockedTogether: true},
			want: kroner(375), clause: "LIAB-2", perCard: []int64{kroner(300), kroner(75)}, reasonHas: "i alt"},
		{name: "LIAB-2 same-PIN cards not blocked together: 375 kr. per card", facts: Facts{Loss: kroner(1_000), PINUsed: true,
			SamePINCards: []CardLoss{{Loss: kroner(100)}, {Loss: kroner(500)}}},
			want: kroner(375 + 100 + 375), clause: "LIAB-2", perCard: []int64{kroner(375), kroner(100), kroner(375)}, reasonHas: "hvert kort"},

		// LIAB-3: PIN used and (a) late notice, (b) code given away without
		// seeing the risk, (c) gross negligence → up to 8.000 kr., the 375
		// kr. included.
		{name: "LIAB-3 (a) late notice", facts: Facts{Loss: kroner(20_000), PINUsed: true, LateNotice: true}, want: kroner(8_000), clause: "LIAB-3", reasonHas: "snarest muligt"},
		{name: "LIAB-3 (b) code given away unknowingly", facts: Facts{Loss: kroner(5_000), PINUsed: true, CodeGivenAway: true}, want: kroner(5_000), clause: "LIAB-3", reasonHas: "uden at indse"},
		{name: "LIAB-3 (c) gross negligence", facts: Facts{Loss: kroner(20_000), PINUsed: true, GrossNegligence: true}, want: kroner(8_000), clause: "LIAB-3", reasonHas: "groft uforsvarlig"},
		{name: "LIAB-3 all grounds: 8.000 kr., never 8.375 kr.", facts: Facts{Loss: kroner(20_000), PINUsed: true, LateNotice: true, CodeGivenAway: true, GrossNegligence: true},
			want: kroner(8_000), clause: "LIAB-3", reasonHas: " og ved groft"},
		{name: "LIAB-3 loss between the caps", facts: Facts{Loss: kroner(8_000) + 1, PINUsed: true, LateNotice: true}, want: kroner(8_000), clause: "LIAB-3"},
		{name: "LIAB-3 same-PIN cards blocked together: 8.000 kr. in total", facts: Facts{Loss: kroner(6_000), PINUsed: true, GrossNegligence: true,
			SamePINCards: []CardLoss{{Loss: kroner(6_000)}}, SamePINCardsBlockedTogether: true},
			want: kroner(8_000), clause: "LIAB-3", perCard: []int64{kroner(6_000), kroner(2_000)}},
		{name: "LIAB-3 same-PIN cards not blocked together: 8.000 kr. per card", facts: Facts{Loss: kroner(6_000), PINUsed: true, GrossNegligence: true,
			SamePINCards: []CardLoss{{Loss: kroner(9_000)}}},
			want: kroner(6_000 + 8_000), clause: "LIAB-3", perCard: []int64{kroner(6_000), kroner(8_000)}},

		// LIAB-4: the whole loss.
		{name: "LIAB-4 PIN given to the misuser knowing the risk", facts: Facts{Loss: kroner(50_000), PINUsed: true, CodeGivenAwayKnowingly: true, CodeGivenAway: true},
			want: kroner(50_000), clause: "LIAB-4", reasonHas: "indså eller burde have indset"},
		{name: "LIAB-4 fraud, PIN not used", facts: Facts{Loss: kroner(50_000), Fraud: true}, want: kroner(50_000), clause: "LIAB-4", reasonHas: "svigagtigt"},
		{name: "LIAB-4 intentional breach of duties", facts: Facts{Loss: kroner(50_000), IntentionalBreach: true}, want: kroner(50_000), clause: "LIAB-4", reasonHas: "forsæt"},
		{name: "LIAB-4 fraud lifts the SCA exemption of LIAB-5", facts: Facts{Loss: kroner(50_000), Fraud: true, SCANotRequired: true}, want: kroner(50_000), clause: "LIAB-4"},
		{name: "LIAB-4 per card, even for same-PIN cards blocked together", facts: Facts{Loss: kroner(30_000), PINUsed: true, CodeGivenAwayKnowingly: true,
			SamePINCards: []CardLoss{{Loss: kroner(20_000)}}, SamePINCardsBlockedTogether: true},
			want: kroner(50_000), clause: "LIAB-4", perCard: []int64{kroner(30_000), kroner(20_000)}, reasonHas: "hvert af kortene"},

		// LIAB-5: no liability.
		{name: "LIAB-5 whole loss after the block notice", facts: Facts{Loss: kroner(1_000), LossAfterBlockNotice: kroner(1_000), PINUsed: true, GrossNegligence: true},
			want: 0, clause: "LIAB-5", reasonHas: "besked om at spærre"},
		{name: "LIAB-5 loss after the block notice set aside, rest under LIAB-2", facts: Facts{Loss: kroner(1_000), LossAfterBlockNotice: kroner(800), PINUsed: true},
			want: kroner(200), clause: "LIAB-2", reasonHas: "800,00 kr."},
		{name: "LIAB-5 loss after the block notice set aside, rest under LIAB-3", facts: Facts{Loss: kroner(30_000), LossAfterBlockNotice: kroner(25_000), PINUsed: true, LateNotice: true},
			want: kroner(5_000), clause: "LIAB-3", reasonHas: "(LIAB-5)"},
		{name: "LIAB-5 loss after the block notice set aside, rest under LIAB-4", facts: Facts{Loss: kroner(30_000), LossAfterBlockNotice: kroner(25_000), Fraud: true},
			want: kroner(5_000), clause: "LIAB-4"},
		{name: "LIAB-5 after-notice loss above the loss counts as the loss", facts: Facts{Loss: kroner(100), LossAfterBlockNotice: kroner(900), PINUsed: true},
			want: 0, clause: "LIAB-5"},
		{name: "LIAB-5 blocking impossible because of the bank", facts: Facts{Loss: kroner(20_000), PINUsed: true, LateNotice: true, BlockingImpossible: true}, want: 0, clause: "LIAB-5", reasonHas: "mulighed for at spærre"},
		{name: "LIAB-5 not detectable beforehand", facts: Facts{Loss: kroner(20_000), PINUsed: true, GrossNegligence: true, NotDetectable: true}, want: 0, clause: "LIAB-5", reasonHas: "kunne ikke opdages"},
		{name: "LIAB-5 caused by the bank's staff", facts: Facts{Loss: kroner(20_000), PINUsed: true, CodeGivenAwayKnowingly: true, StaffFault: true}, want: 0, clause: "LIAB-5", reasonHas: "ansatte"},
		{name: "LIAB-5 payee knew", facts: Facts{Loss: kroner(20_000), PINUsed: true, PayeeKnew: true}, want: 0, clause: "LIAB-5", reasonHas: "Betalingsmodtageren"},
		{name: "LIAB-5 no strong customer authentication required", facts: Facts{Loss: kroner(20_000), PINUsed: true, GrossNegligence: true, SCANotRequired: true}, want: 0, clause: "LIAB-5", reasonHas: "stærk kundeautentifikation"},
		{name: "LIAB-5 not correctly recorded and booked", facts: Facts{Loss: kroner(20_000), PINUsed: true, NotCorrectlyRecorded: true}, want: 0, clause: "LIAB-5", reasonHas: "bogført"},
		{name: "LIAB-5 exemption covers every same-PIN card", facts: Facts{Loss: kroner(1_000), PINUsed: true, PayeeKnew: true,
			SamePINCards: []CardLoss{{Loss: kroner(1_000)}}}, want: 0, clause: "LIAB-5", perCard: []int64{0, 0}},

		// Malformed input never panics and never charges more than the loss.
		{name: "negative loss counts as none", facts: Facts{Loss: -500, PINUsed: true}, want: 0, clause: "LIAB-2"},
		{name: "huge losses do not overflow", facts: Facts{Loss: math.MaxInt64, Fraud: true, SamePINCards: []CardLoss{{Loss: math.MaxInt64}}}, want: math.MaxInt64, clause: "LIAB-4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Assess(tc.facts)
			if got.Amount != tc.want || got.Clause != tc.clause {
				t.Fatalf("Assess = %d øre under %s (%s); want %d øre under %s", got.Amount, got.Clause, got.Reason, tc.want, tc.clause)
			}
			if tc.perCard != nil && !slices.Equal(got.PerCard, tc.perCard) {
				t.Errorf("PerCard = %v, want %v", got.PerCard, tc.perCard)
			}
			if len(got.PerCard) != 1+len(tc.facts.SamePINCards) {
				t.Errorf("PerCard has %d entries, want %d", len(got.PerCard), 1+len(tc.facts.SamePINCards))
			}
			var sum int64
			for _, p := range got.PerCard {
				sum += p
			}
			if sum != got.Amount && got.Amount != math.MaxInt64 {
				t.Errorf("PerCard %v sums to %d, Amount is %d", got.PerCard, sum, got.Amount)
			}
			if got.Reason == "" || !strings.HasSuffix(got.Reason, ".") {
				t.Errorf("Reason %q: want a Danish sentence", got.Reason)
			}
			if tc.reasonHas != "" && !strings.Contains(got.Reason, tc.reasonHas) {
				t.Errorf("Reason %q does not contain %q", got.Reason, tc.reasonHas)
			}
		})
	}
}

// RULE LIAB-3: "Din samlede hæftelse kan ikke overstige 8.000 kr." — for
// every loss the amount is min(loss, cap) and never above the loss.
func TestAssessNeverAboveLossOrCap_LIAB2_LIAB3(t *testing.T) {
	for _, loss := range []int64{0, 1, kroner(374), kroner(375), kroner(376), kroner(7_999), kroner(8_000), kroner(8_001), kroner(1_000_000)} {
		p := Assess(Facts{Loss: loss, PINUsed: true})
		if p.Amount != min(loss, PINCap) {
			t.Errorf("LIAB-2 loss %d: amount %d, want %d", loss, p.Amount, min(loss, PINCap))
		}
		e := Assess(Facts{Loss: loss, PINUsed: true, LateNotice: true, GrossNegligence: true})
		if e.Amount != min(loss, ExtendedCap) {
			t.Errorf("LIAB-3 loss %d: amount %d, want %d", loss, e.Amount, min(loss, ExtendedCap))
		}
	}
}
