package blob

import (
	"container/list"
	"context"
	"sync"
)

// Cache stores bodies by key. Implementations must be safe for concurrent use.
type Cache interface {
	Get(ctx context.Context, key string) (*Body, bool)
	Set(ctx context.Context, key string, b *Body)
	Purge(ctx context.Context)
}

var _ Cache = (*LRU)(nil)

// LRU is an in-memory cache bounded in bytes, evicting the least recently
// used bodies first.
type LRU struct {
	mu    sync.Mutex
	max   int64
	size  int64
	order *list.List // front = most recent
	items map[string]*list.Element
}

type lruEntry struct {
	key  string
	body *Body
}

// NewLRU returns a cache holding at most maxBytes of bodies; 0 disables caching.
func NewLRU(maxBytes int64) *LRU {
	return &LRU{max: maxBytes, order: list.New(), items: map[string]*list.Element{}}
}

// Get returns a cached body and marks it recently used.
func (c *LRU) Get(_ context.Context, key string) (*Body, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*lruEntry).body, true
}

// Set stores a body, evicting old ones to stay within the bound. A body
// larger than the whole bound is not stored.
func (c *LRU) Set(_ context.Context, key string, b *Body) {
	sz := b.Size()
	c.mu.Lock()
	defer c.mu.Unlock()
	if sz > c.max {
		return
	}
	if e, ok := c.items[key]; ok {
		c.size -= e.Value.(*lruEntry).body.Size()
		e.Value.(*lruEntry).body = b
		c.order.MoveToFront(e)
	} else {
		c.items[key] = c.order.PushFront(&lruEntry{key: key, body: b})
	}
	c.size += sz
	for c.size > c.max {
		e := c.order.Back()
		ent := e.Value.(*lruEntry)
		c.order.Remove(e)
		delete(c.items, ent.key)
		c.size -= ent.body.Size()
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

// Stats returns the number of bodies and bytes held.
func (c *LRU) Stats() (bodies int, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items), c.size
}
