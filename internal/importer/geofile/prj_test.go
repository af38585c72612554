package geofile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atlas-sante-travail/atlas/internal/dataset/datasettest"
)

// .prj contents as written by ArcGIS/QGIS (ESRI flavour) and GDAL (OGC
// flavour, with authorities).
const (
	lambert93ESRI = `PROJCS["RGF_1993_Lambert_93",GEOGCS["GCS_RGF_1993",DATUM["D_RGF_1993",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic"],PARAMETER["False_Easting",700000.0],PARAMETER["False_Northing",6600000.0],PARAMETER["Central_Meridian",3.0],PARAMETER["Standard_Parallel_1",49.0],PARAMETER["Standard_Parallel_2",44.0],PARAMETER["Latitude_Of_Origin",46.5],UNIT["Meter",1.0]]`

	lambert93OGC = `PROJCS["RGF93 / Lambert-93",
    GEOGCS["RGF93",
        DATUM["Reseau_Geodesique_Francais_1993",
            SPHEROID["GRS 1980",6378137,298.257222101,AUTHORITY["EPSG","7019"]],
            TOWGS84[0,0,0,0,0,0,0],
            AUTHORITY["EPSG","6171"]],
        PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],
        UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],
        AUTHORITY["EPSG","4171"]],
    PROJECTION["Lambert_Conformal_Conic_2SP"],
    PARAMETER["standard_parallel_1",49],
    UNIT["metre",1,AUTHORITY["EPSG","9001"]],
    AXIS["X",EAST],
    AXIS["Y",NORTH],
    AUTHORITY["EPSG","2154"]]`

	lambert93WKT2 = `PROJCRS["RGF93 v1 / Lambert-93",BASEGEOGCRS["RGF93 v1",DATUM["Reseau Geodesique Francais 1993 v1",ELLIPSOID["GRS 1980",6378137,298.257222101,LENGTHUNIT["metre",1]]],PRIMEM["Greenwich",0,ANGLEUNIT["degree",0.0174532925199433]],ID["EPSG",4171]],CONVERSION["Lambert-93",METHOD["Lambert Conic Conformal (2SP)",ID["EPSG",9802]]],CS[Cartesian,2],AXIS["easting (X)",east,ORDER[1]],LENGTHUNIT["metre",1],ID["EPSG",2154]]`

	// A projected CRS that only its base geographic CRS identifies: the
	// nested 4171 must not be taken for the CRS itself.
	unknownProjectedOverRGF93 = `PROJCS["RGF93_CC46",GEOGCS["RGF93",DATUM["RGF93",SPHEROID["GRS 1980",6378137,298.257222101]],AUTHORITY["EPSG","4171"]],PROJECTION["Lambert_Conformal_Conic_2SP"],UNIT["metre",1]]`
)

// sridTest is a case of TestSRIDFromWKT; the cases also seed
// FuzzSRIDFromWKT.
type sridTest struct {
	name    string
	wkt     string
	want    int
	wantErr string
}

func sridFromWKTTests() []sridTest {
	geog := func(name string) string {
		return `GEOGCS["` + name + `",DATUM["D",SPHEROID["S",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`
	}
	proj := func(name string) string {
		return `PROJCS["` + name + `",` + geog("GCS") + `,PROJECTION["Transverse_Mercator"],UNIT["Meter",1.0]]`
	}
	return []sridTest{
		{"ESRI WGS 84", geog("GCS_WGS_1984"), 4326, ""},
		{"OGC WGS 84", geog("WGS 84"), 4326, ""},
		{"ESRI RGF93", geog("GCS_RGF_1993"), 4171, ""},
		{"OGC RGF93 v1", geog("RGF93 v1"), 4171, ""},
		{"ESRI Lambert-93", lambert93ESRI, 2154, ""},
		{"OGC Lambert-93 by authority", lambert93OGC, 2154, ""},
		{"WKT2 Lambert-93 by ID", lambert93WKT2, 2154, ""},
		{"Lambert-93 by name, OGC spelling", proj("RGF93 / Lambert-93"), 2154, ""},
		{"ESRI Lambert II étendu", proj("NTF_Paris_Lambert_Zone_II"), 27572, ""},
		{"OGC Lambert zone II", proj("NTF (Paris) / Lambert zone II"), 27572, ""},
		{"Lambert II étendu with accent", proj("NTF (Paris) / Lambert II étendu"), 27572, ""},
		{"ESRI Web Mercator", proj("WGS_1984_Web_Mercator_Auxiliary_Sphere"), 3857, ""},
		{"OGC Pseudo-Mercator", proj("WGS 84 / Pseudo-Mercator"), 3857, ""},
		{"ESRI authority of Web Mercator", `PROJCS["Web",` + geog("GCS_WGS_1984") + `,AUTHORITY["ESRI","102100"]]`, 3857, ""},
		{"WGS 84 UTM 20N", proj("WGS_1984_UTM_Zone_20N"), 32620, ""},
		{"WGS 84 UTM 40S", proj("WGS 84 / UTM zone 40S"), 32740, ""},
		{"RGAF09 UTM 20N", proj("RGAF09 / UTM zone 20N"), 5490, ""},
		{"ESRI RGAF09 UTM 20N", proj("RGAF09_UTM_Zone_20N"), 5490, ""},
		{"RGFG95 UTM 22N", proj("RGFG95 / UTM zone 22N"), 2972, ""},
		{"ESRI RGFG95 UTM 22N", proj("RGFG_1995_UTM_Zone_22N"), 2972, ""},
		{"RGR92 UTM 40S", proj("RGR92 / UTM zone 40S"), 2975, ""},
		{"ESRI RGR92 UTM 40S", proj("RGR_1992_UTM_40S"), 2975, ""},
		{"RGM04 UTM 38S", proj("RGM04 / UTM zone 38S"), 4471, ""},
		{"ETRS89 LAEA", proj("ETRS89-extended / LAEA Europe"), 3035, ""},
		{"ESRI ETRS89 LAEA", proj("ETRS_1989_LAEA"), 3035, ""},
		{"compound", `COMPD_CS["RGF93 / Lambert-93 + NGF-IGN69 height",` + lambert93ESRI + `,VERT_CS["NGF-IGN69 height",VERT_DATUM["x",2005]]]`, 2154, ""},
		{"parentheses instead of brackets", `GEOGCS("GCS_WGS_1984",DATUM("D_WGS_1984",SPHEROID("WGS_1984",6378137.0,298.257223563)))`, 4326, ""},
		{"byte order mark", "\uFEFF" + geog("GCS_WGS_1984"), 4326, ""},
		{"unknown projected CRS over a known base", unknownProjectedOverRGF93, 0, `unrecognised coordinate reference system "RGF93_CC46" (PROJCS); use the --srid option`},
		{"unknown geographic CRS", geog("GCS_Mars_2000"), 0, `"GCS_Mars_2000"`},
		{"UTM zone out of range", proj("WGS_1984_UTM_Zone_61N"), 0, "unrecognised"},
		{"geocentric", `GEOCCS["WGS 84",DATUM["WGS_1984"]]`, 0, "unsupported kind"},
		{"unterminated", `PROJCS["RGF93 / Lambert-93",GEOGCS["RGF93"`, 0, "cannot parse"},
		{"unterminated string", `GEOGCS["WGS 84`, 0, "cannot parse"},
		{"not WKT", `EPSG:2154`, 0, "cannot parse"},
		{"empty", "  ", 0, "cannot parse"},
	}
}

func TestSRIDFromWKT(t *testing.T) {
	tests := sridFromWKTTests()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := SRIDFromWKT(tc.wkt)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("SRIDFromWKT = %d, %v; want an error containing %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("SRIDFromWKT = %d, %v; want %d", got, err, tc.want)
			}
		})
	}
}

func TestSRIDFromRealPrj(t *testing.T) {
	wkt, err := os.ReadFile(filepath.Join(datasettest.Mirror(t), "zones-emploi", "ze2020_2022.prj"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := SRIDFromWKT(string(wkt)); err != nil || got != 4326 {
		t.Fatalf("SRIDFromWKT(ze2020_2022.prj) = %d, %v; want 4326", got, err)
	}
}

// TestShapefilePrj checks how ReadShapefile uses the .prj beside the .shp.
func TestShapefilePrj(t *testing.T) {
	shapes := []testShape{polygonShape(cwSquare(652000, 6860000, 653000, 6861000))}
	tests := []struct {
		name    string
		prj     string
		want    int
		wantErr string
	}{
		{"Lambert-93", lambert93ESRI, 2154, ""},
		{"no .prj", "", 0, ""},
		{"blank .prj", " \n", 0, ""},
		{"unknown", unknownProjectedOverRGF93, 0, `"RGF93_CC46"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, err := ReadShapefile(shapefileFixture{shapes: shapes, prj: tc.prj}.files())
			if tc.wantErr != "" {
				var fe *FileError
				if !errors.As(err, &fe) || filepath.Ext(fe.File) != ".prj" || fe.Feature != -1 ||
					!strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "--srid") {
					t.Fatalf("err = %v, want a FileError on the .prj naming %s and --srid", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if src.SRID != tc.want {
				t.Errorf("SRID %d, want %d", src.SRID, tc.want)
			}
		})
	}
}

// FuzzSRIDFromWKT feeds SRIDFromWKT arbitrary text: it must return a
// positive EPSG code or an error, never both nor neither.
func FuzzSRIDFromWKT(f *testing.F) {
	for _, tc := range sridFromWKTTests() {
		f.Add(tc.wkt)
	}
	f.Fuzz(func(t *testing.T, wkt string) {
		code, err := SRIDFromWKT(wkt)
		if (err == nil) != (code > 0) {
			t.Fatalf("SRIDFromWKT = %d, %v; want a positive code or an error", code, err)
		}
	})
}
