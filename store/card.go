package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/card"
)

// Cards is the SQL implementation of card.Store.
type Cards struct{ db *DB }

// Cards returns the card store over db.
func (db *DB) Cards() *Cards { return &Cards{db: db} }

var _ card.Store = (*Cards)(nil)

// Tx implements card.Store. Every change locks the card's row (FOR UPDATE)
// before reading it, so it runs at READ COMMITTED on PostgreSQL (see
// TransactLocked); the authorization engine's PIN checks do not abort on
// the predicate locks of unrelated cards.
func (s *Cards) Tx(ctx context.Context, fn func(card.Tx) error) error {
	return s.db.TransactLocked(ctx, func(tx *Tx) error { return fn(cardTx{tx: tx, db: s.db}) })
}

type cardTx struct {
	tx *Tx
	db *DB
}

const cardColumns = `id, customer_id, account_id, holder_customer_id, holder_name, holder_birth_date, proxy, type,
	pan_sealed, pan_hash, last4, bin, expiry, expires_at, status, block_reason, blocked_at, blocked_by,
	pin_hash, pin_tries, pin_locked, mobile, visa_secure, replaced_by, replaces, annual_fee, annual_fee_paid_until,
	agreement_start, termination_requested_at, terminates_at, terminated_by_holder, issued_at, issued_by, activated_at, ended_at`

const cardColumnCount = 35

func scanCard(s scanner) (card.Card, error) {
	var c card.Card
	var birth, typ, status, reason string
	var expires, blocked, paidUntil, agreement, termReq, terminates, issued, activated, ended int64
	err := s.Scan(&c.ID, &c.CustomerID, &c.AccountID, &c.HolderCustomerID, &c.HolderName, &birth, &c.Proxy, &typ,
		&c.PANSealed, &c.PANHash, &c.Last4, &c.BIN, &c.Expiry, &expires, &status, &reason, &blocked, &c.BlockedBy,
		&c.PINHash, &c.PINTries, &c.PINLocked, &c.MobileNumber, &c.VisaSecureEnrolled, &c.ReplacedBy, &c.Replaces,
		&c.AnnualFee, &paidUntil, &agreement, &termReq, &terminates, &c.TerminatedByHolder, &issued, &c.IssuedBy, &activated, &ended)
	c.HolderBirthDate = parseDateText(birth)
	c.Type, c.Status, c.BlockReason = card.Type(typ), card.Status(status), card.BlockReason(reason)
	c.ExpiresAt, c.BlockedAt, c.AnnualFeePaidUntil, c.AgreementStart = fromMicros(expires), fromMicros(blocked), fromMicros(paidUntil), fromMicros(agreement)
	c.TerminationRequestedAt, c.TerminatesAt = fromMicros(termReq), fromMicros(terminates)
	c.IssuedAt, c.ActivatedAt, c.EndedAt = fromMicros(issued), fromMicros(activated), fromMicros(ended)
	return c, err
}

func (t cardTx) InsertCard(ctx context.Context, c card.Card) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO cards (`+cardColumns+`) VALUES (`+Placeholders(cardColumnCount)+`)`,
		c.ID, c.CustomerID, c.AccountID, c.HolderCustomerID, c.HolderName, dateText(c.HolderBirthDate), c.Proxy, string(c.Type),
		c.PANSealed, c.PANHash, c.Last4, c.BIN, c.Expiry, micros(c.ExpiresAt), string(c.Status), string(c.BlockReason),
		micros(c.BlockedAt), c.BlockedBy, c.PINHash, c.PINTries, c.PINLocked, c.MobileNumber, c.VisaSecureEnrolled,
		c.ReplacedBy, c.Replaces, c.AnnualFee, micros(c.AnnualFeePaidUntil), micros(c.AgreementStart),
		micros(c.TerminationRequestedAt), micros(c.TerminatesAt), c.TerminatedByHolder, micros(c.IssuedAt), c.IssuedBy,
		micros(c.ActivatedAt), micros(c.EndedAt))
	return err
}

// UpdateCard writes what can change of a card: never its number, holder,
// account, type or issue.
func (t cardTx) UpdateCard(ctx context.Context, c card.Card) error {
	res, err := t.tx.Exec(ctx, `UPDATE cards SET status = ?, block_reason = ?, blocked_at = ?, blocked_by = ?, pin_hash = ?,
		pin_tries = ?, pin_locked = ?, mobile = ?, visa_secure = ?, replaced_by = ?, annual_fee = ?, annual_fee_paid_until = ?,
		termination_requested_at = ?, terminates_at = ?, terminated_by_holder = ?, activated_at = ?, ended_at = ? WHERE id = ?`,
		string(c.Status), string(c.BlockReason), micros(c.BlockedAt), c.BlockedBy, c.PINHash, c.PINTries, c.PINLocked,
		c.MobileNumber, c.VisaSecureEnrolled, c.ReplacedBy, c.AnnualFee, micros(c.AnnualFeePaidUntil),
		micros(c.TerminationRequestedAt), micros(c.TerminatesAt), c.TerminatedByHolder, micros(c.ActivatedAt), micros(c.EndedAt), c.ID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errors.Join(err, notFound(sql.ErrNoRows, "card"))
	}
	return nil
}

func (t cardTx) lock(forUpdate bool) string {
	if forUpdate {
		return t.tx.ForUpdate()
	}
	return ""
}

func (t cardTx) Card(ctx context.Context, id string, forUpdate bool) (card.Card, error) {
	c, err := scanCard(t.tx.QueryRow(ctx, "SELECT "+cardColumns+" FROM cards WHERE id = ?"+t.lock(forUpdate), id))
	return c, notFound(err, "card")
}

func (t cardTx) CardByPANHash(ctx context.Context, hash string) (card.Card, error) {
	c, err := scanCard(t.tx.QueryRow(ctx, "SELECT "+cardColumns+" FROM cards WHERE pan_hash = ?", hash))
	return c, notFound(err, "card")
}

func (t cardTx) cards(ctx context.Context, query string, args ...any) ([]card.Card, error) {
	rows, err := t.tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []card.Card
	for rows.Next() {
		c, err := scanCard(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (t cardTx) CardsOfCustomer(ctx context.Context, customerID string) ([]card.Card, error) {
	return t.cards(ctx, "SELECT "+cardColumns+` FROM cards WHERE customer_id = ? OR holder_customer_id = ?
		ORDER BY issued_at DESC, id DESC`, customerID, customerID)
}

func (t cardTx) CardsOfAccount(ctx context.Context, accountID string) ([]card.Card, error) {
	return t.cards(ctx, "SELECT "+cardColumns+" FROM cards WHERE account_id = ? ORDER BY issued_at DESC, id DESC", accountID)
}

// live is the SQL of card.Card.Live.
const live = `status IN ('ordered', 'active')`

func (t cardTx) RenewalDue(ctx context.Context, now, before time.Time, limit int) ([]card.Card, error) {
	return t.cards(ctx, "SELECT "+cardColumns+" FROM cards WHERE "+live+` AND replaced_by = '' AND terminates_at = 0
		AND expires_at > ? AND expires_at <= ? ORDER BY expires_at, id LIMIT ?`, micros(now), micros(before), limit)
}

func (t cardTx) ExpiryDue(ctx context.Context, now time.Time, limit int) ([]card.Card, error) {
	return t.cards(ctx, "SELECT "+cardColumns+" FROM cards WHERE "+live+` AND expires_at <= ?
		ORDER BY expires_at, id LIMIT ?`, micros(now), limit)
}

func (t cardTx) FeeDue(ctx context.Context, now time.Time, limit int) ([]card.Card, error) {
	// A card with a successor on its way is not charged: the successor
	// took over its paid-until date and is charged instead.
	return t.cards(ctx, "SELECT "+cardColumns+" FROM cards WHERE "+live+` AND annual_fee_paid_until > 0 AND replaced_by = ''
		AND annual_fee_paid_until <= ? AND (terminates_at = 0 OR terminates_at > annual_fee_paid_until)
		ORDER BY annual_fee_paid_until, id LIMIT ?`, micros(now), limit)
}

func (t cardTx) TerminationDue(ctx context.Context, now time.Time, limit int) ([]card.Card, error) {
	return t.cards(ctx, "SELECT "+cardColumns+` FROM cards WHERE terminates_at > 0 AND terminates_at <= ?
		AND status <> 'terminated' AND status <> 'replaced' ORDER BY terminates_at, id LIMIT ?`, micros(now), limit)
}

func (t cardTx) InsertBlock(ctx context.Context, b card.BlockEntry) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO card_blocks (id, card_id, pan_hash, reason, blocked_at, blocked_by, lifted_at, lifted_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, b.ID, b.CardID, b.PANHash, string(b.Reason), micros(b.BlockedAt), b.BlockedBy,
		micros(b.LiftedAt), b.LiftedBy)
	return err
}

func (t cardTx) LiftBlocks(ctx context.Context, cardID string, at time.Time, by string) error {
	_, err := t.tx.Exec(ctx, "UPDATE card_blocks SET lifted_at = ?, lifted_by = ? WHERE card_id = ? AND lifted_at = 0",
		micros(at), by, cardID)
	return err
}

func (t cardTx) OpenBlock(ctx context.Context, panHash string) (card.BlockEntry, error) {
	var b card.BlockEntry
	var reason string
	var blocked, lifted int64
	err := t.tx.QueryRow(ctx, `SELECT id, card_id, pan_hash, reason, blocked_at, blocked_by, lifted_at, lifted_by FROM card_blocks
		WHERE pan_hash = ? AND lifted_at = 0 ORDER BY blocked_at, id LIMIT 1`, panHash).
		Scan(&b.ID, &b.CardID, &b.PANHash, &reason, &blocked, &b.BlockedBy, &lifted, &b.LiftedBy)
	b.Reason, b.BlockedAt, b.LiftedAt = card.BlockReason(reason), fromMicros(blocked), fromMicros(lifted)
	return b, notFound(err, "block")
}

func (t cardTx) InsertToken(ctx context.Context, k card.Token) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO card_tokens (id, card_id, wallet, device, status, created_at, ended_at, end_reason)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, k.ID, k.CardID, k.Wallet, k.Device, string(k.Status), micros(k.CreatedAt),
		micros(k.EndedAt), k.EndReason)
	return err
}

func (t cardTx) Tokens(ctx context.Context, cardID string) ([]card.Token, error) {
	rows, err := t.tx.Query(ctx, `SELECT id, card_id, wallet, device, status, created_at, ended_at, end_reason FROM card_tokens
		WHERE card_id = ? ORDER BY created_at, id`, cardID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []card.Token
	for rows.Next() {
		var k card.Token
		var status string
		var created, ended int64
		if err := rows.Scan(&k.ID, &k.CardID, &k.Wallet, &k.Device, &status, &created, &ended, &k.EndReason); err != nil {
			return nil, err
		}
		k.Status, k.CreatedAt, k.EndedAt = card.TokenStatus(status), fromMicros(created), fromMicros(ended)
		out = append(out, k)
	}
	return out, rows.Err()
}

func (t cardTx) EndTokens(ctx context.Context, cardID string, at time.Time, reason string) (int, error) {
	res, err := t.tx.Exec(ctx, `UPDATE card_tokens SET status = ?, ended_at = ?, end_reason = ? WHERE card_id = ? AND status = ?`,
		string(card.TokenEnded), micros(at), reason, cardID, string(card.TokenActive))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// DeleteAuthorizationsBefore deletes the oldest authorizations made before
// t, at most limit.
func (t cardTx) DeleteAuthorizationsBefore(ctx context.Context, before time.Time, limit int) (int, error) {
	return t.deleteOldest(ctx, "card_authorizations", "created_at", "", before, limit)
}

// The retention queries (card.RetentionTx, migration 0018): the Visa
// Secure authentications, the SMS outbox and the disputes live in the
// same database as the cards.
var _ card.RetentionTx = cardTx{}

// deleteOldest deletes up to limit rows of table whose column is before t
// and that match the extra condition (if any), oldest first: by id
// through a sub-select, which both engines run.
func (t cardTx) deleteOldest(ctx context.Context, table, column, extra string, before time.Time, limit int) (int, error) {
	where := column + " < ?"
	if extra != "" {
		where += " AND " + extra
	}
	return affected(t.tx.Exec(ctx, `DELETE FROM `+table+` WHERE id IN (
		SELECT id FROM `+table+` WHERE `+where+` ORDER BY `+column+`, id LIMIT ?)`, micros(before), limit))
}

// affected is the number of rows an Exec changed.
func affected(res sql.Result, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func (t cardTx) DeleteAuthenticationsBefore(ctx context.Context, before time.Time, limit int) (int, error) {
	return t.deleteOldest(ctx, "visa_secure_authentications", "created_at", "", before, limit)
}

func (t cardTx) ClearAuthenticationSecrets(ctx context.Context, before time.Time, limit int) (int, error) {
	return affected(t.tx.Exec(ctx, `UPDATE visa_secure_authentications SET code_hash = '', cavv_hash = '' WHERE id IN (
		SELECT id FROM visa_secure_authentications WHERE created_at < ? AND (code_hash <> '' OR cavv_hash <> '')
		ORDER BY created_at, id LIMIT ?)`, micros(before), limit))
}

func (t cardTx) UnredactedSMS(ctx context.Context, purpose string, before time.Time, limit int) ([]card.SMS, error) {
	rows, err := t.tx.Query(ctx, `SELECT id, body, created_at FROM sms_outbox
		WHERE purpose = ? AND redacted_at = 0 AND created_at < ? ORDER BY created_at, id LIMIT ?`, purpose, micros(before), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []card.SMS
	for rows.Next() {
		m := card.SMS{Purpose: purpose}
		var created int64
		if err := rows.Scan(&m.ID, &m.Text, &created); err != nil {
			return nil, err
		}
		m.CreatedAt = fromMicros(created)
		out = append(out, m)
	}
	return out, rows.Err()
}

func (t cardTx) RedactSMS(ctx context.Context, id, text string, at time.Time) error {
	n, err := affected(t.tx.Exec(ctx, "UPDATE sms_outbox SET body = ?, redacted_at = ? WHERE id = ?", text, micros(at), id))
	if err == nil && n != 1 {
		err = notFound(sql.ErrNoRows, "sms")
	}
	return err
}

func (t cardTx) DeleteSMSBefore(ctx context.Context, before time.Time, limit int) (int, error) {
	return t.deleteOldest(ctx, "sms_outbox", "created_at", "", before, limit)
}

func (t cardTx) DeleteDecidedDisputesBefore(ctx context.Context, before time.Time, limit int) (int, error) {
	return t.deleteOldest(ctx, "card_disputes", "updated_at", "status IN ('"+string(card.DisputeFounded)+"', '"+
		string(card.DisputeUnfounded)+"')", before, limit)
}

func (t cardTx) Audit(ctx context.Context, at time.Time, e audit.Event) error {
	_, err := t.db.Audit().Append(ctx, t.tx, at, e)
	return err
}
