package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/identity"
)

// Identity is the SQL implementation of identity.Store.
type Identity struct{ db *DB }

// Identity returns the identity store over db.
func (db *DB) Identity() *Identity { return &Identity{db: db} }

var _ identity.Store = (*Identity)(nil)

// Tx implements identity.Store (SERIALIZABLE on PostgreSQL, retried).
//
// On PostgreSQL its first statement locks the audit chain's head table
// against other writers. Nearly every identity transaction appends to the
// audit log, which updates the head's one row; two SERIALIZABLE
// transactions that both update it cannot both commit, so concurrent
// logins aborted each other until the retries ran out. LOCK TABLE takes no
// snapshot, so the transaction's snapshot is taken after the lock is held:
// identity transactions queue for the head instead of aborting (they are
// short: a few statements each).
func (s *Identity) Tx(ctx context.Context, fn func(identity.Tx) error) error {
	return s.db.Transact(ctx, func(tx *Tx) error {
		if tx.engine == Postgres {
			if _, err := tx.Exec(ctx, "LOCK TABLE audit_head IN SHARE ROW EXCLUSIVE MODE"); err != nil {
				return err
			}
		}
		return fn(identityTx{tx: tx, db: s.db})
	})
}

// View implements identity.Store: a read-only snapshot on the read pool.
func (s *Identity) View(ctx context.Context, fn func(identity.Tx) error) error {
	return s.db.View(ctx, func(tx *Tx) error { return fn(identityTx{tx: tx, db: s.db}) })
}

type identityTx struct {
	tx *Tx
	db *DB
}

// notFound maps sql.ErrNoRows to a coded not-found error.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return netbank.Errorf(netbank.ENOTFOUND, "%s not found", what)
	}
	return err
}

func (t identityTx) lock(forUpdate bool) string {
	if forUpdate {
		return t.tx.ForUpdate()
	}
	return ""
}

// ---- customers ----

const customerColumns = `id, kind, name, cpr_encrypted, cpr_hash, birth_date, cvr, mobile, address, postcode, city, email, created_at`

func scanCustomer(s scanner) (identity.Customer, error) {
	var c identity.Customer
	var kind, birth string
	var created int64
	err := s.Scan(&c.ID, &kind, &c.Name, &c.CPRCipher, &c.CPRHash, &birth, &c.CVR, &c.Mobile, &c.Address, &c.Postcode, &c.City, &c.Email, &created)
	c.Kind = identity.CustomerKind(kind)
	if birth != "" {
		c.BirthDate, _ = time.Parse("2006-01-02", birth)
	}
	c.CreatedAt = fromMicros(created)
	return c, err
}

func (t identityTx) InsertCustomer(ctx context.Context, c identity.Customer) error {
	birth := ""
	if !c.BirthDate.IsZero() {
		birth = c.BirthDate.Format("2006-01-02")
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO customers (`+customerColumns+`) VALUES (`+Placeholders(13)+`)`,
		c.ID, string(c.Kind), c.Name, c.CPRCipher, c.CPRHash, birth, c.CVR, c.Mobile, c.Address, c.Postcode, c.City, c.Email, micros(c.CreatedAt))
	return err
}

func (t identityTx) Customer(ctx context.Context, id string) (identity.Customer, error) {
	c, err := scanCustomer(t.tx.QueryRow(ctx, "SELECT "+customerColumns+" FROM customers WHERE id = ?", id))
	return c, notFound(err, "customer")
}

func (t identityTx) CustomerByCPRHash(ctx context.Context, hash string) (identity.Customer, error) {
	c, err := scanCustomer(t.tx.QueryRow(ctx, "SELECT "+customerColumns+" FROM customers WHERE cpr_hash = ? AND cpr_hash <> ''", hash))
	return c, notFound(err, "customer")
}

func (t identityTx) Customers(ctx context.Context, query string, limit int) ([]identity.Customer, error) {
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	like := "%" + strings.ToLower(escapeLike(strings.TrimSpace(query))) + "%"
	rows, err := t.tx.Query(ctx, "SELECT "+customerColumns+` FROM customers
		WHERE LOWER(name) LIKE ? ESCAPE '\' OR cvr = ? OR id = ? ORDER BY name, id LIMIT ?`, like, query, query, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []identity.Customer
	for rows.Next() {
		c, err := scanCustomer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// escapeLike escapes LIKE wildcards so a search for "50%" means those characters.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ---- users ----

const userColumns = `id, customer_id, kind, login, name, status, pin_hash, pin_expires_at, public_key, key_created_at,
	password_hash, profile, totp_secret, totp_last_step, failed_attempts, blocked_at, blocked_reason, created_at`

func scanUser(s scanner) (identity.User, error) {
	var u identity.User
	var kind, status, pub, profile string
	var pinExp, keyAt, blockedAt, created int64
	err := s.Scan(&u.ID, &u.CustomerID, &kind, &u.Login, &u.Name, &status, &u.PINHash, &pinExp, &pub, &keyAt,
		&u.PasswordHash, &profile, &u.TOTPSecret, &u.TOTPLastStep, &u.FailedAttempts, &blockedAt, &u.BlockedReason, &created)
	if err != nil {
		return u, err
	}
	u.Kind, u.Status = identity.UserKind(kind), identity.UserStatus(status)
	if pub != "" {
		if u.PublicKey, err = base64.StdEncoding.DecodeString(pub); err != nil {
			return u, err
		}
	}
	u.Profile = identity.ParseProfile(profile)
	u.PINExpiresAt, u.KeyCreatedAt, u.BlockedAt, u.CreatedAt = fromMicros(pinExp), fromMicros(keyAt), fromMicros(blockedAt), fromMicros(created)
	return u, nil
}

func userArgs(u identity.User) []any {
	pub := ""
	if len(u.PublicKey) > 0 {
		pub = base64.StdEncoding.EncodeToString(u.PublicKey)
	}
	profile := make([]string, len(u.Profile))
	for i, p := range u.Profile {
		profile[i] = string(p)
	}
	return []any{u.ID, u.CustomerID, string(u.Kind), u.Login, u.Name, string(u.Status), u.PINHash, micros(u.PINExpiresAt), pub,
		micros(u.KeyCreatedAt), u.PasswordHash, strings.Join(profile, ","), u.TOTPSecret, u.TOTPLastStep, u.FailedAttempts,
		micros(u.BlockedAt), u.BlockedReason, micros(u.CreatedAt)}
}

func (t identityTx) InsertUser(ctx context.Context, u identity.User) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO users (`+userColumns+`) VALUES (`+Placeholders(18)+`)`, userArgs(u)...)
	return err
}

func (t identityTx) UpdateUser(ctx context.Context, u identity.User) error {
	args := userArgs(u)
	_, err := t.tx.Exec(ctx, `UPDATE users SET customer_id = ?, kind = ?, login = ?, name = ?, status = ?, pin_hash = ?,
		pin_expires_at = ?, public_key = ?, key_created_at = ?, password_hash = ?, profile = ?, totp_secret = ?,
		totp_last_step = ?, failed_attempts = ?, blocked_at = ?, blocked_reason = ?, created_at = ? WHERE id = ?`,
		append(args[1:], args[0])...)
	return err
}

func (t identityTx) User(ctx context.Context, id string, forUpdate bool) (identity.User, error) {
	u, err := scanUser(t.tx.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = ?"+t.lock(forUpdate), id))
	return u, notFound(err, "user")
}

func (t identityTx) UserByLogin(ctx context.Context, login string, forUpdate bool) (identity.User, error) {
	u, err := scanUser(t.tx.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE login = ?"+t.lock(forUpdate), login))
	return u, notFound(err, "user")
}

func (t identityTx) UsersOfCustomer(ctx context.Context, customerID string) ([]identity.User, error) {
	rows, err := t.tx.Query(ctx, "SELECT "+userColumns+" FROM users WHERE customer_id = ? ORDER BY created_at, id", customerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []identity.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// ---- key cards ----

func (t identityTx) InsertKeyCard(ctx context.Context, userID, serial string, codes []identity.KeyCardCode, at time.Time) error {
	if _, err := t.tx.Exec(ctx, "INSERT INTO key_cards (serial, user_id, status, issued_at) VALUES (?, ?, 'active', ?)", serial, userID, micros(at)); err != nil {
		return err
	}
	stmt, err := t.tx.Prepare(ctx, "INSERT INTO key_card_codes (serial, key_number, code_hash) VALUES (?, ?, ?)")
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, c := range codes {
		if _, err := stmt.ExecContext(ctx, serial, c.KeyNumber, c.CodeHash); err != nil {
			return err
		}
	}
	return nil
}

func (t identityTx) ActiveKeyCard(ctx context.Context, userID string) (string, []identity.KeyCardCode, error) {
	var serial string
	err := t.tx.QueryRow(ctx, "SELECT serial FROM key_cards WHERE user_id = ? AND status = 'active' ORDER BY issued_at DESC LIMIT 1", userID).Scan(&serial)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	rows, err := t.tx.Query(ctx, "SELECT serial, key_number, code_hash, used_at FROM key_card_codes WHERE serial = ? ORDER BY key_number", serial)
	if err != nil {
		return "", nil, err
	}
	defer rows.Close()
	var out []identity.KeyCardCode
	for rows.Next() {
		var c identity.KeyCardCode
		var used int64
		if err := rows.Scan(&c.Serial, &c.KeyNumber, &c.CodeHash, &used); err != nil {
			return "", nil, err
		}
		c.UsedAt = fromMicros(used)
		out = append(out, c)
	}
	return serial, out, rows.Err()
}

func (t identityTx) UseKeyCardCode(ctx context.Context, serial, keyNumber string, at time.Time) error {
	res, err := t.tx.Exec(ctx, "UPDATE key_card_codes SET used_at = ? WHERE serial = ? AND key_number = ? AND used_at = 0", micros(at), serial, keyNumber)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return netbank.Errorf(netbank.ECONFLICT, "key card code already used")
	}
	return nil
}

func (t identityTx) ReplaceKeyCards(ctx context.Context, userID string) error {
	_, err := t.tx.Exec(ctx, "UPDATE key_cards SET status = 'replaced' WHERE user_id = ? AND status = 'active'", userID)
	return err
}

// ---- staff ----

const staffColumns = `id, username, name, password_hash, totp_secret, totp_last_step, roles, failed_attempts, blocked, created_at`

func scanStaff(s scanner) (identity.Staff, error) {
	var st identity.Staff
	var roles string
	var created int64
	err := s.Scan(&st.ID, &st.Username, &st.Name, &st.PasswordHash, &st.TOTPSecret, &st.TOTPLastStep, &roles, &st.FailedAttempts, &st.Blocked, &created)
	if roles != "" {
		st.Roles = strings.Split(roles, ",")
	}
	st.CreatedAt = fromMicros(created)
	return st, err
}

func (t identityTx) InsertStaff(ctx context.Context, st identity.Staff) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO staff (`+staffColumns+`) VALUES (`+Placeholders(10)+`)`,
		st.ID, st.Username, st.Name, st.PasswordHash, st.TOTPSecret, st.TOTPLastStep, strings.Join(st.Roles, ","), st.FailedAttempts, st.Blocked, micros(st.CreatedAt))
	return err
}

func (t identityTx) UpdateStaff(ctx context.Context, st identity.Staff) error {
	_, err := t.tx.Exec(ctx, `UPDATE staff SET name = ?, password_hash = ?, totp_secret = ?, totp_last_step = ?, roles = ?,
		failed_attempts = ?, blocked = ? WHERE id = ?`,
		st.Name, st.PasswordHash, st.TOTPSecret, st.TOTPLastStep, strings.Join(st.Roles, ","), st.FailedAttempts, st.Blocked, st.ID)
	return err
}

func (t identityTx) StaffByUsername(ctx context.Context, username string, forUpdate bool) (identity.Staff, error) {
	st, err := scanStaff(t.tx.QueryRow(ctx, "SELECT "+staffColumns+" FROM staff WHERE username = ?"+t.lock(forUpdate), username))
	return st, notFound(err, "staff member")
}

func (t identityTx) StaffByID(ctx context.Context, id string) (identity.Staff, error) {
	st, err := scanStaff(t.tx.QueryRow(ctx, "SELECT "+staffColumns+" FROM staff WHERE id = ?", id))
	return st, notFound(err, "staff member")
}

// ---- sessions ----

const sessionColumns = `token_hash, principal, kind, created_at, last_seen_at, expires_at, ended_at, end_reason, ip`

func (t identityTx) InsertSession(ctx context.Context, s identity.Session) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES (`+Placeholders(9)+`)`,
		s.TokenHash, s.Principal, string(s.Kind), micros(s.CreatedAt), micros(s.LastSeenAt), micros(s.ExpiresAt), micros(s.EndedAt), s.EndReason, s.IP)
	return err
}

func (t identityTx) Session(ctx context.Context, tokenHash string, forUpdate bool) (identity.Session, error) {
	var s identity.Session
	var kind string
	var created, seen, expires, ended int64
	err := t.tx.QueryRow(ctx, "SELECT "+sessionColumns+" FROM sessions WHERE token_hash = ?"+t.lock(forUpdate), tokenHash).
		Scan(&s.TokenHash, &s.Principal, &kind, &created, &seen, &expires, &ended, &s.EndReason, &s.IP)
	s.Kind = identity.UserKind(kind)
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.EndedAt = fromMicros(created), fromMicros(seen), fromMicros(expires), fromMicros(ended)
	return s, notFound(err, "session")
}

func (t identityTx) UpdateSession(ctx context.Context, s identity.Session) error {
	_, err := t.tx.Exec(ctx, "UPDATE sessions SET last_seen_at = ?, expires_at = ?, ended_at = ?, end_reason = ? WHERE token_hash = ?",
		micros(s.LastSeenAt), micros(s.ExpiresAt), micros(s.EndedAt), s.EndReason, s.TokenHash)
	return err
}

func (t identityTx) EndSessions(ctx context.Context, principal string, at time.Time, reason string) (int, error) {
	res, err := t.tx.Exec(ctx, "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE principal = ? AND ended_at = 0", micros(at), reason, principal)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// ---- challenges and rate limits ----

func (t identityTx) InsertChallenge(ctx context.Context, c identity.Challenge) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO login_challenges (id, principal, purpose, challenge, detail, created_at, expires_at, used_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, c.Principal, c.Purpose, c.Challenge, c.Detail, micros(c.CreatedAt), micros(c.ExpiresAt), micros(c.UsedAt))
	return err
}

func (t identityTx) Challenge(ctx context.Context, id string, forUpdate bool) (identity.Challenge, error) {
	var c identity.Challenge
	var created, expires, used int64
	err := t.tx.QueryRow(ctx, `SELECT id, principal, purpose, challenge, detail, created_at, expires_at, used_at
		FROM login_challenges WHERE id = ?`+t.lock(forUpdate), id).
		Scan(&c.ID, &c.Principal, &c.Purpose, &c.Challenge, &c.Detail, &created, &expires, &used)
	c.CreatedAt, c.ExpiresAt, c.UsedAt = fromMicros(created), fromMicros(expires), fromMicros(used)
	return c, notFound(err, "challenge")
}

func (t identityTx) UseChallenge(ctx context.Context, id string, at time.Time) error {
	res, err := t.tx.Exec(ctx, "UPDATE login_challenges SET used_at = ? WHERE id = ? AND used_at = 0", micros(at), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return netbank.Errorf(netbank.ECONFLICT, "challenge already used")
	}
	return nil
}

func (t identityTx) Hit(ctx context.Context, bucket string, windowStart time.Time) (int, error) {
	if _, err := t.tx.Exec(ctx, `INSERT INTO rate_limits (bucket, window_start, hits) VALUES (?, ?, 1)
		ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1`, bucket, micros(windowStart)); err != nil {
		return 0, err
	}
	var hits int
	err := t.tx.QueryRow(ctx, "SELECT hits FROM rate_limits WHERE bucket = ? AND window_start = ?", bucket, micros(windowStart)).Scan(&hits)
	return hits, err
}

func (t identityTx) InsertSignedDocument(ctx context.Context, d identity.SignedDocument) error {
	pub := ""
	if len(d.PublicKey) > 0 {
		pub = base64.StdEncoding.EncodeToString(d.PublicKey)
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO signed_documents (id, user_id, kind, document, checksum, method, signature, signed_at, public_key)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.ID, d.UserID, d.Kind, d.Document, d.Checksum, d.Method, d.Signature, micros(d.SignedAt), pub)
	return err
}

func (t identityTx) SignedDocument(ctx context.Context, id string) (identity.SignedDocument, error) {
	var d identity.SignedDocument
	var signed int64
	var pub string
	err := t.tx.QueryRow(ctx, `SELECT id, user_id, kind, document, checksum, method, signature, signed_at, public_key
		FROM signed_documents WHERE id = ?`, id).Scan(&d.ID, &d.UserID, &d.Kind, &d.Document, &d.Checksum, &d.Method, &d.Signature, &signed, &pub)
	if err != nil {
		return d, notFound(err, "signed document")
	}
	d.SignedAt = fromMicros(signed)
	if pub != "" {
		if d.PublicKey, err = base64.StdEncoding.DecodeString(pub); err != nil {
			return d, err
		}
	}
	return d, nil
}

func (t identityTx) Purge(ctx context.Context, windowsBefore, challengesBefore time.Time) (int, error) {
	n := 0
	for _, q := range []struct {
		sql string
		at  time.Time
	}{
		{"DELETE FROM rate_limits WHERE window_start < ?", windowsBefore},
		{"DELETE FROM login_challenges WHERE expires_at < ?", challengesBefore},
	} {
		res, err := t.tx.Exec(ctx, q.sql, micros(q.at))
		if err != nil {
			return n, err
		}
		k, _ := res.RowsAffected()
		n += int(k)
	}
	return n, nil
}

func (t identityTx) Audit(ctx context.Context, at time.Time, e audit.Event) error {
	_, err := t.db.Audit().Append(ctx, t.tx, at, e)
	return err
}
