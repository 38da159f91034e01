package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/netbank/netbank/agreement"
)

// Agreements is the SQL implementation of agreement.Store.
type Agreements struct{ db *DB }

// Agreements returns the agreement store over db.
func (db *DB) Agreements() *Agreements { return &Agreements{db: db} }

var _ agreement.Store = (*Agreements)(nil)

// Tx implements agreement.Store. Every state change locks its row (FOR
// UPDATE) before reading it, so it runs at READ COMMITTED on PostgreSQL
// (see TransactLocked).
func (s *Agreements) Tx(ctx context.Context, fn func(agreement.Tx) error) error {
	return s.db.TransactLocked(ctx, func(tx *Tx) error { return fn(agreementTx{tx: tx}) })
}

type agreementTx struct{ tx *Tx }

func (t agreementTx) lock(forUpdate bool) string {
	if forUpdate {
		return t.tx.ForUpdate()
	}
	return ""
}

// agreementRowUpdated checks that an UPDATE changed exactly one row.
func agreementRowUpdated(res sql.Result, err error, what string) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errors.Join(err, notFound(sql.ErrNoRows, what))
	}
	return nil
}

// ---- agreements ----

const agreementColumns = `id, customer_id, client_id, request_hash, kind, creditor_number, debtor_group, customer_number,
	creditor_name, account_id, status, created_by, created_at, signed_document, signed_by, activated_at, cancelled_at, cancelled_by`

func scanAgreement(s scanner) (agreement.Agreement, error) {
	var a agreement.Agreement
	var kind, status string
	var created, activated, cancelled int64
	err := s.Scan(&a.ID, &a.CustomerID, &a.ClientID, &a.RequestHash, &kind, &a.CreditorNumber, &a.DebtorGroup, &a.CustomerNumber,
		&a.CreditorName, &a.AccountID, &status, &a.CreatedBy, &created, &a.SignedDocument, &a.SignedBy, &activated, &cancelled, &a.CancelledBy)
	a.Kind, a.Status = agreement.Kind(kind), agreement.Status(status)
	a.CreatedAt, a.ActivatedAt, a.CancelledAt = fromMicros(created), fromMicros(activated), fromMicros(cancelled)
	return a, err
}

func (t agreementTx) InsertAgreement(ctx context.Context, a agreement.Agreement) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO payment_agreements (`+agreementColumns+`) VALUES (`+Placeholders(18)+`)`,
		a.ID, a.CustomerID, a.ClientID, a.RequestHash, string(a.Kind), a.CreditorNumber, a.DebtorGroup, a.CustomerNumber,
		a.CreditorName, a.AccountID, string(a.Status), a.CreatedBy, micros(a.CreatedAt), a.SignedDocument, a.SignedBy,
		micros(a.ActivatedAt), micros(a.CancelledAt), a.CancelledBy)
	return err
}

// UpdateAgreement writes an agreement's changing state (and the creditor's
// name, which the first bill may tell); the numbers never change.
func (t agreementTx) UpdateAgreement(ctx context.Context, a agreement.Agreement) error {
	res, err := t.tx.Exec(ctx, `UPDATE payment_agreements SET creditor_name = ?, status = ?, signed_document = ?, signed_by = ?,
		activated_at = ?, cancelled_at = ?, cancelled_by = ? WHERE id = ? AND customer_id = ?`,
		a.CreditorName, string(a.Status), a.SignedDocument, a.SignedBy, micros(a.ActivatedAt), micros(a.CancelledAt), a.CancelledBy,
		a.ID, a.CustomerID)
	return agreementRowUpdated(res, err, "agreement")
}

func (t agreementTx) Agreement(ctx context.Context, customerID, id string, forUpdate bool) (agreement.Agreement, error) {
	a, err := scanAgreement(t.tx.QueryRow(ctx, "SELECT "+agreementColumns+" FROM payment_agreements WHERE id = ? AND customer_id = ?"+
		t.lock(forUpdate), id, customerID))
	return a, notFound(err, "agreement")
}

func (t agreementTx) AgreementByID(ctx context.Context, id string, forUpdate bool) (agreement.Agreement, error) {
	a, err := scanAgreement(t.tx.QueryRow(ctx, "SELECT "+agreementColumns+" FROM payment_agreements WHERE id = ?"+t.lock(forUpdate), id))
	return a, notFound(err, "agreement")
}

func (t agreementTx) AgreementByClientID(ctx context.Context, customerID, clientID string) (agreement.Agreement, error) {
	a, err := scanAgreement(t.tx.QueryRow(ctx, "SELECT "+agreementColumns+" FROM payment_agreements WHERE customer_id = ? AND client_id = ?",
		customerID, clientID))
	return a, notFound(err, "agreement")
}

func (t agreementTx) ActiveAgreement(ctx context.Context, kind agreement.Kind, creditor, debtorGroup, customerNumber string) (agreement.Agreement, error) {
	a, err := scanAgreement(t.tx.QueryRow(ctx, "SELECT "+agreementColumns+` FROM payment_agreements
		WHERE kind = ? AND creditor_number = ? AND debtor_group = ? AND customer_number = ? AND status = 'active'`,
		string(kind), creditor, debtorGroup, customerNumber))
	return a, notFound(err, "agreement")
}

func (t agreementTx) ExpireDrafts(ctx context.Context, before, at time.Time) (int, error) {
	res, err := t.tx.Exec(ctx, `UPDATE payment_agreements SET status = 'cancelled', cancelled_at = ?
		WHERE status = 'awaiting_signature' AND created_at < ?`, micros(at), micros(before))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// Agreements implements agreement.Store (on the read pool).
func (s *Agreements) Agreements(ctx context.Context, customerID string) ([]agreement.Agreement, error) {
	return customerRows(ctx, s.db, "SELECT "+agreementColumns+" FROM payment_agreements", customerID, []agreement.Status(nil),
		"created_at DESC, id DESC", scanAgreement)
}

// customerRows reads the rows of query ("SELECT … FROM table") of one
// customer, of the given statuses (all when none is given), in order, at
// most agreement.MaxPage of them (on the read pool).
func customerRows[T any, S ~string](ctx context.Context, db *DB, query, customerID string, statuses []S, order string,
	scan func(scanner) (T, error)) ([]T, error) {
	query += " WHERE customer_id = ?"
	args := []any{customerID}
	if len(statuses) > 0 {
		query += " AND status IN (" + Placeholders(len(statuses)) + ")"
		for _, st := range statuses {
			args = append(args, string(st))
		}
	}
	args = append(args, agreement.MaxPage)
	rows, err := db.Query(ctx, query+" ORDER BY "+order+" LIMIT ?", args...)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, classify(rows.Err())
}

// ---- collections ----

const collectionColumns = `id, agreement_id, customer_id, creditor_number, debtor_group, customer_number, creditor_name,
	account_id, reference, request_hash, amount, currency, text, requested_due_date, due_date, status, payment_id, reason,
	announced_at, rejected_at, rejected_by, finished_at`

func scanCollection(s scanner) (agreement.Collection, error) {
	var c agreement.Collection
	var requested, due, status string
	var announced, rejected, finished int64
	err := s.Scan(&c.ID, &c.AgreementID, &c.CustomerID, &c.CreditorNumber, &c.DebtorGroup, &c.CustomerNumber, &c.CreditorName,
		&c.AccountID, &c.Reference, &c.RequestHash, &c.Amount, &c.Currency, &c.Text, &requested, &due, &status, &c.PaymentID,
		&c.Reason, &announced, &rejected, &c.RejectedBy, &finished)
	c.RequestedDueDate, c.DueDate, c.Status = parseDateText(requested), parseDateText(due), agreement.CollectionStatus(status)
	c.AnnouncedAt, c.RejectedAt, c.FinishedAt = fromMicros(announced), fromMicros(rejected), fromMicros(finished)
	return c, err
}

func (t agreementTx) InsertCollection(ctx context.Context, c agreement.Collection) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO agreement_collections (`+collectionColumns+`) VALUES (`+Placeholders(22)+`)`,
		c.ID, c.AgreementID, c.CustomerID, c.CreditorNumber, c.DebtorGroup, c.CustomerNumber, c.CreditorName, c.AccountID,
		c.Reference, c.RequestHash, c.Amount, c.Currency, c.Text, dateText(c.RequestedDueDate), dateText(c.DueDate),
		string(c.Status), c.PaymentID, c.Reason, micros(c.AnnouncedAt), micros(c.RejectedAt), c.RejectedBy, micros(c.FinishedAt))
	return err
}

// UpdateCollection writes a collection's changing state; what the
// creditor announced never changes.
func (t agreementTx) UpdateCollection(ctx context.Context, c agreement.Collection) error {
	res, err := t.tx.Exec(ctx, `UPDATE agreement_collections SET status = ?, payment_id = ?, reason = ?, rejected_at = ?,
		rejected_by = ?, finished_at = ? WHERE id = ? AND customer_id = ?`,
		string(c.Status), c.PaymentID, c.Reason, micros(c.RejectedAt), c.RejectedBy, micros(c.FinishedAt), c.ID, c.CustomerID)
	return agreementRowUpdated(res, err, "collection")
}

func (t agreementTx) Collection(ctx context.Context, customerID, id string, forUpdate bool) (agreement.Collection, error) {
	c, err := scanCollection(t.tx.QueryRow(ctx, "SELECT "+collectionColumns+" FROM agreement_collections WHERE id = ? AND customer_id = ?"+
		t.lock(forUpdate), id, customerID))
	return c, notFound(err, "collection")
}

func (t agreementTx) CollectionByID(ctx context.Context, id string, forUpdate bool) (agreement.Collection, error) {
	c, err := scanCollection(t.tx.QueryRow(ctx, "SELECT "+collectionColumns+" FROM agreement_collections WHERE id = ?"+t.lock(forUpdate), id))
	return c, notFound(err, "collection")
}

func (t agreementTx) CollectionByReference(ctx context.Context, creditor, reference string, forUpdate bool) (agreement.Collection, error) {
	c, err := scanCollection(t.tx.QueryRow(ctx, "SELECT "+collectionColumns+" FROM agreement_collections WHERE creditor_number = ? AND reference = ?"+
		t.lock(forUpdate), creditor, reference))
	return c, notFound(err, "collection")
}

func (t agreementTx) DueCollections(ctx context.Context, until time.Time, limit int) ([]string, error) {
	rows, err := t.tx.Query(ctx, `SELECT id FROM agreement_collections
		WHERE status IN ('announced', 'collecting') AND due_date <= ? ORDER BY due_date, announced_at, id LIMIT ?`, dateText(until), limit)
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

func (t agreementTx) CancelCollections(ctx context.Context, agreementID string, at time.Time, reason string) (int, error) {
	res, err := t.tx.Exec(ctx, `UPDATE agreement_collections SET status = 'cancelled', reason = ?, finished_at = ?
		WHERE agreement_id = ? AND status = 'announced'`, reason, micros(at), agreementID)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// Collections implements agreement.Store (on the read pool).
func (s *Agreements) Collections(ctx context.Context, customerID string, statuses []agreement.CollectionStatus) ([]agreement.Collection, error) {
	return customerRows(ctx, s.db, "SELECT "+collectionColumns+" FROM agreement_collections", customerID, statuses,
		"due_date, announced_at, id", scanCollection)
}

// ---- bills ----

const invoiceColumns = `id, agreement_id, customer_id, creditor_number, customer_number, creditor_name, account_id, slip_type,
	slip_payment_id, amount, currency, due_date, text, reference, request_hash, status, approved_payment, reason, received_at,
	decided_at, decided_by`

func scanInvoice(s scanner) (agreement.Invoice, error) {
	var inv agreement.Invoice
	var due, status string
	var received, decided int64
	err := s.Scan(&inv.ID, &inv.AgreementID, &inv.CustomerID, &inv.CreditorNumber, &inv.CustomerNumber, &inv.CreditorName,
		&inv.AccountID, &inv.SlipType, &inv.PaymentID, &inv.Amount, &inv.Currency, &due, &inv.Text, &inv.Reference,
		&inv.RequestHash, &status, &inv.ApprovedPayment, &inv.Reason, &received, &decided, &inv.DecidedBy)
	inv.DueDate, inv.Status = parseDateText(due), agreement.InvoiceStatus(status)
	inv.ReceivedAt, inv.DecidedAt = fromMicros(received), fromMicros(decided)
	return inv, err
}

func (t agreementTx) InsertInvoice(ctx context.Context, inv agreement.Invoice) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO agreement_invoices (`+invoiceColumns+`) VALUES (`+Placeholders(21)+`)`,
		inv.ID, inv.AgreementID, inv.CustomerID, inv.CreditorNumber, inv.CustomerNumber, inv.CreditorName, inv.AccountID,
		inv.SlipType, inv.PaymentID, inv.Amount, inv.Currency, dateText(inv.DueDate), inv.Text, inv.Reference, inv.RequestHash,
		string(inv.Status), inv.ApprovedPayment, inv.Reason, micros(inv.ReceivedAt), micros(inv.DecidedAt), inv.DecidedBy)
	return err
}

// UpdateInvoice writes a bill's changing state; what the creditor sent
// never changes.
func (t agreementTx) UpdateInvoice(ctx context.Context, inv agreement.Invoice) error {
	res, err := t.tx.Exec(ctx, `UPDATE agreement_invoices SET status = ?, approved_payment = ?, reason = ?, decided_at = ?,
		decided_by = ? WHERE id = ? AND customer_id = ?`,
		string(inv.Status), inv.ApprovedPayment, inv.Reason, micros(inv.DecidedAt), inv.DecidedBy, inv.ID, inv.CustomerID)
	return agreementRowUpdated(res, err, "invoice")
}

func (t agreementTx) Invoice(ctx context.Context, customerID, id string, forUpdate bool) (agreement.Invoice, error) {
	inv, err := scanInvoice(t.tx.QueryRow(ctx, "SELECT "+invoiceColumns+" FROM agreement_invoices WHERE id = ? AND customer_id = ?"+
		t.lock(forUpdate), id, customerID))
	return inv, notFound(err, "invoice")
}

func (t agreementTx) InvoiceByReference(ctx context.Context, creditor, reference string, forUpdate bool) (agreement.Invoice, error) {
	inv, err := scanInvoice(t.tx.QueryRow(ctx, "SELECT "+invoiceColumns+" FROM agreement_invoices WHERE creditor_number = ? AND reference = ?"+
		t.lock(forUpdate), creditor, reference))
	return inv, notFound(err, "invoice")
}

// Invoices implements agreement.Store (on the read pool).
func (s *Agreements) Invoices(ctx context.Context, customerID string, statuses []agreement.InvoiceStatus) ([]agreement.Invoice, error) {
	return customerRows(ctx, s.db, "SELECT "+invoiceColumns+" FROM agreement_invoices", customerID, statuses,
		"due_date, received_at, id", scanInvoice)
}
