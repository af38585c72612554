package blob

import (
	"context"
	"fmt"
	"testing"
)

func TestLRUBoundsMemory(t *testing.T) {
	ctx := context.Background()
	body := func(n int) *Body { return &Body{Raw: make([]byte, n)} }
	c := NewLRU(1000)
	for i := 0; i < 10; i++ {
		c.Set(ctx, fmt.Sprint(i), body(172)) // 300 bytes with overhead
	}
	n, size := c.Stats()
	if n != 3 || size != 900 {
		t.Fatalf("%d bodies, %d bytes; want 3 bodies, 900 bytes", n, size)
	}
	if _, ok := c.Get(ctx, "9"); !ok {
		t.Error("most recent body evicted")
	}
	if _, ok := c.Get(ctx, "0"); ok {
		t.Error("oldest body kept")
	}
	// Using "7" makes "8" the least recently used.
	c.Get(ctx, "7")
	c.Set(ctx, "10", body(172))
	if _, ok := c.Get(ctx, "8"); ok {
		t.Error("least recently used body kept")
	}
	if _, ok := c.Get(ctx, "7"); !ok {
		t.Error("recently used body evicted")
	}
	c.Set(ctx, "huge", body(5000))
	if _, ok := c.Get(ctx, "huge"); ok {
		t.Error("a body larger than the bound was stored")
	}
	c.Purge(ctx)
	if n, size := c.Stats(); n != 0 || size != 0 {
		t.Errorf("after purge: %d bodies, %d bytes", n, size)
	}
}
