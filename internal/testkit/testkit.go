// Package testkit holds helpers shared by the bank's tests: databases of
// both engines, a clock that tests move by hand, and the CI rules for when
// a missing dependency may skip a test.
package testkit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	neturl "net/url"
	"os"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx" for schema setup

	"github.com/netbank/netbank/store"
)

// PostgresEnv names the environment variable with the PostgreSQL URL for tests.
const PostgresEnv = "NETBANK_TEST_POSTGRES"

// InCI reports whether the tests run in CI (CI=true), where a missing
// database or browser is a failure, not a reason to skip.
func InCI() bool { return os.Getenv("CI") == "true" }

// SkipOrFail skips the test on a laptop and fails it in CI.
func SkipOrFail(t testing.TB, why string) {
	t.Helper()
	if InCI() {
		t.Fatalf("CI=true but %s", why)
	}
	t.Skip(why)
}

// OpenSQLite opens a fresh SQLite database in a temporary directory.
func OpenSQLite(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), t.TempDir()+"/netbank.db", store.Options{})
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// PostgresURL returns the test PostgreSQL URL, skipping (or failing in CI)
// when none is configured.
func PostgresURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv(PostgresEnv)
	if url == "" {
		SkipOrFail(t, PostgresEnv+" is not set")
	}
	return url
}

// OpenPostgres opens the test PostgreSQL database in a fresh schema of its
// own, dropped when the test ends, so tests run side by side.
func OpenPostgres(t testing.TB) *store.DB {
	t.Helper()
	url := PostgresURL(t)
	schema := "nbtest_" + randomHex(6)
	admin, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("postgres: create schema: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", url)
		if err != nil {
			return
		}
		defer admin.Close()
		_, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	db, err := store.Open(ctx, url, store.Options{Schema: schema})
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Engine is a named way to open a fresh database.
type Engine struct {
	Name string
	Open func(t testing.TB) *store.DB
}

// Engines lists both engines. PostgreSQL tests skip without
// NETBANK_TEST_POSTGRES, except in CI where they fail.
var Engines = []Engine{
	{Name: "sqlite", Open: OpenSQLite},
	{Name: "postgres", Open: OpenPostgres},
}

// ForEachEngine runs fn as a subtest on a fresh database of each engine.
func ForEachEngine(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, e := range Engines {
		t.Run(e.Name, func(t *testing.T) {
			fn(t, e.Open(t))
		})
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// Clock is a clock that only moves when a test moves it. Safe for
// concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock set to t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// FreshPostgresDatabase creates a database of its own for the test on the
// server of NETBANK_TEST_POSTGRES, for tests that start whole instances
// (which take a URL, not a schema), and drops it when the test ends. It
// returns the new database's URL.
func FreshPostgresDatabase(t testing.TB) string {
	t.Helper()
	adminURL := PostgresURL(t)
	u, err := neturl.Parse(adminURL)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	name := "nbtest_" + randomHex(6)
	admin, err := sql.Open("pgx", adminURL)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("postgres: create database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", adminURL)
		if err != nil {
			t.Errorf("postgres: %v", err)
			return
		}
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("postgres: drop database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}
