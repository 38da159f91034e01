package store

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/payfile"
	"github.com/netbank/netbank/payment"
)

// Payment files (payment/batch.go): *Payments implements payment.BatchStore
// beside payment.Store, over the tables payment_batches and
// payment_batch_lines (migration 0010).

var _ payment.BatchStore = (*Payments)(nil)

// BatchTx implements payment.BatchStore. It runs SERIALIZABLE on
// PostgreSQL (Transact): the unique index on a customer's active batch of
// a file turns two loads at once into one batch and a retry.
func (s *Payments) BatchTx(ctx context.Context, fn func(payment.BatchTx) error) error {
	return s.db.Transact(ctx, func(tx *Tx) error { return fn(batchTx{tx: tx}) })
}

type batchTx struct{ tx *Tx }

const batchColumns = `id, customer_id, created_by, file_name, file_hash, format, default_from, line_count, totals, status,
	signed_document, created_at, signed_at, cancelled_at, cancelled_by`

// batchLinesPerInsert bounds the rows of one multi-row INSERT (7 values each).
const batchLinesPerInsert = 200

func scanBatch(s scanner) (payment.Batch, error) {
	var b payment.Batch
	var format, totals, status string
	var created, signed, cancelled int64
	err := s.Scan(&b.ID, &b.CustomerID, &b.CreatedBy, &b.FileName, &b.FileHash, &format, &b.DefaultFromAccount, &b.Lines,
		&totals, &status, &b.SignedDocument, &created, &signed, &cancelled, &b.CancelledBy)
	b.Format, b.Status = payfile.Format(format), payment.BatchStatus(status)
	b.Totals = parseTotals(totals)
	b.CreatedAt, b.SignedAt, b.CancelledAt = fromMicros(created), fromMicros(signed), fromMicros(cancelled)
	return b, err
}

// formatTotals writes per-currency totals as "DKK:123456,EUR:1000".
func formatTotals(ts []netbank.Money) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = t.Currency + ":" + strconv.FormatInt(t.Amount, 10)
	}
	return strings.Join(parts, ",")
}

func parseTotals(s string) []netbank.Money {
	var out []netbank.Money
	for _, part := range strings.Split(s, ",") {
		cur, amount, ok := strings.Cut(part, ":")
		n, err := strconv.ParseInt(amount, 10, 64)
		if ok && err == nil {
			out = append(out, netbank.NewMoney(n, cur))
		}
	}
	return out
}

// batchLine is one row of payment_batch_lines.
type batchLine struct {
	no                              int
	paymentID, field, message, note string
}

// linesOf orders a batch's payments and errors by line number (errors
// about the whole file, number 0, first; a payment before an error of the
// same line).
func linesOf(b payment.Batch) []batchLine {
	var ls []batchLine
	for i, id := range b.Payments {
		no := 0
		if i < len(b.PaymentLines) {
			no = b.PaymentLines[i]
		}
		ls = append(ls, batchLine{no: no, paymentID: id, note: b.Failed[id]})
	}
	for _, e := range b.Errors {
		ls = append(ls, batchLine{no: e.No, field: e.Field, message: e.Message})
	}
	sort.SliceStable(ls, func(i, j int) bool { return ls[i].no < ls[j].no })
	return ls
}

func (t batchTx) InsertBatch(ctx context.Context, b payment.Batch) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO payment_batches (`+batchColumns+`) VALUES (`+Placeholders(15)+`)`,
		b.ID, b.CustomerID, b.CreatedBy, b.FileName, b.FileHash, string(b.Format), b.DefaultFromAccount, b.Lines,
		formatTotals(b.Totals), string(b.Status), b.SignedDocument, micros(b.CreatedAt), micros(b.SignedAt),
		micros(b.CancelledAt), b.CancelledBy)
	if err != nil {
		return err
	}
	ls := linesOf(b)
	for start := 0; start < len(ls); start += batchLinesPerInsert {
		chunk := ls[start:min(start+batchLinesPerInsert, len(ls))]
		rows := make([]string, len(chunk))
		args := make([]any, 0, 7*len(chunk))
		for i, l := range chunk {
			rows[i] = "(" + Placeholders(7) + ")"
			args = append(args, b.ID, start+i, l.no, l.paymentID, l.field, l.message, l.note)
		}
		if _, err := t.tx.Exec(ctx, `INSERT INTO payment_batch_lines (batch_id, seq, line_no, payment_id, field, message, note)
			VALUES `+strings.Join(rows, ", "), args...); err != nil {
			return err
		}
	}
	return nil
}

// UpdateBatch writes the batch's state and the notes of its payments
// (Failed; a payment not in it has none). What was loaded never changes.
func (t batchTx) UpdateBatch(ctx context.Context, b payment.Batch) error {
	res, err := t.tx.Exec(ctx, `UPDATE payment_batches SET status = ?, signed_document = ?, signed_at = ?, cancelled_at = ?,
		cancelled_by = ? WHERE id = ? AND customer_id = ?`,
		string(b.Status), b.SignedDocument, micros(b.SignedAt), micros(b.CancelledAt), b.CancelledBy, b.ID, b.CustomerID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errors.Join(err, notFound(sql.ErrNoRows, "payment batch"))
	}
	if _, err := t.tx.Exec(ctx, `UPDATE payment_batch_lines SET note = '' WHERE batch_id = ? AND note <> ''`, b.ID); err != nil {
		return err
	}
	ids := make([]string, 0, len(b.Failed))
	for id := range b.Failed {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if _, err := t.tx.Exec(ctx, `UPDATE payment_batch_lines SET note = ? WHERE batch_id = ? AND payment_id = ?`,
			b.Failed[id], b.ID, id); err != nil {
			return err
		}
	}
	return nil
}

func (t batchTx) lock(forUpdate bool) string {
	if forUpdate {
		return t.tx.ForUpdate()
	}
	return ""
}

// withLines reads a batch's lines into it.
func (t batchTx) withLines(ctx context.Context, b payment.Batch, err error) (payment.Batch, error) {
	if err != nil {
		return b, notFound(err, "payment batch")
	}
	rows, err := t.tx.Query(ctx, `SELECT line_no, payment_id, field, message, note FROM payment_batch_lines
		WHERE batch_id = ? ORDER BY seq`, b.ID)
	if err != nil {
		return b, err
	}
	defer rows.Close()
	for rows.Next() {
		var l batchLine
		if err := rows.Scan(&l.no, &l.paymentID, &l.field, &l.message, &l.note); err != nil {
			return b, err
		}
		addLine(&b, l)
	}
	return b, rows.Err()
}

func addLine(b *payment.Batch, l batchLine) {
	if l.paymentID == "" {
		b.Errors = append(b.Errors, payfile.LineError{No: l.no, Field: l.field, Message: l.message})
		return
	}
	b.Payments = append(b.Payments, l.paymentID)
	b.PaymentLines = append(b.PaymentLines, l.no)
	if l.note != "" {
		if b.Failed == nil {
			b.Failed = map[string]string{}
		}
		b.Failed[l.paymentID] = l.note
	}
}

func (t batchTx) GetBatch(ctx context.Context, customerID, id string, forUpdate bool) (payment.Batch, error) {
	b, err := scanBatch(t.tx.QueryRow(ctx, "SELECT "+batchColumns+" FROM payment_batches WHERE id = ? AND customer_id = ?"+
		t.lock(forUpdate), id, customerID))
	return t.withLines(ctx, b, err)
}

func (t batchTx) ActiveBatch(ctx context.Context, customerID, fileHash string, forUpdate bool) (payment.Batch, error) {
	b, err := scanBatch(t.tx.QueryRow(ctx, "SELECT "+batchColumns+` FROM payment_batches
		WHERE customer_id = ? AND file_hash = ? AND status <> 'cancelled'`+t.lock(forUpdate), customerID, fileHash))
	return t.withLines(ctx, b, err)
}

func (t batchTx) CountBatches(ctx context.Context, customerID, fileHash string) (int, error) {
	var n int
	err := t.tx.QueryRow(ctx, "SELECT COUNT(*) FROM payment_batches WHERE customer_id = ? AND file_hash = ?", customerID, fileHash).Scan(&n)
	return n, err
}

// Batches implements payment.BatchStore (on the read pool).
func (s *Payments) Batches(ctx context.Context, customerID string, limit int) ([]payment.Batch, error) {
	if limit <= 0 || limit > payment.MaxBatchPage {
		limit = payment.MaxBatchPage
	}
	rows, err := s.db.Query(ctx, "SELECT "+batchColumns+` FROM payment_batches WHERE customer_id = ?
		ORDER BY created_at DESC, id DESC LIMIT ?`, customerID, limit)
	if err != nil {
		return nil, classify(err)
	}
	var out []payment.Batch
	index := map[string]int{}
	for rows.Next() {
		b, err := scanBatch(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		index[b.ID] = len(out)
		out = append(out, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, classify(err)
	}
	args := make([]any, len(out))
	for i, b := range out {
		args[i] = b.ID
	}
	lrows, err := s.db.Query(ctx, `SELECT batch_id, line_no, payment_id, field, message, note FROM payment_batch_lines
		WHERE batch_id IN (`+Placeholders(len(args))+`) ORDER BY batch_id, seq`, args...)
	if err != nil {
		return nil, classify(err)
	}
	defer lrows.Close()
	for lrows.Next() {
		var id string
		var l batchLine
		if err := lrows.Scan(&id, &l.no, &l.paymentID, &l.field, &l.message, &l.note); err != nil {
			return nil, err
		}
		addLine(&out[index[id]], l)
	}
	return out, classify(lrows.Err())
}
