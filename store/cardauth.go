package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/ledger"
)

// CardAuthorizations is the SQL implementation of card.AuthStore: the
// authorization engine's decisions in card_authorizations (migrations
// 0013 and 0014). Reads run on the read pool outside a transaction (the
// engine decides one card's requests one at a time itself); a decision is
// one insert, with the status changes of the authorizations it completes
// or reverses, in one transaction.
type CardAuthorizations struct {
	db *DB
	// stmts are the hot path's reads, prepared once (parsing them took
	// more time than running them on SQLite).
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// CardAuthorizations returns the authorization store over db. Keep it:
// it holds the prepared statements of the engine's reads.
func (db *DB) CardAuthorizations() *CardAuthorizations {
	return &CardAuthorizations{db: db, stmts: map[string]*sql.Stmt{}}
}

// stmt returns the read-pool statement of query, prepared on first use.
func (s *CardAuthorizations) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.stmts[query]; ok {
		return st, nil
	}
	st, err := s.db.read.PrepareContext(ctx, rebind(s.db.engine, query))
	if err != nil {
		return nil, err
	}
	s.stmts[query] = st
	return st, nil
}

// queryRow runs a prepared single-row read.
func (s *CardAuthorizations) queryRow(ctx context.Context, query string, args ...any) (*sql.Row, error) {
	st, err := s.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryRowContext(ctx, args...), nil
}

var _ card.AuthStore = (*CardAuthorizations)(nil)

const cardAuthColumns = `id, card_id, account_id, mti, stan, rrn, transmitted, terminal_id, merchant_id, merchant_name,
	merchant_city, merchant_country, mcc, entry_mode, pos_condition, processing_code, amount, currency, amount_dkk, rate,
	customer_rate, margin_bp, fee_dkk, response_code, reasons, auth_code, hold_transfer_id, hold_expires_at, claim_until,
	status, original_id, limit_dkk, cash, pin_verified, contactless_no_pin, card_not_present, fingerprint, created_at, updated_at`

const cardAuthColumnCount = 39

func scanCardAuth(s scanner) (card.Authorization, error) {
	var a card.Authorization
	var reasons, status string
	var holdExpires, claimUntil, created, updated int64
	err := s.Scan(&a.ID, &a.CardID, &a.AccountID, &a.MTI, &a.STAN, &a.RRN, &a.Transmitted, &a.TerminalID, &a.MerchantID,
		&a.MerchantName, &a.MerchantCity, &a.MerchantCountry, &a.MCC, &a.EntryMode, &a.Condition, &a.ProcessingCode,
		&a.Amount, &a.Currency, &a.AmountDKK, &a.Rate, &a.CustomerRate, &a.MarginBP, &a.FeeDKK, &a.Code, &reasons,
		&a.AuthCode, &a.TransferID, &holdExpires, &claimUntil, &status, &a.OriginalID, &a.LimitDKK, &a.Cash,
		&a.PINVerified, &a.ContactlessNoPIN, &a.CardNotPresent, &a.Fingerprint, &created, &updated)
	if reasons != "" {
		a.Reasons = strings.Split(reasons, "\n")
	}
	a.Status = card.AuthStatus(status)
	a.HoldExpiresAt, a.ClaimUntil = fromMicros(holdExpires), fromMicros(claimUntil)
	a.CreatedAt, a.UpdatedAt = fromMicros(created), fromMicros(updated)
	return a, err
}

func cardAuthArgs(a card.Authorization) []any {
	return []any{a.ID, a.CardID, a.AccountID, a.MTI, a.STAN, a.RRN, a.Transmitted, a.TerminalID, a.MerchantID,
		a.MerchantName, a.MerchantCity, a.MerchantCountry, a.MCC, a.EntryMode, a.Condition, a.ProcessingCode,
		a.Amount, a.Currency, a.AmountDKK, a.Rate, a.CustomerRate, a.MarginBP, a.FeeDKK, a.Code,
		strings.Join(a.Reasons, "\n"), a.AuthCode, a.TransferID, micros(a.HoldExpiresAt), micros(a.ClaimUntil),
		string(a.Status), a.OriginalID, a.LimitDKK, a.Cash, a.PINVerified, a.ContactlessNoPIN, a.CardNotPresent,
		a.Fingerprint, micros(a.CreatedAt), micros(a.UpdatedAt)}
}

// list runs a query for authorizations on q.
func (s *CardAuthorizations) list(ctx context.Context, q Querier, query string, args ...any) ([]card.Authorization, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return scanCardAuths(rows)
}

// scanCardAuths reads and closes rows of authorizations.
func scanCardAuths(rows *sql.Rows) ([]card.Authorization, error) {
	defer rows.Close()
	var out []card.Authorization
	for rows.Next() {
		a, err := scanCardAuth(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// CardByPANHash implements card.AuthStore on the read pool.
func (s *CardAuthorizations) CardByPANHash(ctx context.Context, hash string) (card.Card, error) {
	row, err := s.queryRow(ctx, "SELECT "+cardColumns+" FROM cards WHERE pan_hash = ?", hash)
	if err != nil {
		return card.Card{}, err
	}
	c, err := scanCard(row)
	return c, notFound(err, "card")
}

// AuthorizationsByID implements card.AuthStore.
func (s *CardAuthorizations) AuthorizationsByID(ctx context.Context, ids []string) ([]card.Authorization, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	st, err := s.stmt(ctx, `SELECT `+cardAuthColumns+` FROM card_authorizations WHERE id IN (`+Placeholders(len(ids))+`)`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	return scanCardAuths(rows)
}

// OriginalAuthorization implements card.AuthStore: an approval first,
// else the newest; never a duplicate (94).
func (s *CardAuthorizations) OriginalAuthorization(ctx context.Context, terminalID, mti, stan, transmitted string) (card.Authorization, error) {
	row, err := s.queryRow(ctx, `SELECT `+cardAuthColumns+` FROM card_authorizations
		WHERE terminal_id = ? AND stan = ? AND transmitted = ? AND mti = ? AND response_code <> ?
		ORDER BY CASE WHEN response_code = ? THEN 0 ELSE 1 END, created_at DESC LIMIT 1`,
		terminalID, stan, transmitted, mti, card.CodeDuplicate, card.CodeApproved)
	if err != nil {
		return card.Authorization{}, err
	}
	a, err := scanCardAuth(row)
	return a, notFound(err, "authorization")
}

// AuthorizationGroup implements card.AuthStore.
func (s *CardAuthorizations) AuthorizationGroup(ctx context.Context, id string) ([]card.Authorization, error) {
	return s.list(ctx, s.db, `SELECT `+cardAuthColumns+` FROM card_authorizations
		WHERE id = ? OR (original_id = ? AND mti = ?) ORDER BY created_at, id`, id, id, card.MsgAuthorization)
}

// CardUsage implements card.AuthStore in one statement: the card's
// approved, not reversed authorizations since since or since its last
// right PIN, whichever is earlier.
func (s *CardAuthorizations) CardUsage(ctx context.Context, cardID string, dayStart, since time.Time) (card.Usage, error) {
	var u card.Usage
	row, err := s.queryRow(ctx, `WITH lp AS (
			SELECT COALESCE(MAX(created_at), 0) AS t FROM card_authorizations
			WHERE card_id = ? AND response_code = ? AND pin_verified)
		SELECT
			CAST(COALESCE(SUM(CASE WHEN a.cash AND a.created_at >= ? THEN a.limit_dkk ELSE 0 END), 0) AS BIGINT),
			CAST(COALESCE(SUM(CASE WHEN a.created_at >= ? THEN a.limit_dkk ELSE 0 END), 0) AS BIGINT),
			CAST(COALESCE(SUM(CASE WHEN a.contactless_no_pin AND a.created_at >= lp.t THEN a.amount_dkk ELSE 0 END), 0) AS BIGINT),
			CAST(COALESCE(SUM(CASE WHEN a.contactless_no_pin AND a.created_at >= lp.t THEN 1 ELSE 0 END), 0) AS BIGINT)
		FROM card_authorizations a, lp
		WHERE a.card_id = ? AND a.response_code = ? AND a.status <> ? AND (a.created_at >= ? OR a.created_at >= lp.t)`,
		cardID, card.CodeApproved, micros(dayStart), micros(since), cardID, card.CodeApproved, string(card.AuthReversed),
		micros(since))
	if err != nil {
		return u, err
	}
	err = row.Scan(&u.CashToday, &u.Total30, &u.ContactlessSincePIN, &u.ContactlessCount)
	return u, err
}

// saveChunk is the most decisions one INSERT statement carries (39
// parameters each, well below both engines' limits).
const saveChunk = 200

// SaveAuthorizations implements card.AuthStore: one transaction, one
// multi-row insert per 200 decisions (ON CONFLICT DO NOTHING RETURNING
// tells which were new), and the updates the new ones make.
func (s *CardAuthorizations) SaveAuthorizations(ctx context.Context, saves []card.AuthSave) ([]card.AuthSaved, error) {
	out := make([]card.AuthSaved, len(saves))
	err := s.db.TransactLocked(ctx, func(tx *Tx) error {
		inserted := make(map[string]bool, len(saves))
		for start := 0; start < len(saves); start += saveChunk {
			part := saves[start:min(start+saveChunk, len(saves))]
			args := make([]any, 0, len(part)*cardAuthColumnCount)
			values := make([]string, len(part))
			for i, sv := range part {
				args = append(args, cardAuthArgs(sv.Auth)...)
				values[i] = "(" + Placeholders(cardAuthColumnCount) + ")"
			}
			rows, err := tx.Query(ctx, `INSERT INTO card_authorizations (`+cardAuthColumns+`) VALUES `+
				strings.Join(values, ", ")+` ON CONFLICT (id) DO NOTHING RETURNING id`, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				inserted[id] = true
			}
			if err := rows.Close(); err != nil {
				return err
			}
		}
		var stored []string
		for i, sv := range saves {
			a := sv.Auth
			if !inserted[a.ID] {
				stored = append(stored, a.ID)
				continue
			}
			inserted[a.ID] = false // a second decision with the same id in this batch was not inserted
			out[i] = card.AuthSaved{Auth: a, Inserted: true}
			for _, u := range sv.Updates {
				q := `UPDATE card_authorizations SET status = ?, updated_at = ? WHERE id = ?`
				if u.ClearLimit {
					q = `UPDATE card_authorizations SET status = ?, updated_at = ?, limit_dkk = 0 WHERE id = ?`
				}
				res, err := tx.Exec(ctx, q, string(u.Status), micros(a.CreatedAt), u.ID)
				if err != nil {
					return err
				}
				if n, err := res.RowsAffected(); err != nil || n != 1 {
					return netbank.Errorf(netbank.EINTERNAL, "card authorization %s to update is missing", u.ID)
				}
			}
		}
		if len(stored) == 0 {
			return nil
		}
		args := make([]any, len(stored))
		for i, id := range stored {
			args[i] = id
		}
		existing, err := s.list(ctx, tx, `SELECT `+cardAuthColumns+` FROM card_authorizations WHERE id IN (`+Placeholders(len(stored))+`)`, args...)
		if err != nil {
			return err
		}
		byID := make(map[string]card.Authorization, len(existing))
		for _, a := range existing {
			byID[a.ID] = a
		}
		for i, sv := range saves {
			if !out[i].Inserted {
				a, ok := byID[sv.Auth.ID]
				if !ok {
					return netbank.Errorf(netbank.EINTERNAL, "card authorization %s was neither inserted nor found", sv.Auth.ID)
				}
				out[i] = card.AuthSaved{Auth: a}
			}
		}
		return nil
	})
	return out, err
}

// CardAuthorizations implements card.AuthStore.
func (s *CardAuthorizations) CardAuthorizations(ctx context.Context, cardID string, limit int) ([]card.Authorization, error) {
	return s.list(ctx, s.db, `SELECT `+cardAuthColumns+` FROM card_authorizations WHERE card_id = ?
		ORDER BY created_at DESC, id DESC LIMIT ?`, cardID, limit)
}

// OrphanedMoney implements card.AuthStore in one statement over the
// partial index ledger_transfers_card_created (migration 0019): the card
// transfers of the period, each with three primary-key look-ups — the
// decision X (the first 28 characters of the id, "aut_" and 24 hex
// digits), its undo X:undo, its hold — and the fee X:finfee. The suffixes
// are the engine's (card/recover.go); completions' and reversals' money
// (X:post:…, X:void:…, X:debit, X:credit, X:fee) is never selected.
func (s *CardAuthorizations) OrphanedMoney(ctx context.Context, q card.OrphanQuery) ([]card.OrphanMoney, error) {
	rows, err := s.db.Query(ctx, `SELECT t.id, t.debit_account_id, t.credit_account_id, t.amount, t.currency, t.kind,
			COALESCE(t.pending_id, ''), t.code, t.text, t.expires_at, t.created_at, t.request_hash,
			COALESCE(f.id, ''), COALESCE(f.debit_account_id, ''), COALESCE(f.credit_account_id, ''), COALESCE(f.amount, 0),
			COALESCE(f.currency, ''), COALESCE(f.kind, ''), COALESCE(f.code, ''), COALESCE(f.text, ''), COALESCE(f.created_at, 0)
		FROM ledger_transfers t
		LEFT JOIN card_authorizations a ON a.id = substr(t.id, 1, 28)
		LEFT JOIN ledger_transfers u ON u.id = substr(t.id, 1, 28) || ':undo'
		LEFT JOIN ledger_pending p ON p.transfer_id = t.id
		LEFT JOIN ledger_transfers f ON f.id = substr(t.id, 1, 28) || ':finfee'
		WHERE t.code IN ('card', 'card_cash', 'card_refund')
			AND t.created_at >= ? AND t.created_at < ? AND (t.created_at > ? OR t.id > ?)
			AND substr(t.id, 1, 4) = 'aut_' AND substr(t.id, 29) IN (':hold', ':fin', ':refund')
			AND (a.id IS NULL OR a.fingerprint = ?)
			AND u.id IS NULL
			AND (p.transfer_id IS NULL OR (p.status = 'open' AND (p.expires_at = 0 OR p.expires_at > ?)))
		ORDER BY t.created_at, t.id LIMIT ?`,
		micros(q.From), micros(q.Before), micros(q.From), q.AfterID, card.RecoveredFingerprint, micros(q.Now), q.Limit)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []card.OrphanMoney
	for rows.Next() {
		var o card.OrphanMoney
		var tKind, fKind string
		var tExpires, tCreated, fCreated int64
		t, f := &o.Transfer, &o.Fee
		if err := rows.Scan(&t.ID, &t.DebitAccountID, &t.CreditAccountID, &t.Amount, &t.Currency, &tKind, &t.PendingID,
			&t.Code, &t.Text, &tExpires, &tCreated, &t.RequestHash, &f.ID, &f.DebitAccountID, &f.CreditAccountID, &f.Amount,
			&f.Currency, &fKind, &f.Code, &f.Text, &fCreated); err != nil {
			return nil, err
		}
		t.Kind, f.Kind = ledger.TransferKind(tKind), ledger.TransferKind(fKind)
		t.ExpiresAt, t.CreatedAt, f.CreatedAt = fromMicros(tExpires), fromMicros(tCreated), fromMicros(fCreated)
		o.AuthID, _, _ = strings.Cut(t.ID, ":")
		out = append(out, o)
	}
	return out, classify(rows.Err())
}
