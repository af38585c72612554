package geofile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"github.com/atlas-sante-travail/atlas/internal/dataset/datasettest"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// countPoints is the number of vertices of a polygonal geometry, closing
// points included.
func countPoints(g orb.Geometry) int { return territory.Vertices(territory.MultiPolygon(g)) }

// benchmarkRead reads the mirror file name with read, b.N times.
func benchmarkRead(b *testing.B, name string, read func(fs.FS, string) (*Source, error)) {
	fsys := os.DirFS(datasettest.Mirror(b))
	fi, err := fs.Stat(fsys, name)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := read(fsys, name); err != nil {
			b.Fatal(err)
		}
	}
}

// checkConventions asserts what the package documentation promises about
// every geometry it returns.
func checkConventions(t *testing.T, f Feature) {
	t.Helper()
	var polys []orb.Polygon
	switch g := f.Geometry.(type) {
	case nil:
		return
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		if len(g) < 2 {
			t.Errorf("feature %d: MultiPolygon of %d polygons, want a Polygon", f.Index, len(g))
		}
		polys = g
	default:
		t.Fatalf("feature %d: geometry %T", f.Index, g)
	}
	for pi, p := range polys {
		for ri, r := range p {
			if len(r) < 4 || !r.Closed() {
				t.Errorf("feature %d polygon %d ring %d: %d points, closed=%v", f.Index, pi, ri, len(r), r.Closed())
				continue
			}
			want := orb.CW
			if ri == 0 {
				want = orb.CCW
			}
			if got := r.Orientation(); got != want {
				t.Errorf("feature %d polygon %d ring %d: orientation %v, want %v", f.Index, pi, ri, got, want)
			}
		}
	}
}

func TestReadDispatch(t *testing.T) {
	mirror := os.DirFS(datasettest.Mirror(t))
	tmp := t.TempDir()
	if err := os.WriteFile(filepath.Join(tmp, "zones.csv"), []byte("a,b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		fsys     fs.FS
		path     string
		features int
		srid     int
		wantErr  string
	}{
		{"shapefile", mirror, "zones-emploi/ze2020_2022.shp", 306, 4326, ""},
		{"geojson", mirror, "derived/ze2020_2022.geojson", 306, 4326, ""},
		{"regions", mirror, "regions/regions-avec-outre-mer.geojson", 18, 4326, ""},
		{"unsupported", os.DirFS(tmp), "zones.csv", 0, 0, "unsupported file type"},
		{"missing", os.DirFS(tmp), "nothing.shp", 0, 0, "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, err := Read(tc.fsys, tc.path)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(src.Features) != tc.features || src.SRID != tc.srid || src.Path != tc.path {
				t.Errorf("got %d features, SRID %d, path %q; want %d, %d, %q",
					len(src.Features), src.SRID, src.Path, tc.features, tc.srid, tc.path)
			}
		})
	}
}

func TestFileError(t *testing.T) {
	cause := errors.New("ring has 2 points")
	tests := []struct {
		err  *FileError
		want string
	}{
		{&FileError{File: "ze.shp", Feature: 12, Err: cause}, "ze.shp: feature 12: ring has 2 points"},
		{&FileError{File: "ze.shp", Feature: 0, Err: cause}, "ze.shp: feature 0: ring has 2 points"},
		{&FileError{File: "ze.dbf", Feature: -1, Err: cause}, "ze.dbf: ring has 2 points"},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
		if !errors.Is(tc.err, cause) {
			t.Errorf("errors.Is does not see the cause through %q", tc.want)
		}
	}
}

func TestFixRing(t *testing.T) {
	tests := []struct {
		name    string
		ring    orb.Ring
		wantLen int
		wantErr string
	}{
		{"closed square", orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}, 5, ""},
		{"open square is closed", orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 1}}, 5, ""},
		{"open triangle is closed", orb.Ring{{0, 0}, {1, 0}, {1, 1}}, 4, ""},
		{"closed 3 points", orb.Ring{{0, 0}, {1, 0}, {0, 0}}, 0, "ring has 3 points"},
		{"open 2 points", orb.Ring{{0, 0}, {1, 0}}, 0, "ring has 2 points"},
		{"empty", orb.Ring{}, 0, "ring has 0 points"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := fixRing(tc.ring)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(r) != tc.wantLen || !r.Closed() {
				t.Errorf("len %d closed %v, want len %d closed", len(r), r.Closed(), tc.wantLen)
			}
		})
	}
}

// checkRead asserts what every reader promises whatever its input, for the
// fuzz targets: a Source whose geometries follow the package conventions and
// whose text is valid UTF-8, or a *FileError.
func checkRead(t *testing.T, src *Source, err error) {
	t.Helper()
	if err != nil {
		var fe *FileError
		if !errors.As(err, &fe) || src != nil {
			t.Fatalf("read = %v, %v (%T); want a Source or a *FileError", src, err, err)
		}
		return
	}
	for _, name := range src.Fields {
		if !utf8.ValidString(name) {
			t.Fatalf("field %q is not UTF-8", name)
		}
	}
	for _, f := range src.Features {
		if f.Properties == nil {
			t.Fatalf("feature %d: nil properties", f.Index)
		}
		for k, v := range f.Properties {
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				t.Fatalf("feature %d: property %q = %q is not UTF-8", f.Index, k, v)
			}
		}
		var polys []orb.Polygon
		switch g := f.Geometry.(type) {
		case nil:
		case orb.Polygon:
			polys = []orb.Polygon{g}
		case orb.MultiPolygon:
			polys = g
		default:
			t.Fatalf("feature %d: geometry %T", f.Index, g)
		}
		for pi, p := range polys {
			if len(p) == 0 {
				t.Fatalf("feature %d polygon %d: no rings", f.Index, pi)
			}
			for ri, r := range p {
				if _, err := fixRing(r); err != nil || len(r) < 4 || !r.Closed() {
					t.Fatalf("feature %d polygon %d ring %d: %v (%d points, closed %v)", f.Index, pi, ri, err, len(r), r.Closed())
				}
				if a := signedArea(r); (ri == 0 && !(a > 0)) || (ri > 0 && !(a < 0)) {
					t.Fatalf("feature %d polygon %d ring %d: signed area %v, wrong orientation", f.Index, pi, ri, a)
				}
			}
		}
	}
}
