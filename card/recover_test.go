package card_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/iso8583"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/store"
)

// crash is what dies with the process in the recovery tests: the store of
// decisions (saves fail after the ledger committed) and, when undo is
// set too, the engine's undo of the money — together, a kill -9 between
// the ledger's commit and the decision's.
type crash struct{ store, undo bool }

// crashStore fails SaveAuthorizations while the crash lasts.
type crashStore struct {
	card.AuthStore
	c *crash
}

func (s crashStore) SaveAuthorizations(ctx context.Context, saves []card.AuthSave) ([]card.AuthSaved, error) {
	if s.c.store {
		return nil, errGone
	}
	return s.AuthStore.SaveAuthorizations(ctx, saves)
}

// crashLedger fails every call that undoes money (an :undo id) while the
// crash lasts, before it reaches the ledger.
type crashLedger struct {
	card.AuthLedger
	c *crash
}

func (l crashLedger) Transfer(ctx context.Context, r ledger.TransferRequest) (ledger.Transfer, error) {
	out, err := l.TransferLinked(ctx, []ledger.TransferRequest{r})
	if err != nil {
		return ledger.Transfer{}, err
	}
	return out[0], nil
}

func (l crashLedger) TransferLinked(ctx context.Context, reqs []ledger.TransferRequest) ([]ledger.Transfer, error) {
	for _, r := range reqs {
		if l.c.undo && strings.Contains(r.ID, ":undo") {
			return nil, errGone
		}
	}
	return l.AuthLedger.TransferLinked(ctx, reqs)
}

// newCrashFixture is an auth fixture whose store and ledger die with c.
func newCrashFixture(t *testing.T, db *store.DB, c *crash) *authFixture {
	return newAuthFixture(t, db, authStart, func(cfg *card.AuthConfig) {
		cfg.Store = crashStore{AuthStore: cfg.Store, c: c}
		cfg.Ledger = crashLedger{AuthLedger: cfg.Ledger, c: c}
	})
}

// lost sends r while the process "dies" after the ledger's commit: the
// answer is 96 (the network gets none), the money stays moved, no
// decision is stored.
func (f *authFixture) lost(c *crash, r iso8583.Request) {
	f.t.Helper()
	*c = crash{store: true, undo: true}
	defer func() { *c = crash{} }()
	if resp := f.auth.Authorize(f.ctx, app.AuthRequest(r)); resp.Code != card.CodeSystemError {
		f.t.Fatalf("answer %+v while crashing, want 96", resp)
	}
}

// recover runs RecoverOrphans for money older than a minute and checks
// how many requests it undid.
func (f *authFixture) recover(want int) {
	f.t.Helper()
	n, err := f.auth.RecoverOrphans(f.ctx, f.clock.Now().Add(-time.Minute))
	if err != nil || n != want {
		f.t.Fatalf("RecoverOrphans: %d, %v; want %d", n, err, want)
	}
}

// TestRecoverOrphansCARD7CARD4: a hold (0100, CARD-7) and a cash debit
// with its fee (0200, CARD-4: the account's available amount) that the
// ledger committed but whose decision was never stored are undone a
// minute on — exactly them: not money younger than a minute, not a
// completion's or reversal's (the network repeats those), nothing twice
// — and an identical retry afterwards gets 96 and moves nothing.
func TestRecoverOrphansCARD7CARD4(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		c := &crash{}
		f := newCrashFixture(t, db, c)
		iss := f.active()
		whole := f.balance(annaAcc)

		hold := f.request(iss, 100_00)
		f.lost(c, hold)
		cash := f.request(iss, 200_00, cashAtATM)
		f.lost(c, cash)
		b := f.balance(annaAcc)
		if b.Pending != whole.Pending+100_00 || b.Posted != whole.Posted-200_00-25_00 {
			t.Fatalf("balance %+v after the lost decisions, want 100,00 held and 200,00 + 25,00 fee debited on %+v", b, whole)
		}

		// Money of a completion and of a reversal whose decisions are
		// missing: theirs to repeat, never RecoverOrphans'.
		settlement := ledger.InternalAccountID(ledger.KindCardSettlement, "DKK")
		f.mustTransfer(ledger.TransferRequest{ID: "aut_0123456789abcdef01234567:debit", DebitAccountID: carlAcc,
			CreditAccountID: settlement, Amount: 50_00, Code: "card", Text: "Kortkøb"})
		f.mustTransfer(ledger.TransferRequest{ID: "aut_89abcdef0123456789abcdef:credit", DebitAccountID: settlement,
			CreditAccountID: carlAcc, Amount: 20_00, Code: "card_reversal", Text: "Tilbageført kortkøb"})
		carl := f.balance(carlAcc)

		f.recover(0) // seconds old: maybe still being decided
		if got := f.balance(annaAcc); got != b {
			t.Fatalf("young orphans touched: balance %+v, want %+v", got, b)
		}

		f.clock.Advance(2 * time.Minute)
		young := f.request(iss, 30_00) // lost after the others, and younger than a minute
		f.lost(c, young)
		f.recover(2)
		if got := f.balance(annaAcc); got.Posted != whole.Posted || got.Pending != whole.Pending+30_00 {
			t.Errorf("balance %+v after the recovery, want %+v with only the young 30,00 held (CARD-7, CARD-4)", got, whole)
		}
		if got := f.balance(carlAcc); got != carl {
			t.Errorf("a completion's or reversal's money was undone: balance %+v, want %+v", got, carl)
		}
		f.recover(0) // nothing twice

		f.clock.Advance(2 * time.Minute)
		f.recover(1) // the young one, now a minute old
		if got := f.balance(annaAcc); got != whole {
			t.Errorf("balance %+v after the second recovery, want %+v", got, whole)
		}

		// The recovery's decisions are 96s on the card, naming the money.
		auths, err := f.auth.Authorizations(f.ctx, iss.Card.ID, 50)
		if err != nil {
			t.Fatal(err)
		}
		named := 0
		for _, a := range auths {
			if a.Code == card.CodeSystemError && a.Fingerprint == card.RecoveredFingerprint && a.TransferID != "" {
				named++
			}
		}
		if named != 3 {
			t.Errorf("%d recovery decisions on the card, want 3: %+v", named, auths)
		}

		for _, r := range []iso8583.Request{hold, cash, young} {
			if resp := f.auth.Authorize(f.ctx, app.AuthRequest(r)); resp.Code != card.CodeSystemError {
				t.Errorf("identical retry after the recovery answered %+v, want 96", resp)
			}
		}
		if got := f.balance(annaAcc); got != whole {
			t.Errorf("balance %+v after the retries, want %+v: the retries moved money", got, whole)
		}

		var events int
		var details string
		if err := db.QueryRow(f.ctx, `SELECT COUNT(*), MAX(details) FROM audit_log WHERE action = ?`,
			card.ActionOrphanRecovered).Scan(&events, &details); err != nil {
			t.Fatal(err)
		}
		if events != 3 || strings.Contains(details, iss.PAN) || strings.Contains(details, iss.PAN[len(iss.PAN)-10:]) {
			t.Errorf("%d audit events (want 3), details %s (no card number)", events, details)
		}
	})
}

// TestRetryAfterUndoIsNotApproved: the engine undid the money of a
// request it could not store the decision of (its 96 could not be stored
// either); an identical retry finds the spent ids in the ledger (a
// repeat) and answers 96 instead of approving with no money behind it — a
// hold (CARD-7) and a cash debit with its fee (CARD-4) alike.
func TestRetryAfterUndoIsNotApproved(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		c := &crash{}
		f := newCrashFixture(t, db, c)
		iss := f.active()
		whole := f.balance(annaAcc)
		for _, r := range []iso8583.Request{f.request(iss, 100_00), f.request(iss, 200_00, cashAtATM)} {
			c.store = true
			if resp := f.auth.Authorize(f.ctx, app.AuthRequest(r)); resp.Code != card.CodeSystemError {
				t.Fatalf("answer %+v with the store failing, want 96", resp)
			}
			c.store = false
			if got := f.balance(annaAcc); got != whole {
				t.Fatalf("balance %+v after the undo, want %+v", got, whole)
			}
			f.clock.Advance(time.Second)
			for range 2 {
				if resp := f.auth.Authorize(f.ctx, app.AuthRequest(r)); resp.Code != card.CodeSystemError {
					t.Errorf("%s: identical retry after the undo answered %+v, want 96", r.ProcessingCode, resp)
				}
			}
			if got := f.balance(annaAcc); got != whole {
				t.Errorf("balance %+v after the retries, want %+v", got, whole)
			}
		}
		f.clock.Advance(2 * time.Minute)
		f.recover(0) // the money was undone: nothing for the recovery
	})
}

// TestRecoverOrphansAfterACrashInTheRecovery: the recovery claimed a
// request (stored its 96) but died before the undo: a retry of the
// request meanwhile gets the claim's 96 and moves nothing, and the next
// run undoes the money (CARD-7).
func TestRecoverOrphansAfterACrashInTheRecovery(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		c := &crash{}
		f := newCrashFixture(t, db, c)
		iss := f.active()
		whole := f.balance(annaAcc)
		hold := f.request(iss, 100_00)
		f.lost(c, hold)
		f.clock.Advance(2 * time.Minute)

		c.undo = true
		n, err := f.auth.RecoverOrphans(f.ctx, f.clock.Now().Add(-time.Minute))
		if netbank.ErrorCodeOf(err) != netbank.EUNAVAILABLE || n != 0 {
			t.Fatalf("RecoverOrphans with the undo failing: %d, %v; want 0 and the failure", n, err)
		}
		c.undo = false
		held := f.balance(annaAcc)
		if held.Pending != whole.Pending+100_00 {
			t.Fatalf("balance %+v, want the hold of 100,00 still on %+v", held, whole)
		}
		if resp := f.auth.Authorize(f.ctx, app.AuthRequest(hold)); resp.Code != card.CodeSystemError {
			t.Errorf("retry of a claimed request answered %+v, want 96", resp)
		}
		if got := f.balance(annaAcc); got != held {
			t.Errorf("the retry moved money: balance %+v, want %+v", got, held)
		}
		f.recover(1)
		if got := f.balance(annaAcc); got != whole {
			t.Errorf("balance %+v after the second run, want %+v", got, whole)
		}
	})
}
