// Package diagnostic is the read side of Atlas: every value that leaves the
// program comes from here, already through indicator.Gate. It answers with
// the catalogue, territories and their search, maps (choropleths), values,
// territory profiles and tiles with values baked in, for the HTTP API today
// and for workshops, exports and reports tomorrow, none of which need to
// know the store.
//
// Requests come as the strings a user typed (a URL's query parameters, a
// workshop's view), are validated here against the catalogue and the
// loaded territories, and a mistake is a *ParamError naming the parameter
// as in the URL, or a *NotFoundError. Everything computed is kept until an
// import changes it: keys carry the indicator catalogue's version and every
// layer's version, so nothing is ever purged and nothing stale is served.
package diagnostic

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/singleflight"

	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

// Config is what the read side reads from.
type Config struct {
	Store *store.Store
	// Tiles holds the loaded territories (names, parents, the within
	// checks) and their geometry, for tiles with values.
	Tiles *tiles.Service
	// Version tells when the catalogue and computed answers are stale:
	// Store.IndicatorVersion (one query per call) when nil, a
	// store.VersionWatch in a long-running server.
	Version func(context.Context) (string, error)
	// Cache keeps encoded answers (maps, tiles with values); nil keeps
	// none. A server shares one with its tiles.
	Cache blob.Cache
	// Catalogue, when set, is the catalogue for good, at its own version:
	// no store is read for it. It lets the parsing of requests be checked
	// (fuzzed) without a database; what reads values still needs Store.
	Catalogue *Catalogue
}

// Service answers the read side's questions; it is safe for concurrent use.
type Service struct {
	st      *store.Store
	tiles   *tiles.Service
	version func(context.Context) (string, error)
	cache   blob.Cache

	catalogue atomic.Pointer[Catalogue]
	maps      recent[*Map]
	flight    singleflight.Group
}

// New returns the read side over a store and the loaded tiles.
func New(cfg Config) *Service {
	s := &Service{st: cfg.Store, tiles: cfg.Tiles, version: cfg.Version, cache: cfg.Cache, maps: recent[*Map]{max: 32}}
	if c := cfg.Catalogue; c != nil {
		s.catalogue.Store(c)
		s.version = func(context.Context) (string, error) { return c.Version, nil }
	}
	if s.version == nil && s.st != nil {
		s.version = s.st.IndicatorVersion
	}
	if s.cache == nil {
		s.cache = blob.NewLRU(0)
	}
	return s
}

// body returns the encoded body of key from the cache, or encodes it once
// (concurrent misses of one key wait for one encoding) and keeps it. An
// empty encoding (a tile with nothing in it) is a body with nil Raw.
// jsonBody is body for an answer that is one value encoded as JSON.
func jsonBody(ctx context.Context, s *Service, key string, compute func(context.Context) (any, error)) (*blob.Body, error) {
	return s.body(ctx, key, func() ([]byte, error) {
		v, err := compute(ctx)
		if err != nil {
			return nil, err
		}
		return json.Marshal(v)
	})
}

func (s *Service) body(ctx context.Context, key string, encode func() ([]byte, error)) (*blob.Body, error) {
	if b, ok := s.cache.Get(ctx, key); ok {
		return b, nil
	}
	v, err, _ := s.flight.Do("body|"+key, func() (any, error) {
		raw, err := encode()
		if err != nil {
			return nil, err
		}
		b, err := blob.New(raw)
		if err != nil {
			return nil, err
		}
		s.cache.Set(ctx, key, b)
		return b, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*blob.Body), nil
}

// ParamError is a request parameter at fault. Name is the parameter as in
// the URL ("level", "within", "breaks"); Reason says what is wrong, in
// French, for the user; Allowed lists what would have been accepted, when
// the list is short enough to show. Unknown is set when the parameter is
// well-formed but names something that does not exist (an HTTP 404, not a
// 400).
type ParamError struct {
	Name    string
	Reason  string
	Allowed []string
	Unknown bool
}

func (e *ParamError) Error() string { return e.Name + " : " + e.Reason }

func badParam(name, reason string, allowed ...string) *ParamError {
	return &ParamError{Name: name, Reason: reason, Allowed: allowed}
}

// NotFoundError says that what a request's path names does not exist.
type NotFoundError struct {
	// What names it, in French: "indicateur « taux-at »".
	What string
}

func (e *NotFoundError) Error() string { return e.What + " introuvable" }

func notFound(format string, a ...any) *NotFoundError {
	return &NotFoundError{What: fmt.Sprintf(format, a...)}
}

// names lists identifiers as plain strings, for ParamError.Allowed.
func names[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// quote is « s »: French quotation marks for names in messages.
func quote(s string) string { return "« " + s + " »" }

// recent keeps the last computed values by key, up to max, and forgets
// them all at once when full: keys carry the versions of what they were
// computed from, so an entry is never stale, only unused, and a map of a
// few entries needs no eviction order.
type recent[V any] struct {
	mu  sync.Mutex
	max int
	m   map[string]V
}

func (r *recent[V]) get(key string) (V, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := r.m[key]
	return v, ok
}

func (r *recent[V]) set(key string, v V) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil || len(r.m) >= r.max {
		r.m = make(map[string]V, r.max)
	}
	r.m[key] = v
}

// keyOf joins the parts of a cache key; parts never hold "|".
func keyOf(parts ...string) string { return strings.Join(parts, "|") }
