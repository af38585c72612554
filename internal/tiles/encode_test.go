package tiles

import (
	"testing"

	"github.com/paulmach/orb"
)

func TestTileShapeWindingAndClipping(t *testing.T) {
	// A world-coordinate square with a hole, both wound the "wrong" way,
	// larger than tile 1/0/0 so that clipping applies.
	outer := orb.Ring{{0.1, 0.1}, {0.1, 0.9}, {0.9, 0.9}, {0.9, 0.1}, {0.1, 0.1}}
	hole := orb.Ring{{0.3, 0.3}, {0.4, 0.3}, {0.4, 0.4}, {0.3, 0.4}, {0.3, 0.3}}
	box := orb.Bound{Min: orb.Point{-Buffer, -Buffer}, Max: orb.Point{Extent + Buffer, Extent + Buffer}}
	got := tileShape(orb.MultiPolygon{{outer, hole}}, 2, 0, 0, box)
	if len(got) != 1 || len(got[0]) != 2 {
		t.Fatalf("got %v", got)
	}
	if a := surveyorArea(got[0][0]); a <= 0 {
		t.Errorf("exterior area %g, want > 0", a)
	}
	if a := surveyorArea(got[0][1]); a >= 0 {
		t.Errorf("hole area %g, want < 0", a)
	}
	b := ringBound(got[0][0])
	if b.Min[0] < -Buffer || b.Max[0] > Extent+Buffer || b.Max[1] > Extent+Buffer {
		t.Errorf("not clipped to the buffered extent: %v", b)
	}
	for _, p := range got[0][0] {
		if p[0] != float64(int(p[0])) || p[1] != float64(int(p[1])) {
			t.Fatalf("point %v is not on the integer grid", p)
		}
	}
	// A sliver thinner than half a unit vanishes instead of encoding a
	// degenerate ring.
	sliver := orb.Ring{{0.1, 0.1}, {0.1, 0.10000001}, {0.2, 0.10000001}, {0.2, 0.1}, {0.1, 0.1}}
	if got := tileShape(orb.MultiPolygon{{sliver}}, 2, 0, 0, box); len(got) != 0 {
		t.Errorf("sliver kept: %v", got)
	}
}
