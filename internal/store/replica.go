package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// ReplayBound is how long an announced import waits for the read replica
// to replay it before the listening connection is dropped and the wait
// starts again (see ListenReplayed): long enough for a replica catching up
// after a large import, short enough that a stuck one is reported.
const ReplayBound = 2 * time.Minute

// replica is the read replica's pool and what the waits for its replay
// have seen, shared by the primary's Store and its read side.
type replica struct {
	pool *pgxpool.Pool
	side *Store

	mu       sync.Mutex
	waiting  time.Time     // when the pending wait began; zero when none
	target   string        // the primary's WAL position that wait needs replayed
	lastWait time.Duration // how long the last completed wait took
	waits    int64         // completed waits
}

// ReplayError says that the read replica did not replay an announced
// import within ReplayBound.
type ReplayError struct {
	Target string // the primary's WAL position waited for
	Behind int64  // bytes of WAL still to replay at the last look, -1 unknown
	Waited time.Duration
	Err    error // the replica's last error, if any
}

func (e *ReplayError) Error() string {
	msg := fmt.Sprintf("the read replica has not replayed the primary's WAL up to %s after %s (%d bytes behind)", e.Target, e.Waited.Round(time.Millisecond), e.Behind)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *ReplayError) Unwrap() error { return e.Err }

// WaitReplayed waits until the read replica has replayed everything the
// primary had written when it was called (its current WAL position, which
// is past the commit of any import announced before), polling the replica
// with a growing pause, for at most ReplayBound. It returns how long that
// took: the replication lag as the read side sees it. Without a replica,
// or when the read URL names a server that is not in recovery (a primary:
// its reads are current), it returns at once.
func (s *Store) WaitReplayed(ctx context.Context) (time.Duration, error) {
	r := s.rep
	if r == nil {
		return 0, nil
	}
	start := time.Now()
	var target string
	if err := s.pool.QueryRow(ctx, `SELECT pg_current_wal_lsn()::text`).Scan(&target); err != nil {
		return 0, fmt.Errorf("the primary's WAL position: %w", err)
	}
	r.mu.Lock()
	r.waiting, r.target = start, target
	r.mu.Unlock()
	done := func(ok bool) time.Duration {
		d := time.Since(start)
		r.mu.Lock()
		r.waiting, r.target = time.Time{}, ""
		if ok {
			r.lastWait, r.waits = d, r.waits+1
		}
		r.mu.Unlock()
		return d
	}
	bctx, cancel := context.WithTimeout(ctx, ReplayBound)
	defer cancel()
	pause := 2 * time.Millisecond
	behind := int64(-1)
	var last error
	for {
		var standby bool
		err := r.pool.QueryRow(bctx, `SELECT pg_is_in_recovery(),
			coalesce(pg_wal_lsn_diff($1::pg_lsn, pg_last_wal_replay_lsn()), 0)::bigint`, target).Scan(&standby, &behind)
		if err == nil && (!standby || behind <= 0) {
			return done(true), nil
		}
		if err != nil {
			last, behind = err, -1
		}
		select {
		case <-bctx.Done():
			d := done(false)
			if ctx.Err() != nil {
				return d, ctx.Err()
			}
			return d, &ReplayError{Target: target, Behind: behind, Waited: d, Err: last}
		case <-time.After(pause):
		}
		if pause < 200*time.Millisecond {
			pause *= 2
		}
	}
}

// ReplicaStatus is what the read replica says of its replay, for
// readiness and monitoring.
type ReplicaStatus struct {
	// Standby is true when the read URL names a server in recovery (a
	// replica); false when it names a primary.
	Standby bool
	// ReplayLSN is the WAL position the replica has replayed, PrimaryLSN
	// the primary's current one, Behind the bytes between them.
	ReplayLSN, PrimaryLSN string
	Behind                int64
	// Paused is true while replay is paused (pg_wal_replay_pause).
	Paused bool
	// LastReplayed is the commit time of the last transaction replayed
	// (zero when none since the replica started): now minus it is the lag
	// in time, while the primary is busy.
	LastReplayed time.Time
	// Waiting is how long an announced import has been waiting for the
	// replica to replay it (0: none is), WaitingFor the WAL position.
	Waiting    time.Duration
	WaitingFor string
	// LastWait is how long the last announced import took to be
	// replayed, Waits how many were.
	LastWait time.Duration
	Waits    int64
}

// ErrNoReplica is returned by Replication when there is no read replica.
var ErrNoReplica = errors.New("no read replica")

// Replication reports the read replica's replay (ErrNoReplica without one).
func (s *Store) Replication(ctx context.Context) (ReplicaStatus, error) {
	r := s.rep
	if r == nil {
		return ReplicaStatus{}, ErrNoReplica
	}
	var st ReplicaStatus
	r.mu.Lock()
	if !r.waiting.IsZero() {
		st.Waiting, st.WaitingFor = time.Since(r.waiting), r.target
	}
	st.LastWait, st.Waits = r.lastWait, r.waits
	r.mu.Unlock()
	if err := s.pool.QueryRow(ctx, `SELECT pg_current_wal_lsn()::text`).Scan(&st.PrimaryLSN); err != nil {
		return st, fmt.Errorf("primary: %w", err)
	}
	var replayed *time.Time
	var replay *string
	err := r.pool.QueryRow(ctx, `SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,
			coalesce(pg_wal_lsn_diff($1::pg_lsn, pg_last_wal_replay_lsn()), 0)::bigint,
			CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END,
			pg_last_xact_replay_timestamp()`, st.PrimaryLSN).
		Scan(&st.Standby, &replay, &st.Behind, &st.Paused, &replayed)
	if err != nil {
		return st, fmt.Errorf("read replica: %w", err)
	}
	if replay != nil {
		st.ReplayLSN = *replay
	}
	if replayed != nil {
		st.LastReplayed = *replayed
	}
	if st.Behind < 0 {
		st.Behind = 0 // replayed past the primary's position read a moment before
	}
	return st, nil
}
