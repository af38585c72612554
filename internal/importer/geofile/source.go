// Package geofile reads the territory files Atlas is fed with (ESRI
// shapefiles and GeoJSON) into memory, in a single shape that the import
// pipeline can consume without caring about the original format.
//
// Files are read from an fs.FS rather than from paths, so that the same
// readers serve a file on disk (os.DirFS), the members of an uploaded zip
// archive (zip.Reader, no temporary directory) and tests (fstest.MapFS).
// Names are fs.FS names: slash-separated and relative to the root of fsys.
// The package knows nothing of the database: validating codes and writing
// territories is the importer's business.
//
// The readers are written here rather than borrowed because the usual Go
// shapefile libraries are not available to the build; they implement only
// what territory boundaries need: polygons and their attributes.
//
// Geometries follow the orb and RFC 7946 conventions whatever the input: an
// orb.Polygon's first ring is the outer ring, wound counter-clockwise, and its
// other rings are holes, wound clockwise; every ring is closed, has at least
// four points and encloses some area. Files that break these rules are
// rejected with a FileError rather than repaired behind the user's back,
// except for rings left unclosed, which are closed.
package geofile

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"strings"

	"github.com/paulmach/orb"
)

// Feature is one record of a source file.
//
// Index is kept separately from the position in Source.Features because a
// shapefile may contain deleted records: they are left out of
// Source.Features, yet the records after them keep the index they have in the
// file, so that error messages and cross-references with other tools (QGIS,
// ogrinfo) point at the same record.
type Feature struct {
	Index      int               // 0-based position of the feature in the file
	Geometry   orb.Geometry      // orb.Polygon or orb.MultiPolygon, in the file's CRS; nil for a null shape
	Properties map[string]string // attribute values as text, trimmed; numbers printed without trailing zeros
}

// Source is a whole file read into memory: territory files are at most tens
// of megabytes, and having every feature at hand lets the importer check
// codes for duplicates before it writes anything to the database.
type Source struct {
	Path string // the name given to the reader, in its fs.FS, for messages
	// SRID is the EPSG code of the coordinates: 4326 for GeoJSON (RFC 7946)
	// unless a legacy "crs" member says otherwise, and the code derived from
	// the .prj for shapefiles. It is 0 when a shapefile has no .prj, so that
	// the caller can insist on an explicit --srid rather than guess.
	SRID     int
	Fields   []string // attribute names in file order
	Features []Feature
}

// Read reads the file name of fsys, dispatching on its extension (in any
// case) so that command-line tools and uploads can take whatever file the
// user points at: .geojson and .json are read as GeoJSON, .shp as a
// shapefile (with its .dbf, and the optional .shx, .prj and .cpg beside it
// in fsys).
func Read(fsys fs.FS, name string) (*Source, error) {
	switch strings.ToLower(path.Ext(name)) {
	case ".geojson", ".json":
		return ReadGeoJSON(fsys, name)
	case ".shp":
		return ReadShapefile(fsys, name)
	default:
		return nil, &FileError{File: name, Feature: -1,
			Err: errors.New("unsupported file type: expected .shp, .geojson or .json")}
	}
}

// FileError locates a problem in an input file, so that the person preparing
// the data knows which file and which record to fix; Feature is -1 when the
// problem is not tied to one feature.
type FileError struct {
	// File names the file: the readers give its name in their fs.FS, a
	// companion's for a problem in a .dbf, .shx, .prj or .cpg.
	File    string
	Feature int
	Err     error
}

// Error reads like "ze.shp: feature 12: ring has 2 points".
func (e *FileError) Error() string {
	if e.Feature < 0 {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s: feature %d: %v", e.File, e.Feature, e.Err)
}

// Unwrap lets callers test the cause with errors.Is and errors.As.
func (e *FileError) Unwrap() error { return e.Err }

// fileErr is shorthand for the many FileErrors built by the readers.
func fileErr(file string, feature int, format string, args ...any) *FileError {
	return &FileError{File: file, Feature: feature, Err: fmt.Errorf(format, args...)}
}

// fixRing makes r a closed ring or says why it cannot be one. A ring that is
// not closed is closed by appending its first point, which does not allocate
// when the caller left room in the slice's capacity.
func fixRing(r orb.Ring) (orb.Ring, error) {
	n := len(r)
	if n == 0 {
		return nil, errors.New("ring has 0 points")
	}
	if r[0] != r[n-1] {
		if n < 3 {
			return nil, fmt.Errorf("ring has %d points", n)
		}
		r = append(r, r[0])
		n++
	}
	if n < 4 {
		return nil, fmt.Errorf("ring has %d points", n)
	}
	for _, p := range r {
		if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0) {
			return nil, errors.New("ring has a non-finite coordinate")
		}
	}
	return r, nil
}

// checkRing closes r with fixRing and rejects a ring that encloses no area.
// It returns the ring and its signedArea.
func checkRing(r orb.Ring) (orb.Ring, float64, error) {
	r, err := fixRing(r)
	if err != nil {
		return nil, 0, err
	}
	a := signedArea(r)
	if a == 0 {
		return nil, 0, errors.New("ring has no area")
	}
	return r, a, nil
}

// signedArea is twice the area of a closed ring, positive when the ring is
// counter-clockwise (y axis pointing up). Coordinates are taken relative to
// the first point to limit round-off on large projected coordinates.
func signedArea(r orb.Ring) float64 {
	if len(r) < 3 {
		return 0
	}
	x0, y0 := r[0][0], r[0][1]
	var a float64
	for i := 1; i < len(r)-1; i++ {
		a += (r[i][0]-x0)*(r[i+1][1]-y0) - (r[i+1][0]-x0)*(r[i][1]-y0)
	}
	return a
}

// orientPolygon winds the outer ring of p counter-clockwise and its holes
// clockwise, in place, so that every reader hands out the same convention
// whatever the producer of the file did.
func orientPolygon(p orb.Polygon) {
	for i, r := range p {
		a := signedArea(r)
		if (i == 0 && a < 0) || (i > 0 && a > 0) {
			r.Reverse()
		}
	}
}
