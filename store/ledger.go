package store

import (
	"context"
	"database/sql"
	"encoding/json"
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

// WriteTx implements ledger.Store. The ledger locks every account it
// changes and re-reads holds after locking, so it runs at READ COMMITTED
// (see TransactLocked).
func (l *Ledger) WriteTx(ctx context.Context, fn func(ledger.Tx) error) error {
	return l.db.TransactLocked(ctx, func(tx *Tx) error { return fn(ledgerTx{tx}) })
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
	if q.BeforeSeq > 0 {
		where = append(where, " AND e.seq < ?")
		args = append(args, q.BeforeSeq)
	}
	if a := q.Amount; a != nil {
		if a.Abs {
			where = append(where, " AND ABS(e.amount) BETWEEN ? AND ?")
		} else {
			where = append(where, " AND e.amount BETWEEN ? AND ?")
		}
		args = append(args, a.Min, a.Max)
	}
	order := " ORDER BY e.seq"
	if q.Newest {
		order = " ORDER BY e.seq DESC"
	}
	args = append(args, q.Limit)
	rows, err := l.db.Query(ctx, `SELECT e.account_id, e.seq, e.transfer_id, e.amount, e.balance, e.posted_at, t.code, t.text,
		CASE WHEN t.debit_account_id = e.account_id THEN t.credit_account_id ELSE t.debit_account_id END
		FROM ledger_entries e JOIN ledger_transfers t ON t.id = e.transfer_id
		WHERE e.account_id = ? AND e.seq > ?`+strings.Join(where, "")+order+` LIMIT ?`, args...)
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
// computed set-wise from the transfers, holds and entries, and the count of
// rows that name something missing.
func (l *Ledger) Audit(ctx context.Context) (ledger.Audit, error) {
	rows, err := l.db.Query(ctx, `WITH
		td AS (SELECT debit_account_id AS id, SUM(amount) AS s FROM ledger_transfers WHERE kind IN ('single', 'post') GROUP BY debit_account_id),
		tc AS (SELECT credit_account_id AS id, SUM(amount) AS s FROM ledger_transfers WHERE kind IN ('single', 'post') GROUP BY credit_account_id),
		hd AS (SELECT debit_account_id AS id, SUM(amount) AS s FROM ledger_pending WHERE status = 'open' GROUP BY debit_account_id),
		hc AS (SELECT credit_account_id AS id, SUM(amount) AS s FROM ledger_pending WHERE status = 'open' GROUP BY credit_account_id),
		es AS (SELECT account_id AS id, COUNT(*) AS n, MAX(seq) AS mx, SUM(amount) AS s FROM ledger_entries GROUP BY account_id),
		bad AS (SELECT account_id AS id, COUNT(*) AS n FROM (
			SELECT account_id, balance, amount, LAG(balance, 1, 0) OVER (PARTITION BY account_id ORDER BY seq) AS prev
			FROM ledger_entries) r WHERE r.balance <> r.prev + r.amount GROUP BY account_id)
		SELECT `+prefixed("a", accountColumns)+`,
			COALESCE(td.s, 0), COALESCE(tc.s, 0), COALESCE(hd.s, 0), COALESCE(hc.s, 0),
			COALESCE(es.n, 0), COALESCE(es.mx, 0), COALESCE(es.s, 0), COALESCE(le.balance, 0), COALESCE(bad.n, 0)
		FROM ledger_accounts a
		LEFT JOIN td ON td.id = a.id LEFT JOIN tc ON tc.id = a.id
		LEFT JOIN hd ON hd.id = a.id LEFT JOIN hc ON hc.id = a.id
		LEFT JOIN es ON es.id = a.id LEFT JOIN bad ON bad.id = a.id
		LEFT JOIN ledger_entries le ON le.account_id = a.id AND le.seq = a.entry_seq
		ORDER BY a.id`)
	if err != nil {
		return ledger.Audit{}, classify(err)
	}
	defer rows.Close()
	var out ledger.Audit
	for rows.Next() {
		var au ledger.AccountAudit
		var kind string
		var lastEntry, created int64
		a := &au.Account
		if err := rows.Scan(&a.ID, &a.Name, &kind, &a.Currency, &a.OverdraftLimit, &a.Unconstrained, &a.DebitsPending,
			&a.DebitsPosted, &a.CreditsPending, &a.CreditsPosted, &a.EntrySeq, &lastEntry, &created,
			&au.TransferDebits, &au.TransferCredits, &au.HoldDebits, &au.HoldCredits,
			&au.EntryCount, &au.EntryMaxSeq, &au.EntrySum, &au.LastBalance, &au.BadRunningBalance); err != nil {
			return ledger.Audit{}, err
		}
		a.Kind = ledger.AccountKind(kind)
		a.LastEntryAt, a.CreatedAt = fromMicros(lastEntry), fromMicros(created)
		out.Accounts = append(out.Accounts, au)
	}
	if err := rows.Err(); err != nil {
		return ledger.Audit{}, classify(err)
	}
	err = l.db.QueryRow(ctx, `SELECT COUNT(*) FROM ledger_transfers t
		WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = t.debit_account_id)
		   OR NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = t.credit_account_id)`).Scan(&out.OrphanTransfers)
	if err != nil {
		return ledger.Audit{}, classify(err)
	}
	err = l.db.QueryRow(ctx, `SELECT COUNT(*) FROM ledger_entries e
		WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = e.account_id)
		   OR NOT EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.id = e.transfer_id)`).Scan(&out.OrphanEntries)
	return out, classify(err)
}

func prefixed(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = alias + "." + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// ledgerTx implements ledger.Tx. Every statement has a constant text
// whatever the batch size, so each is prepared once per connection: on
// PostgreSQL rows travel as arrays (unnest, = ANY); on SQLite, which runs
// in-process, a prepared one-row statement is executed per row and id lists
// travel as a JSON array (json_each).
type ledgerTx struct{ tx *Tx }

// idsClause is a WHERE condition matching column against a list of ids
// passed as the single argument idsArg(ids).
func (t ledgerTx) idsClause(column string) string {
	if t.tx.Engine() == Postgres {
		return column + " = ANY(?::text[])"
	}
	return column + " IN (SELECT value FROM json_each(?))"
}

func (t ledgerTx) idsArg(ids []string) any {
	if t.tx.Engine() == Postgres {
		return ids
	}
	b, _ := json.Marshal(ids)
	return string(b)
}

// byIDs runs "SELECT columns FROM table WHERE column IN ids suffix" and
// collects the rows by id.
func byIDs[T any](ctx context.Context, t ledgerTx, query, column, suffix string, ids []string,
	scan func(scanner) (T, error), id func(T) string) (map[string]T, error) {
	out := make(map[string]T, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := t.tx.Query(ctx, query+" WHERE "+t.idsClause(column)+suffix, t.idsArg(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out[id(v)] = v
	}
	return out, rows.Err()
}

func (t ledgerTx) LockAccounts(ctx context.Context, ids []string) (map[string]*ledger.Account, error) {
	return byIDs(ctx, t, "SELECT "+accountColumns+" FROM ledger_accounts", "id", " ORDER BY id"+t.tx.ForUpdate(), ids,
		scanAccount, func(a *ledger.Account) string { return a.ID })
}

func (t ledgerTx) Transfers(ctx context.Context, ids []string) (map[string]ledger.Transfer, error) {
	return byIDs(ctx, t, "SELECT "+transferColumns+" FROM ledger_transfers", "id", "", ids,
		scanTransfer, func(tr ledger.Transfer) string { return tr.ID })
}

func (t ledgerTx) Holds(ctx context.Context, ids []string) (map[string]ledger.Hold, error) {
	return byIDs(ctx, t, "SELECT "+holdColumns+" FROM ledger_pending", "transfer_id", "", ids,
		scanHold, func(h ledger.Hold) string { return h.TransferID })
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

// bulk is one statement of Apply in both forms: for PostgreSQL over arrays
// (columns are the per-row values transposed into one slice per column),
// for SQLite as a one-row statement run per row.
type bulk struct {
	pg     string
	sqlite string
	n      int
	row    func(i int) []any
	// want, if set, is the number of rows the statement must affect in all.
	want int64
}

func (t ledgerTx) run(ctx context.Context, b bulk) error {
	if b.n == 0 {
		return nil
	}
	var affected int64
	if t.tx.Engine() == Postgres {
		first := b.row(0)
		cols := make([]any, len(first))
		for c, v := range first {
			switch v.(type) {
			case string:
				cols[c] = make([]string, 0, b.n)
			case int64:
				cols[c] = make([]int64, 0, b.n)
			default:
				return fmt.Errorf("store: unsupported bulk column type %T", v)
			}
		}
		for i := 0; i < b.n; i++ {
			for c, v := range b.row(i) {
				switch col := cols[c].(type) {
				case []string:
					cols[c] = append(col, v.(string))
				case []int64:
					cols[c] = append(col, v.(int64))
				}
			}
		}
		res, err := t.tx.Exec(ctx, b.pg, cols...)
		if err != nil {
			return err
		}
		affected, err = res.RowsAffected()
		if err != nil {
			return err
		}
	} else {
		stmt, err := t.tx.Prepare(ctx, b.sqlite)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := 0; i < b.n; i++ {
			res, err := stmt.ExecContext(ctx, b.row(i)...)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			affected += n
		}
	}
	if b.want > 0 && affected != b.want {
		return fmt.Errorf("store: statement affected %d rows, want %d", affected, b.want)
	}
	return nil
}

func (t ledgerTx) Apply(ctx context.Context, w *ledger.Writes) error {
	steps := []bulk{{
		pg: `INSERT INTO ledger_transfers (id, debit_account_id, credit_account_id, amount, currency, kind, pending_id,
			code, text, expires_at, created_at, request_hash)
			SELECT id, dr, cr, amount, cur, kind, NULLIF(pending, ''), code, text, expires, created, hash
			FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
				?::bigint[], ?::bigint[], ?::text[]) AS v(id, dr, cr, amount, cur, kind, pending, code, text, expires, created, hash)`,
		sqlite: `INSERT INTO ledger_transfers (id, debit_account_id, credit_account_id, amount, currency, kind, pending_id,
			code, text, expires_at, created_at, request_hash) VALUES (?, ?, ?, ?, ?, ?, NULLIF(?, ''), ?, ?, ?, ?, ?)`,
		n: len(w.Transfers),
		row: func(i int) []any {
			tr := w.Transfers[i]
			return []any{tr.ID, tr.DebitAccountID, tr.CreditAccountID, tr.Amount, tr.Currency, string(tr.Kind), tr.PendingID,
				tr.Code, tr.Text, micros(tr.ExpiresAt), micros(tr.CreatedAt), tr.RequestHash}
		},
	}, {
		pg: `INSERT INTO ledger_pending (transfer_id, debit_account_id, credit_account_id, amount, status, expires_at)
			SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::bigint[])`,
		sqlite: `INSERT INTO ledger_pending (transfer_id, debit_account_id, credit_account_id, amount, status, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`,
		n: len(w.NewHolds),
		row: func(i int) []any {
			h := w.NewHolds[i]
			return []any{h.TransferID, h.DebitAccountID, h.CreditAccountID, h.Amount, string(h.Status), micros(h.ExpiresAt)}
		},
	}, {
		// A hold is resolved only if it is still open: anything else is a
		// lost race and must fail the batch.
		pg: `UPDATE ledger_pending AS p SET status = v.status, resolved_at = v.at, resolved_by = v.by
			FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[]) AS v(id, status, at, by)
			WHERE p.transfer_id = v.id AND p.status = 'open'`,
		sqlite: `UPDATE ledger_pending SET status = ?2, resolved_at = ?3, resolved_by = ?4 WHERE transfer_id = ?1 AND status = 'open'`,
		n:      len(w.Resolved),
		want:   int64(len(w.Resolved)),
		row: func(i int) []any {
			h := w.Resolved[i]
			return []any{h.TransferID, string(h.Status), micros(h.ResolvedAt), h.ResolvedBy}
		},
	}, {
		pg: `INSERT INTO ledger_entries (account_id, seq, transfer_id, amount, balance, posted_at)
			SELECT * FROM unnest(?::text[], ?::bigint[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[])`,
		sqlite: `INSERT INTO ledger_entries (account_id, seq, transfer_id, amount, balance, posted_at) VALUES (?, ?, ?, ?, ?, ?)`,
		n:      len(w.Entries),
		row: func(i int) []any {
			e := w.Entries[i]
			return []any{e.AccountID, e.Seq, e.TransferID, e.Amount, e.Balance, micros(e.PostedAt)}
		},
	}, {
		pg: `UPDATE ledger_accounts AS a SET debits_pending = v.dp, debits_posted = v.dpo, credits_pending = v.cp,
			credits_posted = v.cpo, entry_seq = v.seq, last_entry_at = v.last
			FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[])
				AS v(id, dp, dpo, cp, cpo, seq, last)
			WHERE a.id = v.id`,
		sqlite: `UPDATE ledger_accounts SET debits_pending = ?2, debits_posted = ?3, credits_pending = ?4, credits_posted = ?5,
			entry_seq = ?6, last_entry_at = ?7 WHERE id = ?1`,
		n:    len(w.Accounts),
		want: int64(len(w.Accounts)),
		row: func(i int) []any {
			a := w.Accounts[i]
			return []any{a.ID, a.DebitsPending, a.DebitsPosted, a.CreditsPending, a.CreditsPosted, a.EntrySeq, micros(a.LastEntryAt)}
		},
	}}
	for _, b := range steps {
		if err := t.run(ctx, b); err != nil {
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
