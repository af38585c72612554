package tiles

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"

	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// Extent and Buffer of the tiles, in tile units. The buffer lets renderers
// draw borders that cross tile edges without seams.
const (
	Extent = territory.TileExtent
	Buffer = 64
)

// Encode cuts tile z/x/y out of the layer as an MVT 2.1 tile (not
// compressed). It returns nil when no territory touches the tile.
func (l *Layer) Encode(z, x, y int) ([]byte, error) {
	return l.EncodeWith(z, x, y, nil)
}

func (l *Layer) encode(z, x, y int, props func(*Feature) map[string]any) ([]byte, error) {
	if !l.Covers(z) {
		return nil, nil
	}
	n := math.Exp2(float64(z))
	buf := float64(Buffer) / Extent / n
	tb := orb.Bound{
		Min: orb.Point{float64(x)/n - buf, float64(y)/n - buf},
		Max: orb.Point{float64(x+1)/n + buf, float64(y+1)/n + buf},
	}
	clipBox := orb.Bound{Min: orb.Point{-Buffer, -Buffer}, Max: orb.Point{Extent + Buffer, Extent + Buffer}}
	layer := &mvt.Layer{Name: l.Name, Version: 2, Extent: Extent}
	for _, g := range l.geomsAt(z) {
		if !g.bound.Intersects(tb) {
			continue
		}
		shape := tileShape(g.shape, n, float64(x), float64(y), clipBox)
		if len(shape) == 0 {
			continue
		}
		f := &l.Features[g.feature]
		var geometry orb.Geometry = shape
		if len(shape) == 1 {
			geometry = shape[0]
		}
		p := f.Props
		if props != nil {
			p = props(f)
		}
		layer.Features = append(layer.Features, &geojson.Feature{ID: f.ID, Geometry: geometry, Properties: p})
	}
	if len(layer.Features) == 0 {
		return nil, nil
	}
	return mvt.Marshal(mvt.Layers{layer})
}

// tileShape projects a world-coordinate multipolygon into the tile, clips it
// to the buffered extent, snaps it to the integer grid and orients rings as
// MVT 2.1 requires: exterior rings have a positive surveyor's-formula area
// in tile coordinates (clockwise on screen), holes a negative one.
func tileShape(mp orb.MultiPolygon, n, tx, ty float64, box orb.Bound) orb.MultiPolygon {
	var out orb.MultiPolygon
	for _, poly := range mp {
		var p orb.Polygon
		for ri, r := range poly {
			tr := make(orb.Ring, len(r))
			for i, pt := range r {
				tr[i] = orb.Point{(pt[0]*n - tx) * Extent, (pt[1]*n - ty) * Extent}
			}
			if !ringBound(tr).Intersects(box) {
				if ri == 0 {
					break
				}
				continue
			}
			tr = clip.Ring(box, tr)
			tr = snap(tr)
			if len(tr) < 4 {
				if ri == 0 {
					break
				}
				continue
			}
			a := surveyorArea(tr)
			if a == 0 {
				if ri == 0 {
					break
				}
				continue
			}
			if (ri == 0) != (a > 0) {
				reverse(tr)
			}
			p = append(p, tr)
		}
		if len(p) > 0 {
			out = append(out, p)
		}
	}
	return out
}

func ringBound(r orb.Ring) orb.Bound {
	b := orb.Bound{Min: r[0], Max: r[0]}
	for _, p := range r[1:] {
		b = b.Extend(p)
	}
	return b
}

// snap rounds to the tile grid and drops the repeated points that rounding
// creates; the ring stays closed.
func snap(r orb.Ring) orb.Ring {
	out := r[:0]
	for _, p := range r {
		q := orb.Point{math.Round(p[0]), math.Round(p[1])}
		if len(out) > 0 && out[len(out)-1] == q {
			continue
		}
		out = append(out, q)
	}
	if len(out) > 0 && out[0] != out[len(out)-1] {
		out = append(out, out[0])
	}
	return out
}

// surveyorArea is twice the signed area by the MVT specification's formula.
func surveyorArea(r orb.Ring) float64 {
	var s float64
	for i := 0; i < len(r)-1; i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s
}

func reverse(r orb.Ring) {
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
}
