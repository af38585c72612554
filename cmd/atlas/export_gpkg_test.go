package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atlas-sante-travail/atlas/internal/dataset/datasettest"
	"github.com/atlas-sante-travail/atlas/internal/importer"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/server"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/store/storetest"
	"github.com/atlas-sante-travail/atlas/internal/territory"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

func fp(x float64) *float64 { return &x }

// gpkgFixture is a database with the départements (and their régions as
// parents) and one indicator whose Ariège value (77.7, from 777/1000) is
// secret and whose Lozère value is missing; the other départements of
// Occitanie are published.
func gpkgFixture(t *testing.T) (*store.Store, string) {
	t.Helper()
	url, _ := storetest.NewURL(t)
	ctx := context.Background()
	st, err := store.Open(ctx, url, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if _, err := importer.ImportTerritories(ctx, st, importer.TerritoryOptions{
		Level: territory.Departement, Files: []string{datasettest.File(t, "departements/departements-avec-outre-mer.geojson")}, CodeField: "code", NameField: "nom",
		ParentTable: datasettest.File(t, "derived/ze2020_composition_communale_geo2023.csv"), ParentKey: "DEP", ParentColumns: map[territory.Level]string{territory.Region: "REG"},
	}); err != nil {
		t.Fatal(err)
	}
	meta := indicator.Indicator{
		ID: "taux-at", Label: "Taux de test", Theme: indicator.ThemeSinistralite, Definition: "Indicateur synthétique de test", Unit: "%",
		Producer: "Carsat (test)", Source: "fichier de test", Licence: "Licence Ouverte 2.0",
		Vintages: []string{"2021", "2022"}, Levels: []territory.Level{territory.Departement}, Sexes: []indicator.Sex{"ensemble"},
		Sectors: []string{"ensemble"}, Decimals: 1, Polarity: indicator.HigherIsWorse,
		Aggregation: indicator.AggregateRatio, Threshold: 5, ThresholdOn: indicator.ThresholdOnNumerator, Scale: 100, Demo: true,
	}
	row := func(code, period string, v float64, status string) store.IndicatorValueRow {
		return store.IndicatorValueRow{Level: territory.Departement, Code: code, Period: period, Sex: "ensemble", Sector: "ensemble",
			Value: fp(v), Numerator: fp(v * 10), Denominator: fp(1000), Status: status}
	}
	rows := []store.IndicatorValueRow{
		row("09", "2022", 77.7, "secret"),
		{Level: territory.Departement, Code: "48", Period: "2022", Sex: "ensemble", Sector: "ensemble", Status: "missing"},
		row("31", "2021", 4.5, "published"),
	}
	for i, code := range []string{"11", "12", "30", "31", "32", "34", "46", "65", "66", "81", "82"} {
		rows = append(rows, row(code, "2022", 2.25+float64(i), "published"))
	}
	raw, _ := json.Marshal(meta)
	if _, err := st.ReplaceIndicator(ctx, store.IndicatorImport{ID: meta.ID, Theme: string(meta.Theme), Demo: true, Meta: raw,
		Files: []string{"taux-at.csv"}, SHA256: "sha-taux-at", Rows: rows}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DATABASE_URL", url)
	return st, url
}

// gdal runs a GDAL command; any warning it prints (GDAL warns about a
// malformed GeoPackage rather than refusing it) fails the test.
func gdal(t *testing.T, name string, args ...string) string {
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

type geoJSON struct {
	Features []struct {
		ID         int64          `json:"id"`
		Properties map[string]any `json:"properties"`
		Geometry   struct {
			Type        string          `json:"type"`
			Coordinates [][][][]float64 `json:"coordinates"`
		} `json:"geometry"`
	} `json:"features"`
}

// TestExportGpkg exports the départements with the indicator in both
// coordinate systems and reads the files back with GDAL: the layer, the
// count PostGIS has, the CRS, the API's value for Haute-Garonne, no figure
// for the secret Ariège, coordinates equal to PostGIS's ST_Transform.
func TestExportGpkg(t *testing.T) {
	st, url := gpkgFixture(t)
	ctx := context.Background()
	db, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	var count int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM territory WHERE level = 'departement'`).Scan(&count); err != nil {
		t.Fatal(err)
	}

	// The API's value for 31, to compare with the file's.
	svc := tiles.NewService(st, nil, tiles.Options{PrewarmMaxZoom: -1})
	if err := svc.LoadAll(ctx); err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(server.New(server.Config{Store: st, Tiles: svc}))
	defer api.Close()
	res, err := http.Get(api.URL + "/api/v1/indicators/taux-at/values?level=departement&period=2022&sex=ensemble&sector=ensemble")
	if err != nil {
		t.Fatal(err)
	}
	var values struct {
		Values []struct {
			Code   string   `json:"code"`
			Value  *float64 `json:"value"`
			Status string   `json:"status"`
		} `json:"values"`
	}
	err = json.NewDecoder(res.Body).Decode(&values)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	apiValue := map[string]*float64{}
	for _, v := range values.Values {
		apiValue[v.Code] = v.Value
	}
	if apiValue["31"] == nil {
		t.Fatalf("the API has no value for 31: %+v", values)
	}

	for _, c := range []struct {
		crs, epsg string
		args      []string
	}{
		{"", "4326", nil},
		{"2154", "2154", []string{"--period", "2022", "--sex", "ensemble"}},
	} {
		t.Run("crs="+c.epsg, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "dep.gpkg")
			args := append([]string{"--level", "departement", "--indicator", "taux-at", "--out", path}, c.args...)
			if c.crs != "" {
				args = append(args, "--crs", c.crs)
			}
			if err := run(ctx, append([]string{"export", "gpkg"}, args...)); err != nil {
				t.Fatal(err)
			}
			info := gdal(t, "ogrinfo", "-ro", "-so", "-al", path)
			for _, want := range []string{"Layer name: taux_at_departements\n", "Geometry: Multi Polygon", fmt.Sprintf("Feature Count: %d\n", count),
				`ID["EPSG",` + c.epsg + `]]`, "IDENTIFIER=Départements – Taux de test, 2022", "données de démonstration (fictives)",
				"code: String (0.0) NOT NULL", "region: String", "value: Real", "status: String (0.0) NOT NULL"} {
				if !strings.Contains(info, want) {
					t.Errorf("ogrinfo lacks %q:\n%s", want, info)
				}
			}
			app := gdal(t, "ogrinfo", "-ro", "-q", path, "-sql", "PRAGMA application_id")
			if !strings.Contains(app, fmt.Sprintf("application_id (Integer) = %d", 0x47504B47)) {
				t.Errorf("application_id:\n%s", app)
			}
			contents := gdal(t, "ogrinfo", "-ro", "-q", path, "-sql", "SELECT data_type, srs_id FROM gpkg_contents WHERE table_name = 'taux_at_departements'")
			if !strings.Contains(contents, "data_type (String) = features") || !strings.Contains(contents, "srs_id (Integer64) = "+c.epsg) {
				t.Errorf("gpkg_contents:\n%s", contents)
			}

			raw := gdal(t, "ogr2ogr", "-f", "GeoJSON", "-preserve_fid", "/vsistdout/", path, "taux_at_departements")
			var fc geoJSON
			if err := json.Unmarshal([]byte(raw), &fc); err != nil {
				t.Fatal(err)
			}
			if len(fc.Features) != count {
				t.Fatalf("%d features read, %d in PostGIS", len(fc.Features), count)
			}
			byCode := map[string]int{}
			for i, f := range fc.Features {
				byCode[f.Properties["code"].(string)] = i
				// Ariège's secret figures (77.7 = 777/1000) are nowhere.
				if p, _ := json.Marshal(f.Properties); strings.Contains(string(p), "77.7") || strings.Contains(string(p), "777") {
					t.Errorf("a secret figure in %s", p)
				}
			}
			f31 := fc.Features[byCode["31"]]
			if v, _ := f31.Properties["value"].(float64); v != *apiValue["31"] || f31.Properties["status"] != "published" ||
				f31.Properties["name"] != "Haute-Garonne" || f31.Properties["region"] != "76" || f31.ID != int64(territory.FeatureID(territory.Departement, "31")) {
				t.Errorf("31: %+v, the API says %v", f31.Properties, *apiValue["31"])
			}
			for code, status := range map[string]string{"09": "secret", "48": "missing", "75": "missing"} {
				f := fc.Features[byCode[code]]
				if v, ok := f.Properties["value"]; !ok || v != nil || f.Properties["status"] != status {
					t.Errorf("%s: %+v, want no value and status %s", code, f.Properties, status)
				}
			}
			// The first vertex of 31 is where PostGIS puts it.
			var x, y float64
			if err := db.QueryRow(ctx, `SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointN(ST_ExteriorRing(ST_GeometryN(ST_Transform(geom, $1::int), 1)), 1) AS p
				FROM territory WHERE level = 'departement' AND code = '31') s`, c.epsg).Scan(&x, &y); err != nil {
				t.Fatal(err)
			}
			got := f31.Geometry.Coordinates[0][0][0]
			tol := 1e-7 // degrees: GeoJSON output keeps 7 decimals
			if c.epsg == "2154" {
				tol = 0.001 // metres
			}
			if math.Abs(got[0]-x) > tol || math.Abs(got[1]-y) > tol {
				t.Errorf("31's first vertex %v, PostGIS says %v %v", got, x, y)
			}
		})
	}
}

// TestExportGpkgRefusals: each mistake names its flag, and no file (nor
// a temporary one) is left.
func TestExportGpkgRefusals(t *testing.T) {
	gpkgFixture(t)
	ctx := context.Background()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--level", "canton"}, "--level : niveau inconnu"},
		{[]string{"--level", "commune"}, "--level : niveau"},
		{[]string{}, "--level : niveau requis"},
		{[]string{"--level", "departement", "--indicator", "taux-inconnu"}, "--indicator : indicateur « taux-inconnu » introuvable"},
		{[]string{"--level", "region", "--indicator", "taux-at"}, "--level : niveau « region » introuvable (niveau non importé)"},
		{[]string{"--level", "departement", "--indicator", "taux-at", "--period", "deux-mille"}, "--period : période invalide"},
		{[]string{"--level", "departement", "--indicator", "taux-at", "--period", "2019"}, "--period, --sex, --sector : aucune valeur de taux-at au niveau departement pour 2019, sexe ensemble, secteur ensemble (périodes : 2021, 2022)"},
		{[]string{"--level", "departement", "--indicator", "taux-at", "--sex", "autre"}, "--sex : sexe inconnu"},
		{[]string{"--level", "departement", "--crs", "3857"}, "--crs : système inconnu"},
		{[]string{"--level", "departement", "--out", ""}, "--out : chemin"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"export", "gpkg", "--out", filepath.Join(dir, "x.gpkg")}, c.args...)
			err := run(ctx, args)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one with %q", err, c.want)
			}
			if left, _ := os.ReadDir(dir); len(left) > 0 {
				t.Errorf("left behind: %v", left)
			}
		})
	}
}
