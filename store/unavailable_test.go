package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite" // database/sql driver "sqlite" for the second process

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/store"
)

// TestSQLiteLockedElsewhereIsUnavailable: when another process keeps the
// SQLite file's write lock past the busy timeout (a second instance, the
// sqlite3 shell in a transaction), a write transaction fails cleanly with
// EUNAVAILABLE after one wait of the busy timeout — not fifty retries of
// it — while reads go on (WAL). When the lock is gone, writes work again
// without reopening anything (issue 6: the bank recovers by itself).
func TestSQLiteLockedElsewhereIsUnavailable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "netbank.db")
	db, err := store.Open(ctx, path, store.Options{BusyTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	write := func() error {
		return db.Transact(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO rate_limits (bucket, window_start, hits) VALUES (?, ?, 1)", "test", time.Now().UnixNano())
			return err
		})
	}
	if err := write(); err != nil {
		t.Fatal(err)
	}

	// The other process takes the write lock and keeps it.
	other, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	lock, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if _, err := lock.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}

	retries := db.Retries()
	err = write()
	if netbank.ErrorCodeOf(err) != netbank.EUNAVAILABLE {
		t.Fatalf("write while locked elsewhere: %v, want EUNAVAILABLE", err)
	}
	if n := db.Retries() - retries; n != 0 {
		t.Errorf("%d retries of a transaction that had waited the whole busy timeout", n)
	}
	var n int
	if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM rate_limits").Scan(&n); err != nil || n != 1 {
		t.Errorf("read while locked elsewhere: %d rows, %v", n, err)
	}

	if _, err := lock.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if err := write(); err != nil {
		t.Fatalf("write after the lock is gone: %v", err)
	}
}
