package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb/encoding/mvt"

	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/export/mbtiles"
	"github.com/atlas-sante-travail/atlas/internal/export/pmtiles"
	"github.com/atlas-sante-travail/atlas/internal/export/tileset"
	"github.com/atlas-sante-travail/atlas/internal/server"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

// tilesMaxZoom keeps the exports of the tests small (a few hundred tiles
// a layer); the command's default is the layer's last generalised zoom.
const tilesMaxZoom = "8"

func quietLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func sqlite3Query(t *testing.T, path, query string) string {
	t.Helper()
	out, err := exec.Command("sqlite3", "-readonly", path, query).CombinedOutput()
	if err != nil {
		t.Fatalf("sqlite3 %q: %v\n%s", query, err, out)
	}
	return strings.TrimSpace(string(out))
}

// getTile fetches a tile without letting the transport unzip it.
func getTile(t *testing.T, url string, gzip bool) (int, []byte, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if gzip {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, b, res.Header
}

// startServeFiles runs `atlas serve --mbtiles ...` in this process on a
// free port and waits until it is ready; it stops with the test.
func startServeFiles(t *testing.T, files ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	args := []string{"--addr", addr}
	for _, f := range files {
		args = append(args, "--mbtiles", f)
	}
	// No database at all: a wrong DATABASE_URL would fail a server that
	// tried to use one.
	t.Setenv("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cmdServe(ctx, quietLog(), args) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("atlas serve --mbtiles: %v", err)
		}
	})
	base := "http://" + addr
	for i := 0; ; i++ {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return base
			}
		}
		select {
		case err := <-done:
			t.Fatalf("atlas serve --mbtiles stopped: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
		if i > 200 {
			t.Fatal("atlas serve --mbtiles never got ready")
		}
	}
}

// TestExportMBTilesServedBack is the evidence for the files other
// tools read: the départements exported as MBTiles, plain and with an
// indicator's values; GDAL reads the layer, Haute-Garonne at its latitude
// and gzip tiles; sqlite3 shows the metadata and the unique index; `atlas
// serve --mbtiles`, with no database, serves back tiles byte-identical
// (after gunzip) to the live server's; the PMTiles export holds the same
// tiles, read by our reader and by the pmtiles npm library.
func TestExportMBTilesServedBack(t *testing.T) {
	if testing.Short() {
		t.Skip("exports and serves real tiles")
	}
	for _, tool := range []string{"ogrinfo", "ogr2ogr", "sqlite3", "node"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed: run deploy/deps.sh", tool)
		}
	}
	st, url := gpkgFixture(t)
	ctx := context.Background()
	t.Setenv("DATABASE_URL", url)
	dir := t.TempDir()
	plain := filepath.Join(dir, "departements.mbtiles")
	values := filepath.Join(dir, "taux-at.mbtiles")
	plainPM := filepath.Join(dir, "departements.pmtiles")
	for _, e := range []struct {
		format string
		args   []string
	}{
		{"mbtiles", []string{"--layer", "departements", "--maxzoom", tilesMaxZoom, "--out", plain}},
		{"mbtiles", []string{"--layer", "departements", "--indicator", "taux-at", "--period", "2022", "--maxzoom", tilesMaxZoom, "--out", values}},
		{"pmtiles", []string{"--layer", "departements", "--maxzoom", tilesMaxZoom, "--out", plainPM}},
	} {
		start := time.Now()
		if err := cmdExport(ctx, quietLog(), append([]string{e.format}, e.args...)); err != nil {
			t.Fatalf("atlas export %s %v: %v", e.format, e.args, err)
		}
		out := e.args[len(e.args)-1]
		fi, err := os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("atlas export %s → %s: %d bytes in %s", e.format, filepath.Base(out), fi.Size(), time.Since(start).Round(time.Millisecond))
	}

	// sqlite3: schema, metadata, gzip BLOBs.
	for _, f := range []string{plain, values} {
		schema := sqlite3Query(t, f, ".schema tiles")
		if !strings.Contains(schema, "CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);") {
			t.Errorf("%s: no unique index:\n%s", filepath.Base(f), schema)
		}
		counts := sqlite3Query(t, f, "SELECT zoom_level || ':' || count(*) FROM tiles GROUP BY zoom_level")
		notGzip := sqlite3Query(t, f, "SELECT count(*) FROM tiles WHERE typeof(tile_data) != 'blob' OR hex(substr(tile_data, 1, 2)) != '1F8B'")
		t.Logf("%s: tiles per zoom %s; not gzip BLOBs: %s", filepath.Base(f), strings.ReplaceAll(counts, "\n", " "), notGzip)
		if notGzip != "0" {
			t.Errorf("%s: %s tiles are not gzip BLOBs", filepath.Base(f), notGzip)
		}
		md := map[string]string{}
		for _, line := range strings.Split(sqlite3Query(t, f, "SELECT name || '=' || value FROM metadata"), "\n") {
			k, v, _ := strings.Cut(line, "=")
			md[k] = v
		}
		t.Logf("%s metadata: name=%q bounds=%s center=%s zooms=%s-%s agg_tiles_hash=%s", filepath.Base(f), md["name"], md["bounds"], md["center"], md["minzoom"], md["maxzoom"], md["agg_tiles_hash"])
		for _, k := range []string{"name", "bounds", "center", "type", "version", "description", "agg_tiles_hash"} {
			if md[k] == "" {
				t.Errorf("%s: metadata %s empty", filepath.Base(f), k)
			}
		}
		if md["format"] != "pbf" || md["minzoom"] != "0" || md["maxzoom"] != tilesMaxZoom {
			t.Errorf("%s: format %q, zooms %q-%q", filepath.Base(f), md["format"], md["minzoom"], md["maxzoom"])
		}
		var js struct {
			VectorLayers []tileset.VectorLayer `json:"vector_layers"`
		}
		if err := json.Unmarshal([]byte(md["json"]), &js); err != nil || len(js.VectorLayers) != 1 || js.VectorLayers[0].ID != "departements" ||
			js.VectorLayers[0].Fields["code"] != "String" || js.VectorLayers[0].Fields["region"] != "String" {
			t.Errorf("%s: json %s (%v)", filepath.Base(f), md["json"], err)
		}
		if f == values && (js.VectorLayers[0].Fields["value"] != "Number" || js.VectorLayers[0].Fields["status"] != "String" || md["atlas:period"] != "2022" ||
			!strings.Contains(md["attribution"], "Carsat (test)")) {
			t.Errorf("values file: fields %v, period %q", js.VectorLayers[0].Fields, md["atlas:period"])
		}
	}

	// GDAL: the layer, and Haute-Garonne where it is (42.7 to 43.9 N): a
	// file without the TMS flip puts it in the southern hemisphere.
	info := gdalTiles(t, "ogrinfo", "-ro", "-so", values)
	if !strings.Contains(info, "1: departements") {
		t.Errorf("ogrinfo lists no departements layer:\n%s", info)
	}
	raw := gdalTiles(t, "ogr2ogr", "-f", "GeoJSON", "/vsistdout/", values, "departements", "-t_srs", "EPSG:4326", "-where", "code = '31'")
	var lat struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
			Geometry   struct {
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal([]byte(raw), &lat); err != nil || len(lat.Features) == 0 {
		t.Fatalf("ogr2ogr gives no feature of 31 (%v):\n%.500s", err, raw)
	}
	minLat, maxLat := 90.0, -90.0
	for _, f := range lat.Features {
		for _, ll := range latitudes(f.Geometry.Coordinates) {
			minLat, maxLat = min(minLat, ll), max(maxLat, ll)
		}
	}
	f31 := lat.Features[0].Properties
	t.Logf("GDAL reads %v %v (status %v, value %v) in %d tile pieces, between %.3f and %.3f N", f31["code"], f31["name"], f31["status"], f31["value"], len(lat.Features), minLat, maxLat)
	// Tiles carry a 64-unit buffer: a little beyond the département.
	if minLat < 42.5 || maxLat > 44.1 {
		t.Errorf("Haute-Garonne read between %.3f and %.3f N", minLat, maxLat)
	}
	if f31["status"] != "published" || f31["value"] == nil {
		t.Errorf("31: %v", f31)
	}
	raw = gdalTiles(t, "ogr2ogr", "-f", "GeoJSON", "/vsistdout/", values, "departements", "-where", "code = '09'")
	if !strings.Contains(raw, `"status": "secret"`) || strings.Contains(raw, `"value"`) {
		t.Errorf("the secret Ariège as GDAL reads it:\n%.800s", raw)
	}

	// The live server, and `atlas serve --mbtiles` with no database.
	svc := tiles.NewService(st, blob.NewLRU(64<<20), tiles.Options{PrewarmMaxZoom: -1})
	if err := svc.LoadAll(ctx); err != nil {
		t.Fatal(err)
	}
	liveSrv := httptest.NewServer(server.New(server.Config{Store: st, Tiles: svc}))
	defer liveSrv.Close()
	files := startServeFiles(t, plain, values)
	layer, _ := svc.Layer("departements")
	compared, empty := 0, 0
	for _, pair := range []struct{ file, name, query string }{
		{plain, "departements", ""},
		{values, "taux-at", "?indicator=taux-at&period=2022"},
	} {
		r, err := mbtiles.Open(pair.file)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		for z := 0; z <= 8; z++ {
			for _, tl := range tiles.Cover(layer, z) {
				path := fmt.Sprintf("/%d/%d/%d.mvt", z, tl.X, tl.Y)
				ls, live, _ := getTile(t, liveSrv.URL+"/tiles/departements"+path+pair.query, false)
				fs, fromFile, _ := getTile(t, files+"/tiles/"+pair.name+path, false)
				if ls != fs || !bytes.Equal(live, fromFile) {
					t.Fatalf("%s%s: live %d (%d bytes), file %d (%d bytes)", pair.name, path, ls, len(live), fs, len(fromFile))
				}
				if ls == http.StatusNoContent {
					empty++
					continue
				}
				compared++
				// With gzip: the stored bytes, as they are.
				stored, _ := r.Tile(ctx, z, int(tl.X), int(tl.Y))
				gs, gz, hd := getTile(t, files+"/tiles/"+pair.name+path, true)
				if gs != 200 || hd.Get("Content-Encoding") != "gzip" || !bytes.Equal(gz, stored) {
					t.Fatalf("%s%s with gzip: %d %q, %d bytes, stored %d", pair.name, path, gs, hd.Get("Content-Encoding"), len(gz), len(stored))
				}
			}
		}
	}
	t.Logf("served back from the files: %d tiles byte-identical to the live server's, %d empty on both", compared, empty)
	if compared == 0 {
		t.Fatal("no tile compared")
	}
	var cat []struct {
		Name  string            `json:"name"`
		Tiles []string          `json:"tiles"`
		Atlas map[string]string `json:"atlas"`
	}
	_, body, _ := getTile(t, files+"/tiles.json", false)
	if err := json.Unmarshal(body, &cat); err != nil || len(cat) != 2 || cat[1].Name != "taux-at" || cat[1].Atlas["indicator"] != "taux-at" || cat[1].Atlas["legend"] == "" {
		t.Errorf("tiles.json of the files: %s", body)
	}

	// The PMTiles export: every tile the MBTiles one has, and no other.
	checkPMTiles(t, plain, plainPM)
}

// gdalTiles runs a GDAL command on a tile file. GDAL reassembles each
// territory from its pieces in the tiles of the last zoom with GEOS, which
// reports the few pieces that grid snapping left self-intersecting
// (logged: the live server's tiles are the same bytes); anything else it
// prints fails the test.
func gdalTiles(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, stderr.String())
	}
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		switch {
		case line == "":
		case strings.Contains(line, "TopologyException"):
			t.Logf("%s: %s", name, line)
		default:
			t.Errorf("%s %v complained: %s", name, args, line)
		}
	}
	return string(out)
}

// latitudes lists the latitudes of a GeoJSON coordinates array of any depth.
func latitudes(raw json.RawMessage) []float64 {
	var pt []float64
	if json.Unmarshal(raw, &pt) == nil && len(pt) >= 2 {
		return []float64{pt[1]}
	}
	var parts []json.RawMessage
	if json.Unmarshal(raw, &parts) != nil {
		return nil
	}
	var out []float64
	for _, p := range parts {
		out = append(out, latitudes(p)...)
	}
	return out
}

// checkPMTiles reads the PMTiles export with our reader and the npm
// library and compares every tile with the MBTiles export's.
func checkPMTiles(t *testing.T, mbPath, pmPath string) {
	t.Helper()
	ctx := context.Background()
	mb, err := mbtiles.Open(mbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	pm, err := pmtiles.Open(pmPath)
	if err != nil {
		t.Fatal(err)
	}
	defer pm.Close()
	h := pm.Header()
	t.Logf("%s: %d tiles, %d entries, %d contents, root %d bytes, leaves %d bytes, zooms %d-%d",
		filepath.Base(pmPath), h.AddressedTiles, h.TileEntries, h.TileContents, h.RootLength, h.LeafLength, h.MinZoom, h.MaxZoom)
	if h.TileType != pmtiles.TileTypeMVT || h.TileCompression != pmtiles.CompressionGzip || !h.Clustered || h.MinZoom != 0 || h.MaxZoom != 8 {
		t.Errorf("header %+v", h)
	}
	if md := pm.Metadata(); len(md.VectorLayers) != 1 || md.VectorLayers[0].ID != "departements" || md.Bounds != mb.Metadata().Bounds {
		t.Errorf("metadata %+v", md)
	}
	var coords [][3]int
	var sums []string
	err = mb.Each(ctx, func(z, x, y int, data []byte) error {
		got, err := pm.Tile(ctx, z, x, y)
		if err != nil {
			return err
		}
		a, err := tileset.Gunzip(data)
		if err != nil {
			return err
		}
		b, err := tileset.Gunzip(got)
		if err != nil {
			return fmt.Errorf("pmtiles tile %d/%d/%d: %w", z, x, y, err)
		}
		if !bytes.Equal(a, b) {
			return fmt.Errorf("tile %d/%d/%d differs between the MBTiles and the PMTiles", z, x, y)
		}
		if _, err := mvt.Unmarshal(b); err != nil {
			return fmt.Errorf("tile %d/%d/%d: %w", z, x, y, err)
		}
		s := sha256.Sum256(a)
		coords = append(coords, [3]int{z, x, y})
		sums = append(sums, hex.EncodeToString(s[:]))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if uint64(len(coords)) != h.AddressedTiles {
		t.Errorf("MBTiles has %d tiles, PMTiles %d", len(coords), h.AddressedTiles)
	}

	module, _ := filepath.Abs(filepath.Join("..", "..", "web-map", "node_modules", "pmtiles"))
	if _, err := os.Stat(module); err != nil {
		t.Fatalf("the pmtiles npm package is not installed in web-map: run deploy/web.sh (%v)", err)
	}
	in, _ := json.Marshal(coords)
	cmd := exec.Command("node", filepath.Join("..", "..", "internal", "export", "pmtiles", "testdata", "read.mjs"), module, pmPath)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	var js struct {
		Header struct{ NumAddressedTiles int }
		Tiles  []*string
	}
	if err := json.Unmarshal(out, &js); err != nil || len(js.Tiles) != len(sums) {
		t.Fatalf("pmtiles.js: %v, %d tiles for %d asked", err, len(js.Tiles), len(sums))
	}
	for i, s := range sums {
		if js.Tiles[i] == nil || *js.Tiles[i] != s {
			t.Fatalf("pmtiles.js reads tile %v otherwise", coords[i])
		}
	}
	t.Logf("pmtiles.js reads all %d tiles of %s as the MBTiles has them", len(sums), filepath.Base(pmPath))
}

// TestExportTilesRefusals: each mistake names its flag, and no file (nor
// a temporary one) is left.
func TestExportTilesRefusals(t *testing.T) {
	_, url := gpkgFixture(t)
	t.Setenv("DATABASE_URL", url)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no out", []string{"--layer", "departements"}, "--out"},
		{"no layer", []string{"--out", "F"}, "--layer"},
		{"unknown layer", []string{"--layer", "cantons", "--out", "F"}, "--layer : couche inconnue"},
		{"layer not imported", []string{"--layer", "communes", "--out", "F"}, "--layer : couche inconnue"},
		{"unknown indicator", []string{"--layer", "departements", "--indicator", "taux-inconnu", "--out", "F"}, "--indicator"},
		{"unknown period", []string{"--layer", "departements", "--indicator", "taux-at", "--period", "1999", "--out", "F"}, "--period"},
		{"unknown sex", []string{"--layer", "departements", "--indicator", "taux-at", "--sex", "autre", "--out", "F"}, "--sex"},
		{"period without indicator", []string{"--layer", "departements", "--period", "2022", "--out", "F"}, "--period : sans --indicator"},
		{"minzoom beyond", []string{"--layer", "departements", "--minzoom", "12", "--out", "F"}, "--minzoom"},
		{"maxzoom beyond", []string{"--layer", "departements", "--maxzoom", "15", "--out", "F"}, "--maxzoom"},
		{"maxzoom below minzoom", []string{"--layer", "departements", "--minzoom", "5", "--maxzoom", "3", "--out", "F"}, "--maxzoom"},
	} {
		for _, format := range []string{"mbtiles", "pmtiles"} {
			t.Run(tc.name+" "+format, func(t *testing.T) {
				dir := t.TempDir()
				args := append([]string{format}, tc.args...)
				for i, a := range args {
					if a == "F" {
						args[i] = filepath.Join(dir, "out."+format)
					}
				}
				err := cmdExport(ctx, quietLog(), args)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %v, want one naming %q", err, tc.want)
				}
				if entries, _ := os.ReadDir(dir); len(entries) != 0 {
					t.Errorf("left %s behind", entries[0].Name())
				}
			})
		}
	}
}

// TestServeFilesRefusals: a file that cannot be served stops the start,
// naming it.
func TestServeFilesRefusals(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "texte.mbtiles")
	os.WriteFile(text, []byte("ceci n'est pas une base SQLite, mais un texte assez long pour en avoir l'air"), 0o644)
	a := filepath.Join(dir, "a", "departements.mbtiles")
	b := filepath.Join(dir, "b", "departements.mbtiles")
	for _, tc := range []struct {
		files []string
		want  string
	}{
		{[]string{filepath.Join(dir, "absent.mbtiles")}, "no such file"},
		{[]string{text}, "not an MBTiles file"},
		{[]string{a, b}, "même nom /tiles/departements"},
	} {
		args := []string{"--addr", "127.0.0.1:0"}
		for _, f := range tc.files {
			args = append(args, "--mbtiles", f)
		}
		err := cmdServe(context.Background(), quietLog(), args)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "--mbtiles") {
			t.Errorf("serve %v: %v, want an error saying %q", tc.files, err, tc.want)
		}
	}
}
