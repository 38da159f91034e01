package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/netbank/netbank/apikey"
	"github.com/netbank/netbank/audit"
)

// APIKeys is the SQL implementation of apikey.Store.
type APIKeys struct{ db *DB }

// APIKeys returns the API key store over db.
func (db *DB) APIKeys() *APIKeys { return &APIKeys{db: db} }

var _ apikey.Store = (*APIKeys)(nil)

// Tx implements apikey.Store (SERIALIZABLE on PostgreSQL, retried).
func (s *APIKeys) Tx(ctx context.Context, fn func(apikey.Tx) error) error {
	return s.db.Transact(ctx, func(tx *Tx) error { return fn(apiKeyTx{tx: tx, db: s.db}) })
}

type apiKeyTx struct {
	tx *Tx
	db *DB
}

const apiKeyColumns = `id, kind, name, prefix, token_hash, customer_id, user_id, creditors, created_by, created_at,
	expires_at, last_used_at, revoked_at, revoked_by`

func scanAPIKey(s scanner) (apikey.Key, error) {
	var k apikey.Key
	var kind, creditors string
	var created, expires, used, revoked int64
	err := s.Scan(&k.ID, &kind, &k.Name, &k.Prefix, &k.Hash, &k.CustomerID, &k.UserID, &creditors, &k.CreatedBy, &created,
		&expires, &used, &revoked, &k.RevokedBy)
	k.Kind = apikey.Kind(kind)
	if creditors != "" {
		k.Creditors = strings.Split(creditors, ",")
	}
	k.CreatedAt, k.ExpiresAt, k.LastUsedAt, k.RevokedAt = fromMicros(created), fromMicros(expires), fromMicros(used), fromMicros(revoked)
	return k, err
}

func (t apiKeyTx) Insert(ctx context.Context, k apikey.Key) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO api_keys (`+apiKeyColumns+`) VALUES (`+Placeholders(14)+`)`,
		k.ID, string(k.Kind), k.Name, k.Prefix, k.Hash, k.CustomerID, k.UserID, strings.Join(k.Creditors, ","), k.CreatedBy,
		micros(k.CreatedAt), micros(k.ExpiresAt), micros(k.LastUsedAt), micros(k.RevokedAt), k.RevokedBy)
	return err
}

// Update stores what may change of a key: its last use and its revocation.
func (t apiKeyTx) Update(ctx context.Context, k apikey.Key) error {
	_, err := t.tx.Exec(ctx, `UPDATE api_keys SET last_used_at = ?, revoked_at = ?, revoked_by = ? WHERE id = ?`,
		micros(k.LastUsedAt), micros(k.RevokedAt), k.RevokedBy, k.ID)
	return err
}

func (t apiKeyTx) lock(forUpdate bool) string {
	if forUpdate {
		return t.tx.ForUpdate()
	}
	return ""
}

func (t apiKeyTx) one(ctx context.Context, where string, arg any, forUpdate bool) (apikey.Key, error) {
	k, err := scanAPIKey(t.tx.QueryRow(ctx, "SELECT "+apiKeyColumns+" FROM api_keys WHERE "+where+" = ?"+t.lock(forUpdate), arg))
	return k, notFound(err, "API key")
}

func (t apiKeyTx) Get(ctx context.Context, id string, forUpdate bool) (apikey.Key, error) {
	return t.one(ctx, "id", id, forUpdate)
}

func (t apiKeyTx) ByHash(ctx context.Context, hash string, forUpdate bool) (apikey.Key, error) {
	return t.one(ctx, "token_hash", hash, forUpdate)
}

func (t apiKeyTx) list(ctx context.Context, query string, args ...any) ([]apikey.Key, error) {
	rows, err := t.tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []apikey.Key
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

func (t apiKeyTx) OfUser(ctx context.Context, userID string) ([]apikey.Key, error) {
	return t.list(ctx, "SELECT "+apiKeyColumns+" FROM api_keys WHERE user_id = ? AND kind = ? ORDER BY created_at DESC, id DESC",
		userID, string(apikey.Customer))
}

func (t apiKeyTx) Partners(ctx context.Context) ([]apikey.Key, error) {
	return t.list(ctx, "SELECT "+apiKeyColumns+" FROM api_keys WHERE kind <> ? ORDER BY created_at DESC, id DESC",
		string(apikey.Customer))
}

func (t apiKeyTx) Touch(ctx context.Context, id string, at, since time.Time) error {
	_, err := t.tx.Exec(ctx, "UPDATE api_keys SET last_used_at = ? WHERE id = ? AND last_used_at < ?", micros(at), id, micros(since))
	return err
}

// Hits reads a bucket of the rate limits the identity store keeps
// (rate_limits, purged by identity's housekeeping).
func (t apiKeyTx) Hits(ctx context.Context, bucket string, windowStart time.Time) (int, error) {
	var hits int
	err := t.tx.QueryRow(ctx, "SELECT hits FROM rate_limits WHERE bucket = ? AND window_start = ?", bucket, micros(windowStart)).Scan(&hits)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return hits, err
}

// Hit counts one hit on a rate-limit bucket, in the same table and the
// same way as identity's Hit.
func (t apiKeyTx) Hit(ctx context.Context, bucket string, windowStart time.Time) (int, error) {
	return identityTx{tx: t.tx, db: t.db}.Hit(ctx, bucket, windowStart)
}

func (t apiKeyTx) Audit(ctx context.Context, at time.Time, e audit.Event) error {
	_, err := t.db.Audit().Append(ctx, t.tx, at, e)
	return err
}
