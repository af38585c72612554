package store_test

import (
	"context"
	"encoding/binary"
	"math"
	"testing"

	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/wkb"

	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/store/storetest"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// degreeSquare is the WKB of a one-degree square whose south-west corner is x, y.
func degreeSquare(t *testing.T, x, y float64) []byte {
	t.Helper()
	p := geom.NewPolygonFlat(geom.XY, []float64{x, y, x + 1, y, x + 1, y + 1, x, y + 1, x, y}, []int{10})
	b, err := wkb.Marshal(p, binary.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTerritoryFeatures(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	rows := []store.TerritoryRow{}
	for i, c := range []struct {
		code string
		x, y float64
	}{{"01", 0, 45}, {"02", 1, 45}, {"2A", 8, 41}, {"974", 179, -21}} {
		tr := territory.Territory{Level: territory.Departement, Code: c.code, Name: "T" + c.code, FID: territory.FeatureID(territory.Departement, c.code), Region: "84"}
		rows = append(rows, store.TerritoryRow{Territory: tr, Index: i, WKB: degreeSquare(t, c.x, c.y)})
	}
	if _, err := st.ReplaceTerritories(ctx, store.TerritoryImport{Level: territory.Departement, Files: []string{"test"}, SHA256: "sha", SRID: 4326, Rows: rows}); err != nil {
		t.Fatal(err)
	}
	codes := func(fs []store.Feature) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Code)
		}
		return out
	}
	for _, c := range []struct {
		name    string
		q       store.FeatureQuery
		want    []string
		matched int
	}{
		{"all", store.FeatureQuery{Limit: 10}, []string{"01", "02", "2A", "974"}, 4},
		{"a page", store.FeatureQuery{Limit: 2, Offset: 1}, []string{"02", "2A"}, 4},
		{"past the end", store.FeatureQuery{Limit: 2, Offset: 4}, nil, 4},
		{"count only", store.FeatureQuery{}, nil, 4},
		{"a box", store.FeatureQuery{Limit: 10, Boxes: []store.Box{{0.2, 45.2, 0.4, 45.4}}}, []string{"01"}, 1},
		{"a box on a border", store.FeatureQuery{Limit: 10, Boxes: []store.Box{{0.9, 45.2, 1.1, 45.4}}}, []string{"01", "02"}, 2},
		{"two boxes", store.FeatureQuery{Limit: 10, Boxes: []store.Box{{179.5, -20.5, 180, -20.2}, {-180, -20.5, -179, -20.2}}}, []string{"974"}, 1},
		// Corsica's square in Web Mercator metres.
		{"a Web Mercator box", store.FeatureQuery{Limit: 10, BoxSRID: 3857, Boxes: []store.Box{{900000, 5050000, 950000, 5100000}}}, []string{"2A"}, 1},
		{"one by id", store.FeatureQuery{Limit: 1, FID: territory.FeatureID(territory.Departement, "2A")}, []string{"2A"}, 1},
		{"an unknown id", store.FeatureQuery{Limit: 1, FID: 12}, nil, 0},
	} {
		c.q.Level = territory.Departement
		got, matched, err := st.TerritoryFeatures(ctx, c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if g := codes(got); matched != c.matched || len(g) != len(c.want) || (len(g) > 0 && g[0] != c.want[0]) || (len(g) > 1 && g[len(g)-1] != c.want[len(c.want)-1]) {
			t.Errorf("%s: %v (%d matched), want %v (%d)", c.name, g, matched, c.want, c.matched)
		}
	}

	// Geometry carries its SRID, transformed by PostGIS.
	for _, srid := range []int{0, 2154, 3857} {
		fs, _, err := st.TerritoryFeatures(ctx, store.FeatureQuery{Level: territory.Departement, Limit: 1, SRID: srid})
		if err != nil {
			t.Fatal(err)
		}
		want := srid
		if want == 0 {
			want = 4326
		}
		g, ok := fs[0].Geometry.(*geom.MultiPolygon)
		if !ok || g.SRID() != want {
			t.Fatalf("SRID %d: %T with SRID %d", srid, fs[0].Geometry, fs[0].Geometry.SRID())
		}
		var x, y float64
		if err := storetest.SQL(t, st).QueryRow(ctx, `SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(0, 45), 4326), $1::int) AS p) q`, want).Scan(&x, &y); err != nil {
			t.Fatal(err)
		}
		if v := g.Coords()[0][0][0]; math.Hypot(v[0]-x, v[1]-y) > 1e-6 || fs[0].Name != "T01" || fs[0].Region != "84" || fs[0].FID != territory.FeatureID(territory.Departement, "01") {
			t.Errorf("SRID %d: first vertex %v, want %v %v; %+v", srid, v, x, y, fs[0].Territory)
		}
	}
}
