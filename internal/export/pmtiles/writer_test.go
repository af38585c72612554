package pmtiles

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/atlas-sante-travail/atlas/internal/export/tileset"
)

func gz(t testing.TB, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(s))
	zw.Close()
	return buf.Bytes()
}

func metadata() tileset.Metadata {
	return tileset.Metadata{
		Name: "Départements", Description: "Territoires : départements (2024)", Attribution: "IGN, INSEE",
		Version: "1.0.0", Type: "overlay",
		Bounds: [4]float64{-5.25, 41.3, 9.56, 51.09}, Center: [3]float64{2.5, 46.6, 5}, MinZoom: 0, MaxZoom: 6,
		VectorLayers: []tileset.VectorLayer{{ID: "departements", MaxZoom: 6, Fields: map[string]string{"code": "String", "value": "Number"}}},
		Extra:        map[string]string{"atlas:indicator": "taux-at"},
	}
}

// pyramid puts every tile of zooms 0 to maxZ, in an order that is not the
// Hilbert order; tiles of the sea (x odd at zoom 6) share one content, so
// that runs and deduplication have something to do.
func pyramid(t *testing.T, w *Writer, maxZ int) map[[3]int][]byte {
	t.Helper()
	sea := gz(t, "mer")
	want := map[[3]int][]byte{}
	for z := maxZ; z >= 0; z-- {
		for y := 0; y < 1<<z; y++ {
			for x := 0; x < 1<<z; x++ {
				data := gz(t, fmt.Sprintf("tuile %d/%d/%d", z, x, y))
				if z == 6 && x%2 == 1 {
					data = sea
				}
				if err := w.Put(z, x, y, data); err != nil {
					t.Fatal(err)
				}
				want[[3]int{z, x, y}] = data
			}
		}
	}
	return want
}

// TestWriteReadBack writes an archive and reads every tile back through
// the Reader: the header's counts, clustering, the root in the first
// 16 KiB, the metadata, identical contents stored once.
func TestWriteReadBack(t *testing.T) {
	for _, tc := range []struct {
		name      string
		rootLimit int
		leaves    bool
	}{
		{"root only", maxRoot, false},
		// A small limit forces leaf directories on a small archive.
		{"leaf directories", 300, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "departements.pmtiles")
			w, err := Create(path)
			if err != nil {
				t.Fatal(err)
			}
			w.rootLimit = tc.rootLimit
			want := pyramid(t, w, 6)
			st, err := w.Close(metadata())
			if err != nil {
				t.Fatal(err)
			}
			fi, _ := os.Stat(path)
			t.Logf("%s: %d tiles, %d contents, %d bytes", tc.name, st.Tiles, st.Contents, fi.Size())
			if st.Tiles != len(want) || st.Bytes != fi.Size() {
				t.Errorf("stats %+v, file of %d bytes", st, fi.Size())
			}
			if fi.Mode().Perm() != 0o644 {
				t.Errorf("file mode %v, want 0644: an export is for others to read", fi.Mode())
			}

			r, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			h := r.Header()
			distinct := len(want) - 32*64 + 1 // the sea's tiles are one content
			if h.AddressedTiles != uint64(len(want)) || h.TileContents != uint64(distinct) || !h.Clustered {
				t.Errorf("header: %d addressed, %d contents, clustered %v; want %d, %d", h.AddressedTiles, h.TileContents, h.Clustered, len(want), distinct)
			}
			if h.TileEntries >= h.AddressedTiles {
				t.Errorf("%d entries for %d tiles: no run-length encoding", h.TileEntries, h.AddressedTiles)
			}
			if h.RootOffset != HeaderLen || h.RootOffset+h.RootLength > 16384 {
				t.Errorf("root directory at %d+%d", h.RootOffset, h.RootLength)
			}
			if (h.LeafLength > 0) != tc.leaves {
				t.Errorf("leaf section of %d bytes", h.LeafLength)
			}
			if h.DataOffset+h.DataLength != uint64(fi.Size()) || h.MinZoom != 0 || h.MaxZoom != 6 || h.CenterZoom != 5 {
				t.Errorf("header %+v", h)
			}
			if got := r.Metadata(); !reflect.DeepEqual(got, metadata()) {
				t.Errorf("metadata\n%+v\nwant\n%+v", got, metadata())
			}
			ctx := context.Background()
			for c, data := range want {
				got, err := r.Tile(ctx, c[0], c[1], c[2])
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("tile %v: %q, %v", c, got, err)
				}
			}
			for _, c := range [][3]int{{7, 0, 0}, {12, 2000, 1500}, {2, 4, 0}} {
				if got, err := r.Tile(ctx, c[0], c[1], c[2]); got != nil || err != nil {
					t.Errorf("tile %v: %q, %v; want none", c, got, err)
				}
			}
			// Clustered: blobs follow the Hilbert order of their first tile.
			entries, err := r.Entries()
			if err != nil {
				t.Fatal(err)
			}
			var next uint64
			for _, e := range entries {
				if e.Offset > next {
					t.Fatalf("entry %d at %d, after a gap from %d", e.TileID, e.Offset, next)
				}
				next = max(next, e.Offset+uint64(e.Length))
			}
		})
	}
}

// TestFailureLeavesNothing: a refused tile or metadata leaves the
// destination as it was, and no temporary file.
func TestFailureLeavesNothing(t *testing.T) {
	bad := metadata()
	bad.VectorLayers[0].Fields["code"] = "texte"
	clash := metadata()
	clash.Extra["vector_layers"] = "[]"
	for _, tc := range []struct {
		name string
		run  func(w *Writer) error
		want string
	}{
		{"not gzip", func(w *Writer) error { return w.Put(0, 0, 0, []byte("mvt")) }, "not gzip-compressed"},
		{"out of range", func(w *Writer) error { return w.Put(1, 2, 0, gz(t, "x")) }, "out of range"},
		{"twice", func(w *Writer) error {
			w.Put(3, 1, 1, gz(t, "a"))
			return w.Put(3, 1, 1, gz(t, "b"))
		}, "put twice"},
		{"no tile", func(w *Writer) error { _, err := w.Close(metadata()); return err }, "no tile"},
		{"untyped field", func(w *Writer) error { w.Put(0, 0, 0, gz(t, "a")); _, err := w.Close(bad); return err }, "field code"},
		{"reserved key", func(w *Writer) error { w.Put(0, 0, 0, gz(t, "a")); _, err := w.Close(clash); return err }, "metadata vector_layers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, previous := range []bool{false, true} {
				dir := t.TempDir()
				path := filepath.Join(dir, "out.pmtiles")
				if previous {
					os.WriteFile(path, []byte("previous"), 0o644)
				}
				w, err := Create(path)
				if err != nil {
					t.Fatal(err)
				}
				if err := tc.run(w); err == nil || !strings.Contains(err.Error(), tc.want) {
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
