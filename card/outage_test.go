package card_test

import (
	"context"
	"testing"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/iso8583"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/store"
)

// lostAnswerLedger is a ledger whose first call fails with EUNAVAILABLE
// as the database goes away at the worst moment: after commit (the
// transfers took effect, the answer was lost) or before (they did not —
// yet: a batch still queued may land later, which the test plays by
// sending the same transfers after the answer).
type lostAnswerLedger struct {
	card.AuthLedger
	committed bool // the lost call took effect
	lost      []ledger.TransferRequest
}

var errGone = netbank.Errorf(netbank.EUNAVAILABLE, "database unavailable")

func (l *lostAnswerLedger) Transfer(ctx context.Context, r ledger.TransferRequest) (ledger.Transfer, error) {
	out, err := l.TransferLinked(ctx, []ledger.TransferRequest{r})
	if err != nil {
		return ledger.Transfer{}, err
	}
	return out[0], nil
}

func (l *lostAnswerLedger) TransferLinked(ctx context.Context, reqs []ledger.TransferRequest) ([]ledger.Transfer, error) {
	if l.lost != nil {
		return l.AuthLedger.TransferLinked(ctx, reqs)
	}
	l.lost = reqs
	if l.committed {
		if _, err := l.AuthLedger.TransferLinked(ctx, reqs); err != nil {
			return nil, err
		}
	}
	return nil, errGone
}

// TestLostLedgerAnswerMovesNoMoney: the card network is answered 96 when
// the ledger call fails with the database unavailable, and no money stays
// moved whether the call took effect, did not, or lands late: a hold
// (0100) and a debit (0200) alike. A retry of the request gets the same 96
// and moves nothing either (issue 6: nothing half-done in an outage).
func TestLostLedgerAnswerMovesNoMoney(t *testing.T) {
	for _, tc := range []struct {
		name      string
		committed bool
		late      bool
		opts      []func(*iso8583.Request)
	}{
		{"hold committed", true, false, nil},
		{"hold not committed", false, false, nil},
		{"hold landing late", false, true, nil},
		{"debit committed", true, false, []func(*iso8583.Request){cashAtATM}},
		{"debit landing late", false, true, []func(*iso8583.Request){cashAtATM}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
				l := &lostAnswerLedger{committed: tc.committed}
				f := newAuthFixture(t, db, authStart, func(c *card.AuthConfig) {
					l.AuthLedger = c.Ledger
					c.Ledger = l
				})
				iss := f.active()
				before := f.balance(annaAcc)
				r := app.AuthRequest(f.request(iss, 100_00, tc.opts...))
				if resp := f.auth.Authorize(f.ctx, r); resp.Code != card.CodeSystemError {
					t.Fatalf("answer %+v, want 96", resp)
				}
				if l.lost == nil {
					t.Fatal("the engine never called the ledger")
				}
				if tc.late {
					if _, err := f.ledger.TransferLinked(f.ctx, l.lost); err != nil {
						t.Fatalf("the late batch: %v", err)
					}
				}
				if b := f.balance(annaAcc); b != before {
					t.Errorf("balance %+v after a 96, want %+v", b, before)
				}
				if resp := f.auth.Authorize(f.ctx, r); resp.Code != card.CodeSystemError {
					t.Errorf("the retry answered %+v, want the stored 96", resp)
				}
				if b := f.balance(annaAcc); b != before {
					t.Errorf("balance %+v after the retry, want %+v", b, before)
				}
			})
		})
	}
}
