package store

// Backup and restore of the embedded SQLite database (PostgreSQL is backed
// up with pg_dump; see cmd/netbank backup.go and docs/deployment.md).
//
// A backup is SQLite's online backup API (sqlite3_backup_*) driven in a
// single step: the copy runs inside one read transaction of the source, so
// it is the database exactly as of one commit, while the bank, in WAL mode,
// goes on writing (its commits land in the WAL, past the reader's snapshot).
// Stepping a few pages at a time instead would let the bank's writes
// restart the copy at every commit, so under steady load it might never
// finish. VACUUM INTO would also copy one snapshot, but it rebuilds every
// table and index row by row (more CPU, and the snapshot, which holds back
// WAL checkpoints, stays open longer) and does not fsync what it wrote;
// the backup API copies pages as they are and writes them through a pager
// that syncs its commit.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrInUse is returned by RestoreSQLite when another connection has the
// target database open: the bank is running on it.
var ErrInUse = errors.New("the database is in use: stop the bank first")

// BackupInfo describes a finished SQLite backup.
type BackupInfo struct {
	// Pages is how many database pages were copied.
	Pages int
	// Bytes is the size of the backup file.
	Bytes int64
}

// sqliteBackuper is what modernc.org/sqlite's connection offers for the
// online backup API (reached through database/sql's Conn.Raw).
type sqliteBackuper interface {
	NewBackup(dstURI string) (*sqlite.Backup, error)
	NewRestore(srcURI string) (*sqlite.Backup, error)
}

// BackupSQLite copies the SQLite database at src, which a running bank may
// be writing, into the new file dst (mode 0600) as one consistent snapshot.
// dst must not exist: a backup never overwrites anything. The copy is a
// self-contained file in rollback-journal mode (no -wal or -shm beside it)
// and is synced to disk before BackupSQLite returns. On failure dst is
// removed. The copy cannot be interrupted once it has begun; ctx is
// checked before.
func BackupSQLite(ctx context.Context, src, dst string) (info BackupInfo, err error) {
	if _, err := os.Stat(src); err != nil {
		return BackupInfo{}, fmt.Errorf("store: backup source: %w", err)
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("store: backup file: %w", err)
	}
	f.Close()
	defer func() {
		if err != nil {
			os.Remove(dst)
			os.Remove(dst + "-journal")
		}
	}()
	// mode=rw: never create the source; the backup only reads it.
	pool, err := sql.Open("sqlite", sqliteURI(src, "mode=rw", "_pragma=busy_timeout(10000)"))
	if err != nil {
		return BackupInfo{}, fmt.Errorf("store: open %s: %w", src, err)
	}
	defer pool.Close()
	conn, err := pool.Conn(ctx)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("store: open %s: %w", src, err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		b, ok := dc.(sqliteBackuper)
		if !ok {
			return fmt.Errorf("store: the SQLite driver (%T) has no backup API", dc)
		}
		bk, err := b.NewBackup(sqliteURI(dst))
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			bk.Finish()
			return err
		}
		// -1: every page in one step, under one read transaction (see the
		// top of this file).
		if _, err := bk.Step(-1); err != nil {
			bk.Finish()
			return err
		}
		info.Pages = bk.PageCount()
		out, err := bk.Commit()
		if err != nil {
			return err
		}
		defer out.Close()
		// The pages carry the source's WAL mark; a backup is one file
		// that any SQLite opens as it is, so make it rollback-journal.
		ex, ok := out.(driver.ExecerContext)
		if !ok {
			return fmt.Errorf("store: the SQLite driver (%T) cannot execute on the backup", out)
		}
		_, err = ex.ExecContext(ctx, "PRAGMA journal_mode=DELETE", nil)
		return err
	})
	if err != nil {
		return BackupInfo{}, fmt.Errorf("store: back up %s: %w", src, err)
	}
	if err := syncFile(dst); err != nil {
		return BackupInfo{}, err
	}
	st, err := os.Stat(dst)
	if err != nil {
		return BackupInfo{}, err
	}
	info.Bytes = st.Size()
	return info, nil
}

// RestoreSQLite replaces the content of the SQLite database at dst (created
// if missing, with its directory) by that of src, page for page. It takes
// the database's exclusive lock first and returns ErrInUse, changing
// nothing, when any other connection has dst open: every connection of a
// running bank holds a shared lock on the file while it is open (WAL
// mode), so a running bank is always seen. dst is left in WAL mode with no
// -wal or -shm beside it, and an old -wal left by a crash is recovered
// before it is overwritten, so nothing stale is replayed onto the restored
// pages. src should be a verified copy that nothing else writes.
func RestoreSQLite(ctx context.Context, src, dst string) error {
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("store: restore source: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return fmt.Errorf("store: create data directory: %w", err)
	}
	// locking_mode(EXCLUSIVE): the first access takes an exclusive lock on
	// the file and keeps it until the connection closes. In WAL mode such a
	// connection uses no shared memory, so the restore writes its WAL alone
	// and checkpoints and deletes it on close.
	pool, err := sql.Open("sqlite", sqliteURI(dst, "mode=rwc", "_pragma=busy_timeout(2000)", "_pragma=locking_mode(EXCLUSIVE)"))
	if err != nil {
		return fmt.Errorf("store: open %s: %w", dst, err)
	}
	defer pool.Close()
	pool.SetMaxOpenConns(1)
	conn, err := pool.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: open %s: %w", dst, err)
	}
	defer conn.Close()
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
		return inUse(dst, err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		return inUse(dst, err)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("store: lock %s: %w", dst, err)
	}
	err = conn.Raw(func(dc any) error {
		b, ok := dc.(sqliteBackuper)
		if !ok {
			return fmt.Errorf("store: the SQLite driver (%T) has no backup API", dc)
		}
		bk, err := b.NewRestore(sqliteURI(src, "mode=rw"))
		if err != nil {
			return err
		}
		if _, err := bk.Step(-1); err != nil {
			bk.Finish()
			return err
		}
		return bk.Finish()
	})
	if err != nil {
		return fmt.Errorf("store: restore %s into %s: %w", src, dst, err)
	}
	return nil
}

// inUse turns SQLite's busy answer to the lock of dst into ErrInUse.
func inUse(dst string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && (se.Code()&0xff == sqlite3.SQLITE_BUSY || se.Code()&0xff == sqlite3.SQLITE_LOCKED) {
		return fmt.Errorf("store: %s: %w", dst, ErrInUse)
	}
	return fmt.Errorf("store: lock %s: %w", dst, err)
}

// OpenSnapshot opens a SQLite file that nothing writes any more (a backup)
// read-only: no migrations, no locks, and nothing written beside it. Use it
// to verify a backup (IntegrityCheck, the ledger check, the audit chain);
// writes fail.
func OpenSnapshot(ctx context.Context, path string) (*DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("store: open snapshot: %w", err)
	}
	pool, err := sql.Open("sqlite", sqliteURI(path, "mode=ro", "immutable=1"))
	if err != nil {
		return nil, fmt.Errorf("store: open snapshot %s: %w", path, err)
	}
	pool.SetMaxOpenConns(4)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: open snapshot %s: %w", path, err)
	}
	return &DB{engine: SQLite, write: pool, read: pool}, nil
}

// IntegrityCheck runs SQLite's PRAGMA integrity_check over every page,
// table and index and returns an error listing what it found (at most 20
// problems), or nil when the file is sound. PostgreSQL has no equivalent
// statement; on it IntegrityCheck is an error.
func (db *DB) IntegrityCheck(ctx context.Context) error {
	if db.engine != SQLite {
		return fmt.Errorf("store: integrity_check is SQLite's; %s has no equivalent", db.engine)
	}
	rows, err := db.read.QueryContext(ctx, "PRAGMA integrity_check(20)")
	if err != nil {
		return fmt.Errorf("store: integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("store: integrity check: %w", err)
		}
		problems = append(problems, line)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: integrity check: %w", err)
	}
	if len(problems) == 1 && problems[0] == "ok" {
		return nil
	}
	return fmt.Errorf("store: integrity check failed: %s", strings.Join(problems, "; "))
}

// LatestSchemaVersion returns the number of the newest migration this
// build of the bank knows for the engine: the SchemaVersion of a database
// it has opened.
func LatestSchemaVersion(e Engine) (int, error) {
	ms, err := migrations(e)
	if err != nil {
		return 0, err
	}
	return len(ms), nil
}

// sqliteURI makes a SQLite URI filename of path with query parameters
// ("mode=ro", "_pragma=busy_timeout(10000)"), escaping the characters a
// URI path cannot hold as they are.
func sqliteURI(path string, params ...string) string {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	if len(params) == 0 {
		return "file:" + esc
	}
	return "file:" + esc + "?" + strings.Join(params, "&")
}

// syncFile flushes path and the directory entry naming it to disk.
func syncFile(path string) error {
	for _, p := range []string{path, filepath.Dir(path)} {
		f, err := os.Open(p)
		if err != nil {
			return fmt.Errorf("store: sync %s: %w", p, err)
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return fmt.Errorf("store: sync %s: %w", p, err)
		}
	}
	return nil
}

// EngineOf reports which engine Open picks for dsn: PostgreSQL for a
// postgres:// or postgresql:// URL, SQLite for anything else.
func EngineOf(dsn string) Engine {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return Postgres
	}
	return SQLite
}

// PostgresTables counts the tables in the current schema of the PostgreSQL
// database at dsn, without migrating it: a restore goes only into an
// empty database.
func PostgresTables(ctx context.Context, dsn string) (int, error) {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	defer pool.Close()
	var n int
	err = pool.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: connect to postgres: %w", err)
	}
	return n, nil
}
