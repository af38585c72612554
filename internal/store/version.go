package store

import (
	"context"
	"sync"
)

// NotifyIndicators is the LISTEN/NOTIFY channel on which an indicator import
// announces its commit, with the indicator id as payload.
const NotifyIndicators = "atlas_indicators"

// VersionWatch keeps IndicatorVersion in memory while it listens for
// imports, so that serving a cached map costs no database round trip. When
// it is not listening (before Run, or while the connection is being
// restored) every Get asks the database, so a missed notification can never
// leave a stale version behind.
type VersionWatch struct {
	st *Store

	mu        sync.Mutex
	listening bool
	gen       uint64 // bumped by every notification and (re)connection
	ver       string
	cached    bool
}

// NewVersionWatch returns a watch over st; call Run to start listening.
func NewVersionWatch(st *Store) *VersionWatch {
	return &VersionWatch{st: st}
}

// Get returns the current indicator version.
func (w *VersionWatch) Get(ctx context.Context) (string, error) {
	w.mu.Lock()
	if w.listening && w.cached {
		v := w.ver
		w.mu.Unlock()
		return v, nil
	}
	gen, listening := w.gen, w.listening
	w.mu.Unlock()
	v, err := w.st.IndicatorVersion(ctx)
	if err != nil {
		return "", err
	}
	w.mu.Lock()
	// A notification during the query makes its answer possibly old.
	if listening && w.listening && w.gen == gen {
		w.ver, w.cached = v, true
	}
	w.mu.Unlock()
	return v, nil
}

// Listening reports whether Get is answering from memory (Run holds a
// listening connection).
func (w *VersionWatch) Listening() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.listening
}

func (w *VersionWatch) forget(listening bool) {
	w.mu.Lock()
	w.gen++
	w.cached = false
	w.listening = listening
	w.mu.Unlock()
}

// Run listens for indicator imports until ctx ends, reconnecting after a
// lost connection. Each notification forgets the cached version, and so
// does each (re)connection: imports committed before LISTEN took effect are
// not announced. With a read replica the watch should be over the read
// side (Store.ReadSide), and each forgets only once the replica has
// replayed the import: until then the old version, whole, is served.
func (w *VersionWatch) Run(ctx context.Context, onError func(error)) {
	defer w.forget(false)
	w.st.ListenReplayed(ctx, NotifyIndicators,
		func() { w.forget(true) },
		func(string) { w.forget(true) },
		func(err error) {
			w.forget(false)
			if onError != nil {
				onError(err)
			}
		})
}
