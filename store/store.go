// Package store is the bank's persistence layer: one API over two SQL
// engines, the embedded SQLite default (modernc.org/sqlite, pure Go, WAL
// mode) and PostgreSQL (pgx) for production.
//
// Queries are written once with '?' placeholders and rewritten for
// PostgreSQL; the few engine differences (row locks, upserts) go through
// small helpers. Migrations are embedded per engine, numbered and
// forward-only, and applied on Open. Serialization failures, deadlocks and
// SQLite's busy errors are retried inside Transact: callers never see them.
// A database the bank cannot use right now (a lost PostgreSQL connection,
// a SQLite file another process keeps locked past the busy timeout, a
// full disk) is a netbank.EUNAVAILABLE error.
//
// The SQL stays within what PostgreSQL-wire distributed engines also run:
// no advisory locks, no reliance on sequence order, row locks and retry.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/netbank/netbank"
)

// Engine names a SQL engine.
type Engine string

// The supported engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is an open database of either engine. It is safe for concurrent use.
type DB struct {
	engine Engine
	// write is the pool for read-write transactions. For SQLite it has a
	// single connection, so writers queue in Go instead of spinning on
	// SQLITE_BUSY; for PostgreSQL it is the same pool as read.
	write *sql.DB
	// read is the pool for plain reads (several connections on both engines).
	read *sql.DB
	// retries counts transactions re-run after a conflict (for tests and metrics).
	retries atomic.Int64
	// busyTimeout is how long SQLite waits for a lock held elsewhere.
	busyTimeout time.Duration
}

// Options tune Open. The zero value is fine.
type Options struct {
	// Schema, for PostgreSQL only, sets the search_path: tests use a fresh
	// schema each so they can run side by side on one database.
	Schema string
	// MaxConns bounds the read pool (and the PostgreSQL write pool); 0 means 16.
	MaxConns int
	// BusyTimeout, for SQLite only, is how long a statement waits for a
	// lock that another connection (another process: a second instance,
	// the sqlite3 shell) holds before SQLite gives up with SQLITE_BUSY;
	// 0 means DefaultBusyTimeout. Transact then answers EUNAVAILABLE
	// instead of retrying: the database is unavailable to this bank.
	BusyTimeout time.Duration
}

// DefaultBusyTimeout is SQLite's wait for a lock held elsewhere.
const DefaultBusyTimeout = 10 * time.Second

// Open opens the database named by dsn: a postgres:// or postgresql:// URL
// selects PostgreSQL, anything else is a SQLite file path (created if
// missing, with its directory). Migrations are applied before it returns.
func Open(ctx context.Context, dsn string, opt Options) (*DB, error) {
	if opt.MaxConns <= 0 {
		opt.MaxConns = 16
	}
	if opt.BusyTimeout <= 0 {
		opt.BusyTimeout = DefaultBusyTimeout
	}
	var db *DB
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db, err = openPostgres(ctx, dsn, opt)
	} else {
		db, err = openSQLite(dsn, opt)
	}
	if err != nil {
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func openPostgres(ctx context.Context, dsn string, opt Options) (*DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: parse postgres url: %w", err)
	}
	if opt.Schema != "" {
		cfg.RuntimeParams["search_path"] = opt.Schema
	}
	// Statements are prepared once per connection. A generic plan chosen
	// while a table was small (a sequential scan) would otherwise stick as
	// the table grows; planning these short statements each time is cheap.
	cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	pool := stdlib.OpenDB(*cfg)
	pool.SetMaxOpenConns(opt.MaxConns)
	pool.SetMaxIdleConns(opt.MaxConns)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: connect to postgres: %w", err)
	}
	return &DB{engine: Postgres, write: pool, read: pool}, nil
}

func openSQLite(path string, opt Options) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("store: create data directory: %w", err)
		}
	}
	q := url.Values{}
	// WAL lets readers run beside the writer; synchronous(FULL) makes every
	// acknowledged commit durable, also across power loss.
	// A 64 MiB page cache keeps a batch's dirty pages in memory until commit.
	busy := fmt.Sprintf("busy_timeout(%d)", max(opt.BusyTimeout.Milliseconds(), 1))
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", busy, "foreign_keys(1)", "cache_size(-65536)", "temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	base := "file:" + path + "?"
	wq := url.Values{}
	for k, v := range q {
		wq[k] = v
	}
	wq.Set("_txlock", "immediate")
	write, err := sql.Open("sqlite", base+wq.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// The first connection switches the file to WAL before the readers open.
	if err := write.Ping(); err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", base+q.Encode())
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	read.SetMaxOpenConns(opt.MaxConns)
	read.SetMaxIdleConns(opt.MaxConns)
	return &DB{engine: SQLite, write: write, read: read, busyTimeout: opt.BusyTimeout}, nil
}

// Engine reports which engine the database runs on.
func (db *DB) Engine() Engine { return db.engine }

// Close closes the pools.
func (db *DB) Close() error {
	err := db.write.Close()
	if db.read != db.write {
		if e := db.read.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Ping checks that the database answers (used by /readyz).
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return errUnavailable
	}
	var one int
	if err := db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return errUnavailable
	}
	return nil
}

// Retries returns how many transactions have been re-run after a
// serialization failure, deadlock or lock conflict since Open.
func (db *DB) Retries() int64 { return db.retries.Load() }

// Querier is what both a transaction and the database offer for reads and
// writes; queries use '?' placeholders on both engines.
type Querier interface {
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	// Engine reports the engine, for the rare engine-specific statement.
	Engine() Engine
}

// Tx is a read-write transaction.
type Tx struct {
	tx     *sql.Tx
	engine Engine
}

// Engine reports the engine of the transaction.
func (t *Tx) Engine() Engine { return t.engine }

// Exec runs a statement in the transaction.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, rebind(t.engine, query), args...)
}

// Query runs a query in the transaction.
func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, rebind(t.engine, query), args...)
}

// QueryRow runs a single-row query in the transaction.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, rebind(t.engine, query), args...)
}

// Prepare prepares a statement for repeated use within the transaction.
func (t *Tx) Prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	return t.tx.PrepareContext(ctx, rebind(t.engine, query))
}

// ForUpdate returns the row-lock suffix for a SELECT: " FOR UPDATE" on
// PostgreSQL; nothing on SQLite, whose write transactions already hold the
// database's single write lock (BEGIN IMMEDIATE).
func (t *Tx) ForUpdate() string {
	if t.engine == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// Exec runs a statement outside a transaction (on the write pool).
func (db *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return db.write.ExecContext(ctx, rebind(db.engine, query), args...)
}

// Query runs a read-only query on the read pool.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.read.QueryContext(ctx, rebind(db.engine, query), args...)
}

// QueryRow runs a read-only single-row query on the read pool.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.read.QueryRowContext(ctx, rebind(db.engine, query), args...)
}

// maxAttempts bounds how often Transact re-runs a conflicting transaction.
const maxAttempts = 50

// Transact runs fn in a read-write transaction and commits it. On
// PostgreSQL the transaction is SERIALIZABLE; on SQLite it holds the write
// lock from BEGIN. When the engine reports a serialization failure, a
// deadlock, a lock timeout, SQLite busy or a unique-key race, the whole
// transaction is rolled back and fn is run again (with jittered backoff),
// so fn must not have effects outside the transaction. Any other error
// from fn rolls back and is returned as is.
func (db *DB) Transact(ctx context.Context, fn func(tx *Tx) error) error {
	return db.transact(ctx, sql.LevelSerializable, fn)
}

func (db *DB) transact(ctx context.Context, level sql.IsolationLevel, fn func(tx *Tx) error) error {
	var err error
	start := time.Now()
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if attempt > 0 {
			db.retries.Add(1)
			// Full jitter over an exponentially growing window (2 ms, 4 ms,
			// … 64 ms): transactions that collide on one hot row (the audit
			// chain's head) spread out instead of colliding again.
			backoff := time.Duration(rand.Int64N(int64(time.Millisecond)<<min(attempt, 6))) + 100*time.Microsecond
			select {
			case <-ctx.Done():
				return classify(ctx.Err())
			case <-time.After(backoff):
			}
		}
		err = db.transactOnce(ctx, level, fn)
		if err == nil || !retryable(err) {
			return classify(err)
		}
		if db.lockedOut(err, start) {
			return &unavailableError{err}
		}
	}
	return &unavailableError{fmt.Errorf("database busy: %d attempts failed: %w", maxAttempts, err)}
}

// View runs fn in a read-only transaction on the read pool: one snapshot
// (REPEATABLE READ on PostgreSQL), and on SQLite no write lock (readers run
// beside the writer in WAL mode). fn must not write; its error is
// classified as Transact's are.
func (db *DB) View(ctx context.Context, fn func(tx *Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.engine == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	stx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return classify(err)
	}
	defer stx.Rollback()
	return classify(fn(&Tx{tx: stx, engine: db.engine}))
}

// TransactLocked is Transact at READ COMMITTED on PostgreSQL, for code that
// takes a row lock (SELECT … FOR UPDATE, via Tx.ForUpdate) on every row whose
// state it reads before writing, and re-reads after locking. That is what the
// ledger does, and it lets concurrent batches on different accounts commit
// side by side instead of aborting on SERIALIZABLE's predicate-lock
// conflicts. Deadlocks and unique-key races are still retried. On SQLite it
// is the same as Transact.
func (db *DB) TransactLocked(ctx context.Context, fn func(tx *Tx) error) error {
	return db.transact(ctx, sql.LevelReadCommitted, fn)
}

func (db *DB) transactOnce(ctx context.Context, level sql.IsolationLevel, fn func(tx *Tx) error) (err error) {
	var opts *sql.TxOptions
	if db.engine == Postgres {
		opts = &sql.TxOptions{Isolation: level}
	}
	stx, err := db.write.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			_ = stx.Rollback()
			panic(p)
		}
	}()
	if err := fn(&Tx{tx: stx, engine: db.engine}); err != nil {
		_ = stx.Rollback()
		return err
	}
	return stx.Commit()
}

// retryable reports whether err is a transient conflict worth re-running.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "40001", // serialization_failure
			"40P01", // deadlock_detected
			"55P03", // lock_not_available
			"23505": // unique_violation: a concurrent insert of the same key; the re-run sees it
			return true
		}
		return false
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
	}
	return false
}

// lockedOut reports whether a SQLite busy error came after SQLite's busy
// handler had waited: another process holds the database, and more
// attempts would only keep the caller waiting a busy timeout each
// (Options.BusyTimeout). The handler gives up a little short of the
// timeout (it sleeps in steps that must fit), hence the half. The bank's
// own writers never meet this: they queue for the single write connection.
func (db *DB) lockedOut(err error, start time.Time) bool {
	var se *sqlite.Error
	return db.engine == SQLite && errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY &&
		time.Since(start) >= db.busyTimeout/2
}

// IsUniqueViolation reports whether err is a unique-key violation on either engine.
func IsUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// classify turns connection-level failures into EUNAVAILABLE, so adapters
// can answer "try again later" rather than "internal error". A passed
// deadline is one too: the database did not answer in the time the caller
// had (errors.Is still finds context.DeadlineExceeded in it). Coded errors,
// a caller that went away (context.Canceled) and everything else pass
// through.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var ne *netbank.Error
	if errors.As(err, &ne) {
		return err
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &unavailableError{err}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		if strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P") {
			return &unavailableError{err}
		}
		return err
	}
	if pgconn.SafeToRetry(err) || pgconn.Timeout(err) || errors.Is(err, sql.ErrConnDone) || isConnError(err) || sqliteUnavailable(err) {
		return &unavailableError{err}
	}
	return err
}

// sqliteUnavailable reports the SQLite failures that mean "not now"
// rather than a fault in the request: the database locked by another
// process past the busy timeout, the disk full, an I/O error, a file that
// cannot be opened.
func sqliteUnavailable(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN:
		return true
	}
	return false
}

// errUnavailable is what a caller learns of a database the bank cannot
// use right now; the cause is only logged. The message is Danish, as the
// API shows it.
var errUnavailable = netbank.Errorf(netbank.EUNAVAILABLE, "Banken kan ikke nå sine data lige nu. Prøv igen om lidt.")

// unavailableError wraps a connection failure: it reads as EUNAVAILABLE but
// keeps the cause for the logs.
type unavailableError struct{ cause error }

func (e *unavailableError) Error() string { return "database unavailable: " + e.cause.Error() }
func (e *unavailableError) Unwrap() []error {
	return []error{e.cause, errUnavailable}
}

func isConnError(err error) bool {
	var ce *pgconn.ConnectError
	var oe *net.OpError
	if errors.As(err, &ce) || errors.As(err, &oe) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "connection refused") || strings.Contains(s, "broken pipe") ||
		strings.Contains(s, "connection reset") || strings.Contains(s, "conn closed")
}

// rebind rewrites '?' placeholders to PostgreSQL's $1, $2, … outside
// quoted strings. SQLite queries pass through unchanged.
func rebind(e Engine, q string) string {
	if e != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	inQuote := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '?' && !inQuote:
			n++
			b.WriteByte('$')
			b.WriteString(itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func itoa(n int) string { return strconv.Itoa(n) }

// Placeholders returns "?, ?, …" with n marks, for IN lists and multi-row inserts.
func Placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}
