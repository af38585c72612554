package pmtiles

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atlas-sante-travail/atlas/internal/export/tileset"
)

// jsModule is the protomaps pmtiles npm package that the web map's
// dependencies install (deploy/web.sh).
func jsModule(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is not installed: run deploy/deps.sh web")
	}
	dir, _ := filepath.Abs(filepath.Join("..", "..", "..", "web-map", "node_modules", "pmtiles"))
	if _, err := os.Stat(filepath.Join(dir, "dist", "esm", "index.js")); err != nil {
		t.Fatalf("the pmtiles npm package is not installed in web-map: run deploy/web.sh (%v)", err)
	}
	return dir
}

// TestJavaScriptReadsIt reads an archive with leaf directories through
// the JavaScript library MapLibre's pmtiles protocol uses: its header and
// metadata, and every tile, equal to what was written.
func TestJavaScriptReadsIt(t *testing.T) {
	module := jsModule(t)
	path := filepath.Join(t.TempDir(), "departements.pmtiles")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w.rootLimit = 300 // leaf directories, read by the library too
	want := pyramid(t, w, 6)
	if _, err := w.Close(metadata()); err != nil {
		t.Fatal(err)
	}
	var coords [][3]int
	var sums []*string
	for c, data := range want {
		raw, err := tileset.Gunzip(data)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(raw)
		s := hex.EncodeToString(h[:])
		coords = append(coords, c)
		sums = append(sums, &s)
	}
	// And tiles that are not there.
	coords = append(coords, [3]int{7, 0, 0}, [3]int{8, 5, 5})
	sums = append(sums, nil, nil)
	in, _ := json.Marshal(coords)
	cmd := exec.Command("node", filepath.Join("testdata", "read.mjs"), module, path)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	var got struct {
		Header struct {
			SpecVersion, RootDirectoryOffset, LeafDirectoryLength, NumAddressedTiles, NumTileContents int
			MinZoom, MaxZoom, CenterZoom                                                              int
			MinLon, MinLat, MaxLon, MaxLat                                                            float64
			Clustered                                                                                 bool
			TileType, TileCompression, InternalCompression                                            int
		}
		Metadata struct {
			Name         string
			VectorLayers []tileset.VectorLayer `json:"vector_layers"`
		}
		Tiles []*string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	h := got.Header
	t.Logf("pmtiles.js reads spec %d, %d tiles, %d contents, zooms %d-%d, leaves %d bytes", h.SpecVersion, h.NumAddressedTiles, h.NumTileContents, h.MinZoom, h.MaxZoom, h.LeafDirectoryLength)
	if h.SpecVersion != 3 || h.NumAddressedTiles != len(want) || h.LeafDirectoryLength == 0 || !h.Clustered || h.TileType != 1 ||
		h.TileCompression != 2 || h.InternalCompression != 2 || h.MinZoom != 0 || h.MaxZoom != 6 || h.CenterZoom != 5 ||
		h.MinLon != -5.25 || h.MaxLat != 51.09 {
		t.Errorf("header as pmtiles.js reads it: %+v", h)
	}
	if got.Metadata.Name != "Départements" || len(got.Metadata.VectorLayers) != 1 || got.Metadata.VectorLayers[0].Fields["value"] != "Number" {
		t.Errorf("metadata as pmtiles.js reads it: %+v", got.Metadata)
	}
	if len(got.Tiles) != len(sums) {
		t.Fatalf("%d tiles read, %d asked", len(got.Tiles), len(sums))
	}
	for i, s := range sums {
		switch g := got.Tiles[i]; {
		case s == nil && g != nil:
			t.Errorf("tile %v: found by pmtiles.js, not written", coords[i])
		case s != nil && (g == nil || *g != *s):
			t.Errorf("tile %v: pmtiles.js reads another tile (%v)", coords[i], g)
		}
	}
}

// TestOpenRefuses names what makes an archive unreadable here.
func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.pmtiles")
	w, _ := Create(good)
	w.Put(0, 0, 0, gz(t, "a"))
	if _, err := w.Close(metadata()); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(good)
	variant := func(name string, change func(h *Header)) string {
		h, _ := ParseHeader(b)
		change(&h)
		p := filepath.Join(dir, name)
		os.WriteFile(p, append(h.Marshal(), b[HeaderLen:]...), 0o644)
		return p
	}
	text := filepath.Join(dir, "texte.pmtiles")
	os.WriteFile(text, []byte("pas une archive"), 0o644)
	for _, tc := range []struct{ path, want string }{
		{text, "no PMTiles magic"},
		{variant("png.pmtiles", func(h *Header) { h.TileType = 2 }), "only gzip-compressed MVT"},
		{variant("far.pmtiles", func(h *Header) { h.RootOffset = 20000 }), "beyond the first 16384"},
		{variant("brotli.pmtiles", func(h *Header) { h.InternalCompression = 3 }), "internal compression 3"},
		{filepath.Join(dir, "absent.pmtiles"), "no such file"},
	} {
		if _, err := Open(tc.path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Open(%s): %v, want an error saying %q", filepath.Base(tc.path), err, tc.want)
		}
	}
}
