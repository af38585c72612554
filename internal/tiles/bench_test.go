package tiles

import (
	"context"
	"math"
	"testing"

	"github.com/paulmach/orb"

	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// benchLayer is a 12×12 grid of 400-vertex disks in world coordinates,
// spanning tile 5/16/11 and its neighbours, so that encoding that tile
// clips some disks and drops others.
func benchLayer() *Layer {
	l := &Layer{Name: "bench", Version: 1, MinZoom: 0, MaxZoom: 8}
	l.zooms = make([][]geom, l.MaxZoom-l.MinZoom+1)
	var ts []territory.Territory
	const n, verts = 12, 400
	x0, y0, step := 0.5-1.0/32, 0.34375-1.0/32, 3.0/32/n
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			cx, cy, r := x0+(float64(i)+0.5)*step, y0+(float64(j)+0.5)*step, step*0.45
			ring := make(orb.Ring, verts+1)
			for k := range verts {
				a := 2 * math.Pi * float64(k) / verts
				ring[k] = orb.Point{cx + r*math.Cos(a), cy + r*math.Sin(a)}
			}
			ring[verts] = ring[0]
			mp := orb.MultiPolygon{{ring}}
			fi := len(ts)
			ts = append(ts, territory.Territory{Level: territory.Departement, FID: uint64(fi + 1), Code: "c", Name: "n"})
			l.props = append(l.props, map[string]any{"code": "c", "name": "n"})
			for z := range l.zooms {
				l.zooms[z] = append(l.zooms[z], geom{feature: fi, shape: mp, bound: mp.Bound()})
			}
		}
	}
	l.Territories = territory.NewSet(territory.Departement, ts)
	return l
}

func BenchmarkEncode(b *testing.B) {
	l := benchLayer()
	b.ReportAllocs()
	for b.Loop() {
		if raw, err := l.Encode(5, 16, 11); err != nil || raw == nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewTile(b *testing.B) {
	raw, err := benchLayer().Encode(5, 16, 11)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := blob.New(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTileCached is the hot path: a request for a tile in the cache.
func BenchmarkTileCached(b *testing.B) {
	ctx := context.Background()
	l := benchLayer()
	s := NewService(nil, blob.NewLRU(64<<20), Options{})
	if _, err := s.Tile(ctx, l, 5, 16, 11); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Tile(ctx, l, 5, 16, 11); err != nil {
				b.Fatal(err)
			}
		}
	})
}
