package admin_test

import (
	"archive/zip"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/atlas-sante-travail/atlas/internal/admin"
	"github.com/atlas-sante-travail/atlas/internal/dataset/datasettest"
)

// writeZip writes a zip archive of the named entries at dir/name.
func writeZip(t *testing.T, dir, name string, entries map[string][]byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	keys := make([]string, 0, len(entries))
	for k := range entries {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		w, err := zw.Create(k)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(entries[k]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestOpenTerritoryFile(t *testing.T) {
	dir := t.TempDir()
	ze := map[string][]byte{}
	for _, ext := range []string{".shp", ".shx", ".dbf", ".prj", ".cpg"} {
		b, err := os.ReadFile(datasettest.File(t, "zones-emploi/ze2020_2022"+ext))
		if err != nil {
			t.Fatal(err)
		}
		ze["ze/ze2020_2022"+ext] = b
	}
	ze["__MACOSX/ze/._ze2020_2022.shp"] = []byte("resource fork")
	writeZip(t, dir, "file/ze.zip", ze)
	writeZip(t, dir, "file/empty.zip", map[string][]byte{"readme.txt": []byte("rien")})
	writeZip(t, dir, "file/big.zip", map[string][]byte{"a.geojson": make([]byte, 5000)})
	if err := os.WriteFile(filepath.Join(dir, "file", "x.geojson"), []byte(`{}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "parent-table"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "parent-table", "p.csv"), []byte("a;b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "file", "notzip.zip"), []byte("PK? no"), 0o644); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name, reason string
		files        []string
	}{
		{name: "file/ze.zip", files: []string{"ze/ze2020_2022.shp"}},
		{name: "file/x.geojson", files: []string{"file/x.geojson"}},
		{name: "file/empty.zip", reason: "no .shp, .geojson or .json"},
		{name: "file/big.zip", reason: "more than the 4096 allowed"},
		{name: "file/notzip.zip", reason: "not a readable zip archive"},
		{name: "file/x.kml", reason: "unsupported file type"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := admin.OpenTerritoryFile(dir, c.name, 64<<20)
			if c.name == "file/big.zip" {
				a, err = admin.OpenTerritoryFile(dir, c.name, 4096)
			}
			if c.reason != "" {
				var ie *admin.InputError
				if !errors.As(err, &ie) || ie.Part != "file" || ie.File != filepath.Base(c.name) || !strings.Contains(ie.Reason(), c.reason) {
					t.Fatalf("got %v, want an InputError saying %q", err, c.reason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			if !slices.Equal(a.Files, c.files) {
				t.Errorf("files %v, want %v", a.Files, c.files)
			}
			// The companions are in the archive; the other parts of the
			// upload are beside it.
			for _, n := range []string{strings.TrimSuffix(c.files[0], ".shp") + ".dbf", "parent-table/p.csv"} {
				if _, err := fs.Stat(a.FS, n); err != nil && strings.HasSuffix(c.name, ".zip") {
					t.Errorf("%s: %v", n, err)
				}
			}
		})
	}
}
