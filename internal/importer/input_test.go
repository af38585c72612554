package importer

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/atlas-sante-travail/atlas/internal/importer/geofile"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

func TestInput(t *testing.T) {
	mapfs := fstest.MapFS{}
	tests := []struct {
		name      string
		fsys      fs.FS
		given     string
		wantName  string
		wantBase  string
		companion string // a name in fsys
		wantPath  string // how it is shown
	}{
		{"absolute path", nil, "/data/ze/ze.shp", "ze.shp", "ze.shp", "ze.dbf", "/data/ze/ze.dbf"},
		{"relative path", nil, "ze.shp", "ze.shp", "ze.shp", "ze.DBF", "ze.DBF"},
		{"path as typed", nil, "./data/../ze.shp", "ze.shp", "ze.shp", "ze.dbf", "./data/../ze.dbf"},
		{"the file itself", nil, "./ze.shp", "ze.shp", "ze.shp", "ze.shp", "./ze.shp"},
		{"name in an FS", mapfs, "upload/ze.shp", "upload/ze.shp", "ze.shp", "upload/ze.dbf", "upload/ze.dbf"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := newInput(tc.fsys, tc.given)
			if in.name != tc.wantName || in.base() != tc.wantBase || in.shown != tc.given {
				t.Errorf("name %q, base %q, shown %q; want %q, %q, %q", in.name, in.base(), in.shown, tc.wantName, tc.wantBase, tc.given)
			}
			if got := in.path(tc.companion); got != tc.wantPath {
				t.Errorf("path(%q) = %q, want %q", tc.companion, got, tc.wantPath)
			}
			fe := in.located(&geofile.FileError{File: tc.companion, Feature: 3, Err: errors.New("bad")})
			if want := tc.wantPath + ": feature 3: bad"; fe.Error() != want {
				t.Errorf("located FileError %q, want %q", fe, want)
			}
		})
	}
}

// TestInputReadErrorNamesPath: reading through os.DirFS still names the
// file as the user typed it, as os.ReadFile did.
func TestInputReadErrorNamesPath(t *testing.T) {
	p := filepath.Join(t.TempDir(), "none.csv")
	_, err := newInput(nil, p).read()
	var pe *fs.PathError
	if !errors.As(err, &pe) || !errors.Is(err, fs.ErrNotExist) || err.Error() != "open "+p+": no such file or directory" {
		t.Fatalf("err = %v, want the os.ReadFile error on %s", err, p)
	}
}

// TestFingerprintSameForFS: an import fingerprints the same bytes and names
// whether its files are paths or names in an fs.FS (a directory, a zip
// archive, a MapFS), so that uploading files already imported from the
// command line is a no-op, and the other way round.
func TestFingerprintSameForFS(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"ZE.SHP": "shp", "ZE.Dbf": "dbf", "ZE.PRJ": "prj", "ZE.cpg": "cpg", "ZE.SHX": "shx",
		"parents.csv": "code;reg\n1;76\n", "meta.yaml": "id: x\n", "values.csv": "code,2023\n31,1\n",
	}
	mapfs := fstest.MapFS{}
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		mapfs["in/"+name] = &fstest.MapFile{Data: []byte(content)}
		w, err := zw.Create("in/" + name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(zbuf.Bytes()), int64(zbuf.Len()))
	if err != nil {
		t.Fatal(err)
	}

	territoryOpt := func(fsys fs.FS, dir string) TerritoryOptions {
		return TerritoryOptions{FS: fsys, Level: territory.ZoneEmploi, Files: []string{dir + "ZE.SHP"}, CodeField: "c", NameField: "n",
			ParentTable: dir + "parents.csv", ParentKey: "code", ParentColumns: map[territory.Level]string{territory.Region: "reg"}}
	}
	indicatorOpt := func(fsys fs.FS, dir string) IndicatorOptions {
		return withDefaults(IndicatorOptions{FS: fsys, Meta: dir + "meta.yaml", Values: dir + "values.csv", Layout: LayoutWide, Level: "departement"})
	}
	sums := func(t *testing.T, fsys fs.FS, dir string) (string, string) {
		t.Helper()
		ts, sources, err := fingerprint(territoryOpt(fsys, dir))
		if err != nil {
			t.Fatal(err)
		}
		// The provenance names each file read by its base name, with
		// its own size and hash.
		if len(sources) < 3 || sources[0].Name != "ZE.SHP" || sources[len(sources)-1].Name != "parents.csv" {
			t.Errorf("sources %+v", sources)
		}
		for _, src := range sources {
			b, err := newInput(fsys, dir+src.Name).read()
			if err != nil {
				t.Fatal(err)
			}
			if sum := sha256.Sum256(b); src.Size != int64(len(b)) || src.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("source %s: %d bytes, sha256 %s", src.Name, src.Size, src.SHA256)
			}
		}
		opt := indicatorOpt(fsys, dir)
		meta, err := newInput(fsys, opt.Meta).read()
		if err != nil {
			t.Fatal(err)
		}
		values, err := newInput(fsys, opt.Values).read()
		if err != nil {
			t.Fatal(err)
		}
		// No levels: the territories' fingerprints, from the store, are
		// not needed.
		is, err := indicatorFingerprint(context.Background(), nil, opt, indicator.Indicator{}, meta, values)
		if err != nil {
			t.Fatal(err)
		}
		return ts, is
	}
	wantT, wantI := sums(t, nil, dir+string(filepath.Separator))
	for _, c := range []struct {
		name string
		fsys fs.FS
		dir  string
	}{
		{"os.DirFS", os.DirFS(dir), ""},
		{"MapFS", mapfs, "in/"},
		{"zip", zr, "in/"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if gotT, gotI := sums(t, c.fsys, c.dir); gotT != wantT || gotI != wantI {
				t.Errorf("fingerprints %s, %s; want those of the paths, %s, %s", gotT, gotI, wantT, wantI)
			}
		})
	}

	// A companion the fingerprint would miss changes it.
	if err := os.WriteFile(filepath.Join(dir, "ZE.Dbf"), []byte("other dbf"), 0o644); err != nil {
		t.Fatal(err)
	}
	if gotT, _ := sums(t, nil, dir+string(filepath.Separator)); gotT == wantT {
		t.Error("changing the .dbf left the fingerprint unchanged")
	}
	if len(wantT) != 64 || len(wantI) != 64 {
		t.Errorf("fingerprints %q, %q are not SHA-256 sums", wantT, wantI)
	}
}
