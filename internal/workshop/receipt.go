package workshop

import (
	"context"
	"sync/atomic"

	"github.com/atlas-sante-travail/atlas/internal/store"
)

// Receipt is the seq of the last event a request committed, so that its
// answer can say where in the log its change is (the Workshop-Seq
// header): a client knows which event on its stream is its own, and a
// bench measures how long that event took to reach the room.
type Receipt struct{ seq atomic.Int64 }

type receiptKey struct{}

// WithReceipt returns a context whose writes are recorded in the receipt.
func WithReceipt(ctx context.Context) (context.Context, *Receipt) {
	r := &Receipt{}
	return context.WithValue(ctx, receiptKey{}, r), r
}

// Seq is the seq of the last event committed, 0 if none.
func (r *Receipt) Seq() int64 { return r.seq.Load() }

// record notes a write's events in the context's receipt, if any.
func record(ctx context.Context, evs []store.WorkshopEvent) {
	if r, ok := ctx.Value(receiptKey{}).(*Receipt); ok && len(evs) > 0 {
		r.seq.Store(evs[len(evs)-1].Seq)
	}
}
