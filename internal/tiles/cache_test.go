package tiles

import (
	"context"
	"fmt"
	"testing"
)

func TestLRUBoundsMemory(t *testing.T) {
	ctx := context.Background()
	tile := func(n int) *Tile { return &Tile{Raw: make([]byte, n)} }
	c := NewLRU(1000)
	for i := 0; i < 10; i++ {
		c.Set(ctx, fmt.Sprint(i), tile(172)) // 300 bytes with overhead
	}
	n, size := c.Stats()
	if n != 3 || size != 900 {
		t.Fatalf("%d tiles, %d bytes; want 3 tiles, 900 bytes", n, size)
	}
	if _, ok := c.Get(ctx, "9"); !ok {
		t.Error("most recent tile evicted")
	}
	if _, ok := c.Get(ctx, "0"); ok {
		t.Error("oldest tile kept")
	}
	// Using "7" makes "8" the least recently used.
	c.Get(ctx, "7")
	c.Set(ctx, "10", tile(172))
	if _, ok := c.Get(ctx, "8"); ok {
		t.Error("least recently used tile kept")
	}
	if _, ok := c.Get(ctx, "7"); !ok {
		t.Error("recently used tile evicted")
	}
	c.Set(ctx, "huge", tile(5000))
	if _, ok := c.Get(ctx, "huge"); ok {
		t.Error("a tile larger than the bound was stored")
	}
	c.Purge(ctx)
	if n, size := c.Stats(); n != 0 || size != 0 {
		t.Errorf("after purge: %d tiles, %d bytes", n, size)
	}
}

func TestParseTile(t *testing.T) {
	for _, c := range []struct {
		z, x, y string
		param   string
	}{
		{"0", "0", "0", ""},
		{"8", "129", "93", ""},
		{"22", "4194303", "0", ""},
		{"23", "0", "0", "z"},
		{"-1", "0", "0", "z"},
		{"8a", "0", "0", "z"},
		{"2", "4", "0", "x"},
		{"2", "0", "4", "y"},
		{"2", "1", "", "y"},
	} {
		_, _, _, err := ParseTile(c.z, c.x, c.y)
		if c.param == "" {
			if err != nil {
				t.Errorf("%s/%s/%s: %v", c.z, c.x, c.y, err)
			}
			continue
		}
		te, ok := err.(*TileCoordError)
		if !ok || te.Param != c.param {
			t.Errorf("%s/%s/%s: error %v, want one about %s", c.z, c.x, c.y, err, c.param)
		}
	}
}

func TestCacheKeyChangesWithImport(t *testing.T) {
	l := &Layer{Name: "zones-emploi", Version: 3}
	if k := cacheKey(l, 8, 129, 93); k != "zones-emploi/3/8/129/93" {
		t.Errorf("key %q", k)
	}
	l2 := &Layer{Name: "zones-emploi", Version: 4}
	if cacheKey(l, 8, 129, 93) == cacheKey(l2, 8, 129, 93) {
		t.Error("two imports share a cache key")
	}
}
