// Package store is the PostGIS access layer: connection pool, embedded
// schema migrations and the queries of the domain packages.
package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store wraps a pgx pool; it is safe for concurrent use. The pools stay
// inside: callers ask for what they need (Ping, the queries). With a read
// replica (OpenReplicated) there are two Stores over the same pools: the
// one Open returns, whose every query goes to the primary (imports,
// workshops, admin: what writes, and what must read its own writes), and
// its ReadSide, whose read-only queries (geometry, values, catalogue,
// features) go to the replica.
type Store struct {
	pool *pgxpool.Pool // the primary: writes, LISTEN, and this Store's reads unless read says otherwise
	read *pgxpool.Pool // where this Store's read-only queries go: pool, or the replica on the read side
	rep  *replica      // nil without a read replica; shared by both sides
}

// UnreachableError says that the database could not be reached, in words a
// user can act on instead of a driver's stack of causes.
type UnreachableError struct {
	URL string
	Err error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach PostGIS at %s: %v (is the database running? unset DATABASE_URL to use the project's private cluster)", redact(e.URL), e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// Redact hides the password of a connection URL (or key=value string), for
// logs.
func Redact(conn string) string { return redact(conn) }

// redact hides a password in a connection URL (or key=value string) for
// messages and logs.
func redact(conn string) string {
	if u, err := url.Parse(conn); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			return u.Redacted() // also when the user name equals the password, or it is %-encoded
		}
	}
	cfg, err := pgconn.ParseConfig(conn)
	if err != nil || cfg.Password == "" {
		return conn
	}
	return strings.ReplaceAll(conn, cfg.Password, "xxxxx")
}

// Application names of the two pools' sessions, as pg_stat_activity shows
// them.
const (
	AppPrimary = "atlas"
	AppRead    = "atlas-read"
)

// Open connects to PostGIS and checks that it answers within timeout.
func Open(ctx context.Context, url string, timeout time.Duration) (*Store, error) {
	return OpenReplicated(ctx, url, "", timeout)
}

// OpenReplicated is Open with a read replica: readURL, when not empty, is a
// hot standby streaming from the primary at url (DATABASE_READ_URL), where
// ReadSide's read-only queries go. The primary must then accept writes:
// target_session_attrs=read-write is added to url when it names none, so
// that a URL listing several hosts, or a primary demoted by a failover,
// never takes the writes to a read-only server.
func OpenReplicated(ctx context.Context, url, readURL string, timeout time.Duration) (*Store, error) {
	pool, err := openPool(ctx, "DATABASE_URL", url, AppPrimary, readURL != "", timeout)
	if err != nil {
		return nil, err
	}
	s := &Store{pool: pool, read: pool}
	if readURL == "" {
		return s, nil
	}
	read, err := openPool(ctx, "DATABASE_READ_URL", readURL, AppRead, false, timeout)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s.rep = &replica{pool: read}
	s.rep.side = &Store{pool: pool, read: read, rep: s.rep}
	return s, nil
}

func openPool(ctx context.Context, name, url, app string, readWrite bool, timeout time.Duration) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("invalid %s: %w", name, err)
	}
	if cfg.MaxConns < 8 {
		cfg.MaxConns = 8
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = app
	if readWrite && cfg.ConnConfig.ValidateConnect == nil && !strings.Contains(url, "target_session_attrs") {
		cfg.ConnConfig.ValidateConnect = pgconn.ValidateConnectTargetSessionAttrsReadWrite
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, &UnreachableError{URL: url, Err: err}
	}
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		if readWrite && strings.Contains(err.Error(), "read only connection") {
			return nil, fmt.Errorf("%s at %s is a read-only server (a replica?): the writes need the primary: %w", name, redact(url), err)
		}
		return nil, &UnreachableError{URL: url, Err: err}
	}
	return pool, nil
}

// ReadSide is the Store whose read-only queries go to the read replica,
// for the read side (tiles, maps, values, profiles, OGC, documents); its
// writes and LISTEN still go to the primary. Without a replica (or a
// store) it is s.
func (s *Store) ReadSide() *Store {
	if s == nil || s.rep == nil {
		return s
	}
	return s.rep.side
}

// Replicated reports whether s has a read replica.
func (s *Store) Replicated() bool { return s != nil && s.rep != nil }

// Close releases the pools (the replica's too, from either side).
func (s *Store) Close() {
	s.pool.Close()
	if s.rep != nil {
		s.rep.pool.Close()
	}
}

// PingPrimary checks that the primary answers.
func (s *Store) PingPrimary(ctx context.Context) error { return s.pool.Ping(ctx) }

// Ping checks that the primary and the read replica answer, for readiness
// probes: a server whose replica is gone cannot serve its reads.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("primary: %w", err)
	}
	if s.rep != nil {
		if err := s.rep.pool.Ping(ctx); err != nil {
			return fmt.Errorf("read replica: %w", err)
		}
	}
	return nil
}

// Migrate applies the embedded migrations not yet applied, each in its own
// transaction, under an advisory lock so that concurrent starts are safe.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(7263001)`); err != nil {
		return nil, fmt.Errorf("migrate: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(7263001)`) //nolint:errcheck // unlock also happens at disconnect
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migration (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var applied []string
	for _, name := range names {
		var done bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migration WHERE name = $1)`, name).Scan(&done); err != nil {
			return applied, fmt.Errorf("migrate: %w", err)
		}
		if done {
			continue
		}
		sql, err := migrations.ReadFile(name)
		if err != nil {
			return applied, err
		}
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, string(sql)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migration (name) VALUES ($1)`, name)
			return err
		})
		if err != nil {
			var pe *pgconn.PgError
			if errors.As(err, &pe) && strings.Contains(pe.Message, "postgis") {
				return applied, fmt.Errorf("migrate %s: %w (PostGIS must be installed on the database server)", name, err)
			}
			return applied, fmt.Errorf("migrate %s: %w", name, err)
		}
		applied = append(applied, name)
	}
	return applied, nil
}
