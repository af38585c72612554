package tiles

import (
	"maps"
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

// EncodeWith cuts tile z/x/y like Encode, adding to each feature the
// properties extra gives for its territory (extra wins on a clash; nil adds
// nothing). It is how values are baked into tiles: such tiles depend on a
// request's indicator parameters, so the Service does not cache them (the
// diagnostic package does, per indicator import).
func (l *Layer) EncodeWith(z, x, y int, extra func(territory.Territory) map[string]any) ([]byte, error) {
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
	ts := l.Territories.All()
	for _, g := range l.geomsAt(z) {
		if !g.bound.Intersects(tb) {
			continue
		}
		shape := tileShape(g.shape, n, float64(x), float64(y), clipBox)
		if len(shape) == 0 {
			continue
		}
		t := ts[g.feature]
		var geometry orb.Geometry = shape
		if len(shape) == 1 {
			geometry = shape[0]
		}
		p := l.props[g.feature]
		if extra != nil {
			// A copy: the layer's own maps serve every other tile.
			p = maps.Clone(p)
			maps.Copy(p, extra(t))
		}
		layer.Features = append(layer.Features, &geojson.Feature{ID: t.FID, Geometry: geometry, Properties: p})
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
			tr := tileRing(r, n, tx, ty, box, ri == 0)
			if tr == nil {
				if ri == 0 {
					break // without its exterior the polygon is gone
				}
				continue
			}
			p = append(p, tr)
		}
		if len(p) > 0 {
			out = append(out, p)
		}
	}
	return out
}

// tileRing is one ring of tileShape, or nil when nothing of it is left in
// the tile.
func tileRing(r orb.Ring, n, tx, ty float64, box orb.Bound, exterior bool) orb.Ring {
	tr := make(orb.Ring, len(r))
	for i, pt := range r {
		tr[i] = orb.Point{(pt[0]*n - tx) * Extent, (pt[1]*n - ty) * Extent}
	}
	if !ringBound(tr).Intersects(box) {
		return nil
	}
	tr = snap(clip.Ring(box, tr))
	if len(tr) < 4 {
		return nil
	}
	a := surveyorArea(tr)
	if a == 0 {
		return nil
	}
	if exterior != (a > 0) {
		reverse(tr)
	}
	return tr
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
