package importer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/atlas-sante-travail/atlas/internal/dataset/datasettest"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// countPoints is the number of vertices of a polygonal geometry, closing
// points included.
func countPoints(g orb.Geometry) int { return territory.Vertices(territory.MultiPolygon(g)) }

// benchmarkRead reads the mirror file name with read, b.N times.
func benchmarkRead(b *testing.B, name string, read func(string) (*Source, error)) {
	path := datasettest.File(b, name)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := read(path); err != nil {
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

func TestReadFileDispatch(t *testing.T) {
	dir := datasettest.Mirror(t)
	tmp := t.TempDir()
	txt := filepath.Join(tmp, "zones.csv")
	if err := os.WriteFile(txt, []byte("a,b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		path     string
		features int
		srid     int
		wantErr  string
	}{
		{"shapefile", filepath.Join(dir, "zones-emploi", "ze2020_2022.shp"), 306, 4326, ""},
		{"geojson", filepath.Join(dir, "derived", "ze2020_2022.geojson"), 306, 4326, ""},
		{"regions", filepath.Join(dir, "regions", "regions-avec-outre-mer.geojson"), 18, 4326, ""},
		{"unsupported", txt, 0, 0, "unsupported file type"},
		{"missing", filepath.Join(tmp, "nothing.shp"), 0, 0, "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, err := ReadFile(tc.path)
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
