package card

// Recovery of orphaned card money (issue 6, "Faults"; RULES CARD-4,
// CARD-7). The ledger commits a decision's money (its group commit) before
// the decision is stored (the save batcher). A process that dies in
// between — kill -9, power — leaves money held or debited for a request
// the card network never got an answer to: a hold until it expires (7
// days + 2 bank days), a 0200's debit for good. An identical retry heals
// it (same ids: the ledger answers a repeat, the engine approves and
// stores), but an acquirer does not repeat a 0100 or 0200 it got no answer
// to. RecoverOrphans finds that money and undoes it.
//
// Only 0100s and 0200s: completions (0220) and reversals (0400) are
// advices the network repeats until they are acknowledged, and their
// repeat finds its money (a repeat) and stores the decision. Their money
// has other suffixes, so it is never mistaken for a 0100's or 0200's:
//
//	X:hold                  a 0100 purchase's hold (also incremental)
//	X:fin, X:finfee         a 0200's debit and its cash fee
//	X:refund                a refund (0100 or 0200)
//	X:undo, X:undofee       their undo, by the engine or by RecoverOrphans
//	X:post:Y, X:void:Y,
//	X:debit, X:credit, X:fee  completions and reversals (reserve.go)
//
// where X is the decision's id, derived from the request (authID). The
// undo has the ids and the content of the engine's own undo (voidUndo,
// moneyUndo), so the two can never both happen: whichever comes second is
// a repeat to the ledger.
//
// Before it undoes anything, RecoverOrphans claims the request's id by
// storing a 96 under X (fingerprint RecoveredFingerprint), in the same
// table and on the same primary key the engine stores its decision on. So
// a retry of the request racing the recovery either stored its decision
// first (then the money is not an orphan and stays) or finds the claim
// (then its answer is the claim's 96, and its own undo is a repeat of the
// recovery's). A crash between the claim and the undo leaves a claim
// whose money is not undone yet; the next run finds it again.
//
// Money younger than the caller's before is left alone: the engine's own
// deadline is seconds (the ISO 8583 server's 5 s and the ledger's timeout),
// so a decision older than a minute has been stored or undone, on this
// instance or another. Each process reads each period once (it remembers
// how far it got), from OrphanLookback before its first run.

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/ledger"
)

// The suffixes of a 0100's or 0200's ledger transfers after the
// decision's id (see the top of this file).
const (
	sfxHold    = ":hold"
	sfxFin     = ":fin"
	sfxFinFee  = ":finfee"
	sfxRefund  = ":refund"
	sfxUndo    = ":undo"
	sfxUndoFee = ":undofee"
)

// RecoveredFingerprint is the fingerprint of the decision RecoverOrphans
// stores for a request whose money it undoes (a request's own fingerprint
// is hex), which OrphanedMoney looks for.
const RecoveredFingerprint = "recovered"

// OrphanLookback is how far before its first before a process's
// RecoverOrphans looks: well beyond any hold's life (7 calendar days + 2
// bank days, CARD-7), so a bank that was down for weeks still finds the
// money of its last moments. Later runs of the process read only the
// period since the one before.
const OrphanLookback = 31 * 24 * time.Hour

// ActionOrphanRecovered is the audit action of RecoverOrphans undoing the
// money of a request that was never answered.
const ActionOrphanRecovered = "card.orphan_recovered"

// orphanPage is how many orphans one store read returns.
const orphanPage = 200

// OrphanQuery asks AuthStore.OrphanedMoney for the money of 0100s and
// 0200s — ledger transfers X:hold, X:fin and X:refund — created in [From,
// Before) and after AfterID at From (keyset paging by creation time and
// id), that no decision under X names (or only RecoverOrphans' claim),
// that is not undone (no X:undo), and, for a hold, still open and not
// expired at Now (an expired hold is the expiry's to release).
type OrphanQuery struct {
	From, Before time.Time
	AfterID      string
	Now          time.Time
	Limit        int
}

// OrphanMoney is one request's orphaned money.
type OrphanMoney struct {
	// AuthID is X, the id the request's decision would have.
	AuthID string
	// Transfer is X:hold, X:fin or X:refund as the ledger stored it.
	Transfer ledger.Transfer
	// Fee is X:finfee (ID "" when there is none).
	Fee ledger.Transfer
}

// orphanRecovery is what RecoverOrphans remembers between runs.
type orphanRecovery struct {
	mu sync.Mutex
	// from is where the next run starts (zero: before − OrphanLookback).
	from time.Time
}

// RecoverOrphans undoes the money of 0100s and 0200s whose decision was
// never stored (see the top of this file), made before before, in one
// linked ledger transfer per request, and returns how many it undid. Each
// is audited and logged (without the card number). Call it regularly
// with before a minute or more in the past; several instances may run it
// at once. Money the ledger refuses to give back (a refund the cardholder
// has spent since) is logged as an error and left to staff.
func (a *Authorizer) RecoverOrphans(ctx context.Context, before time.Time) (int, error) {
	r := &a.orphans
	r.mu.Lock()
	defer r.mu.Unlock()
	q := OrphanQuery{From: r.from, Before: before, Limit: orphanPage}
	if q.From.IsZero() {
		q.From = before.Add(-OrphanLookback)
	}
	if !q.From.Before(before) {
		return 0, nil
	}
	n := 0
	for {
		q.Now = a.now()
		page, err := a.cfg.Store.OrphanedMoney(ctx, q)
		if err != nil {
			r.from = q.From
			return n, err
		}
		for _, o := range page {
			undone, err := a.recoverOrphan(ctx, o)
			if err != nil {
				r.from = o.Transfer.CreatedAt // the next run tries again from here
				return n, err
			}
			if undone {
				n++
			}
			q.From, q.AfterID = o.Transfer.CreatedAt, o.Transfer.ID
		}
		if len(page) < q.Limit {
			break
		}
	}
	r.from = before
	return n, nil
}

// recoverOrphan claims o's request and undoes its money; false when the
// engine stored a decision meanwhile or the ledger refused the undo.
func (a *Authorizer) recoverOrphan(ctx context.Context, o OrphanMoney) (bool, error) {
	claim, err := a.orphanClaim(ctx, o)
	if err != nil {
		return false, err
	}
	out, err := a.cfg.Store.SaveAuthorizations(ctx, []AuthSave{{Auth: claim}})
	if err != nil {
		return false, err
	}
	if !out[0].Inserted && out[0].Auth.Fingerprint != RecoveredFingerprint {
		return false, nil // the request was decided after all (a retry): not an orphan
	}
	undo := orphanUndo(o)
	if len(undo) == 1 {
		_, err = a.cfg.Ledger.Transfer(ctx, undo[0])
	} else {
		_, err = a.cfg.Ledger.TransferLinked(ctx, undo)
	}
	switch netbank.ErrorCodeOf(err) {
	case "":
	case netbank.EINSUFFICIENT, netbank.ECONFLICT, netbank.EINVALID, netbank.ENOTFOUND:
		a.log.Error("card: the money of a request never answered could not be undone; left to staff",
			"authorization", o.AuthID, "transfer", o.Transfer.ID, "account", claim.AccountID, "error", err)
		return false, nil
	default:
		return false, err
	}
	details := map[string]string{"transfer": o.Transfer.ID, "account": claim.AccountID,
		"amount_dkk": fmt.Sprint(o.Transfer.Amount), "undo": undo[0].ID}
	if o.Fee.ID != "" {
		details["fee_dkk"] = fmt.Sprint(o.Fee.Amount)
	}
	if err := a.cards.store.Tx(ctx, func(tx Tx) error {
		return tx.Audit(ctx, a.now(), System.event(ActionOrphanRecovered, o.AuthID, details))
	}); err != nil {
		a.log.Error("card: auditing undone card money", "authorization", o.AuthID, "error", err)
	}
	a.log.Warn("card: undid the money of a request never answered", "authorization", o.AuthID,
		"transfer", o.Transfer.ID, "account", claim.AccountID, "amount_dkk", o.Transfer.Amount, "fee_dkk", o.Fee.Amount)
	return true, nil
}

// orphanClaim is the decision RecoverOrphans stores under o's id: a 96
// naming the money it undoes, on the card whose number ends the
// transfer's text, when that card is found.
func (a *Authorizer) orphanClaim(ctx context.Context, o OrphanMoney) (Authorization, error) {
	tr, now := o.Transfer, a.now()
	auth := Authorization{ID: o.AuthID, AccountID: tr.DebitAccountID, MTI: MsgFinancial, ProcessingCode: TxPurchase + "0000",
		AmountDKK: tr.Amount, FeeDKK: o.Fee.Amount, Code: CodeSystemError, Status: AuthDeclined, TransferID: tr.ID,
		Fingerprint: RecoveredFingerprint, CreatedAt: now, UpdatedAt: now}
	switch {
	case strings.HasSuffix(tr.ID, sfxHold):
		auth.MTI, auth.HoldExpiresAt = MsgAuthorization, tr.ExpiresAt
	case strings.HasSuffix(tr.ID, sfxRefund):
		auth.AccountID, auth.ProcessingCode = tr.CreditAccountID, TxRefund+"0000"
	case tr.Code == "card_cash":
		auth.ProcessingCode, auth.Cash = TxCash+"0000", true
	}
	auth.Reasons = []string{fmt.Sprintf("Banken nåede ikke at gemme sin beslutning (afbrudt, f.eks. ved et nedbrud), og kortnettet fik intet svar. "+
		"Pengebevægelsen på %s er tilbageført af banken.", netbank.NewMoney(tr.Amount+o.Fee.Amount, "DKK"))}
	var cards []Card
	err := a.cards.store.Tx(ctx, func(tx Tx) (err error) {
		cards, err = tx.CardsOfAccount(ctx, auth.AccountID)
		return err
	})
	if err != nil {
		return Authorization{}, err
	}
	for _, c := range cards {
		if c.Last4 != "" && strings.Contains(tr.Text, "(kort …"+c.Last4+")") {
			auth.CardID = c.ID
			break
		}
	}
	return auth, nil
}

// orphanUndo is the undo of o: the engine's own (voidUndo, moneyUndo),
// built from the transfers the ledger stored.
func orphanUndo(o OrphanMoney) []ledger.TransferRequest {
	if o.Transfer.Kind == ledger.PendingKind {
		return []ledger.TransferRequest{voidUndo(o.AuthID)}
	}
	reqs := []ledger.TransferRequest{requestOf(o.Transfer)}
	if o.Fee.ID != "" {
		reqs = append(reqs, requestOf(o.Fee))
	}
	return moneyUndo(o.AuthID, reqs)
}

// requestOf is the request that made a single transfer (the fields its
// undo is built from).
func requestOf(t ledger.Transfer) ledger.TransferRequest {
	return ledger.TransferRequest{ID: t.ID, DebitAccountID: t.DebitAccountID, CreditAccountID: t.CreditAccountID,
		Amount: t.Amount, Code: t.Code, Text: t.Text}
}

// voidUndo releases the hold X:hold of the decision with id authID.
func voidUndo(authID string) ledger.TransferRequest {
	return ledger.TransferRequest{ID: authID + sfxUndo, Kind: ledger.Void, PendingID: authID + sfxHold, Code: "card"}
}

// moneyUndo gives back what reqs (a 0200's debit and fee, or a refund)
// moved, as X:undo and X:undofee: the other way, the same amount and
// code, the text marked as given back. It depends only on what the
// ledger stores of reqs, so the engine and RecoverOrphans build the same.
func moneyUndo(authID string, reqs []ledger.TransferRequest) []ledger.TransferRequest {
	out := make([]ledger.TransferRequest, len(reqs))
	for i, r := range reqs {
		id := authID + sfxUndo
		if i > 0 {
			id = authID + sfxUndoFee
		}
		out[i] = ledger.TransferRequest{ID: id, DebitAccountID: r.CreditAccountID, CreditAccountID: r.DebitAccountID,
			Amount: r.Amount, Code: r.Code, Text: clipText("Tilbageført: " + r.Text)}
	}
	return out
}
