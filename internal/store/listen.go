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
	for ctx.Err() == nil {
		err := s.listen(ctx, channel, ready, fn)
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

func (s *Store) listen(ctx context.Context, channel string, ready func(), fn func(payload string)) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `LISTEN `+pgx.Identifier{channel}.Sanitize()); err != nil {
		return err
	}
	if ready != nil {
		ready()
	}
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			return err
		}
		fn(strings.TrimSpace(n.Payload))
	}
}
