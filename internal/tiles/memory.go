package tiles

import "github.com/atlas-sante-travail/atlas/internal/blob"

// NewMemoryService serves layers built in memory (NewLayer) with no store
// behind them, so that what depends only on the loaded territories (the
// read side's parsing of requests, the within checks) can be exercised and
// fuzzed without a database. Reload and Watch must not be called on it.
func NewMemoryService(cache blob.Cache, layers ...*Layer) *Service {
	if cache == nil {
		cache = blob.NewLRU(0)
	}
	s := NewService(nil, cache, Options{PrewarmMaxZoom: -1})
	byName := make(map[string]*Layer, len(layers))
	for _, l := range layers {
		byName[l.Name] = l
	}
	s.loaded.Store(newLoaded(byName))
	return s
}
