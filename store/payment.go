package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/netbank/netbank/payment"
	"github.com/netbank/netbank/pricing"
)

// Payments is the SQL implementation of payment.Store.
type Payments struct{ db *DB }

// Payments returns the payment store over db.
func (db *DB) Payments() *Payments { return &Payments{db: db} }

var _ payment.Store = (*Payments)(nil)

// Tx implements payment.Store. Every state change locks the payment's row
// (FOR UPDATE) before reading it, so it runs at READ COMMITTED on
// PostgreSQL (see TransactLocked).
func (s *Payments) Tx(ctx context.Context, fn func(payment.Tx) error) error {
	return s.db.TransactLocked(ctx, func(tx *Tx) error { return fn(paymentTx{tx: tx}) })
}

type paymentTx struct{ tx *Tx }

const paymentColumns = `id, customer_id, client_id, request_hash, created_by, kind, from_account, to_reg, to_account,
	to_account_id, to_name, slip_type, slip_payment_id, slip_creditor, slip_giro_account, amount, currency, text_to_self,
	text_to_recipient, instant, requested_date, execution_date, status, signed_document, signed_by, confirmed_at,
	approval_required, approved_by, approval_document, approved_at, clearing, clearing_cycle, clearing_at, lease_owner,
	lease_until, created_at, executed_at, settled_at, cancelled_at, cancelled_by, failure_reason,
	to_iban, to_bic, to_address, to_country, charge_bearer, amount_in_dkk, fx_currency, fx_amount, fx_reference_rate,
	fx_customer_rate, fx_margin_bp, fee, fee_key, fx_rate_date, quoted_at, rate_fixed`

const paymentColumnCount = 57

// dateText stores a civil date as YYYY-MM-DD (sortable); the zero time as the empty string.
func dateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func parseDateText(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

func scanPayment(s scanner) (payment.Payment, error) {
	var p payment.Payment
	var kind, status, clearing, requested, execution, rateDate string
	var confirmed, approved, clearingAt, lease, created, executed, settled, cancelled, quoted int64
	err := s.Scan(&p.ID, &p.CustomerID, &p.ClientID, &p.RequestHash, &p.CreatedBy, &kind, &p.FromAccount, &p.ToReg, &p.ToAccount,
		&p.ToAccountID, &p.ToName, &p.Slip.Type, &p.Slip.PaymentID, &p.Slip.Creditor, &p.Slip.GiroAccount, &p.Amount, &p.Currency,
		&p.TextToSelf, &p.TextToRecipient, &p.Instant, &requested, &execution, &status, &p.SignedDocument, &p.SignedBy, &confirmed,
		&p.ApprovalRequired, &p.ApprovedBy, &p.ApprovalDocument, &approved, &clearing, &p.ClearingCycle, &clearingAt, &p.LeaseOwner,
		&lease, &created, &executed, &settled, &cancelled, &p.CancelledBy, &p.FailureReason,
		&p.ToIBAN, &p.ToBIC, &p.ToAddress, &p.ToCountry, &p.ChargeBearer, &p.AmountInDKK, &p.Quote.Currency, &p.Quote.Amount,
		&p.Quote.ReferenceRate, &p.Quote.CustomerRate, &p.Quote.MarginBP, &p.Quote.Fee, &p.Quote.FeeKey, &rateDate, &quoted, &p.RateFixed)
	if p.Quote.Currency != "" {
		// A foreign transfer's quote: a sale of the currency for the kroner amount.
		p.Quote.Side, p.Quote.DKK, p.Quote.Total = pricing.Sell, p.Amount, p.Amount+p.Quote.Fee
		p.Quote.RateDate, p.Quote.At = parseDateText(rateDate), fromMicros(quoted)
	}
	p.Kind, p.Status, p.Clearing = payment.Kind(kind), payment.Status(status), payment.Clearing(clearing)
	p.RequestedDate, p.ExecutionDate = parseDateText(requested), parseDateText(execution)
	p.ConfirmedAt, p.ApprovedAt, p.ClearingAt, p.LeaseUntil = fromMicros(confirmed), fromMicros(approved), fromMicros(clearingAt), fromMicros(lease)
	p.CreatedAt, p.ExecutedAt, p.SettledAt, p.CancelledAt = fromMicros(created), fromMicros(executed), fromMicros(settled), fromMicros(cancelled)
	return p, err
}

func paymentArgs(p payment.Payment) []any {
	return []any{p.ID, p.CustomerID, p.ClientID, p.RequestHash, p.CreatedBy, string(p.Kind), p.FromAccount, p.ToReg, p.ToAccount,
		p.ToAccountID, p.ToName, p.Slip.Type, p.Slip.PaymentID, p.Slip.Creditor, p.Slip.GiroAccount, p.Amount, p.Currency,
		p.TextToSelf, p.TextToRecipient, p.Instant, dateText(p.RequestedDate), dateText(p.ExecutionDate), string(p.Status),
		p.SignedDocument, p.SignedBy, micros(p.ConfirmedAt), p.ApprovalRequired, p.ApprovedBy, p.ApprovalDocument, micros(p.ApprovedAt),
		string(p.Clearing), p.ClearingCycle, micros(p.ClearingAt), p.LeaseOwner, micros(p.LeaseUntil), micros(p.CreatedAt),
		micros(p.ExecutedAt), micros(p.SettledAt), micros(p.CancelledAt), p.CancelledBy, p.FailureReason,
		p.ToIBAN, p.ToBIC, p.ToAddress, p.ToCountry, p.ChargeBearer, p.AmountInDKK, p.Quote.Currency, p.Quote.Amount,
		p.Quote.ReferenceRate, p.Quote.CustomerRate, p.Quote.MarginBP, p.Quote.Fee, p.Quote.FeeKey, dateText(p.Quote.RateDate),
		micros(p.Quote.At), p.RateFixed}
}

func (t paymentTx) Insert(ctx context.Context, p payment.Payment) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO payments (`+paymentColumns+`) VALUES (`+Placeholders(paymentColumnCount)+`)`, paymentArgs(p)...)
	return err
}

// Update writes a payment's changing state; what was submitted (payee,
// texts, dates) never changes. The amount changes only with the quote of
// a foreign transfer whose indicative quote is fixed at execution.
func (t paymentTx) Update(ctx context.Context, p payment.Payment) error {
	res, err := t.tx.Exec(ctx, `UPDATE payments SET status = ?, signed_document = ?, signed_by = ?, confirmed_at = ?,
		approval_required = ?, approved_by = ?, approval_document = ?, approved_at = ?, clearing = ?, clearing_cycle = ?,
		clearing_at = ?, lease_owner = ?, lease_until = ?, executed_at = ?, settled_at = ?, cancelled_at = ?, cancelled_by = ?,
		failure_reason = ?, amount = ?, fx_amount = ?, fx_reference_rate = ?, fx_customer_rate = ?, fx_margin_bp = ?, fee = ?,
		fee_key = ?, fx_rate_date = ?, quoted_at = ?, rate_fixed = ? WHERE id = ? AND customer_id = ?`,
		string(p.Status), p.SignedDocument, p.SignedBy, micros(p.ConfirmedAt), p.ApprovalRequired, p.ApprovedBy, p.ApprovalDocument,
		micros(p.ApprovedAt), string(p.Clearing), p.ClearingCycle, micros(p.ClearingAt), p.LeaseOwner, micros(p.LeaseUntil),
		micros(p.ExecutedAt), micros(p.SettledAt), micros(p.CancelledAt), p.CancelledBy, p.FailureReason,
		p.Amount, p.Quote.Amount, p.Quote.ReferenceRate, p.Quote.CustomerRate, p.Quote.MarginBP, p.Quote.Fee, p.Quote.FeeKey,
		dateText(p.Quote.RateDate), micros(p.Quote.At), p.RateFixed,
		p.ID, p.CustomerID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errors.Join(err, notFound(sql.ErrNoRows, "payment"))
	}
	return nil
}

func (t paymentTx) lock(forUpdate bool) string {
	if forUpdate {
		return t.tx.ForUpdate()
	}
	return ""
}

func (t paymentTx) Get(ctx context.Context, customerID, id string, forUpdate bool) (payment.Payment, error) {
	p, err := scanPayment(t.tx.QueryRow(ctx, "SELECT "+paymentColumns+" FROM payments WHERE id = ? AND customer_id = ?"+t.lock(forUpdate), id, customerID))
	return p, notFound(err, "payment")
}

func (t paymentTx) ByID(ctx context.Context, id string, forUpdate bool) (payment.Payment, error) {
	p, err := scanPayment(t.tx.QueryRow(ctx, "SELECT "+paymentColumns+" FROM payments WHERE id = ?"+t.lock(forUpdate), id))
	return p, notFound(err, "payment")
}

func (t paymentTx) ByClientID(ctx context.Context, customerID, clientID string) (payment.Payment, error) {
	p, err := scanPayment(t.tx.QueryRow(ctx, "SELECT "+paymentColumns+" FROM payments WHERE customer_id = ? AND client_id = ?", customerID, clientID))
	return p, notFound(err, "payment")
}

func (t paymentTx) Due(ctx context.Context, today, now time.Time, limit int) ([]string, error) {
	rows, err := t.tx.Query(ctx, `SELECT id FROM payments
		WHERE (status = 'scheduled' AND execution_date <= ?) OR (status = 'executing' AND lease_until < ?)
		ORDER BY execution_date, created_at, id LIMIT ?`, dateText(today), micros(now), limit)
	if err != nil {
		return nil, err
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
	return ids, rows.Err()
}

func collectPayments(rows *sql.Rows, err error) ([]payment.Payment, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []payment.Payment
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (t paymentTx) InClearing(ctx context.Context, until time.Time, limit int) ([]payment.Payment, error) {
	return collectPayments(t.tx.Query(ctx, "SELECT "+paymentColumns+` FROM payments
		WHERE status = 'in_clearing' AND clearing_at <= ? ORDER BY clearing_at, id LIMIT ?`, micros(until), limit))
}

func (t paymentTx) ExpireDrafts(ctx context.Context, before, at time.Time, reason string) (int, error) {
	res, err := t.tx.Exec(ctx, `UPDATE payments SET status = 'cancelled', cancelled_at = ?, failure_reason = ?
		WHERE status = 'awaiting_signature' AND created_at < ?`, micros(at), reason, micros(before))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func (t paymentTx) ApprovalLimit(ctx context.Context, customerID string) (int64, bool, error) {
	var limit int64
	err := t.tx.QueryRow(ctx, "SELECT amount FROM payment_approval_limits WHERE customer_id = ?", customerID).Scan(&limit)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return limit, err == nil, err
}

func (t paymentTx) SetApprovalLimit(ctx context.Context, customerID string, limit int64, at time.Time, by string) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO payment_approval_limits (customer_id, amount, updated_at, updated_by) VALUES (?, ?, ?, ?)
		ON CONFLICT (customer_id) DO UPDATE SET amount = excluded.amount, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		customerID, limit, micros(at), by)
	return err
}

func (t paymentTx) RemoveApprovalLimit(ctx context.Context, customerID string) error {
	_, err := t.tx.Exec(ctx, "DELETE FROM payment_approval_limits WHERE customer_id = ?", customerID)
	return err
}

// Payments implements payment.Store (on the read pool).
func (s *Payments) Payments(ctx context.Context, customerID string, q payment.Query) ([]payment.Payment, error) {
	where := []string{"customer_id = ?"}
	args := []any{customerID}
	if len(q.Statuses) > 0 {
		where = append(where, "status IN ("+Placeholders(len(q.Statuses))+")")
		for _, st := range q.Statuses {
			args = append(args, string(st))
		}
	}
	if q.AccountID != "" {
		where = append(where, "from_account = ?")
		args = append(args, q.AccountID)
	}
	if !q.FromDate.IsZero() {
		where = append(where, "execution_date >= ?")
		args = append(args, dateText(q.FromDate))
	}
	if !q.ToDate.IsZero() {
		where = append(where, "execution_date <= ?")
		args = append(args, dateText(q.ToDate))
	}
	if q.MinAmount > 0 {
		where = append(where, "amount >= ?")
		args = append(args, q.MinAmount)
	}
	if q.MaxAmount > 0 {
		where = append(where, "amount <= ?")
		args = append(args, q.MaxAmount)
	}
	if !q.BeforeCreated.IsZero() {
		where = append(where, "(created_at < ? OR (created_at = ? AND id < ?))")
		args = append(args, micros(q.BeforeCreated), micros(q.BeforeCreated), q.BeforeID)
	}
	order := " ORDER BY created_at DESC, id DESC"
	if q.OrderByExecution {
		order = " ORDER BY execution_date, created_at, id"
	}
	if q.Limit <= 0 || q.Limit > payment.MaxPage {
		q.Limit = payment.MaxPage
	}
	args = append(args, q.Limit)
	rows, err := s.db.Query(ctx, "SELECT "+paymentColumns+" FROM payments WHERE "+strings.Join(where, " AND ")+order+" LIMIT ?", args...)
	out, err := collectPayments(rows, err)
	return out, classify(err)
}

func (t paymentTx) InsertOutbound(ctx context.Context, m payment.OutboundMessage) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO outbound_messages (payment_id, customer_id, format, message_id, body, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (payment_id) DO NOTHING`,
		m.PaymentID, m.CustomerID, m.Format, m.MessageID, string(m.Body), micros(m.CreatedAt))
	return err
}

func (t paymentTx) Outbound(ctx context.Context, paymentID string) (payment.OutboundMessage, error) {
	var m payment.OutboundMessage
	var body string
	var created int64
	err := t.tx.QueryRow(ctx, `SELECT payment_id, customer_id, format, message_id, body, created_at FROM outbound_messages
		WHERE payment_id = ?`, paymentID).Scan(&m.PaymentID, &m.CustomerID, &m.Format, &m.MessageID, &body, &created)
	m.Body, m.CreatedAt = []byte(body), fromMicros(created)
	return m, notFound(err, "outbound message")
}

const incomingColumns = `id, source, reference, request_hash, swift, from_name, from_account, to_reg, to_account, to_iban,
	amount, currency, text, status, account_id, customer_id, reason, received_at, booked_at,
	original_currency, original_amount, fx_rate, fx_reference_rate, fx_margin_bp`

func scanIncoming(s scanner) (payment.Incoming, error) {
	var in payment.Incoming
	var status string
	var received, booked int64
	err := s.Scan(&in.ID, &in.Source, &in.Reference, &in.RequestHash, &in.SWIFT, &in.FromName, &in.FromAccount, &in.ToReg,
		&in.ToAccount, &in.ToIBAN, &in.Amount, &in.Currency, &in.Text, &status, &in.AccountID, &in.CustomerID, &in.Reason,
		&received, &booked, &in.OriginalCurrency, &in.OriginalAmount, &in.Rate, &in.ReferenceRate, &in.MarginBP)
	in.Status = payment.IncomingStatus(status)
	in.ReceivedAt, in.BookedAt = fromMicros(received), fromMicros(booked)
	return in, err
}

func (t paymentTx) InsertIncoming(ctx context.Context, in payment.Incoming) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO incoming_payments (`+incomingColumns+`) VALUES (`+Placeholders(24)+`)`,
		in.ID, in.Source, in.Reference, in.RequestHash, in.SWIFT, in.FromName, in.FromAccount, in.ToReg, in.ToAccount, in.ToIBAN,
		in.Amount, in.Currency, in.Text, string(in.Status), in.AccountID, in.CustomerID, in.Reason, micros(in.ReceivedAt), micros(in.BookedAt),
		in.OriginalCurrency, in.OriginalAmount, in.Rate, in.ReferenceRate, in.MarginBP)
	return err
}

func (t paymentTx) UpdateIncoming(ctx context.Context, in payment.Incoming) error {
	_, err := t.tx.Exec(ctx, `UPDATE incoming_payments SET status = ?, account_id = ?, customer_id = ?, reason = ?, booked_at = ?
		WHERE id = ?`, string(in.Status), in.AccountID, in.CustomerID, in.Reason, micros(in.BookedAt), in.ID)
	return err
}

func (t paymentTx) IncomingByReference(ctx context.Context, source, reference string, forUpdate bool) (payment.Incoming, error) {
	in, err := scanIncoming(t.tx.QueryRow(ctx, "SELECT "+incomingColumns+" FROM incoming_payments WHERE source = ? AND reference = ?"+t.lock(forUpdate),
		source, reference))
	return in, notFound(err, "incoming payment")
}

// Incoming implements payment.Store (on the read pool): booked payments
// only. A returned payment was never booked to an account, so it belongs
// to no customer (its customer_id is empty): the customer's search cannot
// find it, and must not, since the sender may have named any account.
func (s *Payments) Incoming(ctx context.Context, customerID string, q payment.IncomingQuery) ([]payment.Incoming, error) {
	where := []string{"customer_id = ?", "status = 'booked'"}
	args := []any{customerID}
	if q.SWIFTOnly {
		where = append(where, "swift = ?")
		args = append(args, true)
	}
	if q.AccountID != "" {
		where = append(where, "account_id = ?")
		args = append(args, q.AccountID)
	}
	if !q.From.IsZero() {
		where = append(where, "booked_at >= ?")
		args = append(args, micros(q.From))
	}
	if !q.To.IsZero() {
		where = append(where, "booked_at < ?")
		args = append(args, micros(q.To))
	}
	if q.MinAmount > 0 {
		where = append(where, "amount >= ?")
		args = append(args, q.MinAmount)
	}
	if q.MaxAmount > 0 {
		where = append(where, "amount <= ?")
		args = append(args, q.MaxAmount)
	}
	if !q.BeforeBooked.IsZero() {
		where = append(where, "(booked_at < ? OR (booked_at = ? AND id < ?))")
		args = append(args, micros(q.BeforeBooked), micros(q.BeforeBooked), q.BeforeID)
	}
	if q.Limit <= 0 || q.Limit > payment.MaxPage {
		q.Limit = payment.MaxPage
	}
	args = append(args, q.Limit)
	rows, err := s.db.Query(ctx, "SELECT "+incomingColumns+" FROM incoming_payments WHERE "+strings.Join(where, " AND ")+
		" ORDER BY booked_at DESC, id DESC LIMIT ?", args...)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []payment.Incoming
	for rows.Next() {
		in, err := scanIncoming(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, classify(rows.Err())
}
