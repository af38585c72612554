package mbtiles

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"github.com/atlas-sante-travail/atlas/internal/export/tileset"
)

// toulouse is a small square around the Capitole (43.604 N, 1.444 E): its
// latitude read back by GDAL tells whether the rows were flipped.
var toulouse = orb.Polygon{{{1.40, 43.57}, {1.48, 43.57}, {1.48, 43.64}, {1.40, 43.64}, {1.40, 43.57}}}

// mvtTile encodes the square as tile t of a layer "departements", gzipped.
func mvtTile(t *testing.T, tile maptile.Tile) []byte {
	t.Helper()
	fc := geojson.NewFeatureCollection()
	f := geojson.NewFeature(toulouse.Clone())
	f.ID = 31
	f.Properties = geojson.Properties{"code": "31", "name": "Haute-Garonne", "value": 12.5}
	fc.Append(f)
	layers := mvt.NewLayers(map[string]*geojson.FeatureCollection{"departements": fc})
	layers.ProjectToTile(tile)
	raw, err := mvt.Marshal(layers)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(raw)
	zw.Close()
	return buf.Bytes()
}

func metadata() tileset.Metadata {
	return tileset.Metadata{
		Name: "Départements", Description: "Territoires : départements (2024)", Attribution: "IGN, INSEE",
		Version: "1.0.0", Type: "overlay",
		Bounds: [4]float64{1.4, 43.57, 1.48, 43.64}, Center: [3]float64{1.44, 43.6, 6}, MinZoom: 4, MaxZoom: 7,
		VectorLayers: []tileset.VectorLayer{{ID: "departements", MinZoom: 4, MaxZoom: 7,
			Fields: map[string]string{"code": "String", "name": "String", "value": "Number"}}},
		Extra: map[string]string{"atlas:layer": "departements"},
	}
}

// sample writes the square's tiles at zooms 4 to 7 and returns them by
// XYZ coordinates.
func sample(t *testing.T, path string) map[maptile.Tile][]byte {
	t.Helper()
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[maptile.Tile][]byte{}
	for z := maptile.Zoom(4); z <= 7; z++ {
		tile := maptile.At(orb.Point{1.44, 43.6}, z)
		data := mvtTile(t, tile)
		if err := w.Put(int(tile.Z), int(tile.X), int(tile.Y), data); err != nil {
			t.Fatal(err)
		}
		want[tile] = data
	}
	st, err := w.Close(metadata())
	if err != nil {
		t.Fatal(err)
	}
	if st.Tiles != len(want) || st.Bytes == 0 {
		t.Fatalf("stats %+v, want %d tiles", st, len(want))
	}
	t.Logf("wrote %s: %d tiles, %d bytes", filepath.Base(path), st.Tiles, st.Bytes)
	// An export is for others to read (a static host, a colleague).
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("file mode %v, %v; want 0644", fi.Mode(), err)
	}
	return want
}

func sqlite3(t *testing.T, path, query string) string {
	t.Helper()
	if _, err := exec.LookPath("sqlite3"); err != nil {
		t.Fatal("sqlite3 is not installed: run deploy/deps.sh gdal")
	}
	out, err := exec.Command("sqlite3", "-readonly", path, query).CombinedOutput()
	if err != nil {
		t.Fatalf("sqlite3 %q: %v\n%s", query, err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestWriteReadBySQLite checks the file as the sqlite3 shell sees it: the
// flat schema with its unique index, BLOB tiles starting 1F 8B, TMS rows,
// every metadata row, and agg_tiles_hash as Martin computes it.
func TestWriteReadBySQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "departements.mbtiles")
	want := sample(t, path)

	schema := sqlite3(t, path, ".schema")
	for _, s := range []string{
		"CREATE TABLE tiles (zoom_level INTEGER NOT NULL, tile_column INTEGER NOT NULL, tile_row INTEGER NOT NULL, tile_data BLOB);",
		"CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);",
		"CREATE UNIQUE INDEX metadata_index ON metadata (name);",
	} {
		if !strings.Contains(schema, s) {
			t.Errorf("schema lacks %s\n%s", s, schema)
		}
	}
	if got := sqlite3(t, path, "PRAGMA integrity_check"); got != "ok" {
		t.Errorf("integrity_check: %s", got)
	}
	rows := sqlite3(t, path, "SELECT zoom_level, tile_column, tile_row, typeof(tile_data), hex(substr(tile_data, 1, 2)) FROM tiles ORDER BY zoom_level")
	var wantRows []string
	for tile := range want {
		// TMS: row 0 at the south.
		wantRows = append(wantRows, fmt.Sprintf("%d|%d|%d|blob|1F8B", tile.Z, tile.X, (1<<tile.Z)-1-int(tile.Y)))
	}
	sort.Strings(wantRows)
	if got := strings.Split(rows, "\n"); !reflect.DeepEqual(got, wantRows) {
		t.Errorf("tiles rows:\n%s\nwant:\n%s", rows, strings.Join(wantRows, "\n"))
	}

	md := map[string]string{}
	for _, line := range strings.Split(sqlite3(t, path, "SELECT name || '=' || value FROM metadata"), "\n") {
		k, v, _ := strings.Cut(line, "=")
		md[k] = v
	}
	for k, v := range map[string]string{
		"name": "Départements", "format": "pbf", "bounds": "1.4,43.57,1.48,43.64", "center": "1.44,43.6,6",
		"minzoom": "4", "maxzoom": "7", "type": "overlay", "version": "1.0.0", "scheme": "tms",
		"description": "Territoires : départements (2024)", "attribution": "IGN, INSEE", "atlas:layer": "departements",
	} {
		if md[k] != v {
			t.Errorf("metadata %s = %q, want %q", k, md[k], v)
		}
	}
	var js struct {
		VectorLayers []tileset.VectorLayer `json:"vector_layers"`
	}
	if err := json.Unmarshal([]byte(md["json"]), &js); err != nil {
		t.Fatalf("metadata json %q: %v", md["json"], err)
	}
	if !reflect.DeepEqual(js.VectorLayers, metadata().VectorLayers) {
		t.Errorf("vector_layers %+v", js.VectorLayers)
	}

	// agg_tiles_hash computed here from the tiles put, in Martin's order.
	keys := make([]maptile.Tile, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].Z < keys[j].Z }) // one tile per zoom
	h := md5.New()
	for _, k := range keys {
		fmt.Fprintf(h, "%d%d%d", k.Z, k.X, (1<<k.Z)-1-int(k.Y))
		h.Write(want[k])
	}
	if got, w := md["agg_tiles_hash"], strings.ToUpper(hex.EncodeToString(h.Sum(nil))); got != w {
		t.Errorf("agg_tiles_hash %s, want %s", got, w)
	}
}

// TestAggTilesHashOfNoTile: Martin's value for an empty table, the MD5 of
// nothing.
func TestAggTilesHashOfNoTile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vide.mbtiles")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Close(metadata()); err != nil {
		t.Fatal(err)
	}
	if got := sqlite3(t, path, "SELECT value FROM metadata WHERE name = 'agg_tiles_hash'"); got != "D41D8CD98F00B204E9800998ECF8427E" {
		t.Fatalf("agg_tiles_hash of no tile: %s", got)
	}
}

// TestGDALReadsIt opens the file with GDAL's MBTiles driver: the layer is
// listed, and the square comes back at Toulouse's latitude (a file with
// XYZ rows puts it in the southern hemisphere).
func TestGDALReadsIt(t *testing.T) {
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		t.Fatal("GDAL is not installed: run deploy/deps.sh gdal")
	}
	path := filepath.Join(t.TempDir(), "departements.mbtiles")
	sample(t, path)
	out, err := exec.Command("ogrinfo", "-ro", "-so", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "\n1: departements") {
		t.Errorf("ogrinfo lists no departements layer:\n%s", out)
	}
	out, err = exec.Command("ogr2ogr", "-f", "GeoJSON", "/vsistdout/", path, "departements", "-t_srs", "EPSG:4326").Output()
	if err != nil {
		t.Fatalf("ogr2ogr: %v", err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(out)
	if err != nil {
		t.Fatalf("ogr2ogr output: %v\n%s", err, out)
	}
	if len(fc.Features) == 0 {
		t.Fatalf("no feature read back:\n%s", out)
	}
	f := fc.Features[0]
	c := f.Geometry.Bound().Center()
	t.Logf("GDAL reads %s %v at %.3f N, %.3f E", f.Properties["code"], f.Properties["name"], c.Lat(), c.Lon())
	if f.Properties["code"] != "31" || f.Properties["value"] != 12.5 {
		t.Errorf("properties %v", f.Properties)
	}
	if c.Lat() < 43.5 || c.Lat() > 43.7 || c.Lon() < 1.35 || c.Lon() > 1.55 {
		t.Errorf("square read back at %.3f, %.3f: not Toulouse", c.Lat(), c.Lon())
	}
}

// TestReaderReadsBack: a Reader gives back the metadata and every tile as
// put, nothing where none was put.
func TestReaderReadsBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "departements.mbtiles")
	want := sample(t, path)
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := r.Metadata(); !reflect.DeepEqual(got, metadata()) {
		t.Errorf("metadata read back\n%+v\nwant\n%+v", got, metadata())
	}
	ctx := context.Background()
	for tile, data := range want {
		got, err := r.Tile(ctx, int(tile.Z), int(tile.X), int(tile.Y))
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("tile %v: %d bytes, %v; want %d bytes", tile, len(got), err, len(data))
		}
		// The row is flipped: the XYZ row of the TMS row is another tile.
		if tile.Z > 0 {
			if got, _ := r.Tile(ctx, int(tile.Z), int(tile.X), TMSRow(int(tile.Z), int(tile.Y))); got != nil {
				t.Errorf("tile %v found under its TMS row too", tile)
			}
		}
	}
	for _, c := range [][3]int{{0, 0, 0}, {5, 0, 0}, {12, 2000, 1500}, {3, 1, 9}} {
		if got, err := r.Tile(ctx, c[0], c[1], c[2]); got != nil || err != nil {
			t.Errorf("tile %v: %d bytes, %v; want none", c, len(got), err)
		}
	}
	n := 0
	if err := r.Each(ctx, func(z, x, y int, data []byte) error {
		if !bytes.Equal(want[maptile.New(uint32(x), uint32(y), maptile.Zoom(z))], data) {
			t.Errorf("Each: tile %d/%d/%d differs", z, x, y)
		}
		n++
		return nil
	}); err != nil || n != len(want) {
		t.Errorf("Each: %d tiles, %v", n, err)
	}
	if h, err := r.AggTilesHash(); err != nil || h != sqlite3(t, path, "SELECT value FROM metadata WHERE name = 'agg_tiles_hash'") {
		t.Errorf("AggTilesHash %s, %v", h, err)
	}
}

// TestFailureLeavesNothing: whatever goes wrong, the destination is left
// as it was (absent, or the previous file) and no temporary file stays.
func TestFailureLeavesNothing(t *testing.T) {
	gz := mvtTile(t, maptile.New(0, 0, 0))
	bad := metadata()
	bad.VectorLayers[0].Fields["name"] = "String: nom"
	reserved := metadata()
	reserved.Extra["format"] = "png"
	for _, tc := range []struct {
		name string
		run  func(w *Writer) error
		want string
	}{
		{"not gzip", func(w *Writer) error { return w.Put(0, 0, 0, []byte{0x1a, 0x02}) }, "not gzip-compressed"},
		{"out of range", func(w *Writer) error { return w.Put(2, 4, 0, gz) }, "out of range"},
		{"twice", func(w *Writer) error {
			if err := w.Put(0, 0, 0, gz); err != nil {
				return err
			}
			return w.Put(0, 0, 0, gz)
		}, "UNIQUE"},
		{"untyped field", func(w *Writer) error { _, err := w.Close(bad); return err }, "field name"},
		{"reserved key", func(w *Writer) error { _, err := w.Close(reserved); return err }, "metadata format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, previous := range []bool{false, true} {
				dir := t.TempDir()
				path := filepath.Join(dir, "out.mbtiles")
				if previous {
					os.WriteFile(path, []byte("previous"), 0o644)
				}
				w, err := Create(path)
				if err != nil {
					t.Fatal(err)
				}
				err = tc.run(w)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %v, want one saying %q", err, tc.want)
				}
				w.Abort()
				entries, _ := os.ReadDir(dir)
				b, _ := os.ReadFile(path)
				switch {
				case previous && (len(entries) != 1 || string(b) != "previous"):
					t.Errorf("the previous file was touched: %d entries, %q", len(entries), b)
				case !previous && len(entries) != 0:
					t.Errorf("left %d files behind (%s)", len(entries), entries[0].Name())
				}
			}
		})
	}
}

// TestOpenRefuses names what makes a file unservable.
func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	raster := filepath.Join(dir, "raster.mbtiles")
	sample(t, raster)
	if out, err := exec.Command("sqlite3", raster, "UPDATE metadata SET value = 'png' WHERE name = 'format'").CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	notDB := filepath.Join(dir, "texte.mbtiles")
	os.WriteFile(notDB, []byte("ceci n'est pas une base SQLite, mais un texte assez long pour en avoir l'air"), 0o644)
	for _, tc := range []struct{ path, want string }{
		{raster, `format is "png"`},
		{notDB, "not an MBTiles file"},
		{filepath.Join(dir, "absent.mbtiles"), "no such file"},
	} {
		if _, err := Open(tc.path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Open(%s): %v, want an error saying %q", filepath.Base(tc.path), err, tc.want)
		}
	}
}
