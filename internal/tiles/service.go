package tiles

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/maptile/tilecover"
	"golang.org/x/sync/singleflight"

	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// Observer is told about cache use, so that metrics stay outside this package.
type Observer interface {
	CacheHit(layer string)
	CacheMiss(layer string)
}

// Options configure a Service.
type Options struct {
	// PrewarmMaxZoom: after a (re)load, tiles up to this zoom that cover the
	// layer are encoded ahead of requests; -1 disables pre-warming.
	PrewarmMaxZoom int
	Observer       Observer
	Log            *slog.Logger
}

// Service serves tiles of every imported level from memory.
type Service struct {
	st     *store.Store
	cache  blob.Cache
	opt    Options
	loaded atomic.Pointer[loaded]
	flight singleflight.Group
	mu     sync.Mutex // serialises reloads
}

// loaded is what a reload swaps in one step: readers see every layer and
// the registry of one moment, never a mix.
type loaded struct {
	byName   map[string]*Layer
	ordered  []*Layer // coarsest level first
	registry *territory.Registry
	versions string // LayerVersions
}

func newLoaded(byName map[string]*Layer) *loaded {
	ld := &loaded{byName: byName}
	var sets []*territory.Set
	for _, lv := range territory.Levels {
		if l, ok := byName[lv.Layer()]; ok {
			ld.ordered = append(ld.ordered, l)
			sets = append(sets, l.Territories)
		}
	}
	ld.registry = territory.NewRegistry(sets...)
	var b strings.Builder
	for _, l := range ld.ordered {
		b.WriteString(strconv.FormatInt(l.Version, 10))
		b.WriteByte('.')
	}
	ld.versions = b.String()
	return ld
}

// NewService returns a service with no layer loaded yet: call LoadAll.
func NewService(st *store.Store, cache blob.Cache, opt Options) *Service {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	s := &Service{st: st, cache: cache, opt: opt}
	s.loaded.Store(newLoaded(map[string]*Layer{}))
	return s
}

// LoadAll (re)loads every level from the store.
func (s *Service) LoadAll(ctx context.Context) error {
	for _, l := range territory.Levels {
		if err := s.Reload(ctx, l); err != nil {
			return err
		}
	}
	return nil
}

// Reload replaces one level's layer with what the store holds now, drops
// cached tiles and pre-warms the new ones.
func (s *Service) Reload(ctx context.Context, lv territory.Level) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	start := time.Now()
	d, ok, err := s.st.LoadLevel(ctx, lv)
	if err != nil {
		return err
	}
	next := maps.Clone(s.loaded.Load().byName)
	if !ok {
		delete(next, lv.Layer())
		s.loaded.Store(newLoaded(next))
		return nil
	}
	zmin, zmax := lv.Zooms()
	layer, err := NewLayer(ctx, d, s.st.EachGeometry, zmin, zmax)
	if err != nil {
		return err
	}
	next[layer.Name] = layer
	s.loaded.Store(newLoaded(next))
	// No purge: cache keys hold the layer's dataset, so the old tiles are
	// never served again and age out, while other layers stay warm.
	s.opt.Log.Info("layer loaded", "layer", layer.Name, "territories", layer.Territories.Len(),
		"vertices", layer.Vertices(), "dataset", layer.Version, "took", time.Since(start).Round(time.Millisecond))
	if s.opt.PrewarmMaxZoom >= 0 {
		s.prewarm(ctx, layer)
	}
	return nil
}

// prewarm encodes the tiles covering the layer up to PrewarmMaxZoom.
func (s *Service) prewarm(ctx context.Context, l *Layer) {
	start := time.Now()
	n := 0
	for z := l.MinZoom; z <= min(s.opt.PrewarmMaxZoom, l.MaxZoom); z++ {
		for _, t := range Cover(l, z) {
			if ctx.Err() != nil {
				return
			}
			if _, err := s.tile(ctx, l, int(t.Z), int(t.X), int(t.Y), false); err != nil {
				s.opt.Log.Warn("prewarm", "layer", l.Name, "tile", t, "err", err)
				return
			}
			n++
		}
	}
	s.opt.Log.Info("tiles pre-warmed", "layer", l.Name, "tiles", n, "took", time.Since(start).Round(time.Millisecond))
}

// Cover lists the tiles at zoom z that touch one of the layer's territories
// at that zoom, in a stable order.
func Cover(l *Layer, z int) []maptile.Tile {
	set := maptile.Set{}
	for _, g := range l.geomsAt(z) {
		// Bounds are in world coordinates: back to lon/lat for tilecover.
		b := orb.Bound{Min: worldToLonLat(orb.Point{g.bound.Min[0], g.bound.Max[1]}), Max: worldToLonLat(orb.Point{g.bound.Max[0], g.bound.Min[1]})}
		ts, err := tilecover.Geometry(b, maptile.Zoom(z))
		if err != nil {
			continue
		}
		for t := range ts {
			set[t] = true
		}
	}
	out := make([]maptile.Tile, 0, len(set))
	for t := range set {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].X != out[j].X {
			return out[i].X < out[j].X
		}
		return out[i].Y < out[j].Y
	})
	return out
}

// Layer returns a loaded layer by name.
func (s *Service) Layer(name string) (*Layer, bool) {
	l, ok := s.loaded.Load().byName[name]
	return l, ok
}

// Layers returns the loaded layers from the coarsest level to the finest;
// the slice is shared and must not be modified.
func (s *Service) Layers() []*Layer { return s.loaded.Load().ordered }

// Territories returns the territories of every loaded layer.
func (s *Service) Territories() *territory.Registry { return s.loaded.Load().registry }

// LayerVersions names the import of every loaded layer ("12.15.9."): part
// of the keys of anything computed from several layers, so that a
// re-import of any of them is never answered from an older computation.
func (s *Service) LayerVersions() string { return s.loaded.Load().versions }

// Tile returns tile z/x/y of a loaded layer, from the cache or freshly
// encoded; an empty tile has nil Raw.
func (s *Service) Tile(ctx context.Context, l *Layer, z, x, y int) (*blob.Body, error) {
	return s.tile(ctx, l, z, x, y, true)
}

func (s *Service) tile(ctx context.Context, l *Layer, z, x, y int, observe bool) (*blob.Body, error) {
	key := cacheKey(l, z, x, y)
	if t, ok := s.cache.Get(ctx, key); ok {
		if observe && s.opt.Observer != nil {
			s.opt.Observer.CacheHit(l.Name)
		}
		return t, nil
	}
	if observe && s.opt.Observer != nil {
		s.opt.Observer.CacheMiss(l.Name)
	}
	// Concurrent misses of one tile encode it once.
	v, err, _ := s.flight.Do(key, func() (any, error) {
		raw, err := l.Encode(z, x, y)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", key, err)
		}
		t, err := blob.New(raw)
		if err != nil {
			return nil, err
		}
		s.cache.Set(ctx, key, t)
		return t, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*blob.Body), nil
}

// cacheKey names a tile of one import of a layer: a reload never serves a
// tile of the previous data. Built without fmt, as it runs on every request.
func cacheKey(l *Layer, z, x, y int) string {
	var buf [64]byte // on the stack: the string is the one allocation
	b := append(buf[:0], l.Name...)
	for _, n := range [...]int64{l.Version, int64(z), int64(x), int64(y)} {
		b = append(b, '/')
		b = strconv.AppendInt(b, n, 10)
	}
	return string(b)
}

// Watch reloads a level whenever an import announces it, until ctx ends.
// A lost connection is retried, since an import can happen at any time;
// each time listening (re)starts, the levels whose import is not the one
// loaded are reloaded, as their announcement was missed.
func (s *Service) Watch(ctx context.Context) {
	s.st.ListenReplayed(ctx, store.NotifyTerritories,
		func() { s.reloadChanged(ctx) },
		func(level string) {
			lv, err := territory.ParseLevel(level)
			if err != nil {
				return
			}
			if err := s.Reload(ctx, lv); err != nil {
				s.opt.Log.Error("reload after import", "level", level, "err", err)
			}
		},
		func(err error) { s.opt.Log.Warn("listening for imports stopped, retrying", "err", err) })
}

// reloadChanged reloads every level whose active import in the store is
// not the one loaded (imported, replaced or gone).
func (s *Service) reloadChanged(ctx context.Context) {
	active, err := s.st.ActiveTerritoryDatasets(ctx)
	if err != nil {
		s.opt.Log.Error("check for missed imports", "err", err)
		return
	}
	for _, lv := range territory.Levels {
		id, imported := active[lv]
		l, loaded := s.Layer(lv.Layer())
		if imported == loaded && (!loaded || l.Version == id) {
			continue
		}
		if err := s.Reload(ctx, lv); err != nil {
			s.opt.Log.Error("reload after a missed import", "level", lv, "err", err)
		}
	}
}
