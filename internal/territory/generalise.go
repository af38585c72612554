package territory

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Shape is one territory's geometry in a projected plane (Web Mercator
// metres here), the input of generalisation.
type Shape struct {
	Code string
	Geom orb.MultiPolygon
}

// GeneraliseVersion changes whenever generalisation output changes, so that
// importing the same file again recomputes it.
const GeneraliseVersion = 3

// EarthCircumference is the extent of the Web Mercator plane in metres.
const EarthCircumference = 2 * math.Pi * 6378137

// TileUnit is the size in Web Mercator metres of one unit of a tile of the
// given extent at zoom z: the finest detail a tile at that zoom can show.
func TileUnit(z int, extent int) float64 {
	return EarthCircumference / (math.Exp2(float64(z)) * float64(extent))
}

// Topology is a set of polygons decomposed into arcs: maximal runs of
// boundary shared by the same territories. Simplifying each arc once, and
// rebuilding every ring from the simplified arcs, keeps neighbours' borders
// identical at any tolerance, so generalisation opens no gaps or slivers.
// This is the TopoJSON approach; it needs neighbours to share vertices
// exactly, which coverages such as INSEE's and IGN's do.
type Topology struct {
	arcs   []orb.LineString
	uses   []int // how many rings use each arc: 1 on a coast, 2 on a shared border
	shapes []topoShape
}

type topoShape struct {
	code  string
	polys [][]topoRing // polygon -> rings (exterior first)
}

// topoRing is a ring as a sequence of arc references; a negative reference
// ^i means arc i walked backwards.
type topoRing []int

// NewTopology finds the junctions of the shapes' rings and splits the rings
// into shared arcs.
func NewTopology(shapes []Shape) *Topology {
	rings := collectRings(shapes)
	junction := findJunctions(rings)
	t := &Topology{}
	index := map[arcKey]int{}
	shapeRings := 0
	t.shapes = make([]topoShape, len(shapes))
	for si, s := range shapes {
		ts := topoShape{code: s.Code, polys: make([][]topoRing, len(s.Geom))}
		for pi, poly := range s.Geom {
			ts.polys[pi] = make([]topoRing, 0, len(poly))
			for range poly {
				ts.polys[pi] = append(ts.polys[pi], t.cut(rings[shapeRings], junction, index))
				shapeRings++
			}
		}
		t.shapes[si] = ts
	}
	return t
}

// collectRings returns every ring of every shape without its closing point,
// in shape, polygon, ring order.
func collectRings(shapes []Shape) []orb.Ring {
	var out []orb.Ring
	for _, s := range shapes {
		for _, poly := range s.Geom {
			for _, r := range poly {
				out = append(out, openRing(r))
			}
		}
	}
	return out
}

type neighbours struct {
	a, b     orb.Point
	junction bool
}

// findJunctions marks the points where the set of rings running through a
// boundary changes: a point seen with different neighbours in two rings, or
// twice in one ring (it then has different neighbours too). Junction-less rings get two artificial junctions (their
// smallest point and the point farthest from it) so that a ring shared whole
// (an enclave and its host's hole) is cut identically on both sides.
func findJunctions(rings []orb.Ring) map[orb.Point]bool {
	seen := make(map[orb.Point]*neighbours, 1024)
	for _, r := range rings {
		n := len(r)
		for i, p := range r {
			prev, next := r[(i+n-1)%n], r[(i+1)%n]
			nb, ok := seen[p]
			if !ok {
				seen[p] = &neighbours{a: prev, b: next}
				continue
			}
			// The same neighbours mean the same border walked by another
			// ring (the neighbour on the other side): not a junction.
			if !(nb.a == prev && nb.b == next) && !(nb.a == next && nb.b == prev) {
				nb.junction = true
			}
		}
	}
	junction := make(map[orb.Point]bool)
	for p, nb := range seen {
		if nb.junction {
			junction[p] = true
		}
	}
	for _, r := range rings {
		has := false
		for _, p := range r {
			if junction[p] {
				has = true
				break
			}
		}
		if has || len(r) == 0 {
			continue
		}
		lo := 0
		for i, p := range r {
			if lessPoint(p, r[lo]) {
				lo = i
			}
		}
		far, best := lo, -1.0
		for i, p := range r {
			d := planar.DistanceSquared(p, r[lo])
			if d > best || (d == best && lessPoint(p, r[far])) {
				far, best = i, d
			}
		}
		junction[r[lo]] = true
		junction[r[far]] = true
	}
	return junction
}

// openRing drops the closing point and repeated consecutive points, which
// would otherwise look like junctions.
func openRing(r orb.Ring) orb.Ring {
	out := make(orb.Ring, 0, len(r))
	for _, p := range r {
		if len(out) == 0 || out[len(out)-1] != p {
			out = append(out, p)
		}
	}
	for len(out) > 1 && out[0] == out[len(out)-1] {
		out = out[:len(out)-1]
	}
	return out
}

func lessPoint(a, b orb.Point) bool {
	if a[0] != b[0] {
		return a[0] < b[0]
	}
	return a[1] < b[1]
}

// arcKey identifies an arc by its first two points and its last point; in a
// coverage two different arcs cannot share all three.
type arcKey struct{ a, b, z orb.Point }

// cut splits one ring at its junctions into arcs, reusing arcs already met
// in either direction.
func (t *Topology) cut(r orb.Ring, junction map[orb.Point]bool, index map[arcKey]int) topoRing {
	n := len(r)
	start := -1
	for i, p := range r {
		if junction[p] {
			start = i
			break
		}
	}
	if start < 0 || n < 3 {
		return nil
	}
	var out topoRing
	arc := orb.LineString{r[start]}
	for k := 1; k <= n; k++ {
		p := r[(start+k)%n]
		arc = append(arc, p)
		if !junction[p] {
			continue
		}
		out = append(out, t.arcRef(arc, index))
		arc = orb.LineString{p}
	}
	return out
}

func (t *Topology) arcRef(arc orb.LineString, index map[arcKey]int) int {
	last := len(arc) - 1
	fwd := arcKey{arc[0], arc[1], arc[last]}
	if i, ok := index[fwd]; ok {
		t.uses[i]++
		return i
	}
	rev := arcKey{arc[last], arc[last-1], arc[0]}
	if i, ok := index[rev]; ok {
		t.uses[i]++
		return ^i
	}
	i := len(t.arcs)
	t.arcs = append(t.arcs, append(orb.LineString(nil), arc...))
	t.uses = append(t.uses, 1)
	index[fwd] = i
	return i
}

// Simplify returns every shape rebuilt from its arcs simplified with
// Douglas-Peucker at the given tolerance. Rings that collapse are dropped;
// so are rings made only of unshared arcs (islands, lakes) whose area is
// below minArea, since dropping them cannot open a gap between neighbours.
func (t *Topology) Simplify(tolerance, minArea float64) []Shape {
	simple := t.simplifyArcs(tolerance)
	out := make([]Shape, len(t.shapes))
	for si, s := range t.shapes {
		var mp orb.MultiPolygon
		for _, poly := range s.polys {
			var p orb.Polygon
			for ri, tr := range poly {
				ring, shared := t.assemble(tr, simple)
				collapsed := len(ring) < 4 || distinct(ring) < 3
				if collapsed || (!shared && math.Abs(planar.Area(ring)) < minArea) {
					if ri == 0 {
						break // exterior dropped: the holes go with it
					}
					continue
				}
				p = append(p, ring)
			}
			if len(p) > 0 {
				mp = append(mp, p)
			}
		}
		out[si] = Shape{Code: s.code, Geom: mp}
	}
	return out
}

// simplifyArcs simplifies every arc with Douglas-Peucker, then mends the
// places where simplification made arcs cross or touch (which would overlap
// neighbours or twist a ring): each offending segment gets back the original
// point farthest from it, as Douglas-Peucker would have with a smaller
// tolerance there only, until no segment conflicts. Original segments never
// conflict in a valid coverage, so this ends.
func (t *Topology) simplifyArcs(tolerance float64) []orb.LineString {
	keep := make([][]int, len(t.arcs))
	for i, a := range t.arcs {
		keep[i] = douglasPeucker(a, tolerance)
	}
	if tolerance > 0 {
		for {
			added := false
			// In a fixed order, so that the same borders always simplify
			// the same way (tiles and their ETags depend on it), and from
			// the last segment of an arc back, so that a point put back
			// leaves the indices of the arc's segments still to mend.
			bad := conflictingSegments(t.arcs, keep)
			refs := make([]segRef, 0, len(bad))
			for ref := range bad {
				refs = append(refs, ref)
			}
			sort.Slice(refs, func(i, j int) bool {
				if refs[i].arc != refs[j].arc {
					return refs[i].arc < refs[j].arc
				}
				return refs[i].seg > refs[j].seg
			})
			for _, ref := range refs {
				a, k := t.arcs[ref.arc], keep[ref.arc]
				i0, i1 := k[ref.seg], k[ref.seg+1]
				if i1-i0 < 2 {
					continue // an original segment: the conflict is in the source
				}
				far, _ := farthest(a, i0, i1)
				keep[ref.arc] = insertSorted(keep[ref.arc], far)
				added = true
			}
			if !added {
				break
			}
		}
	}
	out := make([]orb.LineString, len(t.arcs))
	for i, a := range t.arcs {
		if len(keep[i]) == len(a) {
			out[i] = a
			continue
		}
		ls := make(orb.LineString, len(keep[i]))
		for j, k := range keep[i] {
			ls[j] = a[k]
		}
		out[i] = ls
	}
	return out
}

// douglasPeucker returns the indices of the points kept. orb's simplifier
// does not expose them, and mending needs them to refine one span only.
func douglasPeucker(a orb.LineString, tol float64) []int {
	n := len(a)
	if tol <= 0 || n <= 2 {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	mark := make([]bool, n)
	mark[0], mark[n-1] = true, true
	stack := [][2]int{{0, n - 1}}
	for len(stack) > 0 {
		span := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if span[1]-span[0] < 2 {
			continue
		}
		far, d := farthest(a, span[0], span[1])
		if d > tol {
			mark[far] = true
			stack = append(stack, [2]int{span[0], far}, [2]int{far, span[1]})
		}
	}
	var idx []int
	for i, m := range mark {
		if m {
			idx = append(idx, i)
		}
	}
	return idx
}

// farthest finds the point strictly between i0 and i1 farthest from the
// segment joining them (from the point itself when the arc closes on it).
func farthest(a orb.LineString, i0, i1 int) (int, float64) {
	best, bestD := i0+1, -1.0
	for i := i0 + 1; i < i1; i++ {
		d := planar.DistanceFromSegmentSquared(a[i0], a[i1], a[i])
		if d > bestD {
			best, bestD = i, d
		}
	}
	return best, math.Sqrt(bestD)
}

func insertSorted(s []int, v int) []int {
	i := sort.SearchInts(s, v)
	if i < len(s) && s[i] == v {
		return s
	}
	s = append(s, 0)
	copy(s[i+1:], s[i:])
	s[i] = v
	return s
}

// segRef is the seg-th segment of an arc as simplified.
type segRef struct{ arc, seg int }

// conflictingSegments finds the simplified segments that cross or touch
// another one anywhere but at a shared end point. Segments are bucketed in a
// grid so that only near ones are compared.
func conflictingSegments(arcs []orb.LineString, keep [][]int) map[segRef]bool {
	type seg struct {
		ref  segRef
		a, b orb.Point
	}
	var segs []seg
	var bound orb.Bound
	first := true
	total := 0.0
	for i, a := range arcs {
		k := keep[i]
		for j := 0; j+1 < len(k); j++ {
			p, q := a[k[j]], a[k[j+1]]
			segs = append(segs, seg{segRef{i, j}, p, q})
			total += planar.Distance(p, q)
			if first {
				bound, first = orb.Bound{Min: p, Max: p}, false
			}
			bound = bound.Extend(p).Extend(q)
		}
	}
	bad := map[segRef]bool{}
	if len(segs) < 2 || total <= 0 {
		return bad
	}
	cell := 2 * total / float64(len(segs))
	type cellKey struct{ x, y int }
	grid := make(map[cellKey][]int32, len(segs))
	for si, s := range segs {
		x0 := int((min(s.a[0], s.b[0]) - bound.Min[0]) / cell)
		x1 := int((max(s.a[0], s.b[0]) - bound.Min[0]) / cell)
		y0 := int((min(s.a[1], s.b[1]) - bound.Min[1]) / cell)
		y1 := int((max(s.a[1], s.b[1]) - bound.Min[1]) / cell)
		for x := x0; x <= x1; x++ {
			for y := y0; y <= y1; y++ {
				k := cellKey{x, y}
				grid[k] = append(grid[k], int32(si))
			}
		}
	}
	for _, ids := range grid {
		for i := 0; i < len(ids); i++ {
			for j := i + 1; j < len(ids); j++ {
				s, u := segs[ids[i]], segs[ids[j]]
				if segmentsConflict(s.a, s.b, u.a, u.b) {
					bad[s.ref], bad[u.ref] = true, true
				}
			}
		}
	}
	return bad
}

// segmentsConflict reports whether segments pq and rs cross, or touch or
// overlap other than by sharing an end point.
func segmentsConflict(p, q, r, s orb.Point) bool {
	if max(p[0], q[0]) < min(r[0], s[0]) || max(r[0], s[0]) < min(p[0], q[0]) ||
		max(p[1], q[1]) < min(r[1], s[1]) || max(r[1], s[1]) < min(p[1], q[1]) {
		return false
	}
	o1, o2 := orient(p, q, r), orient(p, q, s)
	o3, o4 := orient(r, s, p), orient(r, s, q)
	if o1*o2 < 0 && o3*o4 < 0 {
		return true
	}
	return (o1 == 0 && r != p && r != q && within(p, q, r)) ||
		(o2 == 0 && s != p && s != q && within(p, q, s)) ||
		(o3 == 0 && p != r && p != s && within(r, s, p)) ||
		(o4 == 0 && q != r && q != s && within(r, s, q))
}

func orient(a, b, c orb.Point) float64 {
	v := (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// within says whether c, known to be collinear with ab, lies on segment ab.
func within(a, b, c orb.Point) bool {
	return min(a[0], b[0]) <= c[0] && c[0] <= max(a[0], b[0]) && min(a[1], b[1]) <= c[1] && c[1] <= max(a[1], b[1])
}

// assemble concatenates a ring's arcs and reports whether any of them is
// shared with another ring.
func (t *Topology) assemble(tr topoRing, arcs []orb.LineString) (orb.Ring, bool) {
	var ring orb.Ring
	shared := false
	for _, ref := range tr {
		i, rev := ref, false
		if ref < 0 {
			i, rev = ^ref, true
		}
		if t.uses[i] > 1 {
			shared = true
		}
		a := arcs[i]
		skip := 0
		if len(ring) > 0 {
			skip = 1 // the arc's first point is the previous arc's last
		}
		if rev {
			for k := len(a) - 1 - skip; k >= 0; k-- {
				ring = append(ring, a[k])
			}
		} else {
			ring = append(ring, a[skip:]...)
		}
	}
	return ring, shared
}

func distinct(r orb.Ring) int {
	pts := append([]orb.Point(nil), r...)
	sort.Slice(pts, func(i, j int) bool { return lessPoint(pts[i], pts[j]) })
	n := 0
	for i := range pts {
		if i == 0 || pts[i] != pts[i-1] {
			n++
		}
	}
	return n
}

// Vertices counts the points of a multipolygon, closing points included.
func Vertices(mp orb.MultiPolygon) int {
	n := 0
	for _, p := range mp {
		for _, r := range p {
			n += len(r)
		}
	}
	return n
}

// MultiPolygon returns the polygons of a geometry as one multipolygon:
// territories are areas, whether a file stores them as a Polygon, a
// MultiPolygon or a collection of those. Anything else has no area: nil.
func MultiPolygon(g orb.Geometry) orb.MultiPolygon {
	switch g := g.(type) {
	case orb.MultiPolygon:
		return g
	case orb.Polygon:
		return orb.MultiPolygon{g}
	case orb.Collection:
		var mp orb.MultiPolygon
		for _, x := range g {
			mp = append(mp, MultiPolygon(x)...)
		}
		return mp
	}
	return nil
}
