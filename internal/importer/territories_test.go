package importer_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/atlas-sante-travail/atlas/internal/dataset/datasettest"
	"github.com/atlas-sante-travail/atlas/internal/importer"
	"github.com/atlas-sante-travail/atlas/internal/importer/geofile"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/store/storetest"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

func zonesEmploi(t testing.TB) importer.TerritoryOptions {
	return importer.TerritoryOptions{
		Level: territory.ZoneEmploi, Files: []string{datasettest.File(t, "zones-emploi/ze2020_2022.shp")},
		CodeField: "ze2020", NameField: "libze2020", Vintage: "ZE2020",
	}
}

// snapshot captures what a level holds, to prove that a failed import
// changed nothing.
func snapshot(t testing.TB, st *store.Store, level string) string {
	t.Helper()
	var s string
	err := storetest.SQL(t, st).QueryRow(context.Background(), `SELECT coalesce(string_agg(code || ':' || name || ':' || md5(ST_AsBinary(geom)), ',' ORDER BY code), '') ||
		'|' || (SELECT count(*) FROM territory_generalised WHERE level = $1) ||
		'|' || coalesce((SELECT id::text FROM territory_dataset WHERE level = $1 AND active), '')
		FROM territory WHERE level = $1`, level).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestImportZonesEmploiShapefile(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	res, err := importer.ImportTerritories(ctx, st, zonesEmploi(t))
	if err != nil {
		t.Fatal(err)
	}
	if res.Features != 306 || res.NoOp {
		t.Fatalf("imported %d features (no-op %v), want 306", res.Features, res.NoOp)
	}
	var name, region string
	var fid int64
	if err := storetest.SQL(t, st).QueryRow(ctx, `SELECT name, coalesce(region, ''), fid FROM territory WHERE level = 'zone-emploi' AND code = '7625'`).Scan(&name, &region, &fid); err != nil {
		t.Fatal(err)
	}
	if name != "Toulouse" || region != "76" || uint64(fid) != territory.FeatureID(territory.ZoneEmploi, "7625") {
		t.Errorf("7625: name %q region %q fid %d", name, region, fid)
	}
	var interRegional int
	storetest.SQL(t, st).QueryRow(ctx, `SELECT count(*) FROM territory WHERE level = 'zone-emploi' AND code LIKE '00%' AND region IS NULL`).Scan(&interRegional)
	if interRegional != 14 {
		t.Errorf("%d inter-regional zones without région, want 14", interRegional)
	}
	// Every zoom holds every zone except, at the coarsest zooms, specks
	// smaller than a tile unit.
	var z11 int
	storetest.SQL(t, st).QueryRow(ctx, `SELECT count(*) FROM territory_generalised WHERE level = 'zone-emploi' AND zoom = 11`).Scan(&z11)
	if z11 != 306 {
		t.Errorf("z11 has %d zones", z11)
	}

	before := snapshot(t, st, "zone-emploi")
	again, err := importer.ImportTerritories(ctx, st, zonesEmploi(t))
	if err != nil || !again.NoOp {
		t.Fatalf("re-import: no-op %v, err %v", again.NoOp, err)
	}
	if snapshot(t, st, "zone-emploi") != before {
		t.Fatal("re-importing the same file changed the data")
	}

	t.Run("the same files uploaded in a zip archive are a no-op", func(t *testing.T) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, ext := range []string{".shp", ".shx", ".dbf", ".prj", ".cpg"} {
			// The names are hashed too: they must be those imported.
			w, err := zw.Create("upload/ze2020_2022" + ext)
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte(mustRead(t, datasettest.File(t, "zones-emploi/ze2020_2022"+ext))))
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		o := zonesEmploi(t)
		o.FS, o.Files = zr, []string{"upload/ze2020_2022.shp"}
		again, err := importer.ImportTerritories(ctx, st, o)
		if err != nil || !again.NoOp {
			t.Fatalf("import from the archive: no-op %v, err %v", again.NoOp, err)
		}
	})

	t.Run("failures leave the data intact", func(t *testing.T) {
		dir := t.TempDir()
		write := func(name, body string) string {
			t.Helper()
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		}
		dup := write("dup.geojson", `{"type":"FeatureCollection","features":[
			{"type":"Feature","properties":{"ze2020":"7625","libze2020":"A"},"geometry":{"type":"Polygon","coordinates":[[[1,43],[2,43],[2,44],[1,43]]]}},
			{"type":"Feature","properties":{"ze2020":"7625","libze2020":"B"},"geometry":{"type":"Polygon","coordinates":[[[3,43],[4,43],[4,44],[3,43]]]}}]}`)
		badCode := write("badcode.geojson", `{"type":"FeatureCollection","features":[
			{"type":"Feature","properties":{"ze2020":"7625","libze2020":"A"},"geometry":{"type":"Polygon","coordinates":[[[1,43],[2,43],[2,44],[1,43]]]}},
			{"type":"Feature","properties":{"ze2020":"76X5","libze2020":"B"},"geometry":{"type":"Polygon","coordinates":[[[3,43],[4,43],[4,44],[3,43]]]}}]}`)
		truncated := write("truncated.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature",`)
		for _, c := range []struct {
			name string
			opt  func(o *importer.TerritoryOptions)
			want []string
		}{
			{"wrong code field", func(o *importer.TerritoryOptions) { o.CodeField = "ze2021" }, []string{"ze2020_2022.shp", `"ze2021"`}},
			{"duplicate code", func(o *importer.TerritoryOptions) { o.Files = []string{dup} }, []string{"dup.geojson", "feature 1", "duplicate code 7625"}},
			{"invalid code", func(o *importer.TerritoryOptions) { o.Files = []string{badCode} }, []string{"badcode.geojson", "feature 1", "76X5"}},
			{"truncated file", func(o *importer.TerritoryOptions) { o.Files = []string{truncated} }, []string{"truncated.geojson"}},
			{"missing file", func(o *importer.TerritoryOptions) { o.Files = []string{filepath.Join(dir, "none.shp")} }, []string{"open " + filepath.Join(dir, "none.shp")}},
			{"duplicate code in an upload", func(o *importer.TerritoryOptions) {
				o.FS = fstest.MapFS{"upload/dup.geojson": {Data: []byte(mustRead(t, dup))}}
				o.Files = []string{"upload/dup.geojson"}
			}, []string{"dup.geojson", "feature 1", "duplicate code 7625"}},
			{"truncated file in an upload", func(o *importer.TerritoryOptions) {
				o.FS = fstest.MapFS{"upload/truncated.geojson": {Data: []byte(mustRead(t, truncated))}}
				o.Files = []string{"upload/truncated.geojson"}
			}, []string{"upload/truncated.geojson: invalid GeoJSON"}},
			{"missing file in an upload", func(o *importer.TerritoryOptions) {
				o.FS, o.Files = fstest.MapFS{}, []string{"upload/none.shp"}
			}, []string{"upload/none.shp"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				o := zonesEmploi(t)
				o.Vintage = "other" // a different fingerprint: a real attempt
				c.opt(&o)
				_, err := importer.ImportTerritories(ctx, st, o)
				if err == nil {
					t.Fatal("import succeeded")
				}
				for _, w := range c.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not mention %q", err, w)
					}
				}
				if snapshot(t, st, "zone-emploi") != before {
					t.Fatal("a failed import changed the data")
				}
			})
		}
	})

	t.Run("cancelled import rolls back", func(t *testing.T) {
		o := zonesEmploi(t)
		o.Vintage = "cancelled"
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := importer.ImportTerritories(cctx, st, o); err == nil {
			t.Fatal("cancelled import succeeded")
		}
		if snapshot(t, st, "zone-emploi") != before {
			t.Fatal("a cancelled import changed the data")
		}
	})

	t.Run("new vintage replaces", func(t *testing.T) {
		o := zonesEmploi(t)
		o.Files = []string{datasettest.File(t, "derived/ze2020_2022-simplifiee.geojson")}
		o.Vintage = "ZE2020 simplifiée"
		res, err := importer.ImportTerritories(ctx, st, o)
		if err != nil || res.NoOp || res.Features != 306 {
			t.Fatalf("replace: %+v, %v", res, err)
		}
		var datasets, active int
		storetest.SQL(t, st).QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE active) FROM territory_dataset WHERE level = 'zone-emploi'`).Scan(&datasets, &active)
		if datasets != 2 || active != 1 {
			t.Errorf("%d datasets, %d active", datasets, active)
		}
	})
}

func TestImportRepairsInvalidGeometry(t *testing.T) {
	st := storetest.New(t)
	f := filepath.Join(t.TempDir(), "bowtie.geojson")
	// A self-intersecting "bow tie" and a valid square.
	os.WriteFile(f, []byte(`{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"code":"76","nom":"Bow"},"geometry":{"type":"Polygon","coordinates":[[[0,40],[3,43],[3,40],[0,42],[0,40]]]}},
		{"type":"Feature","properties":{"code":"84","nom":"Square"},"geometry":{"type":"Polygon","coordinates":[[[4,40],[5,40],[5,41],[4,41],[4,40]]]}}]}`), 0o644)
	res, err := importer.ImportTerritories(context.Background(), st, importer.TerritoryOptions{
		Level: territory.Region, Files: []string{f}, CodeField: "code", NameField: "nom"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Repaired) != 1 || res.Repaired[0].Index != 0 || res.Repaired[0].Code != "76" || !strings.Contains(res.Repaired[0].Reason, "Self-intersection") {
		t.Fatalf("repairs: %+v", res.Repaired)
	}
	var valid bool
	storetest.SQL(t, st).QueryRow(context.Background(), `SELECT bool_and(ST_IsValid(geom)) FROM territory`).Scan(&valid)
	if !valid {
		t.Error("stored geometry is not valid")
	}
}

// TestImportReprojectsLambert93 converts départements to a Lambert-93
// shapefile with GDAL and checks that the import honours its .prj.
func TestImportReprojectsLambert93(t *testing.T) {
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		t.Fatal("ogr2ogr (Debian gdal-bin) is needed: `make test` installs it")
	}
	dir := t.TempDir()
	shp := filepath.Join(dir, "dep_l93.shp")
	out, err := exec.Command("ogr2ogr", "-f", "ESRI Shapefile", "-t_srs", "EPSG:2154", "-lco", "ENCODING=UTF-8",
		"-where", "code IN ('31','32','09')", shp, datasettest.File(t, "departements/departements.geojson")).CombinedOutput()
	if err != nil {
		t.Fatalf("ogr2ogr: %v\n%s", err, out)
	}
	st := storetest.New(t)
	ctx := context.Background()
	if _, err := importer.ImportTerritories(ctx, st, importer.TerritoryOptions{
		Level: territory.Departement, Files: []string{shp}, CodeField: "code", NameField: "nom"}); err != nil {
		t.Fatal(err)
	}
	// Compare with the WGS84 original loaded straight into PostGIS.
	var maxDiff float64
	var srid int
	err = storetest.SQL(t, st).QueryRow(ctx, `
		WITH src AS (SELECT f->'properties'->>'code' AS code, ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 4326) AS g
		             FROM json_array_elements($1::json->'features') f)
		SELECT max(ST_HausdorffDistance(ST_Transform(t.geom, 2154), ST_Transform(src.g, 2154))), max(ST_SRID(t.geom))
		FROM territory t JOIN src USING (code)`, mustRead(t, datasettest.File(t, "departements/departements.geojson"))).Scan(&maxDiff, &srid)
	if err != nil {
		t.Fatal(err)
	}
	if srid != 4326 || maxDiff > 0.05 {
		t.Errorf("reprojected geometry differs by %.3f m (srid %d)", maxDiff, srid)
	}
	var name string
	storetest.SQL(t, st).QueryRow(ctx, `SELECT name FROM territory WHERE code = '09'`).Scan(&name)
	if name != "Ariège" {
		t.Errorf("09 is named %q", name)
	}
}

func mustRead(t testing.TB, p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestGeneralisationKeepsBordersShared measures, in PostGIS and at every
// generalised zoom, the area where neighbours overlap and the gaps that
// open between them (holes of the union that the source does not have).
func TestGeneralisationKeepsBordersShared(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	for _, o := range []importer.TerritoryOptions{
		zonesEmploi(t),
		{Level: territory.Departement, Files: []string{datasettest.File(t, "departements/departements-avec-outre-mer.geojson")}, CodeField: "code", NameField: "nom"},
	} {
		if _, err := importer.ImportTerritories(ctx, st, o); err != nil {
			t.Fatal(err)
		}
		// Holes of the source's union (lakes, enclaves of other levels)
		// are not gaps: only new holes are.
		var srcHoles []byte
		if err := storetest.SQL(t, st).QueryRow(ctx, `SELECT ST_AsBinary(ST_Collect(h.geom)) FROM (
				SELECT (ST_DumpRings((ST_Dump(ST_Union(ST_Transform(geom, 3857)))).geom)).* FROM territory WHERE level = $1) h
				WHERE h.path[1] > 0`, string(o.Level)).Scan(&srcHoles); err != nil {
			t.Fatal(err)
		}
		zmin, zmax := o.Level.Zooms()
		for z := zmin; z <= zmax; z++ {
			var overlap, gap, area float64
			var invalid int
			err := storetest.SQL(t, st).QueryRow(ctx, `
				WITH g AS (SELECT code, geom FROM territory_generalised WHERE level = $1 AND zoom = $2),
				pairs AS (SELECT ST_Area(ST_Intersection(a.geom, b.geom)) AS a
				          FROM g a JOIN g b ON a.code < b.code AND a.geom && b.geom AND ST_Intersects(a.geom, b.geom)),
				gen_holes AS (SELECT h.geom FROM (
				          SELECT (ST_DumpRings((ST_Dump(ST_Union(geom))).geom)).* FROM g) h WHERE h.path[1] > 0),
				src AS (SELECT ST_SetSRID(ST_GeomFromWKB($3), 3857) AS h)
				SELECT coalesce((SELECT sum(a) FROM pairs), 0),
				       coalesce((SELECT sum(ST_Area(gh.geom)) FROM gen_holes gh, src s WHERE s.h IS NULL OR NOT ST_Intersects(gh.geom, s.h)), 0),
				       (SELECT sum(ST_Area(geom)) FROM g),
				       (SELECT count(*) FROM g WHERE NOT ST_IsValid(geom))`, string(o.Level), z, srcHoles).Scan(&overlap, &gap, &area, &invalid)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s z%-2d overlap %.3f m², gap %.3f m², of %.0f km²", o.Level, z, overlap, gap, area/1e6)
			// Floating-point noise of ST_Intersection on exactly shared
			// borders stays far below a square metre.
			if overlap > 1 || gap > 1 || invalid > 0 {
				t.Errorf("%s z%d: overlap %.1f m², gap %.1f m², %d invalid", o.Level, z, overlap, gap, invalid)
			}
		}
	}
}

func TestImportErrorsAreTyped(t *testing.T) {
	st := storetest.New(t)
	o := zonesEmploi(t)
	o.NameField = "nope"
	_, err := importer.ImportTerritories(context.Background(), st, o)
	var fe *geofile.FileError
	if !errors.As(err, &fe) || fe.Feature != -1 {
		t.Fatalf("err %v is not a file-level FileError", err)
	}
}
