package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFS embed.FS

// migration is one numbered, forward-only schema step.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists the embedded migrations of an engine in version order.
// File names are NNNN_name.sql; a gap or a duplicate number is an error.
func migrations(e Engine) ([]migration, error) {
	dir := path.Join("migrations", string(e))
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, ent := range entries {
		name := ent.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("store: bad migration file name %q", name)
		}
		body, err := fs.ReadFile(migrationFS, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: strings.TrimSuffix(name, ".sql"), sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("store: migrations of %s must be numbered 1..n without gaps; found %d at position %d", e, m.version, i+1)
		}
	}
	return ms, nil
}

// migrate applies the embedded migrations not yet recorded in
// schema_migrations, each in its own transaction. Several instances starting
// at once are safe: each migration takes an exclusive lock on
// schema_migrations (PostgreSQL) or the write lock (SQLite) and re-checks.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations(db.engine)
	if err != nil {
		return err
	}
	create := `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		applied_at BIGINT NOT NULL)`
	if err := db.Transact(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, create)
		return err
	}); err != nil {
		return fmt.Errorf("store: create schema_migrations: %w", err)
	}
	for _, m := range ms {
		err := db.Transact(ctx, func(tx *Tx) error {
			if tx.Engine() == Postgres {
				if _, err := tx.Exec(ctx, "LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE"); err != nil {
					return err
				}
			}
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.version, m.name, time.Now().UnixMicro())
			return err
		})
		if err != nil {
			return fmt.Errorf("store: %s: %w", db.engine, err)
		}
	}
	return nil
}

// SchemaVersion returns the highest applied migration number.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v)
	return v, err
}
