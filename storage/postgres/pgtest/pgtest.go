// Package pgtest gives tests a fresh PostgreSQL store: a new database per test on the server
// in LAPOR_TEST_DATABASE_URL (default: the loopback cluster .ci/postgres starts), dropped when
// the test ends. Without a reachable server the test is skipped, except in CI (CI set), where
// that is a failure: .ci/run starts one.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/laporbansos/laporbansos/storage/postgres"
)

// DefaultURL is where .ci/postgres starts its cluster.
const DefaultURL = "postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable"

// Backend is the state backend the channel and flow harnesses use: "postgres" when
// LAPOR_TEST_BACKEND says so, else "bolt".
func Backend() string {
	if os.Getenv("LAPOR_TEST_BACKEND") == "postgres" {
		return "postgres"
	}
	return "bolt"
}

// URL is the admin URL of the test server.
func URL() string {
	if u := os.Getenv("LAPOR_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// NewDatabase creates an empty database for t and returns its URL; it is dropped at cleanup.
func NewDatabase(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, URL())
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no PostgreSQL for the tests at LAPOR_TEST_DATABASE_URL: %v", err)
		}
		t.Skipf("no PostgreSQL reachable (start one with .ci/postgres): %v", err)
	}
	defer admin.Close(context.Background())
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "lb_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if admin, err := pgx.Connect(ctx, URL()); err == nil {
			_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			admin.Close(ctx)
		}
	})
	u, err := url.Parse(URL())
	if err != nil {
		t.Fatalf("LAPOR_TEST_DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// Open returns an open store on a fresh database, closed at cleanup.
func Open(t testing.TB, now func() time.Time) *postgres.DB {
	t.Helper()
	db := postgres.New(NewDatabase(t))
	db.Now = now
	if err := db.Open(context.Background()); err != nil {
		t.Fatalf("open PostgreSQL store: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// KillLockHolders ends, as a dead process's would end, the database sessions of the test
// database at url that hold an advisory lock (only that database's: pg_locks covers the whole
// server, and other tests' databases share it), and fails t unless exactly want were ended.
func KillLockHolders(t testing.TB, url string, want int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	var killed int
	if err := admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&killed); err != nil || killed != want {
		t.Fatalf("terminated %d lock holders, want %d: %v", killed, want, err)
	}
}
