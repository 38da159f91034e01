package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/ledger"
)

// Ledger is the SQL implementation of ledger.Store.
type Ledger struct{ db *DB }

// Ledger returns the ledger store over db.
func (db *DB) Ledger() *Ledger { return &Ledger{db: db} }

var _ ledger.Store = (*Ledger)(nil)

// WriteTx implements ledger.Store.
func (l *Ledger) WriteTx(ctx context.Context, fn func(ledger.Tx) error) error {
	return l.db.Transact(ctx, func(tx *Tx) error { return fn(ledgerTx{tx}) })
}

const accountColumns = `id, name, kind, currency, overdraft_limit, unconstrained, debits_pending, debits_posted,
	credits_pending, credits_posted, entry_seq, last_entry_at, created_at`

type scanner interface{ Scan(dest ...any) error }

func scanAccount(s scanner) (*ledger.Account, error) {
	var a ledger.Account
	var kind string
	var lastEntry, created int64
	if err := s.Scan(&a.ID, &a.Name, &kind, &a.Currency, &a.OverdraftLimit, &a.Unconstrained, &a.DebitsPending,
		&a.DebitsPosted, &a.CreditsPending, &a.CreditsPosted, &a.EntrySeq, &lastEntry, &created); err != nil {
		return nil, err
	}
	a.Kind = ledger.AccountKind(kind)
	a.LastEntryAt = fromMicros(lastEntry)
	a.CreatedAt = fromMicros(created)
	return &a, nil
}

const transferColumns = `id, debit_account_id, credit_account_id, amount, currency, kind, COALESCE(pending_id, ''),
	code, text, expires_at, created_at, request_hash`

func scanTransfer(s scanner) (ledger.Transfer, error) {
	var t ledger.Transfer
	var kind string
	var expires, created int64
	err := s.Scan(&t.ID, &t.DebitAccountID, &t.CreditAccountID, &t.Amount, &t.Currency, &kind, &t.PendingID,
		&t.Code, &t.Text, &expires, &created, &t.RequestHash)
	t.Kind = ledger.TransferKind(kind)
	t.ExpiresAt, t.CreatedAt = fromMicros(expires), fromMicros(created)
	return t, err
}

const holdColumns = `transfer_id, debit_account_id, credit_account_id, amount, status, expires_at, resolved_at, COALESCE(resolved_by, '')`

func scanHold(s scanner) (ledger.Hold, error) {
	var h ledger.Hold
	var status string
	var expires, resolved int64
	err := s.Scan(&h.TransferID, &h.DebitAccountID, &h.CreditAccountID, &h.Amount, &status, &expires, &resolved, &h.ResolvedBy)
	h.Status = ledger.PendingStatus(status)
	h.ExpiresAt, h.ResolvedAt = fromMicros(expires), fromMicros(resolved)
	return h, err
}

// Account implements ledger.Store.
func (l *Ledger) Account(ctx context.Context, id string) (ledger.Account, error) {
	a, err := scanAccount(l.db.QueryRow(ctx, "SELECT "+accountColumns+" FROM ledger_accounts WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return ledger.Account{}, netbank.Errorf(netbank.ENOTFOUND, "account %q not found", id)
	}
	if err != nil {
		return ledger.Account{}, classify(err)
	}
	return *a, nil
}

// Accounts implements ledger.Store.
func (l *Ledger) Accounts(ctx context.Context) ([]ledger.Account, error) {
	rows, err := l.db.Query(ctx, "SELECT "+accountColumns+" FROM ledger_accounts ORDER BY id")
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []ledger.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, classify(rows.Err())
}

// Transfer implements ledger.Store.
func (l *Ledger) Transfer(ctx context.Context, id string) (ledger.Transfer, error) {
	t, err := scanTransfer(l.db.QueryRow(ctx, "SELECT "+transferColumns+" FROM ledger_transfers WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, netbank.Errorf(netbank.ENOTFOUND, "transfer %q not found", id)
	}
	return t, classify(err)
}

// Hold implements ledger.Store.
func (l *Ledger) Hold(ctx context.Context, id string) (ledger.Hold, error) {
	h, err := scanHold(l.db.QueryRow(ctx, "SELECT "+holdColumns+" FROM ledger_pending WHERE transfer_id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return h, netbank.Errorf(netbank.ENOTFOUND, "pending transfer %q not found", id)
	}
	return h, classify(err)
}

// Entries implements ledger.Store.
func (l *Ledger) Entries(ctx context.Context, q ledger.EntryQuery) ([]ledger.Entry, error) {
	var where []string
	args := []any{q.AccountID, q.AfterSeq}
	if !q.From.IsZero() {
		where = append(where, " AND e.posted_at >= ?")
		args = append(args, q.From.UnixMicro())
	}
	if !q.To.IsZero() {
		where = append(where, " AND e.posted_at < ?")
		args = append(args, q.To.UnixMicro())
	}
	args = append(args, q.Limit)
	rows, err := l.db.Query(ctx, `SELECT e.account_id, e.seq, e.transfer_id, e.amount, e.balance, e.posted_at, t.code, t.text,
		CASE WHEN t.debit_account_id = e.account_id THEN t.credit_account_id ELSE t.debit_account_id END
		FROM ledger_entries e JOIN ledger_transfers t ON t.id = e.transfer_id
		WHERE e.account_id = ? AND e.seq > ?`+strings.Join(where, "")+` ORDER BY e.seq LIMIT ?`, args...)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []ledger.Entry
	for rows.Next() {
		var e ledger.Entry
		var posted int64
		if err := rows.Scan(&e.AccountID, &e.Seq, &e.TransferID, &e.Amount, &e.Balance, &posted, &e.Code, &e.Text, &e.CounterpartyID); err != nil {
			return nil, err
		}
		e.PostedAt = fromMicros(posted)
		out = append(out, e)
	}
	return out, classify(rows.Err())
}

// BalanceAt implements ledger.Store.
func (l *Ledger) BalanceAt(ctx context.Context, accountID string, t time.Time) (int64, error) {
	var bal int64
	err := l.db.QueryRow(ctx, `SELECT balance FROM ledger_entries WHERE account_id = ? AND posted_at <= ?
		ORDER BY seq DESC LIMIT 1`, accountID, t.UnixMicro()).Scan(&bal)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return bal, classify(err)
}

// DueHolds implements ledger.Store.
func (l *Ledger) DueHolds(ctx context.Context, now time.Time, limit int) ([]string, error) {
	rows, err := l.db.Query(ctx, `SELECT transfer_id FROM ledger_pending
		WHERE status = 'open' AND expires_at > 0 AND expires_at <= ? ORDER BY expires_at, transfer_id LIMIT ?`, now.UnixMicro(), limit)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, classify(rows.Err())
}

// Audit implements ledger.Store: the sums behind every cached balance,
// computed from the transfers, holds and entries.
func (l *Ledger) Audit(ctx context.Context) ([]ledger.AccountAudit, error) {
	rows, err := l.db.Query(ctx, `SELECT `+prefixed("a", accountColumns)+`,
		COALESCE((SELECT SUM(amount) FROM ledger_transfers WHERE debit_account_id = a.id AND kind IN ('single', 'post')), 0),
		COALESCE((SELECT SUM(amount) FROM ledger_transfers WHERE credit_account_id = a.id AND kind IN ('single', 'post')), 0),
		COALESCE((SELECT SUM(amount) FROM ledger_pending WHERE debit_account_id = a.id AND status = 'open'), 0),
		COALESCE((SELECT SUM(amount) FROM ledger_pending WHERE credit_account_id = a.id AND status = 'open'), 0),
		(SELECT COUNT(*) FROM ledger_entries WHERE account_id = a.id),
		COALESCE((SELECT MAX(seq) FROM ledger_entries WHERE account_id = a.id), 0),
		COALESCE((SELECT SUM(amount) FROM ledger_entries WHERE account_id = a.id), 0),
		COALESCE((SELECT balance FROM ledger_entries WHERE account_id = a.id ORDER BY seq DESC LIMIT 1), 0),
		(SELECT COUNT(*) FROM (SELECT balance, amount, LAG(balance, 1, 0) OVER (ORDER BY seq) AS prev
			FROM ledger_entries WHERE account_id = a.id) r WHERE r.balance <> r.prev + r.amount)
		FROM ledger_accounts a ORDER BY a.id`)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []ledger.AccountAudit
	for rows.Next() {
		var au ledger.AccountAudit
		var kind string
		var lastEntry, created int64
		a := &au.Account
		if err := rows.Scan(&a.ID, &a.Name, &kind, &a.Currency, &a.OverdraftLimit, &a.Unconstrained, &a.DebitsPending,
			&a.DebitsPosted, &a.CreditsPending, &a.CreditsPosted, &a.EntrySeq, &lastEntry, &created,
			&au.TransferDebits, &au.TransferCredits, &au.HoldDebits, &au.HoldCredits,
			&au.EntryCount, &au.EntryMaxSeq, &au.EntrySum, &au.LastBalance, &au.BadRunningBalance); err != nil {
			return nil, err
		}
		a.Kind = ledger.AccountKind(kind)
		a.LastEntryAt, a.CreatedAt = fromMicros(lastEntry), fromMicros(created)
		out = append(out, au)
	}
	return out, classify(rows.Err())
}

func prefixed(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = alias + "." + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// ledgerTx implements ledger.Tx.
type ledgerTx struct{ tx *Tx }

// chunkSize bounds rows per multi-row statement (PostgreSQL allows 65535
// parameters, SQLite 32766).
const chunkSize = 400

func anys(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// inChunks calls fn for consecutive slices of ids of at most chunkSize.
func inChunks(ids []string, fn func([]string) error) error {
	for len(ids) > 0 {
		n := min(len(ids), chunkSize)
		if err := fn(ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

func (t ledgerTx) LockAccounts(ctx context.Context, ids []string) (map[string]*ledger.Account, error) {
	out := make(map[string]*ledger.Account, len(ids))
	err := inChunks(ids, func(ids []string) error {
		rows, err := t.tx.Query(ctx, "SELECT "+accountColumns+" FROM ledger_accounts WHERE id IN ("+Placeholders(len(ids))+") ORDER BY id"+t.tx.ForUpdate(), anys(ids)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanAccount(rows)
			if err != nil {
				return err
			}
			out[a.ID] = a
		}
		return rows.Err()
	})
	return out, err
}

func (t ledgerTx) Transfers(ctx context.Context, ids []string) (map[string]ledger.Transfer, error) {
	out := map[string]ledger.Transfer{}
	err := inChunks(ids, func(ids []string) error {
		rows, err := t.tx.Query(ctx, "SELECT "+transferColumns+" FROM ledger_transfers WHERE id IN ("+Placeholders(len(ids))+")", anys(ids)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			tr, err := scanTransfer(rows)
			if err != nil {
				return err
			}
			out[tr.ID] = tr
		}
		return rows.Err()
	})
	return out, err
}

func (t ledgerTx) Holds(ctx context.Context, ids []string) (map[string]ledger.Hold, error) {
	out := map[string]ledger.Hold{}
	err := inChunks(ids, func(ids []string) error {
		rows, err := t.tx.Query(ctx, "SELECT "+holdColumns+" FROM ledger_pending WHERE transfer_id IN ("+Placeholders(len(ids))+")", anys(ids)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			h, err := scanHold(rows)
			if err != nil {
				return err
			}
			out[h.TransferID] = h
		}
		return rows.Err()
	})
	return out, err
}

func (t ledgerTx) InsertAccount(ctx context.Context, a ledger.Account) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO ledger_accounts (`+accountColumns+`) VALUES (`+Placeholders(13)+`)`,
		a.ID, a.Name, string(a.Kind), a.Currency, a.OverdraftLimit, a.Unconstrained, a.DebitsPending, a.DebitsPosted,
		a.CreditsPending, a.CreditsPosted, a.EntrySeq, micros(a.LastEntryAt), micros(a.CreatedAt))
	return err
}

func (t ledgerTx) UpdateOverdraft(ctx context.Context, id string, limit int64) error {
	_, err := t.tx.Exec(ctx, "UPDATE ledger_accounts SET overdraft_limit = ? WHERE id = ?", limit, id)
	return err
}

// insertRows writes rows with multi-row INSERTs of at most chunkSize rows.
func (t ledgerTx) insertRows(ctx context.Context, head string, ncols int, n int, row func(i int) []any) error {
	rowMarks := "(" + Placeholders(ncols) + ")"
	for start := 0; start < n; start += chunkSize {
		end := min(n, start+chunkSize)
		var b strings.Builder
		b.WriteString(head)
		b.WriteString(" VALUES ")
		args := make([]any, 0, (end-start)*ncols)
		for i := start; i < end; i++ {
			if i > start {
				b.WriteString(", ")
			}
			b.WriteString(rowMarks)
			args = append(args, row(i)...)
		}
		if _, err := t.tx.Exec(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

func (t ledgerTx) Apply(ctx context.Context, w *ledger.Writes) error {
	if err := t.insertRows(ctx, `INSERT INTO ledger_transfers (id, debit_account_id, credit_account_id, amount, currency, kind,
		pending_id, code, text, expires_at, created_at, request_hash)`, 12, len(w.Transfers), func(i int) []any {
		tr := w.Transfers[i]
		var pending any
		if tr.PendingID != "" {
			pending = tr.PendingID
		}
		return []any{tr.ID, tr.DebitAccountID, tr.CreditAccountID, tr.Amount, tr.Currency, string(tr.Kind), pending,
			tr.Code, tr.Text, micros(tr.ExpiresAt), micros(tr.CreatedAt), tr.RequestHash}
	}); err != nil {
		return err
	}
	if err := t.insertRows(ctx, `INSERT INTO ledger_pending (transfer_id, debit_account_id, credit_account_id, amount, status, expires_at)`,
		6, len(w.NewHolds), func(i int) []any {
			h := w.NewHolds[i]
			return []any{h.TransferID, h.DebitAccountID, h.CreditAccountID, h.Amount, string(h.Status), micros(h.ExpiresAt)}
		}); err != nil {
		return err
	}
	for _, h := range w.Resolved {
		res, err := t.tx.Exec(ctx, `UPDATE ledger_pending SET status = ?, resolved_at = ?, resolved_by = ?
			WHERE transfer_id = ? AND status = 'open'`, string(h.Status), micros(h.ResolvedAt), h.ResolvedBy, h.TransferID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("store: hold %s was not open when resolved (rows %d): %v", h.TransferID, n, err)
		}
	}
	if err := t.insertRows(ctx, `INSERT INTO ledger_entries (account_id, seq, transfer_id, amount, balance, posted_at)`,
		6, len(w.Entries), func(i int) []any {
			e := w.Entries[i]
			return []any{e.AccountID, e.Seq, e.TransferID, e.Amount, e.Balance, micros(e.PostedAt)}
		}); err != nil {
		return err
	}
	return t.updateAccounts(ctx, w.Accounts)
}

func (t ledgerTx) updateAccounts(ctx context.Context, accounts []*ledger.Account) error {
	if len(accounts) == 0 {
		return nil
	}
	if t.tx.Engine() == SQLite {
		// In-process and under the write lock: one cheap statement each.
		for _, a := range accounts {
			if _, err := t.tx.Exec(ctx, `UPDATE ledger_accounts SET debits_pending = ?, debits_posted = ?, credits_pending = ?,
				credits_posted = ?, entry_seq = ?, last_entry_at = ? WHERE id = ?`,
				a.DebitsPending, a.DebitsPosted, a.CreditsPending, a.CreditsPosted, a.EntrySeq, micros(a.LastEntryAt), a.ID); err != nil {
				return err
			}
		}
		return nil
	}
	// PostgreSQL: one UPDATE … FROM (VALUES …) per chunk, one round trip.
	for start := 0; start < len(accounts); start += chunkSize {
		end := min(len(accounts), start+chunkSize)
		var b strings.Builder
		args := make([]any, 0, (end-start)*7)
		b.WriteString(`UPDATE ledger_accounts AS a SET debits_pending = v.dp, debits_posted = v.dpo, credits_pending = v.cp,
			credits_posted = v.cpo, entry_seq = v.seq, last_entry_at = v.last FROM (VALUES `)
		for i := start; i < end; i++ {
			if i > start {
				b.WriteString(", ")
			}
			b.WriteString("(?::text, ?::bigint, ?::bigint, ?::bigint, ?::bigint, ?::bigint, ?::bigint)")
			a := accounts[i]
			args = append(args, a.ID, a.DebitsPending, a.DebitsPosted, a.CreditsPending, a.CreditsPosted, a.EntrySeq, micros(a.LastEntryAt))
		}
		b.WriteString(") AS v(id, dp, dpo, cp, cpo, seq, last) WHERE a.id = v.id")
		if _, err := t.tx.Exec(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// micros stores a time as Unix microseconds; the zero time is 0.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromMicros is the inverse of micros.
func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}
