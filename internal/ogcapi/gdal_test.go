package ogcapi_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// gdal runs a GDAL command (Debian's gdal-bin 3.6.2 in make test) and
// returns its output; a failure fails the test with what GDAL said.
func gdal(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	// The loopback server is never behind a proxy; GDAL's HTTP cache would
	// hide what the server answers.
	cmd.Env = append(os.Environ(), "NO_PROXY=127.0.0.1,localhost", "no_proxy=127.0.0.1,localhost", "GDAL_HTTP_TIMEOUT=60",
		"CPL_VSIL_CURL_NON_CACHED=/vsicurl/", "GDAL_PAM_ENABLED=NO")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	if strings.Contains(string(out), "ERROR") {
		t.Fatalf("%s %s reports an error:\n%s", name, strings.Join(args, " "), out)
	}
	return string(out)
}

type geojsonFile struct {
	Features []struct {
		ID         any             `json:"id"`
		Geometry   json.RawMessage `json:"geometry"`
		Properties map[string]any  `json:"properties"`
	} `json:"features"`
}

// readAll has GDAL read a whole collection through the OAPIF driver into
// a GeoJSON file, with extra ogr2ogr arguments, and decodes the file.
func readAll(t *testing.T, ds, layer string, args ...string) geojsonFile {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out.geojson")
	gdal(t, "ogr2ogr", append(append([]string{"-f", "GeoJSON", out, ds, layer}, args...), "-lco", "RFC7946=NO")...)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var g geojsonFile
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	return g
}

// TestGDAL opens the OGC API with GDAL's OAPIF driver, as a GIS user
// would, and compares what it reads with PostGIS.
func TestGDAL(t *testing.T) {
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Skip("ogrinfo absent: deploy/deps.sh installs gdal-bin")
	}
	f := setup(t)
	ds := "OAPIF:" + f.srv.URL + "/ogc"
	ctx := context.Background()

	// Every collection opens.
	list := gdal(t, "ogrinfo", "-ro", "-q", ds)
	level := map[string]string{"regions": "region", "departements": "departement", "regions.taux-at": "region", "departements.taux-at": "departement"}
	for layer := range level {
		if !regexp.MustCompile(`(?m)^\d+: ` + regexp.QuoteMeta(layer) + ` (\(title: [^)]*\) )?\(Multi Polygon\)`).MatchString(list) {
			t.Errorf("ogrinfo lists no multipolygon layer %s:\n%s", layer, list)
		}
	}

	for layer, lv := range level {
		// The feature count is numberMatched, the database's count.
		want := f.count(t, `SELECT count(*) FROM territory WHERE level = $1`, lv)
		summary := gdal(t, "ogrinfo", "-ro", "-so", ds, layer)
		if m := regexp.MustCompile(`Feature Count: (\d+)`).FindStringSubmatch(summary); m == nil || m[1] != strconv.Itoa(want) {
			t.Errorf("%s: ogrinfo says %v, PostGIS %d\n%s", layer, m, want, summary)
		}
		// A full read, paged by 7 (GDAL follows the next links), holds
		// every territory once.
		all := readAll(t, ds, layer, "-oo", "PAGE_SIZE=7")
		var got []string
		for _, ft := range all.Features {
			got = append(got, ft.Properties["code"].(string))
		}
		slices.Sort(got)
		var codes []string
		rows, err := f.db.Query(ctx, `SELECT code FROM territory WHERE level = $1 ORDER BY code COLLATE "C"`, lv)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				t.Fatal(err)
			}
			codes = append(codes, c)
		}
		if !slices.Equal(got, codes) {
			t.Errorf("%s: GDAL read %d features %v, PostGIS has %d", layer, len(got), got, len(codes))
		}
	}

	// -fid fetches one feature by the territory's id.
	var fid int64
	if err := f.db.QueryRow(ctx, `SELECT fid FROM territory WHERE level = 'departement' AND code = '2A'`).Scan(&fid); err != nil {
		t.Fatal(err)
	}
	one := gdal(t, "ogrinfo", "-ro", "-q", ds, "departements", "-fid", strconv.FormatInt(fid, 10))
	if !strings.Contains(one, "code (String) = 2A") || !strings.Contains(one, "OGRFeature(departements):"+strconv.FormatInt(fid, 10)) {
		t.Errorf("-fid %d:\n%.600s", fid, one)
	}

	// Lambert-93 by GDAL's reprojection lands on PostGIS's ST_Transform.
	l93 := readAll(t, ds, "departements", "-t_srs", "EPSG:2154", "-where", "code = '31'")
	if len(l93.Features) != 1 {
		t.Fatalf("code = '31': %d features", len(l93.Features))
	}
	got, want := firstVertex(t, l93.Features[0].Geometry), f.postgisVertex(t, "31", 2154)
	if d := math.Hypot(got[0]-want[0], got[1]-want[1]); d > 1 {
		t.Errorf("Lambert-93 vertex by GDAL %v, by PostGIS %v: %.3f m apart", got, want, d)
	}

	// An indicator read with GDAL's own page size (10), whose first page
	// has no figure (01 to 09, 09 secret): the value field is there all
	// the same, and the secret Ariège comes with its status and no value.
	vals := readAll(t, ds, "departements.taux-at")
	by := map[string]map[string]any{}
	for _, ft := range vals.Features {
		by[ft.Properties["code"].(string)] = ft.Properties
	}
	if p := by["09"]; p["status"] != "secret" || p["value"] != nil {
		t.Errorf("Ariège as GDAL reads it: %v", p)
	}
	if p := by["31"]; p["status"] != "published" || p["value"] != 5.0 || p["period"] != "2022" {
		t.Errorf("Haute-Garonne as GDAL reads it: %#v", p)
	}
	if p := by["48"]; p["status"] != "missing" || p["value"] != nil {
		t.Errorf("Lozère as GDAL reads it: %v", p)
	}
}
