package territory

import (
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
	"github.com/paulmach/orb/project"

	"github.com/atlas-sante-travail/atlas/internal/dataset/datasettest"
)

func loadMercator(t testing.TB, name, codeField string) []Shape {
	t.Helper()
	b, err := os.ReadFile(datasettest.File(t, name))
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatal(err)
	}
	var out []Shape
	for _, f := range fc.Features {
		g := project.Geometry(f.Geometry, project.WGS84.ToMercator)
		out = append(out, Shape{Code: f.Properties.MustString(codeField), Geom: MultiPolygon(g)})
	}
	return out
}

func TestTopologySharesBordersOfZonesEmploi(t *testing.T) {
	shapes := loadMercator(t, "derived/ze2020_2022.geojson", "ze2020")
	topo := NewTopology(shapes)
	total, shared := topo.arcCounts()
	if total == 0 || shared == 0 || shared > total {
		t.Fatalf("arcs: %d total, %d shared", total, shared)
	}
	full := 0
	for _, s := range shapes {
		full += Vertices(s.Geom)
	}
	// Without simplification the rings are rebuilt exactly.
	for i, s := range topo.Simplify(0, 0) {
		if got, want := planar.Area(s.Geom), planar.Area(shapes[i].Geom); math.Abs(got-want) > 1e-6*want {
			t.Fatalf("%s: area %f rebuilt as %f", s.Code, want, got)
		}
	}
	prev := 0
	for z := 0; z <= 11; z++ {
		unit := TileUnit(z, TileExtent)
		arcs := topo.simplifyArcs(unit)
		if bad := conflictingArcs(arcs); len(bad) != 0 {
			t.Errorf("z%d: %d arcs still cross after mending", z, len(bad))
		}
		n := 0
		for _, s := range topo.Simplify(unit, 4*unit*unit) {
			n += Vertices(s.Geom)
		}
		t.Logf("z%-2d tolerance %7.1f m: %6d vertices (%.1f%% of %d)", z, unit, n, 100*float64(n)/float64(full), full)
		if n < prev {
			t.Errorf("z%d has fewer vertices (%d) than z%d (%d)", z, n, z-1, prev)
		}
		prev = n
	}
}

// arcCounts reports the number of distinct arcs and how many are shared.
func (t *Topology) arcCounts() (total, shared int) {
	for _, u := range t.uses {
		if u > 1 {
			shared++
		}
	}
	return len(t.arcs), shared
}

// conflictingArcs lists the arcs with a conflicting segment, as given.
func conflictingArcs(arcs []orb.LineString) map[int]bool {
	keep := make([][]int, len(arcs))
	for i, a := range arcs {
		keep[i] = douglasPeucker(a, 0)
	}
	out := map[int]bool{}
	for ref := range conflictingSegments(arcs, keep) {
		out[ref.arc] = true
	}
	return out
}

func TestMultiPolygon(t *testing.T) {
	sq := orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}
	tri := orb.Polygon{{{2, 0}, {3, 0}, {3, 1}, {2, 0}}}
	for _, c := range []struct {
		name string
		g    orb.Geometry
		want int // polygons
	}{
		{"polygon", sq, 1},
		{"multipolygon", orb.MultiPolygon{sq, tri}, 2},
		{"collection", orb.Collection{sq, orb.Point{5, 5}, orb.Collection{orb.MultiPolygon{tri}}}, 2},
		{"line", orb.LineString{{0, 0}, {1, 1}}, 0},
	} {
		if got := MultiPolygon(c.g); len(got) != c.want {
			t.Errorf("%s: %d polygons, want %d", c.name, len(got), c.want)
		}
	}
}

// The 306 zones d'emploi (353k vertices): the topology is built once per
// import, then simplified once per zoom.
func BenchmarkNewTopologyZonesEmploi(b *testing.B) {
	shapes := loadMercator(b, "derived/ze2020_2022.geojson", "ze2020")
	b.ReportAllocs()
	for b.Loop() {
		NewTopology(shapes)
	}
}

func BenchmarkTopologySimplifyZonesEmploi(b *testing.B) {
	topo := NewTopology(loadMercator(b, "derived/ze2020_2022.geojson", "ze2020"))
	for _, z := range []int{5, 8, 11} {
		unit := TileUnit(z, TileExtent)
		b.Run(fmt.Sprintf("z%d", z), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				topo.Simplify(4*unit, 16*unit*unit)
			}
		})
	}
}

// TestSimplifyIsDeterministic: the same borders simplify to the same
// points every time, so that tiles (and their ETags) are the same bytes on
// every server and after every import of the same file.
func TestSimplifyIsDeterministic(t *testing.T) {
	shapes := loadMercator(t, "derived/ze2020_2022.geojson", "ze2020")
	for _, z := range []int{2, 4, 6} {
		unit := TileUnit(z, TileExtent)
		first := NewTopology(shapes).Simplify(unit, 4*unit*unit)
		for run := 1; run < 4; run++ {
			again := NewTopology(shapes).Simplify(unit, 4*unit*unit)
			for i := range first {
				if !orb.Equal(first[i].Geom, again[i].Geom) {
					t.Fatalf("z%d, run %d: %s simplified otherwise", z, run, first[i].Code)
				}
			}
		}
	}
}
