package store_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netbank/netbank/store"
)

// openSQLiteAt opens (creating) a SQLite bank database at path.
func openSQLiteAt(t *testing.T, path string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	return db
}

// appendWhile appends audit events to db from two goroutines until stop is
// closed, keeping in acked the highest sequence number the log has
// acknowledged. It returns a function that waits for the writers.
func appendWhile(t *testing.T, db *store.DB, stop <-chan struct{}, acked *atomic.Int64) (wait func()) {
	t.Helper()
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				e, err := db.Audit().Record(context.Background(), auditT0.Add(time.Duration(n)*time.Second), loginEvent("0101010101", n))
				if err != nil {
					t.Errorf("record: %v", err)
					return
				}
				for {
					cur := acked.Load()
					if e.Seq <= cur || acked.CompareAndSwap(cur, e.Seq) {
						break
					}
				}
			}
		}()
	}
	return wg.Wait
}

// waitAcked waits until acked reaches at least n.
func waitAcked(t *testing.T, acked *atomic.Int64, n int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for acked.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d audit entries acknowledged, want %d", acked.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestBackupSQLiteWhileWriting backs up a database that is being written
// (the hash-chained audit log, where a torn copy would break the chain):
// the copy is one consistent snapshot holding everything acknowledged
// before the backup began, a single file in rollback-journal mode, and
// never overwrites an existing file.
func TestBackupSQLiteWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openSQLiteAt(t, filepath.Join(dir, "netbank.db"))
	defer db.Close()
	stop := make(chan struct{})
	var acked atomic.Int64
	wait := appendWhile(t, db, stop, &acked)
	waitAcked(t, &acked, 50)

	before := acked.Load()
	out := filepath.Join(t.TempDir(), "backup.db")
	info, err := store.BackupSQLite(ctx, filepath.Join(dir, "netbank.db"), out)
	after := acked.Load()
	waitAcked(t, &acked, after+20) // the bank goes on writing after the backup
	close(stop)
	wait()
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	t.Logf("backup of %d pages; %d entries acknowledged before it began, %d when it ended", info.Pages, before, after)

	st, err := os.Stat(out)
	if err != nil || st.Size() != info.Bytes || info.Pages == 0 {
		t.Fatalf("backup file: %v, size %d, info %+v", err, st.Size(), info)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("backup file mode %v, want 0600 (it holds customers' data)", st.Mode().Perm())
	}
	header := make([]byte, 20)
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Read(header)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if header[18] != 1 || header[19] != 1 {
		t.Errorf("file format bytes %d/%d, want 1/1 (rollback journal: one self-contained file)", header[18], header[19])
	}

	snap, err := store.OpenSnapshot(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	if err := snap.IntegrityCheck(ctx); err != nil {
		t.Errorf("integrity: %v", err)
	}
	head, err := snap.Audit().Verify(ctx)
	if err != nil {
		t.Fatalf("the backup's audit chain: %v", err)
	}
	if head.Seq < before {
		t.Errorf("the backup ends at entry %d, but %d were acknowledged before it began", head.Seq, before)
	}
	live, err := db.Audit().Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if head.Seq >= live.Seq {
		t.Errorf("the backup has entry %d, the live log %d: the writes after the backup must not be in it", head.Seq, live.Seq)
	}
	if _, err := snap.Exec(ctx, "DELETE FROM rate_limits"); err == nil {
		t.Error("a snapshot opened read-only accepted a write")
	}
	snap.Close()
	for _, side := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(out + side); err == nil {
			t.Errorf("%s%s exists beside the backup", filepath.Base(out), side)
		}
	}

	content, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.BackupSQLite(ctx, filepath.Join(dir, "netbank.db"), out); err == nil {
		t.Error("a second backup to the same file succeeded; it must never overwrite")
	}
	if again, _ := os.ReadFile(out); !bytes.Equal(again, content) {
		t.Error("the refused backup changed the existing file")
	}
	if _, err := store.BackupSQLite(ctx, filepath.Join(dir, "missing.db"), filepath.Join(dir, "x.db")); err == nil {
		t.Error("backing up a missing database succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
		t.Error("the backup created the missing source database")
	}
}

// TestRestoreSQLite: a restore refuses, changing nothing, while another
// connection (a running bank) has the target open; once that is closed,
// the target holds exactly the backup, with nothing stale beside it; and
// a restore into a new directory creates the database.
func TestRestoreSQLite(t *testing.T) {
	ctx := context.Background()
	srcPath := filepath.Join(t.TempDir(), "netbank.db")
	src := openSQLiteAt(t, srcPath)
	mustRecord(t, src, 7)
	want, err := src.Audit().Verify(ctx)
	src.Close()
	if err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if _, err := store.BackupSQLite(ctx, srcPath, backup); err != nil {
		t.Fatal(err)
	}

	target := filepath.Join(t.TempDir(), "netbank.db")
	running := openSQLiteAt(t, target)
	mustRecord(t, running, 3)
	err = store.RestoreSQLite(ctx, backup, target)
	if !errors.Is(err, store.ErrInUse) {
		t.Fatalf("restore under an open bank: %v, want ErrInUse", err)
	}
	head, err := running.Audit().Verify(ctx)
	if err != nil || head.Seq != 3 {
		t.Fatalf("after the refused restore the bank's log ends at %d (%v), want its own 3 entries", head.Seq, err)
	}
	running.Close()

	if err := store.RestoreSQLite(ctx, backup, target); err != nil {
		t.Fatalf("restore into the stopped bank: %v", err)
	}
	for _, side := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(target + side); err == nil {
			t.Errorf("%s%s left beside the restored database", filepath.Base(target), side)
		}
	}
	fresh := filepath.Join(t.TempDir(), "new", "dir", "netbank.db")
	if err := store.RestoreSQLite(ctx, backup, fresh); err != nil {
		t.Fatalf("restore into a new directory: %v", err)
	}
	for _, path := range []string{target, fresh} {
		db := openSQLiteAt(t, path)
		got, err := db.Audit().Verify(ctx)
		db.Close()
		if err != nil || got != want {
			t.Errorf("%s after the restore: head %+v (%v), want the backup's %+v", path, got, err, want)
		}
	}
}

// TestIntegrityCheckFindsDamage: IntegrityCheck passes a sound backup and
// names the damage when a table's page has been overwritten.
func TestIntegrityCheckFindsDamage(t *testing.T) {
	ctx := context.Background()
	srcPath := filepath.Join(t.TempDir(), "netbank.db")
	src := openSQLiteAt(t, srcPath)
	mustRecord(t, src, 20)
	src.Close()
	backup := filepath.Join(t.TempDir(), "backup.db")
	if _, err := store.BackupSQLite(ctx, srcPath, backup); err != nil {
		t.Fatal(err)
	}
	snap, err := store.OpenSnapshot(ctx, backup)
	if err != nil {
		t.Fatal(err)
	}
	if err := snap.IntegrityCheck(ctx); err != nil {
		t.Fatalf("sound backup: %v", err)
	}
	var root, pageSize int64
	if err := snap.QueryRow(ctx, "SELECT rootpage FROM sqlite_master WHERE name = 'audit_log'").Scan(&root); err != nil {
		t.Fatal(err)
	}
	if err := snap.QueryRow(ctx, "PRAGMA page_size").Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	snap.Close()

	f, err := os.OpenFile(backup, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Byte 0 of a b-tree page is its type (2, 5, 10 or 13); 0x7f is none.
	if _, err := f.WriteAt([]byte{0x7f}, (root-1)*pageSize); err != nil {
		t.Fatal(err)
	}
	f.Close()
	snap, err = store.OpenSnapshot(ctx, backup)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	if err := snap.IntegrityCheck(ctx); err == nil {
		t.Fatal("IntegrityCheck passed a backup whose audit_log root page was overwritten")
	} else {
		t.Logf("found: %v", err)
	}
}

// TestEngineOf: the engine Open would pick for a DSN.
func TestEngineOf(t *testing.T) {
	for dsn, want := range map[string]store.Engine{
		"postgres://u@h/db":       store.Postgres,
		"postgresql://u@h/db":     store.Postgres,
		"netbank-data/netbank.db": store.SQLite,
		"/var/lib/postgres.db":    store.SQLite,
	} {
		if got := store.EngineOf(dsn); got != want {
			t.Errorf("EngineOf(%q) = %s, want %s", dsn, got, want)
		}
	}
}
