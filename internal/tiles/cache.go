package tiles

import (
	"container/list"
	"context"
	"sync"
)

// Tile is an encoded tile with everything HTTP needs to send it.
type Tile struct {
	Raw      []byte // MVT; nil for an empty tile
	Gzip     []byte // the same, gzip-compressed
	ETag     string // strong, of Raw
	GzipETag string // strong: Raw's with a -gz suffix (another representation, another tag)
}

// Size is the memory a cached tile holds.
func (t *Tile) Size() int64 { return int64(len(t.Raw) + len(t.Gzip) + 128) }

// Cache stores encoded tiles. Implementations must be safe for concurrent use.
type Cache interface {
	Get(ctx context.Context, key string) (*Tile, bool)
	Set(ctx context.Context, key string, t *Tile)
	Purge(ctx context.Context)
}

// LRU is an in-memory cache bounded in bytes, evicting the least recently
// used tiles first.
type LRU struct {
	mu    sync.Mutex
	max   int64
	size  int64
	order *list.List // front = most recent
	items map[string]*list.Element
}

type lruEntry struct {
	key  string
	tile *Tile
}

// NewLRU returns a cache holding at most maxBytes of tiles; 0 disables caching.
func NewLRU(maxBytes int64) *LRU {
	return &LRU{max: maxBytes, order: list.New(), items: map[string]*list.Element{}}
}

// Get returns a cached tile and marks it recently used.
func (c *LRU) Get(_ context.Context, key string) (*Tile, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*lruEntry).tile, true
}

// Set stores a tile, evicting old ones to stay within the bound. A tile
// larger than the whole bound is not stored.
func (c *LRU) Set(_ context.Context, key string, t *Tile) {
	sz := t.Size()
	c.mu.Lock()
	defer c.mu.Unlock()
	if sz > c.max {
		return
	}
	if e, ok := c.items[key]; ok {
		c.size -= e.Value.(*lruEntry).tile.Size()
		e.Value.(*lruEntry).tile = t
		c.order.MoveToFront(e)
	} else {
		c.items[key] = c.order.PushFront(&lruEntry{key: key, tile: t})
	}
	c.size += sz
	for c.size > c.max {
		e := c.order.Back()
		ent := e.Value.(*lruEntry)
		c.order.Remove(e)
		delete(c.items, ent.key)
		c.size -= ent.tile.Size()
	}
}

// Purge empties the cache.
func (c *LRU) Purge(_ context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.order.Init()
	c.items = map[string]*list.Element{}
	c.size = 0
}

// Stats returns the number of tiles and bytes held.
func (c *LRU) Stats() (tiles int, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items), c.size
}
