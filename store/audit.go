package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/audit"
)

// AuditLog is the SQL side of the hash-chained audit log (package audit):
// audit_log holds the entries, audit_head the newest entry's number and
// hash. Appends lock the head row, so every instance on one database
// appends to one gap-free chain.
type AuditLog struct{ db *DB }

// Audit returns the audit log over db.
func (db *DB) Audit() *AuditLog { return &AuditLog{db: db} }

const auditColumns = `seq, at, actor, actor_kind, action, subject, ip, details, prev_hash, hash`

// Append records e as the next entry, inside the caller's transaction, so
// the action and its audit entry commit or roll back together. It locks the
// head row (the lock is held until the transaction ends), numbers the entry
// head.seq+1, chains it to head.hash, inserts it and moves the head.
//
// Call it as the last statement before commit: appends from all instances
// queue on the head lock, so taking it last keeps that queue short and the
// lock order the same everywhere (no deadlocks). The returned entry is only
// real once the transaction commits. The event must pass Validate (no
// secrets in Details); otherwise Append fails with EINVALID and writes
// nothing.
func (l *AuditLog) Append(ctx context.Context, tx *Tx, at time.Time, e audit.Event) (audit.Entry, error) {
	if err := e.Validate(); err != nil {
		return audit.Entry{}, netbank.Errorf(netbank.EINVALID, "%v", err)
	}
	if at.IsZero() {
		return audit.Entry{}, netbank.Errorf(netbank.EINVALID, "audit: event %q has no time", e.Action)
	}
	var head audit.Head
	err := tx.QueryRow(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1"+tx.ForUpdate()).Scan(&head.Seq, &head.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return audit.Entry{}, errors.New("store: audit head missing")
	}
	if err != nil {
		return audit.Entry{}, err
	}
	e.Details = maps.Clone(e.Details)
	if len(e.Details) == 0 {
		e.Details = nil
	}
	entry := audit.Entry{Seq: head.Seq + 1, At: audit.Normalized(at), Event: e, PrevHash: head.Hash}
	entry.Hash = audit.Hash(entry.PrevHash, entry)
	details, err := encodeDetails(e.Details)
	if err != nil {
		return audit.Entry{}, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO audit_log (`+auditColumns+`) VALUES (`+Placeholders(10)+`)`,
		entry.Seq, entry.At.UnixMicro(), e.Actor, e.ActorKind, e.Action, e.Subject, e.IP, details,
		entry.PrevHash, entry.Hash); err != nil {
		return audit.Entry{}, err
	}
	res, err := tx.Exec(ctx, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1 AND seq = ?", entry.Seq, entry.Hash, head.Seq)
	if err != nil {
		return audit.Entry{}, err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return audit.Entry{}, fmt.Errorf("store: audit head moved under its lock (%d rows, %v)", n, err)
	}
	return entry, nil
}

// Record appends e in a transaction of its own, for events that come with
// no other write (a failed login, a page viewed in the back office). Use
// Append inside the action's transaction wherever there is one.
func (l *AuditLog) Record(ctx context.Context, at time.Time, e audit.Event) (audit.Entry, error) {
	var entry audit.Entry
	// READ COMMITTED with the head row lock: concurrent appends wait for
	// the lock and read the new head instead of failing serialization.
	err := l.db.TransactLocked(ctx, func(tx *Tx) error {
		var err error
		entry, err = l.Append(ctx, tx, at, e)
		return err
	})
	if err != nil {
		return audit.Entry{}, err
	}
	return entry, nil
}

// Head returns the newest entry's number and hash ({0, GenesisHash} for an
// empty log).
func (l *AuditLog) Head(ctx context.Context) (audit.Head, error) {
	var h audit.Head
	err := l.db.QueryRow(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&h.Seq, &h.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return h, errors.New("store: audit head missing")
	}
	return h, classify(err)
}

// List returns the entries f selects, newest first, for the back office.
// Page with f.BeforeSeq set to the last Seq of the previous page.
func (l *AuditLog) List(ctx context.Context, f audit.Filter) ([]audit.Entry, error) {
	var where []string
	var args []any
	for _, c := range []struct{ col, v string }{{"actor", f.Actor}, {"subject", f.Subject}, {"action", f.Action}} {
		if c.v != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.v)
		}
	}
	if !f.From.IsZero() {
		where = append(where, "at >= ?")
		args = append(args, f.From.UnixMicro())
	}
	if !f.To.IsZero() {
		where = append(where, "at < ?")
		args = append(args, f.To.UnixMicro())
	}
	if f.BeforeSeq > 0 {
		where = append(where, "seq < ?")
		args = append(args, f.BeforeSeq)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	q := "SELECT " + auditColumns + " FROM audit_log"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := l.db.Query(ctx, q+" ORDER BY seq DESC LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		e, err := scanAuditEntry(rows)
		if err != nil {
			return nil, classify(err)
		}
		out = append(out, e)
	}
	return out, classify(rows.Err())
}

// Verify streams every entry in sequence order through an audit.Verifier
// and checks the end against the head, all in one read snapshot (so
// appends running meanwhile neither hide nor fake a break). It returns the
// head it verified (Seq is the number of entries). A broken chain comes
// back as every break found, joined: errors.As finds the first
// *audit.BrokenError, and each line of the message names an entry. Any
// other error is the database's.
func (l *AuditLog) Verify(ctx context.Context) (audit.Head, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if l.db.engine == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	stx, err := l.db.read.BeginTx(ctx, opts)
	if err != nil {
		return audit.Head{}, classify(err)
	}
	defer stx.Rollback()
	tx := &Tx{tx: stx, engine: l.db.engine}
	var head audit.Head
	if err := tx.QueryRow(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&head.Seq, &head.Hash); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return audit.Head{}, &audit.BrokenError{Kind: audit.HeadChanged, Msg: "the audit head has been removed"}
		}
		return audit.Head{}, classify(err)
	}
	// COALESCE: a column someone set to NULL reads as empty and fails the
	// hash like any other change, instead of stopping the scan.
	rows, err := tx.Query(ctx, `SELECT seq, COALESCE(at, 0), COALESCE(actor, ''), COALESCE(actor_kind, ''), COALESCE(action, ''),
		COALESCE(subject, ''), COALESCE(ip, ''), COALESCE(details, ''), COALESCE(prev_hash, ''), COALESCE(hash, '')
		FROM audit_log ORDER BY seq`)
	if err != nil {
		return audit.Head{}, classify(err)
	}
	defer rows.Close()
	var v audit.Verifier
	for rows.Next() {
		e, err := scanAuditEntry(rows)
		if err != nil {
			return audit.Head{}, classify(err)
		}
		_ = v.Add(e) // kept for Finish
	}
	if err := rows.Err(); err != nil {
		return audit.Head{}, classify(err)
	}
	return head, v.Finish(head)
}

// encodeDetails is the canonical JSON of the details: an object of
// strings with sorted keys (encoding/json sorts map keys), "{}" for none.
func encodeDetails(d map[string]string) (string, error) {
	if len(d) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("store: audit details: %w", err)
	}
	return string(b), nil
}

// unreadableKey marks details that no longer parse. Validate refuses NUL
// in keys, so no genuine entry has it: the entry fails its hash and the
// verifier names it as changed.
const unreadableKey = "\x00unreadable"

func scanAuditEntry(s scanner) (audit.Entry, error) {
	var e audit.Entry
	var at int64
	var details string
	if err := s.Scan(&e.Seq, &at, &e.Actor, &e.ActorKind, &e.Action, &e.Subject, &e.IP, &details, &e.PrevHash, &e.Hash); err != nil {
		return e, err
	}
	e.At = time.UnixMicro(at).UTC()
	var d map[string]string
	if err := json.Unmarshal([]byte(details), &d); err != nil {
		d = map[string]string{unreadableKey: details}
	}
	if len(d) > 0 {
		e.Details = d
	}
	return e, nil
}
