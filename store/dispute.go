package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/liability"
)

// Disputes is the SQL implementation of card.DisputeStore: the
// cardholders' disputes of card transactions in card_disputes (migration
// 0017).
type Disputes struct{ db *DB }

// Disputes returns the dispute store over db.
func (db *DB) Disputes() *Disputes { return &Disputes{db: db} }

var _ card.DisputeStore = (*Disputes)(nil)

// DisputeTx implements card.DisputeStore. A change locks the dispute's row
// (FOR UPDATE) before reading it, so it runs at READ COMMITTED on
// PostgreSQL (see TransactLocked).
func (s *Disputes) DisputeTx(ctx context.Context, fn func(card.DisputeTx) error) error {
	return s.db.TransactLocked(ctx, func(tx *Tx) error { return fn(disputeTx{tx: tx, db: s.db}) })
}

type disputeTx struct {
	tx *Tx
	db *DB
}

const disputeColumns = `id, authorization_id, card_id, account_id, card_type, card_last4, owner_customer_id, holder_customer_id,
	filed_by, filed_by_user, dispute_case, description, merchant_contacted, aware_at, debited_at, last_day, amount,
	original_amount, original_currency, merchant_name, merchant_city, merchant_country, mcc, status, opened_at,
	credit_transfer_id, credited_at, outcome, decided_at, decided_by, note, facts, liability_clause, liability_reason,
	liability_amount, interest, interest_bp, interest_days, fee, debit, decision_transfer_id, booked_at, updated_at`

const disputeColumnCount = 43

func scanDispute(s scanner) (card.Dispute, error) {
	var d card.Dispute
	var typ, kase, lastDay, status, facts string
	var aware, debited, opened, credited, decided, booked, updated int64
	err := s.Scan(&d.ID, &d.AuthorizationID, &d.CardID, &d.AccountID, &typ, &d.CardLast4, &d.OwnerCustomerID, &d.HolderCustomerID,
		&d.FiledBy, &d.FiledByUser, &kase, &d.Description, &d.MerchantContacted, &aware, &debited, &lastDay, &d.Amount,
		&d.OriginalAmount, &d.OriginalCurrency, &d.MerchantName, &d.MerchantCity, &d.MerchantCountry, &d.MCC, &status, &opened,
		&d.CreditTransferID, &credited, &d.Outcome, &decided, &d.DecidedBy, &d.Note, &facts, &d.LiabilityClause, &d.LiabilityReason,
		&d.LiabilityAmount, &d.Interest, &d.InterestBP, &d.InterestDays, &d.Fee, &d.Debit, &d.DecisionTransferID, &booked, &updated)
	if err != nil {
		return card.Dispute{}, err
	}
	d.CardType, d.Case, d.Status = card.Type(typ), liability.Case(kase), card.DisputeStatus(status)
	d.LastDay = parseDateText(lastDay)
	d.AwareAt, d.DebitedAt, d.OpenedAt, d.CreditedAt = fromMicros(aware), fromMicros(debited), fromMicros(opened), fromMicros(credited)
	d.DecidedAt, d.BookedAt, d.UpdatedAt = fromMicros(decided), fromMicros(booked), fromMicros(updated)
	if facts != "" {
		var f liability.Facts
		if err := json.Unmarshal([]byte(facts), &f); err != nil {
			return card.Dispute{}, netbank.Errorf(netbank.EINTERNAL, "dispute %s: stored facts: %v", d.ID, err)
		}
		d.Facts = &f
	}
	return d, nil
}

// encodeFacts stores a decision's liability facts as JSON ("" for none).
func encodeFacts(f *liability.Facts) (string, error) {
	if f == nil {
		return "", nil
	}
	b, err := json.Marshal(f)
	return string(b), err
}

func (t disputeTx) InsertDispute(ctx context.Context, d card.Dispute) error {
	facts, err := encodeFacts(d.Facts)
	if err != nil {
		return err
	}
	_, err = t.tx.Exec(ctx, `INSERT INTO card_disputes (`+disputeColumns+`) VALUES (`+Placeholders(disputeColumnCount)+`)`,
		d.ID, d.AuthorizationID, d.CardID, d.AccountID, string(d.CardType), d.CardLast4, d.OwnerCustomerID, d.HolderCustomerID,
		d.FiledBy, d.FiledByUser, string(d.Case), d.Description, d.MerchantContacted, micros(d.AwareAt), micros(d.DebitedAt),
		dateText(d.LastDay), d.Amount, d.OriginalAmount, d.OriginalCurrency, d.MerchantName, d.MerchantCity, d.MerchantCountry,
		d.MCC, string(d.Status), micros(d.OpenedAt), d.CreditTransferID, micros(d.CreditedAt), d.Outcome, micros(d.DecidedAt),
		d.DecidedBy, d.Note, facts, d.LiabilityClause, d.LiabilityReason, d.LiabilityAmount, d.Interest, d.InterestBP,
		d.InterestDays, d.Fee, d.Debit, d.DecisionTransferID, micros(d.BookedAt), micros(d.UpdatedAt))
	if IsUniqueViolation(err) {
		return netbank.Errorf(netbank.ECONFLICT, "Der er allerede gjort indsigelse mod denne betaling.")
	}
	return err
}

// UpdateDispute writes what can change of a dispute: never the
// transaction, the card, the people or what the cardholder filed.
func (t disputeTx) UpdateDispute(ctx context.Context, d card.Dispute) error {
	facts, err := encodeFacts(d.Facts)
	if err != nil {
		return err
	}
	res, err := t.tx.Exec(ctx, `UPDATE card_disputes SET status = ?, credited_at = ?, outcome = ?, decided_at = ?, decided_by = ?,
		note = ?, facts = ?, liability_clause = ?, liability_reason = ?, liability_amount = ?, interest = ?, interest_bp = ?,
		interest_days = ?, fee = ?, debit = ?, decision_transfer_id = ?, booked_at = ?, updated_at = ? WHERE id = ?`,
		string(d.Status), micros(d.CreditedAt), d.Outcome, micros(d.DecidedAt), d.DecidedBy, d.Note, facts, d.LiabilityClause,
		d.LiabilityReason, d.LiabilityAmount, d.Interest, d.InterestBP, d.InterestDays, d.Fee, d.Debit, d.DecisionTransferID,
		micros(d.BookedAt), micros(d.UpdatedAt), d.ID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errors.Join(err, notFound(sql.ErrNoRows, "dispute"))
	}
	return nil
}

func (t disputeTx) Dispute(ctx context.Context, id string, forUpdate bool) (card.Dispute, error) {
	lock := ""
	if forUpdate {
		lock = t.tx.ForUpdate()
	}
	d, err := scanDispute(t.tx.QueryRow(ctx, "SELECT "+disputeColumns+" FROM card_disputes WHERE id = ?"+lock, id))
	return d, notFound(err, "dispute")
}

func (t disputeTx) Disputes(ctx context.Context, f card.DisputeFilter) ([]card.Dispute, error) {
	var where []string
	var args []any
	if f.CustomerID != "" {
		where = append(where, "(owner_customer_id = ? OR holder_customer_id = ?)")
		args = append(args, f.CustomerID, f.CustomerID)
	}
	if f.CardID != "" {
		where = append(where, "card_id = ?")
		args = append(args, f.CardID)
	}
	if len(f.Statuses) > 0 {
		where = append(where, "status IN ("+Placeholders(len(f.Statuses))+")")
		for _, st := range f.Statuses {
			args = append(args, string(st))
		}
	}
	q := "SELECT " + disputeColumns + " FROM card_disputes"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if f.OldestFirst {
		q += " ORDER BY opened_at, id"
	} else {
		q += " ORDER BY opened_at DESC, id DESC"
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 200
	}
	q += " LIMIT ?"
	args = append(args, limit)
	rows, err := t.tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []card.Dispute
	for rows.Next() {
		d, err := scanDispute(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (t disputeTx) Audit(ctx context.Context, at time.Time, e audit.Event) error {
	_, err := t.db.Audit().Append(ctx, t.tx, at, e)
	return err
}
