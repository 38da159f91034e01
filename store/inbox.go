package store

import (
	"context"
	"time"

	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/inbox"
)

// Inbox is the SQL implementation of inbox.Store.
type Inbox struct{ db *DB }

// Inbox returns the inbox store over db.
func (db *DB) Inbox() *Inbox { return &Inbox{db: db} }

var _ inbox.Store = (*Inbox)(nil)

// Tx implements inbox.Store.
func (s *Inbox) Tx(ctx context.Context, fn func(inbox.Tx) error) error {
	return s.db.TransactLocked(ctx, func(tx *Tx) error { return fn(inboxTx{tx: tx, db: s.db}) })
}

type inboxTx struct {
	tx *Tx
	db *DB
}

const messageColumns = `id, customer_id, thread_id, sender, author, subject, body, created_at, read_at`

func scanMessage(s scanner) (inbox.Message, error) {
	var m inbox.Message
	var sender string
	var created, read int64
	err := s.Scan(&m.ID, &m.CustomerID, &m.ThreadID, &sender, &m.Author, &m.Subject, &m.Body, &created, &read)
	m.Sender = inbox.Sender(sender)
	m.CreatedAt, m.ReadAt = fromMicros(created), fromMicros(read)
	return m, err
}

func (t inboxTx) InsertMessage(ctx context.Context, m inbox.Message) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO messages (`+messageColumns+`) VALUES (`+Placeholders(9)+`)`,
		m.ID, m.CustomerID, m.ThreadID, string(m.Sender), m.Author, m.Subject, m.Body, micros(m.CreatedAt), micros(m.ReadAt))
	return err
}

func (t inboxTx) messages(ctx context.Context, query string, args ...any) ([]inbox.Message, error) {
	rows, err := t.tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []inbox.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (t inboxTx) Messages(ctx context.Context, customerID string) ([]inbox.Message, error) {
	return t.messages(ctx, "SELECT "+messageColumns+" FROM messages WHERE customer_id = ? ORDER BY created_at, id", customerID)
}

func (t inboxTx) MarkRead(ctx context.Context, customerID, threadID string, sender inbox.Sender, at time.Time) error {
	from := []any{string(sender)}
	q := "UPDATE messages SET read_at = ? WHERE customer_id = ? AND thread_id = ? AND read_at = 0 AND sender = ?"
	if sender == inbox.FromBank { // the customer reads the bank's and the system's messages
		q = "UPDATE messages SET read_at = ? WHERE customer_id = ? AND thread_id = ? AND read_at = 0 AND sender <> 'customer'"
		from = nil
	}
	_, err := t.tx.Exec(ctx, q, append([]any{micros(at), customerID, threadID}, from...)...)
	return err
}

func (t inboxTx) OpenThreads(ctx context.Context, limit int) ([]inbox.Message, error) {
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	return t.messages(ctx, `SELECT `+prefixed("m", messageColumns)+` FROM messages m
		WHERE m.thread_id IN (
			SELECT l.thread_id FROM messages l
			WHERE l.sender = 'customer' AND l.created_at = (SELECT MAX(x.created_at) FROM messages x WHERE x.thread_id = l.thread_id)
			ORDER BY l.created_at LIMIT ?)
		ORDER BY m.created_at, m.id`, limit)
}

const contractColumns = `id, customer_id, title, body, kind, status, published_by, published_at, informed_at, approved_at,
	approved_by, signed_document, withdrawn_at`

func scanContract(s scanner) (inbox.Contract, error) {
	var c inbox.Contract
	var kind, status string
	var published, informed, approved, withdrawn int64
	err := s.Scan(&c.ID, &c.CustomerID, &c.Title, &c.Body, &kind, &status, &c.PublishedBy, &published, &informed, &approved,
		&c.ApprovedBy, &c.SignedDocument, &withdrawn)
	c.Kind, c.Status = inbox.ContractKind(kind), inbox.ContractStatus(status)
	c.PublishedAt, c.InformedAt, c.ApprovedAt, c.WithdrawnAt = fromMicros(published), fromMicros(informed), fromMicros(approved), fromMicros(withdrawn)
	return c, err
}

func contractArgs(c inbox.Contract) []any {
	return []any{c.ID, c.CustomerID, c.Title, c.Body, string(c.Kind), string(c.Status), c.PublishedBy, micros(c.PublishedAt),
		micros(c.InformedAt), micros(c.ApprovedAt), c.ApprovedBy, c.SignedDocument, micros(c.WithdrawnAt)}
}

func (t inboxTx) InsertContract(ctx context.Context, c inbox.Contract) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO contracts (`+contractColumns+`) VALUES (`+Placeholders(13)+`)`, contractArgs(c)...)
	return err
}

func (t inboxTx) UpdateContract(ctx context.Context, c inbox.Contract) error {
	_, err := t.tx.Exec(ctx, `UPDATE contracts SET status = ?, approved_at = ?, approved_by = ?, signed_document = ?, withdrawn_at = ?
		WHERE id = ? AND customer_id = ?`, string(c.Status), micros(c.ApprovedAt), c.ApprovedBy, c.SignedDocument, micros(c.WithdrawnAt), c.ID, c.CustomerID)
	return err
}

func (t inboxTx) Contract(ctx context.Context, customerID, id string, forUpdate bool) (inbox.Contract, error) {
	lock := ""
	if forUpdate {
		lock = t.tx.ForUpdate()
	}
	c, err := scanContract(t.tx.QueryRow(ctx, "SELECT "+contractColumns+" FROM contracts WHERE id = ? AND customer_id = ?"+lock, id, customerID))
	return c, notFound(err, "contract")
}

func (t inboxTx) Contracts(ctx context.Context, customerID string) ([]inbox.Contract, error) {
	rows, err := t.tx.Query(ctx, "SELECT "+contractColumns+` FROM contracts WHERE customer_id = ?
		ORDER BY CASE status WHEN 'pending' THEN 0 ELSE 1 END, published_at DESC, id`, customerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []inbox.Contract
	for rows.Next() {
		c, err := scanContract(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (t inboxTx) Audit(ctx context.Context, at time.Time, e audit.Event) error {
	_, err := t.db.Audit().Append(ctx, t.tx, at, e)
	return err
}
