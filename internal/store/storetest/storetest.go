// Package storetest gives tests a throwaway, migrated PostGIS database on the
// real server that `make test` starts: no mocks.
package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atlas-sante-travail/atlas/internal/store"
)

// EnvURL names the variable holding a URL to the test cluster; the database
// in it is only used to create and drop the throwaway ones.
const EnvURL = "ATLAS_TEST_DATABASE_URL"

var counter atomic.Int64

// opened maps the stores New opened to what SQL needs to reach them.
var opened sync.Map // *store.Store → *sqlAccess

type sqlAccess struct {
	url  string
	t    testing.TB // the test that owns the database
	once sync.Once
	pool *pgxpool.Pool
	err  error
}

// AdminURL returns the test cluster's URL or fails the test: a test that
// needs PostGIS must not pass without it.
func AdminURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		t.Fatalf("%s is not set: run the tests with `make test`, which starts the private PostGIS cluster", EnvURL)
	}
	return u
}

// New creates a fresh database cloned from a migrated template, opens a
// store on it and drops it when the test ends.
func New(t testing.TB) *store.Store {
	t.Helper()
	url, _ := NewURL(t)
	ctx := context.Background()
	s, err := store.Open(ctx, url, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	opened.Store(s, &sqlAccess{url: url, t: t})
	return s
}

// EnvReadURL names the variable holding a URL to a streaming standby of
// the test cluster (deploy/pg/standby.sh, which deploy/test.sh starts).
const EnvReadURL = "ATLAS_TEST_READ_DATABASE_URL"

// StandbyURL returns the standby's URL, or skips the test saying why: a
// standby needs pg_basebackup and a primary that allows replication, which
// a DATABASE_URL given to `make test` may not.
func StandbyURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvReadURL)
	if u == "" {
		t.Skipf("%s is not set: no streaming standby of the test cluster (deploy/test.sh starts one with deploy/pg/standby.sh on the private cluster), so the read-replica test cannot run", EnvReadURL)
	}
	return u
}

// NewReplicated is New with the standby as the store's read replica: the
// throwaway database is created on the primary and, once the standby has
// replayed its creation, opened there too. It also returns the database's
// URL on the standby.
func NewReplicated(t testing.TB) (*store.Store, string) {
	t.Helper()
	standby := StandbyURL(t)
	url, name := NewURL(t)
	readURL := withDatabase(standby, name)
	ctx := context.Background()
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		c, err := pgx.Connect(ctx, readURL)
		if err == nil {
			c.Close(ctx)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the standby never had the test database %s: %v", name, err)
		}
	}
	s, err := store.OpenReplicated(ctx, url, readURL, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	opened.Store(s, &sqlAccess{url: url, t: t})
	return s, readURL
}

// SQL returns a pool of its own on the database of a store made by New,
// for tests that check the tables directly: the store keeps its pool to
// itself. The pool is opened once per store and closed with it.
func SQL(t testing.TB, st *store.Store) *pgxpool.Pool {
	t.Helper()
	v, ok := opened.Load(st)
	if !ok {
		t.Fatal("storetest.SQL: the store was not made by storetest.New")
	}
	a := v.(*sqlAccess)
	a.once.Do(func() {
		a.pool, a.err = pgxpool.New(context.Background(), a.url)
		if a.err == nil {
			a.t.Cleanup(a.pool.Close)
		}
	})
	if a.err != nil {
		t.Fatal(a.err)
	}
	return a.pool
}

// NewURL creates the throwaway database and returns its URL and name, for
// tests that start a server process of their own.
func NewURL(t testing.TB) (string, string) {
	t.Helper()
	admin := AdminURL(t)
	ctx := context.Background()
	tpl, err := template(ctx, admin)
	if err != nil {
		t.Fatalf("test template database: %v", err)
	}
	name := fmt.Sprintf("atlas_t_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6, counter.Add(1))
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to test cluster: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, tpl)); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), admin)
		if err != nil {
			t.Errorf("drop %s: %v", name, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	return withDatabase(admin, name), name
}

// template makes sure a template database with the current migrations
// exists. Its name carries a hash of the migrations so that a changed schema
// gets a new template; concurrent test binaries serialise on a lock.
func template(ctx context.Context, admin string) (string, error) {
	h := sha256.New()
	_, self, _, _ := runtime.Caller(0)
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(self), "..", "migrations", "*.sql"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		h.Write(b)
	}
	name := "atlas_tpl_" + hex.EncodeToString(h.Sum(nil))[:12]
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(7263002)`); err != nil {
		return "", err
	}
	defer conn.Exec(ctx, `SELECT pg_advisory_unlock(7263002)`) //nolint:errcheck // released at close too
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	build := name + "_build"
	conn.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, build)) //nolint:errcheck // leftover of a killed run
	if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s`, build)); err != nil {
		return "", err
	}
	s, err := store.Open(ctx, withDatabase(admin, build), 10*time.Second)
	if err != nil {
		return "", err
	}
	_, err = s.Migrate(ctx)
	s.Close()
	if err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf(`ALTER DATABASE %s RENAME TO %s`, build, name)); err != nil {
		return "", err
	}
	return name, nil
}

func withDatabase(raw, db string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Path = "/" + db
	u.RawPath = ""
	return u.String()
}
