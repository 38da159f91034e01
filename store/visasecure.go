package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/card"
)

// VisaSecure is the SQL implementation of card.VisaSecureStore: the
// access control server's authentications and the SMS outbox (migration
// 0016).
type VisaSecure struct{ db *DB }

// VisaSecure returns the Visa Secure store over db.
func (db *DB) VisaSecure() *VisaSecure { return &VisaSecure{db: db} }

var _ card.VisaSecureStore = (*VisaSecure)(nil)

// Tx implements card.VisaSecureStore. Every change locks the
// authentication's row (FOR UPDATE) before reading it, so it runs at READ
// COMMITTED on PostgreSQL (TransactLocked): two authorizations presenting
// the same CAVV at once are decided one after the other, and the second
// sees it used.
func (s *VisaSecure) Tx(ctx context.Context, fn func(card.VisaSecureTx) error) error {
	return s.db.TransactLocked(ctx, func(tx *Tx) error { return fn(visaSecureTx{tx: tx, db: s.db}) })
}

type visaSecureTx struct {
	tx *Tx
	db *DB
}

const vsaColumns = `id, card_id, pan_hash, amount, currency, merchant_id, merchant_name, requester, status, code_hash, tries,
	created_at, code_expires_at, completed_at, cavv_hash, cavv_expires_at, used_at`

func scanAuthentication(s scanner) (card.Authentication, error) {
	var a card.Authentication
	var status string
	var created, codeExpires, completed, cavvExpires, used int64
	err := s.Scan(&a.ID, &a.CardID, &a.PANHash, &a.Amount, &a.Currency, &a.MerchantID, &a.MerchantName, &a.Requester, &status,
		&a.CodeHash, &a.Tries, &created, &codeExpires, &completed, &a.CAVVHash, &cavvExpires, &used)
	a.Status = card.AuthenticationStatus(status)
	a.CreatedAt, a.CodeExpiresAt, a.CompletedAt = fromMicros(created), fromMicros(codeExpires), fromMicros(completed)
	a.CAVVExpiresAt, a.UsedAt = fromMicros(cavvExpires), fromMicros(used)
	return a, err
}

func (t visaSecureTx) lock(forUpdate bool) string {
	if forUpdate {
		return t.tx.ForUpdate()
	}
	return ""
}

func (t visaSecureTx) InsertAuthentication(ctx context.Context, a card.Authentication) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO visa_secure_authentications (`+vsaColumns+`) VALUES (`+Placeholders(17)+`)`,
		a.ID, a.CardID, a.PANHash, a.Amount, a.Currency, a.MerchantID, a.MerchantName, a.Requester, string(a.Status),
		a.CodeHash, a.Tries, micros(a.CreatedAt), micros(a.CodeExpiresAt), micros(a.CompletedAt), a.CAVVHash,
		micros(a.CAVVExpiresAt), micros(a.UsedAt))
	return err
}

func (t visaSecureTx) UpdateAuthentication(ctx context.Context, a card.Authentication) error {
	res, err := t.tx.Exec(ctx, `UPDATE visa_secure_authentications SET status = ?, tries = ?, completed_at = ?, cavv_hash = ?,
		cavv_expires_at = ?, used_at = ? WHERE id = ?`,
		string(a.Status), a.Tries, micros(a.CompletedAt), a.CAVVHash, micros(a.CAVVExpiresAt), micros(a.UsedAt), a.ID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errors.Join(err, notFound(sql.ErrNoRows, "authentication"))
	}
	return nil
}

func (t visaSecureTx) Authentication(ctx context.Context, id string, forUpdate bool) (card.Authentication, error) {
	a, err := scanAuthentication(t.tx.QueryRow(ctx, "SELECT "+vsaColumns+" FROM visa_secure_authentications WHERE id = ?"+
		t.lock(forUpdate), id))
	return a, notFound(err, "authentication")
}

func (t visaSecureTx) AuthenticationByCAVV(ctx context.Context, cavvHash string, forUpdate bool) (card.Authentication, error) {
	if cavvHash == "" {
		return card.Authentication{}, notFound(sql.ErrNoRows, "authentication")
	}
	a, err := scanAuthentication(t.tx.QueryRow(ctx, "SELECT "+vsaColumns+" FROM visa_secure_authentications WHERE cavv_hash = ?"+
		t.lock(forUpdate), cavvHash))
	return a, notFound(err, "authentication")
}

func (t visaSecureTx) CountAuthentications(ctx context.Context, cardID string, since time.Time) (int, error) {
	var n int
	err := t.tx.QueryRow(ctx, "SELECT COUNT(*) FROM visa_secure_authentications WHERE card_id = ? AND created_at >= ?",
		cardID, micros(since)).Scan(&n)
	return n, err
}

func (t visaSecureTx) InsertSMS(ctx context.Context, m card.SMS) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO sms_outbox (id, to_number, body, purpose, reference, customer_id, status, created_at,
		sent_at, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.ID, m.To, m.Text, m.Purpose, m.Reference, m.CustomerID,
		string(m.Status), micros(m.CreatedAt), micros(m.SentAt), m.Error)
	return err
}

func (t visaSecureTx) UpdateSMS(ctx context.Context, m card.SMS) error {
	res, err := t.tx.Exec(ctx, "UPDATE sms_outbox SET status = ?, sent_at = ?, error = ? WHERE id = ?",
		string(m.Status), micros(m.SentAt), m.Error, m.ID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errors.Join(err, notFound(sql.ErrNoRows, "sms"))
	}
	return nil
}

func (t visaSecureTx) Outbox(ctx context.Context, limit int) ([]card.SMS, error) {
	rows, err := t.tx.Query(ctx, `SELECT id, to_number, body, purpose, reference, customer_id, status, created_at, sent_at, error
		FROM sms_outbox ORDER BY created_at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []card.SMS
	for rows.Next() {
		var m card.SMS
		var status string
		var created, sent int64
		if err := rows.Scan(&m.ID, &m.To, &m.Text, &m.Purpose, &m.Reference, &m.CustomerID, &status, &created, &sent, &m.Error); err != nil {
			return nil, err
		}
		m.Status, m.CreatedAt, m.SentAt = card.SMSStatus(status), fromMicros(created), fromMicros(sent)
		out = append(out, m)
	}
	return out, rows.Err()
}

func (t visaSecureTx) Audit(ctx context.Context, at time.Time, e audit.Event) error {
	_, err := t.db.Audit().Append(ctx, t.tx, at, e)
	return err
}
