package territory_test

import (
	"fmt"
	"slices"

	"github.com/paulmach/orb"

	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// Two neighbours share a wavy border. Simplified on their own, each would
// cut it differently and open slivers; through a Topology the shared arc is
// simplified once, so both keep exactly the same border at any tolerance.
func ExampleNewTopology() {
	// The border from (0,0) to (0,100) wiggles by 1 unit.
	border := orb.LineString{{0, 0}, {1, 25}, {0, 50}, {-1, 75}, {0, 100}}
	west := orb.Ring{{-100, 0}}
	for _, p := range border {
		west = append(west, p)
	}
	west = append(west, orb.Point{-100, 100}, orb.Point{-100, 0})
	east := orb.Ring{{100, 100}}
	for i := len(border) - 1; i >= 0; i-- {
		east = append(east, border[i])
	}
	east = append(east, orb.Point{100, 0}, orb.Point{100, 100})
	topo := territory.NewTopology([]territory.Shape{
		{Code: "W", Geom: orb.MultiPolygon{{west}}},
		{Code: "E", Geom: orb.MultiPolygon{{east}}},
	})
	for _, tol := range []float64{0.5, 5} {
		shapes := topo.Simplify(tol, 0)
		fmt.Printf("tolerance %v: W border %v, E border %v\n", tol, onBorder(shapes[0]), onBorder(shapes[1]))
	}
	// Output:
	// tolerance 0.5: W border [[0 0] [1 25] [-1 75] [0 100]], E border [[0 0] [1 25] [-1 75] [0 100]]
	// tolerance 5: W border [[0 0] [0 100]], E border [[0 0] [0 100]]
}

// onBorder lists a shape's points near x = 0, bottom to top.
func onBorder(s territory.Shape) []orb.Point {
	var out []orb.Point
	for _, p := range s.Geom[0][0] {
		if p[0] > -50 && p[0] < 50 && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b orb.Point) int { return int(a[1] - b[1]) })
	return out
}

// A registry answers names, parents and searches from memory.
func ExampleRegistry_Search() {
	reg := territory.NewRegistry(
		territory.NewSet(territory.Region, []territory.Territory{
			{Level: territory.Region, Code: "76", Name: "Occitanie", FID: territory.FeatureID(territory.Region, "76")},
		}),
		territory.NewSet(territory.Departement, []territory.Territory{
			{Level: territory.Departement, Code: "09", Name: "Ariège", Region: "76"},
			{Level: territory.Departement, Code: "31", Name: "Haute-Garonne", Region: "76"},
			{Level: territory.Departement, Code: "38", Name: "Isère", Region: "84"},
		}),
	)
	hits, total := reg.Search(territory.Query{Text: "ariege"})
	fmt.Println(total, hits[0].Code, hits[0].Name)
	inOccitanie, _ := reg.Search(territory.Query{Levels: []territory.Level{territory.Departement}, ParentLevel: territory.Region, ParentCode: "76"})
	for _, t := range inOccitanie {
		fmt.Println(t.Code, t.Name)
	}
	fmt.Println(reg.Known(territory.Region, "84"), reg.Regions())
	// Output:
	// 1 09 Ariège
	// 09 Ariège
	// 31 Haute-Garonne
	// false [76]
}
