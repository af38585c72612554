package geofile

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"github.com/atlas-sante-travail/atlas/internal/dataset/datasettest"
)

// testShape is one record of a synthetic .shp: a Null shape when rings is
// nil, else a polygon whose rings are written exactly as given (winding,
// closure and all), so tests control what ESRI writers would produce.
type testShape struct {
	shapeType int32
	rings     [][]orb.Point
}

func polygonShape(rings ...[]orb.Point) testShape {
	return testShape{shapeType: shapePolygon, rings: rings}
}

// shpFiles builds the .shp and .shx bytes for shapes, with the given header
// shape type, following the ESRI Shapefile Technical Description.
func shpFiles(headerType int32, shapes []testShape) (shp, shx []byte) {
	header := func(lengthBytes int) []byte {
		h := make([]byte, shpHeaderLen)
		binary.BigEndian.PutUint32(h[0:], 9994)
		binary.BigEndian.PutUint32(h[24:], uint32(lengthBytes/2))
		binary.LittleEndian.PutUint32(h[28:], 1000)
		binary.LittleEndian.PutUint32(h[32:], uint32(headerType))
		return h
	}
	le32 := func(b []byte, v int) []byte { return binary.LittleEndian.AppendUint32(b, uint32(v)) }
	f64 := func(b []byte, v float64) []byte { return binary.LittleEndian.AppendUint64(b, math.Float64bits(v)) }

	var body, index []byte
	for i, s := range shapes {
		var c []byte
		if s.rings == nil {
			c = le32(c, shapeNull)
		} else {
			c = le32(c, int(s.shapeType))
			var all []orb.Point
			for _, r := range s.rings {
				all = append(all, r...)
			}
			b := orb.MultiPoint(all).Bound()
			for _, v := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
				c = f64(c, v)
			}
			c = le32(c, len(s.rings))
			c = le32(c, len(all))
			start := 0
			for _, r := range s.rings {
				c = le32(c, start)
				start += len(r)
			}
			for _, p := range all {
				c = f64(f64(c, p[0]), p[1])
			}
			if s.shapeType == shapePolygonZ || s.shapeType == shapePolygonM {
				c = f64(f64(c, 0), 0)
				for range all {
					c = f64(c, 7)
				}
			}
		}
		offset := shpHeaderLen + len(body)
		index = binary.BigEndian.AppendUint32(index, uint32(offset/2))
		index = binary.BigEndian.AppendUint32(index, uint32(len(c)/2))
		body = binary.BigEndian.AppendUint32(body, uint32(i+1))
		body = binary.BigEndian.AppendUint32(body, uint32(len(c)/2))
		body = append(body, c...)
	}
	shp = append(header(shpHeaderLen+len(body)), body...)
	shx = append(header(shpHeaderLen+len(index)), index...)
	return shp, shx
}

// shapefileFixture is a synthetic shapefile, laid out by files with
// whatever sidecar files are set.
type shapefileFixture struct {
	stem       string // base name, default "zones"
	shpExt     string // default ".shp"; others take the same case
	headerType int32
	shapes     []testShape
	dbf        []byte // default: a "code" field numbering the shapes
	prj, cpg   string
	noShx      bool
	mutateShp  func([]byte) []byte
	mutateShx  func([]byte) []byte
}

// files returns the fixture as an in-memory file system and the name of
// its .shp.
func (fx shapefileFixture) files() (fstest.MapFS, string) {
	stem := fx.stem
	if stem == "" {
		stem = "zones"
	}
	ext := fx.shpExt
	if ext == "" {
		ext = ".shp"
	}
	sibling := func(e string) string {
		if ext == strings.ToUpper(ext) {
			e = strings.ToUpper(e)
		}
		return stem + e
	}
	ht := fx.headerType
	if ht == 0 {
		ht = shapePolygon
	}
	shp, shx := shpFiles(ht, fx.shapes)
	if fx.mutateShp != nil {
		shp = fx.mutateShp(shp)
	}
	if fx.mutateShx != nil {
		shx = fx.mutateShx(shx)
	}
	dbf := fx.dbf
	if dbf == nil {
		var rows [][]string
		for i := range fx.shapes {
			rows = append(rows, []string{string(rune('A' + i))})
		}
		dbf = dbfBytes(0x57, []testField{{"code", 'C', 4, 0}}, rows, nil)
	}
	name := stem + ext
	fsys := fstest.MapFS{name: {Data: shp}, sibling(".dbf"): {Data: dbf}}
	if !fx.noShx {
		fsys[sibling(".shx")] = &fstest.MapFile{Data: shx}
	}
	if fx.prj != "" {
		fsys[sibling(".prj")] = &fstest.MapFile{Data: []byte(fx.prj)}
	}
	if fx.cpg != "" {
		fsys[sibling(".cpg")] = &fstest.MapFile{Data: []byte(fx.cpg)}
	}
	return fsys, name
}

// Rings in ESRI winding: outer clockwise, holes counter-clockwise.
func cwSquare(x0, y0, x1, y1 float64) []orb.Point {
	return []orb.Point{{x0, y0}, {x0, y1}, {x1, y1}, {x1, y0}, {x0, y0}}
}

func ccwSquare(x0, y0, x1, y1 float64) []orb.Point {
	return []orb.Point{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

func TestReadShapefileZE(t *testing.T) {
	src, err := ReadShapefile(os.DirFS(datasettest.Mirror(t)), "zones-emploi/ze2020_2022.shp")
	if err != nil {
		t.Fatal(err)
	}
	if len(src.Features) != 306 {
		t.Errorf("%d features, want 306", len(src.Features))
	}
	if src.SRID != 4326 {
		t.Errorf("SRID %d, want 4326", src.SRID)
	}
	if got := strings.Join(src.Fields, ","); got != "ze2020,libze2020,nb_com" {
		t.Errorf("fields %q, want ze2020,libze2020,nb_com", got)
	}
	byCode := make(map[string]Feature)
	multi := 0
	for i, f := range src.Features {
		if f.Index != i {
			t.Errorf("feature at %d has index %d", i, f.Index)
		}
		code := f.Properties["ze2020"]
		if _, dup := byCode[code]; dup {
			t.Errorf("duplicate ze2020 %q", code)
		}
		byCode[code] = f
		if _, ok := f.Geometry.(orb.MultiPolygon); ok {
			multi++
		}
		name := f.Properties["libze2020"]
		if !utf8.ValidString(name) || strings.ContainsRune(name, utf8.RuneError) || name == "" {
			t.Errorf("feature %d: bad name %q", i, name)
		}
		checkConventions(t, f)
	}
	if multi != 36 {
		t.Errorf("%d MultiPolygons, want 36", multi)
	}
	// The file has 556 outer rings and 3 holes (in 2 records); each hole
	// must stay a hole rather than become an island.
	outers, holes := 0, 0
	for _, f := range src.Features {
		polys, ok := f.Geometry.(orb.MultiPolygon)
		if !ok {
			polys = orb.MultiPolygon{f.Geometry.(orb.Polygon)}
		}
		for _, p := range polys {
			outers++
			holes += len(p) - 1
		}
	}
	if outers != 556 || holes != 3 {
		t.Errorf("%d outer rings and %d holes, want 556 and 3", outers, holes)
	}
	names := []struct{ code, name, nbCom string }{
		{"7625", "Toulouse", ""},
		{"7602", "Albi", "190"},
		{"8427", "Romans sur Isère", "57"},
		{"0059", "Mâcon", "160"},
		{"7511", "Guéret", "256"},
		{"8434", "Villefranche-sur-Saône", "92"},
	}
	for _, n := range names {
		f, ok := byCode[n.code]
		if !ok {
			t.Errorf("no feature with ze2020=%s", n.code)
			continue
		}
		if got := f.Properties["libze2020"]; got != n.name {
			t.Errorf("ze2020=%s: libze2020 %q, want %q", n.code, got, n.name)
		}
		if n.nbCom != "" && f.Properties["nb_com"] != n.nbCom {
			t.Errorf("ze2020=%s: nb_com %q, want %q", n.code, f.Properties["nb_com"], n.nbCom)
		}
	}
	// Toulouse lies around 1.44°E 43.6°N.
	if b := byCode["7625"].Geometry.Bound(); !b.Contains(orb.Point{1.444, 43.604}) {
		t.Errorf("Toulouse bound %v does not contain the city", b)
	}
}

// TestShapefileMatchesGeoJSON compares the INSEE shapefile with the GeoJSON
// derived from it: both readers must find the same features, the same
// vertices (closing points included) and the same extents.
func TestShapefileMatchesGeoJSON(t *testing.T) {
	mirror := os.DirFS(datasettest.Mirror(t))
	shp, err := ReadShapefile(mirror, "zones-emploi/ze2020_2022.shp")
	if err != nil {
		t.Fatal(err)
	}
	gj, err := ReadGeoJSON(mirror, "derived/ze2020_2022.geojson")
	if err != nil {
		t.Fatal(err)
	}
	if len(shp.Features) != 306 || len(gj.Features) != 306 {
		t.Fatalf("%d shapefile and %d GeoJSON features, want 306 each", len(shp.Features), len(gj.Features))
	}
	gjByCode := make(map[string]Feature)
	for _, f := range gj.Features {
		gjByCode[f.Properties["ze2020"]] = f
	}
	const eps = 1e-6
	totalShp, totalGJ := 0, 0
	for _, f := range shp.Features {
		code := f.Properties["ze2020"]
		g, ok := gjByCode[code]
		if !ok {
			t.Errorf("ze2020=%s missing from the GeoJSON", code)
			continue
		}
		totalShp += countPoints(f.Geometry)
		totalGJ += countPoints(g.Geometry)
		a, b := f.Geometry.Bound(), g.Geometry.Bound()
		if math.Abs(a.Min[0]-b.Min[0]) > eps || math.Abs(a.Min[1]-b.Min[1]) > eps ||
			math.Abs(a.Max[0]-b.Max[0]) > eps || math.Abs(a.Max[1]-b.Max[1]) > eps {
			t.Errorf("ze2020=%s: bound %v in the shapefile, %v in the GeoJSON", code, a, b)
		}
		if f.Geometry.GeoJSONType() != g.Geometry.GeoJSONType() {
			t.Errorf("ze2020=%s: %s in the shapefile, %s in the GeoJSON", code, f.Geometry.GeoJSONType(), g.Geometry.GeoJSONType())
		}
		for _, k := range []string{"libze2020", "nb_com"} {
			if f.Properties[k] != g.Properties[k] {
				t.Errorf("ze2020=%s: %s %q in the shapefile, %q in the GeoJSON", code, k, f.Properties[k], g.Properties[k])
			}
		}
	}
	if totalShp != totalGJ || totalShp == 0 {
		t.Errorf("%d vertices in the shapefile, %d in the GeoJSON", totalShp, totalGJ)
	}
	t.Logf("%d vertices in each", totalShp)
}

// shapefileTest is a case of TestReadShapefileSynthetic; the cases also
// seed FuzzReadShapefile.
type shapefileTest struct {
	name        string
	fx          shapefileFixture
	wantErr     string // substring; "" means success
	wantFile    string // extension of FileError.File
	wantFeature int
	check       func(t *testing.T, src *Source)
}

func shapefileSyntheticTests() []shapefileTest {
	square := cwSquare(0, 0, 10, 10)
	return []shapefileTest{
		{
			name: "polygon with a null shape",
			fx:   shapefileFixture{shapes: []testShape{polygonShape(square), {}}},
			check: func(t *testing.T, src *Source) {
				if len(src.Features) != 2 || src.Features[1].Geometry != nil {
					t.Fatalf("features %+v", src.Features)
				}
				p, ok := src.Features[0].Geometry.(orb.Polygon)
				if !ok || len(p) != 1 || len(p[0]) != 5 {
					t.Fatalf("geometry %v", src.Features[0].Geometry)
				}
				if src.SRID != 0 {
					t.Errorf("SRID %d without a .prj, want 0", src.SRID)
				}
			},
		},
		{
			name: "hole assigned to the outer ring that contains it",
			fx: shapefileFixture{shapes: []testShape{polygonShape(
				cwSquare(0, 0, 10, 10),
				ccwSquare(22, 22, 28, 28), // hole of the second outer, listed before it
				cwSquare(20, 20, 30, 30),
			)}},
			check: func(t *testing.T, src *Source) {
				mp, ok := src.Features[0].Geometry.(orb.MultiPolygon)
				if !ok || len(mp) != 2 {
					t.Fatalf("geometry %#v, want a MultiPolygon of 2", src.Features[0].Geometry)
				}
				if len(mp[0]) != 1 || mp[0].Bound().Max != (orb.Point{10, 10}) {
					t.Errorf("first polygon %v, want the hole-free square", mp[0])
				}
				if len(mp[1]) != 2 || mp[1][1].Bound().Min != (orb.Point{22, 22}) {
					t.Errorf("second polygon %v, want the square with its hole", mp[1])
				}
				checkConventions(t, src.Features[0])
			},
		},
		{
			name: "island in a lake in an island",
			fx: shapefileFixture{shapes: []testShape{polygonShape(
				cwSquare(0, 0, 100, 100),
				ccwSquare(10, 10, 90, 90),
				cwSquare(20, 20, 80, 80),
				ccwSquare(30, 30, 70, 70),
			)}},
			check: func(t *testing.T, src *Source) {
				mp, ok := src.Features[0].Geometry.(orb.MultiPolygon)
				if !ok || len(mp) != 2 || len(mp[0]) != 2 || len(mp[1]) != 2 {
					t.Fatalf("geometry %v, want 2 polygons with a hole each", src.Features[0].Geometry)
				}
				if mp[1][1].Bound().Min != (orb.Point{30, 30}) {
					t.Errorf("inner hole given to the wrong polygon: %v", mp)
				}
				checkConventions(t, src.Features[0])
			},
		},
		{
			name: "counter-clockwise ring without outer is an outer ring",
			fx:   shapefileFixture{shapes: []testShape{polygonShape(ccwSquare(0, 0, 1, 1))}},
			check: func(t *testing.T, src *Source) {
				if _, ok := src.Features[0].Geometry.(orb.Polygon); !ok {
					t.Fatalf("geometry %v", src.Features[0].Geometry)
				}
				checkConventions(t, src.Features[0])
			},
		},
		{
			name: "unclosed ring is closed",
			fx:   shapefileFixture{shapes: []testShape{polygonShape([]orb.Point{{0, 0}, {0, 1}, {1, 1}, {1, 0}}, cwSquare(5, 5, 6, 6))}},
			check: func(t *testing.T, src *Source) {
				mp := src.Features[0].Geometry.(orb.MultiPolygon)
				if len(mp[0][0]) != 5 || !mp[0][0].Closed() || len(mp[1][0]) != 5 {
					t.Errorf("rings %v", mp)
				}
			},
		},
		{
			name: "PolygonZ and PolygonM",
			fx: shapefileFixture{headerType: shapePolygonZ, shapes: []testShape{
				{shapeType: shapePolygonZ, rings: [][]orb.Point{square}},
				{shapeType: shapePolygonM, rings: [][]orb.Point{square}},
			}},
			check: func(t *testing.T, src *Source) {
				for _, f := range src.Features {
					if countPoints(f.Geometry) != 5 {
						t.Errorf("feature %d: %v", f.Index, f.Geometry)
					}
				}
			},
		},
		{
			name: "upper-case extensions",
			fx:   shapefileFixture{stem: "ZE", shpExt: ".SHP", shapes: []testShape{polygonShape(square)}, prj: lambert93ESRI, cpg: "UTF-8"},
			check: func(t *testing.T, src *Source) {
				if src.SRID != 2154 || len(src.Features) != 1 {
					t.Errorf("SRID %d, %d features", src.SRID, len(src.Features))
				}
			},
		},
		{
			name: "deleted record keeps its index",
			fx: shapefileFixture{
				shapes: []testShape{polygonShape(square), polygonShape(square), polygonShape(square)},
				dbf:    dbfBytes(0x57, []testField{{"code", 'C', 4, 0}}, [][]string{{"A"}, {"B"}, {"C"}}, []bool{false, true, false}),
			},
			check: func(t *testing.T, src *Source) {
				if len(src.Features) != 2 || src.Features[0].Index != 0 || src.Features[1].Index != 2 ||
					src.Features[1].Properties["code"] != "C" {
					t.Errorf("features %+v, want indexes 0 and 2", src.Features)
				}
			},
		},
		{
			name:        "ring with 3 points",
			fx:          shapefileFixture{shapes: []testShape{polygonShape(square), polygonShape(square), polygonShape([]orb.Point{{0, 0}, {1, 1}, {0, 0}})}},
			wantErr:     "ring has 3 points",
			wantFile:    ".shp",
			wantFeature: 2,
		},
		{
			name:        "ring with 2 points among others",
			fx:          shapefileFixture{shapes: []testShape{polygonShape(square), polygonShape(square, []orb.Point{{0, 0}, {1, 1}})}},
			wantErr:     "ring has 2 points (part 2 of 2)",
			wantFile:    ".shp",
			wantFeature: 1,
		},
		{
			name:        "flat ring",
			fx:          shapefileFixture{shapes: []testShape{polygonShape([]orb.Point{{0, 0}, {1, 1}, {2, 2}, {0, 0}})}},
			wantErr:     "ring has no area",
			wantFile:    ".shp",
			wantFeature: 0,
		},
		{
			name: "truncated inside a record",
			fx: shapefileFixture{
				shapes:    []testShape{polygonShape(square), polygonShape(square), polygonShape(square)},
				mutateShp: func(b []byte) []byte { return b[:len(b)-30] },
				noShx:     true,
			},
			wantErr:     "truncated",
			wantFile:    ".shp",
			wantFeature: 2,
		},
		{
			name: "truncated between records",
			fx: shapefileFixture{
				shapes:    []testShape{polygonShape(square), polygonShape(square)},
				mutateShp: func(b []byte) []byte { return b[:shpHeaderLen+(len(b)-shpHeaderLen)/2] },
				noShx:     true,
			},
			wantErr:     "truncated",
			wantFile:    ".shp",
			wantFeature: -1,
		},
		{
			name: "truncated header",
			fx: shapefileFixture{
				shapes:    []testShape{polygonShape(square)},
				mutateShp: func(b []byte) []byte { return b[:60] },
			},
			wantErr:     "truncated",
			wantFile:    ".shp",
			wantFeature: -1,
		},
		{
			name: "record length inconsistent with its point count",
			fx: shapefileFixture{
				shapes: []testShape{polygonShape(square), polygonShape(square)},
				mutateShp: func(b []byte) []byte {
					// Claim 50 points in the first record.
					binary.LittleEndian.PutUint32(b[shpHeaderLen+8+40:], 50)
					return b
				},
			},
			wantErr:     "too short for 1 parts and 50 points",
			wantFile:    ".shp",
			wantFeature: 0,
		},
		{
			name: "not a shapefile",
			fx: shapefileFixture{
				shapes:    []testShape{polygonShape(square)},
				mutateShp: func(b []byte) []byte { b[3] = 0; return b },
			},
			wantErr:     "not a shapefile",
			wantFile:    ".shp",
			wantFeature: -1,
		},
		{
			name:        "polylines",
			fx:          shapefileFixture{headerType: 3, shapes: []testShape{{shapeType: 3, rings: [][]orb.Point{square}}}},
			wantErr:     "contains PolyLine shapes",
			wantFile:    ".shp",
			wantFeature: -1,
		},
		{
			name:        "point record in a polygon file",
			fx:          shapefileFixture{shapes: []testShape{polygonShape(square), {shapeType: 1, rings: [][]orb.Point{square}}}},
			wantErr:     "Point shape",
			wantFile:    ".shp",
			wantFeature: 1,
		},
		{
			name: "index from another file",
			fx: shapefileFixture{
				shapes:    []testShape{polygonShape(square), polygonShape(square)},
				mutateShx: func(b []byte) []byte { return b[:len(b)-8] },
			},
			wantErr:     "indexes 1 records but the .shp has 2",
			wantFile:    ".shx",
			wantFeature: -1,
		},
		{
			name: "attribute table of another file",
			fx: shapefileFixture{
				shapes: []testShape{polygonShape(square), polygonShape(square)},
				dbf:    dbfBytes(0x57, []testField{{"code", 'C', 4, 0}}, [][]string{{"A"}}, nil),
			},
			wantErr:     "has 1 records but zones.shp has 2 shapes",
			wantFile:    ".dbf",
			wantFeature: -1,
		},
		{
			name:        "unknown projection",
			fx:          shapefileFixture{shapes: []testShape{polygonShape(square)}, prj: `PROJCS["Mars_Equidistant",GEOGCS["GCS_Mars_2000",DATUM["D_Mars_2000",SPHEROID["Mars_2000_IAU_IAG",3396190.0,169.8944472236118]],PRIMEM["Reference_Meridian",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Equidistant_Cylindrical"],UNIT["Meter",1.0]]`},
			wantErr:     `"Mars_Equidistant"`,
			wantFile:    ".prj",
			wantFeature: -1,
		},
	}
}

func TestReadShapefileSynthetic(t *testing.T) {
	tests := shapefileSyntheticTests()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, err := ReadShapefile(tc.fx.files())
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				tc.check(t, src)
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tc.wantErr)
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("err %v (%T) is not a *FileError", err, err)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err %q does not contain %q", err, tc.wantErr)
			}
			if !strings.EqualFold(filepath.Ext(fe.File), tc.wantFile) || fe.Feature != tc.wantFeature {
				t.Errorf("error located in %s feature %d, want %s feature %d", fe.File, fe.Feature, tc.wantFile, tc.wantFeature)
			}
		})
	}
}

func TestReadShapefileMissingDBF(t *testing.T) {
	fsys, path := shapefileFixture{shapes: []testShape{polygonShape(cwSquare(0, 0, 1, 1))}}.files()
	delete(fsys, strings.TrimSuffix(path, ".shp")+".dbf")
	_, err := ReadShapefile(fsys, path)
	var fe *FileError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "no .dbf") {
		t.Fatalf("err = %v, want a FileError about the missing .dbf", err)
	}
}

// mirrorShapefile returns the files of the INSEE zones d'emploi shapefile
// of the mirror, each renamed by rename (base name and extension), and the
// shapefile as read from the mirror directory, to compare with.
func mirrorShapefile(t *testing.T, rename func(ext string) string) (map[string][]byte, *Source) {
	t.Helper()
	mirror := os.DirFS(datasettest.Mirror(t))
	want, err := ReadShapefile(mirror, "zones-emploi/ze2020_2022.shp")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, ext := range []string{".shp", ".shx", ".dbf", ".prj", ".cpg"} {
		b, err := fs.ReadFile(mirror, "zones-emploi/ze2020_2022"+ext)
		if err != nil {
			t.Fatal(err)
		}
		files[rename(ext)] = b
	}
	return files, want
}

// sameSource compares what two readings of the same shapefile found; Path
// differs by design.
func sameSource(t *testing.T, got, want *Source) {
	t.Helper()
	if got.SRID != want.SRID || !reflect.DeepEqual(got.Fields, want.Fields) || !reflect.DeepEqual(got.Features, want.Features) {
		t.Errorf("SRID %d, fields %v, %d features; want SRID %d, fields %v, %d features, identical",
			got.SRID, got.Fields, len(got.Features), want.SRID, want.Fields, len(want.Features))
	}
}

// TestReadShapefileZip reads shapefiles straight out of an in-memory zip
// archive, as an upload is read: no temporary directory, companions found
// in the archive whatever the case of their extension.
func TestReadShapefileZip(t *testing.T) {
	zipped := func(t *testing.T, files map[string][]byte) *zip.Reader {
		t.Helper()
		var buf bytes.Buffer
		w := zip.NewWriter(&buf)
		for name, b := range files {
			f, err := w.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Write(b); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		return zr
	}

	t.Run("INSEE zones d'emploi", func(t *testing.T) {
		// Extensions as a Windows tool may leave them.
		files, want := mirrorShapefile(t, func(ext string) string {
			return "ZE2020/ze2020_2022" + map[string]string{".shp": ".shp", ".shx": ".SHX", ".dbf": ".Dbf", ".prj": ".PRJ", ".cpg": ".cpg"}[ext]
		})
		got, err := Read(zipped(t, files), "ZE2020/ze2020_2022.shp")
		if err != nil {
			t.Fatal(err)
		}
		if got.Path != "ZE2020/ze2020_2022.shp" {
			t.Errorf("Path %q", got.Path)
		}
		sameSource(t, got, want)
	})

	t.Run("error names the member", func(t *testing.T) {
		fx := shapefileFixture{shapes: []testShape{polygonShape(cwSquare(0, 0, 1, 1)), polygonShape(cwSquare(0, 0, 1, 1))},
			dbf: dbfBytes(0x57, []testField{{"code", 'C', 4, 0}}, [][]string{{"A"}}, nil)}
		mfs, _ := fx.files()
		files := map[string][]byte{}
		for name, f := range mfs {
			files["upload/"+name] = f.Data
		}
		_, err := ReadShapefile(zipped(t, files), "upload/zones.shp")
		var fe *FileError
		if !errors.As(err, &fe) || fe.File != "upload/zones.dbf" || !strings.Contains(err.Error(), "zones.shp has 2 shapes") {
			t.Fatalf("err = %v, want a FileError on upload/zones.dbf", err)
		}
	})
}

// TestReadShapefileMapFS reads the INSEE shapefile from an fstest.MapFS,
// with companions in mixed case that only a directory listing finds, and
// checks the file system with fstest.TestFS for good measure.
func TestReadShapefileMapFS(t *testing.T) {
	files, want := mirrorShapefile(t, func(ext string) string {
		return "upload/ze" + map[string]string{".shp": ".Shp", ".shx": ".sHx", ".dbf": ".dBf", ".prj": ".pRj", ".cpg": ".cPg"}[ext]
	})
	fsys := fstest.MapFS{}
	for name, b := range files {
		fsys[name] = &fstest.MapFile{Data: b}
	}
	if err := fstest.TestFS(fsys, "upload/ze.Shp", "upload/ze.dBf"); err != nil {
		t.Fatal(err)
	}
	got, err := ReadShapefile(fsys, "upload/ze.Shp")
	if err != nil {
		t.Fatal(err)
	}
	sameSource(t, got, want)
}

func TestSibling(t *testing.T) {
	fsys := fstest.MapFS{
		"a.shp": {}, "a.dbf": {}, "a.PRJ": {},
		"B.SHP": {}, "B.DBF": {}, "B.dbf": {},
		"dir/c.shp": {}, "dir/c.Cpg": {},
		"d.shp": {}, "d.dbf/x": {}, // a directory is no companion
		"e.shp": {}, "e.x.dbf": {}, "E.dbf": {},
	}
	tests := []struct{ name, ext, want string }{
		{"a.shp", ".dbf", "a.dbf"},
		{"a.shp", ".prj", "a.PRJ"},
		{"a.shp", ".cpg", ""},
		{"B.SHP", ".dbf", "B.DBF"}, // an upper-case .shp prefers upper-case companions
		{"dir/c.shp", ".cpg", "dir/c.Cpg"},
		{"dir/c.shp", ".dbf", ""},
		{"d.shp", ".dbf", ""},
		{"e.shp", ".dbf", ""}, // the base name must match exactly
		{"missing/f.shp", ".dbf", ""},
	}
	for _, tc := range tests {
		if got := Sibling(fsys, tc.name, tc.ext); got != tc.want {
			t.Errorf("Sibling(%q, %q) = %q, want %q", tc.name, tc.ext, got, tc.want)
		}
	}
}

func BenchmarkReadShapefile(b *testing.B) {
	benchmarkRead(b, "zones-emploi/ze2020_2022.shp", ReadShapefile)
}

// FuzzReadShapefile feeds ReadShapefile an arbitrary .shp and .dbf (no .shx,
// .prj or .cpg): it must return a Source that keeps the package
// conventions, or a FileError.
func FuzzReadShapefile(f *testing.F) {
	for _, tc := range shapefileSyntheticTests() {
		fsys, name := tc.fx.files()
		stem := strings.TrimSuffix(name, path.Ext(name))
		dbf := fsys[stem+".dbf"]
		if dbf == nil {
			dbf = fsys[stem+".DBF"]
		}
		f.Add(fsys[name].Data, dbf.Data)
	}
	f.Fuzz(func(t *testing.T, shp, dbf []byte) {
		src, err := ReadShapefile(fstest.MapFS{"f.shp": {Data: shp}, "f.dbf": {Data: dbf}}, "f.shp")
		checkRead(t, src, err)
	})
}
