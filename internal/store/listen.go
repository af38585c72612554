package store

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// listenRetry is the pause before restoring a lost listening connection.
const listenRetry = 2 * time.Second

// Listen calls fn with the payload of every notification on channel until
// ctx ends, on a connection of its own. ready (may be nil) is called each
// time LISTEN takes effect: what was announced before it is never
// delivered, so a caller keeping what the channel announces must re-read
// it then. A lost connection is reported to onError (may be nil) and
// restored after a pause, since an import can happen at any time.
func (s *Store) Listen(ctx context.Context, channel string, ready func(), fn func(payload string), onError func(error)) {
	s.listenLoop(ctx, channel, nil, ready, fn, onError)
}

// ListenReplayed is Listen for the announcements of what the read side
// serves (imports of territories and indicators): the NOTIFY comes from the
// primary, but what ready and fn then re-read comes from the read replica,
// so each call waits first until the replica has replayed everything the
// primary had written (WaitReplayed). Until then the server keeps serving
// the version it has, whole, never half a replayed one. A replica that does
// not catch up within ReplayBound is reported to onError and the listening
// connection restored, whose ready waits again and then re-reads it all.
func (s *Store) ListenReplayed(ctx context.Context, channel string, ready func(), fn func(payload string), onError func(error)) {
	wait := func() error {
		_, err := s.WaitReplayed(ctx)
		return err
	}
	s.listenLoop(ctx, channel, wait, ready, fn, onError)
}

// listenLoop is Listen, with before (may be nil) called before each ready
// and fn: its error drops the connection as a lost one would.
func (s *Store) listenLoop(ctx context.Context, channel string, before func() error, ready func(), fn func(payload string), onError func(error)) {
	for ctx.Err() == nil {
		err := s.listen(ctx, channel, before, ready, fn)
		if ctx.Err() != nil {
			return
		}
		if onError != nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(listenRetry):
		}
	}
}

func (s *Store) listen(ctx context.Context, channel string, before func() error, ready func(), fn func(payload string)) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `LISTEN `+pgx.Identifier{channel}.Sanitize()); err != nil {
		return err
	}
	if before != nil && ready != nil {
		if err := before(); err != nil {
			return err
		}
	}
	if ready != nil {
		ready()
	}
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if before != nil {
			if err := before(); err != nil {
				return err
			}
		}
		fn(strings.TrimSpace(n.Payload))
	}
}
