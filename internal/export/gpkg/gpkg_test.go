package gpkg_test

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twpayne/go-geom"

	"github.com/atlas-sante-travail/atlas/internal/export/gpkg"
)

func square(x, y, size float64) *geom.Polygon {
	return geom.NewPolygonFlat(geom.XY, []float64{x, y, x + size, y, x + size, y + size, x, y + size, x, y}, []int{10})
}

func fp(x float64) *float64 { return &x }

var columns = []gpkg.Column{
	{Name: "code", Type: gpkg.Text, NotNull: true, Title: "Code INSEE"},
	{Name: "value", Type: gpkg.Real, Title: "Valeur", Description: "absente sous le secret statistique"},
	{Name: "status", Type: gpkg.Text, NotNull: true},
	{Name: "count", Type: gpkg.Integer},
}

// ogr runs a GDAL command and fails on any warning or error it prints:
// GDAL warns about a malformed GeoPackage (application id, missing table,
// bad header) rather than refusing it.
func ogr(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("%s %v complained:\n%s", name, args, stderr.String())
	}
	return string(out)
}

func TestWriteIsReadByGDAL(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name     string
		srs      gpkg.SRS
		origin   [2]float64
		size     float64
		srsWords string // in ogrinfo's description of the layer's SRS
	}{
		{"wgs84", gpkg.WGS84, [2]float64{1.2, 43.4}, 0.5, `ID["EPSG",4326]`},
		{"lambert93", gpkg.Lambert93, [2]float64{570000, 6270000}, 20000, `ID["EPSG",2154]`},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.gpkg")
			w, err := gpkg.Create(ctx, path, gpkg.Layer{Table: "departements", Identifier: "Départements", Description: "test", SRS: c.srs, Columns: columns})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Fatalf("the file is in place before Close: %v", err)
			}
			x, y, s := c.origin[0], c.origin[1], c.size
			mp := geom.NewMultiPolygon(geom.XY)
			if err := mp.Push(square(x+2*s, y, s)); err != nil {
				t.Fatal(err)
			}
			if err := mp.Push(square(x+4*s, y+s, s)); err != nil {
				t.Fatal(err)
			}
			features := []gpkg.Feature{
				{ID: 200000031, Geometry: square(x, y, s), Values: []any{"31", fp(5.25), "published", int64(12)}},
				{ID: 200000009, Geometry: mp, Values: []any{"09", (*float64)(nil), "secret", nil}},
				{ID: 200000048, Geometry: square(x, y+2*s, s), Values: []any{"48", nil, "missing", 0}},
			}
			for _, f := range features {
				if err := w.Add(ctx, f); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(ctx); err != nil {
				t.Fatal(err)
			}
			w.Abort() // after Close: nothing happens
			if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*")); len(left) > 0 {
				t.Errorf("temporary files left: %v", left)
			}

			info := ogr(t, "ogrinfo", "-ro", "-so", "-al", path)
			for _, want := range []string{"Layer name: departements", "Geometry: Multi Polygon", "Feature Count: 3",
				c.srsWords, "FID Column = fid", "Geometry Column = geom", "code: String (0.0) NOT NULL", "value: Real (0.0)",
				"status: String (0.0) NOT NULL", "count: Integer64 (0.0)"} {
				if !strings.Contains(info, want) {
					t.Errorf("ogrinfo lacks %q:\n%s", want, info)
				}
			}
			// The extent GDAL reads is the one written to gpkg_contents.
			if want := "Extent: (" + ff(x) + ", " + ff(y) + ") - (" + ff(x+5*s) + ", " + ff(y+3*s) + ")"; !strings.Contains(info, want) {
				t.Errorf("ogrinfo lacks %q:\n%s", want, info)
			}

			var fc struct {
				Features []struct {
					ID         int64          `json:"id"`
					Properties map[string]any `json:"properties"`
					Geometry   struct {
						Type        string          `json:"type"`
						Coordinates [][][][]float64 `json:"coordinates"`
					} `json:"geometry"`
				} `json:"features"`
			}
			raw := ogr(t, "ogr2ogr", "-f", "GeoJSON", "-preserve_fid", "/vsistdout/", path, "departements")
			if err := json.Unmarshal([]byte(raw), &fc); err != nil {
				t.Fatalf("%v\n%s", err, raw)
			}
			if len(fc.Features) != 3 {
				t.Fatalf("%d features", len(fc.Features))
			}
			byCode := map[string]int{}
			for i, f := range fc.Features {
				byCode[f.Properties["code"].(string)] = i
				if f.Geometry.Type != "MultiPolygon" {
					t.Errorf("%v: geometry %s", f.Properties["code"], f.Geometry.Type)
				}
			}
			f31, f09, f48 := fc.Features[byCode["31"]], fc.Features[byCode["09"]], fc.Features[byCode["48"]]
			if f31.ID != 200000031 || f31.Properties["value"] != 5.25 || f31.Properties["status"] != "published" || f31.Properties["count"] != 12.0 {
				t.Errorf("31: %+v", f31)
			}
			if v, ok := f09.Properties["value"]; !ok || v != nil || f09.Properties["status"] != "secret" || len(f09.Geometry.Coordinates) != 2 {
				t.Errorf("09 (secret, two parts): %+v", f09)
			}
			if f48.Properties["value"] != nil || f48.Properties["count"] != 0.0 {
				t.Errorf("48: %+v", f48)
			}
			if got := f31.Geometry.Coordinates[0][0][2]; got[0] != x+s || got[1] != y+s {
				t.Errorf("31's third vertex %v, want %v", got, []float64{x + s, y + s})
			}

			checkTables(t, path, c.srs.ID, [4]float64{x, y, x + 5*s, y + 3*s})

			// GDAL sees the spatial index, and the triggers keep it in step
			// when a desktop edits the file (they run GDAL's ST_ functions).
			if out := ogr(t, "ogrinfo", "-ro", "-q", path, "-sql", "SELECT HasSpatialIndex('departements', 'geom')"); !strings.Contains(out, "HasSpatialIndex (Integer) = 1") {
				t.Errorf("no spatial index for GDAL:\n%s", out)
			}
			ogr(t, "ogrinfo", "-q", path, "-sql", "UPDATE departements SET geom = (SELECT geom FROM departements WHERE code = '09') WHERE code = '31'")
			ogr(t, "ogrinfo", "-q", path, "-sql", "DELETE FROM departements WHERE code = '48'")
			if out := ogr(t, "ogrinfo", "-ro", "-q", path, "-sql", "SELECT count(*) AS n, max(maxx) AS e FROM rtree_departements_geom WHERE id = 200000031"); !strings.Contains(out, "n (Integer) = 1") {
				t.Errorf("the index lost 31 on update:\n%s", out)
			} else if !strings.Contains(ogr(t, "ogrinfo", "-ro", "-q", path, "-sql", "SELECT count(*) AS n FROM rtree_departements_geom"), "n (Integer) = 2") {
				t.Error("the index kept 48 after its deletion")
			}
			var e struct{ min, max float64 }
			if err := sqlOpen(t, path).QueryRow("SELECT minx, maxx FROM rtree_departements_geom WHERE id = 200000031").Scan(&e.min, &e.max); err != nil {
				t.Fatal(err)
			}
			// 31 now has 09's shape: x from x+2s to x+5s (the index keeps
			// floats, rounded outwards).
			if e.min > x+2*s || e.min < x+2*s-s/100 || e.max < x+5*s || e.max > x+5*s+s/100 {
				t.Errorf("31's index entry %v after the update, want [%v, %v]", e, x+2*s, x+5*s)
			}
		})
	}
}

// ff formats a coordinate as ogrinfo prints extents: six decimals.
func ff(v float64) string { return fmt.Sprintf("%f", v) }

// checkTables reads the file as SQLite: the GeoPackage's identity, its
// required rows, the bounds and the binary geometry header.
func checkTables(t *testing.T, path string, srsID int, bounds [4]float64) {
	t.Helper()
	db := sqlOpen(t, path)
	var app, version int64
	if err := db.QueryRow("PRAGMA application_id").Scan(&app); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if app != 0x47504B47 || version != 10300 {
		t.Errorf("application_id %#x user_version %d", app, version)
	}
	var check string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check: %q %v", check, err)
	}
	var srs []int
	rows, err := db.Query("SELECT srs_id FROM gpkg_spatial_ref_sys ORDER BY srs_id")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int
		rows.Scan(&id)
		srs = append(srs, id)
	}
	rows.Close()
	want := map[int]bool{-1: true, 0: true, 4326: true, srsID: true}
	if len(srs) != len(want) {
		t.Errorf("spatial reference systems %v", srs)
	}
	for _, id := range srs {
		if !want[id] {
			t.Errorf("spatial reference systems %v", srs)
		}
	}
	var dataType string
	var b [4]float64
	var csrs int
	if err := db.QueryRow("SELECT data_type, min_x, min_y, max_x, max_y, srs_id FROM gpkg_contents WHERE table_name = 'departements'").
		Scan(&dataType, &b[0], &b[1], &b[2], &b[3], &csrs); err != nil {
		t.Fatal(err)
	}
	if dataType != "features" || b != bounds || csrs != srsID {
		t.Errorf("contents %s %v %d, want features %v %d", dataType, b, csrs, bounds, srsID)
	}
	var blob []byte
	if err := db.QueryRow("SELECT geom FROM departements WHERE code = '31'").Scan(&blob); err != nil {
		t.Fatal(err)
	}
	if string(blob[:2]) != "GP" || blob[2] != 0 || blob[3] != 0x03 || int(int32(binary.LittleEndian.Uint32(blob[4:8]))) != srsID {
		t.Errorf("header % x", blob[:8])
	}
	// min x, max x, min y, max y, then WKB: little-endian multipolygon.
	if mx := math.Float64frombits(binary.LittleEndian.Uint64(blob[16:24])); mx <= bounds[0] {
		t.Errorf("envelope max x %v", mx)
	}
	if blob[40] != 1 || binary.LittleEndian.Uint32(blob[41:45]) != 6 {
		t.Errorf("wkb % x", blob[40:45])
	}
	var indexed int
	if err := db.QueryRow("SELECT count(*) FROM rtree_departements_geom").Scan(&indexed); err != nil || indexed != 3 {
		t.Errorf("spatial index: %d rows, %v", indexed, err)
	}
}

// TestFailuresLeaveNothing: a refused layer, a refused feature and an
// abandoned writer leave no file, temporary or final.
func TestFailuresLeaveNothing(t *testing.T) {
	ctx := context.Background()
	line := geom.NewLineStringFlat(geom.XY, []float64{0, 0, 1, 1})
	for _, c := range []struct {
		name    string
		layer   gpkg.Layer
		feature gpkg.Feature
		want    string
	}{
		{"table name", gpkg.Layer{Table: "taux-at", SRS: gpkg.WGS84}, gpkg.Feature{}, "table name"},
		{"reserved table name", gpkg.Layer{Table: "gpkg_x", SRS: gpkg.WGS84}, gpkg.Feature{}, "table name"},
		{"column name", gpkg.Layer{Table: "t", SRS: gpkg.WGS84, Columns: []gpkg.Column{{Name: "a b", Type: gpkg.Text}}}, gpkg.Feature{}, "column name"},
		{"repeated column", gpkg.Layer{Table: "t", SRS: gpkg.WGS84, Columns: []gpkg.Column{{Name: "fid", Type: gpkg.Text}}}, gpkg.Feature{}, "column name"},
		{"column type", gpkg.Layer{Table: "t", SRS: gpkg.WGS84, Columns: []gpkg.Column{{Name: "a", Type: "BLOB"}}}, gpkg.Feature{}, "type"},
		{"no srs", gpkg.Layer{Table: "t"}, gpkg.Feature{}, "srs"},
		{"value count", gpkg.Layer{Table: "t", SRS: gpkg.WGS84, Columns: columns}, gpkg.Feature{ID: 1, Values: []any{"31"}}, "1 values for 4 columns"},
		{"geometry type", gpkg.Layer{Table: "t", SRS: gpkg.WGS84}, gpkg.Feature{ID: 1, Geometry: line}, "polygon"},
		{"feature id", gpkg.Layer{Table: "t", SRS: gpkg.WGS84}, gpkg.Feature{ID: 0}, "positive"},
		{"value type", gpkg.Layer{Table: "t", SRS: gpkg.WGS84, Columns: columns[:1]}, gpkg.Feature{ID: 1, Values: []any{[]string{"31"}}}, "column code"},
		{"duplicate id", gpkg.Layer{Table: "t", SRS: gpkg.WGS84}, gpkg.Feature{ID: 7}, "UNIQUE"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.gpkg")
			w, err := gpkg.Create(ctx, path, c.layer)
			if err == nil {
				if c.name == "duplicate id" {
					if err := w.Add(ctx, c.feature); err != nil {
						t.Fatal(err)
					}
				}
				err = w.Add(ctx, c.feature)
				w.Abort()
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one naming %q", err, c.want)
			}
			if left, _ := os.ReadDir(dir); len(left) > 0 {
				t.Errorf("left behind: %v", left)
			}
		})
	}
}

// TestReplacesInPlace: an export over an existing file replaces it whole
// at Close, and leaves it untouched when abandoned.
func TestReplacesInPlace(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "out.gpkg")
	if err := os.WriteFile(path, []byte("previous"), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := gpkg.Create(ctx, path, gpkg.Layer{Table: "t", SRS: gpkg.WGS84})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Add(ctx, gpkg.Feature{ID: 1, Geometry: square(0, 0, 1)}); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	if b, _ := os.ReadFile(path); string(b) != "previous" {
		t.Fatalf("an abandoned export touched the file: %.20q", b)
	}
	if w, err = gpkg.Create(ctx, path, gpkg.Layer{Table: "t", SRS: gpkg.WGS84}); err != nil {
		t.Fatal(err)
	}
	if err := w.Add(ctx, gpkg.Feature{ID: 1, Geometry: square(0, 0, 1)}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if info := ogr(t, "ogrinfo", "-ro", "-so", path, "t"); !strings.Contains(info, "Feature Count: 1") {
		t.Errorf("ogrinfo:\n%s", info)
	}
}

// sqlOpen opens a GeoPackage read-only as SQLite, until the test ends.
func sqlOpen(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
