package workshop

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter keeps one token bucket per key (a participant of a workshop, a
// client creating workshops), forgetting the keys unused for a while. It
// is per server: with several replicas a client could get each one's
// allowance, which is fine for what it guards (a runaway client, not an
// attack on the whole service).
type limiter struct {
	every time.Duration
	burst int
	mu    sync.Mutex
	keys  map[string]*bucket
	swept time.Time
}

type bucket struct {
	lim  *rate.Limiter
	used time.Time
}

func newLimiter(perSecond float64, burst int) *limiter {
	return &limiter{every: time.Duration(float64(time.Second) / perSecond), burst: burst, keys: map[string]*bucket{}}
}

// allow takes one token for key, or says how long to wait for one.
func (l *limiter) allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > 10*time.Minute {
		for k, b := range l.keys {
			if now.Sub(b.used) > 10*time.Minute {
				delete(l.keys, k)
			}
		}
		l.swept = now
	}
	b, ok := l.keys[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.keys[key] = b
	}
	b.used = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// tooMany is the refusal of a request over its allowance.
func tooMany(wait time.Duration) *Error {
	return &Error{Kind: TooMany, Reason: "trop de requêtes : réessayez dans un instant", RetryAfter: wait}
}
