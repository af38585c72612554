package geofile

import (
	"encoding/binary"
	"fmt"
	"io/fs"
	"math"
	"path"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Shape types of the ESRI Shapefile Technical Description (July 1998).
const (
	shapeNull     = 0
	shapePolygon  = 5
	shapePolygonZ = 15
	shapePolygonM = 25
)

const shpHeaderLen = 100

// ReadShapefile reads the polygon shapefile name of fsys: the .shp
// geometries with the attributes of the .dbf beside it (required), the CRS
// of the .prj (optional: SRID 0 without it) and the code page of the .cpg
// (optional: see parseDBF). The .shx is not needed to read the file, but
// when present it must agree with the .shp, since a disagreement means the
// parts come from different versions of the data.
//
// Sibling files are found whatever the case of their extension (see
// Sibling), because shapefiles travel through Windows tools and zip
// archives that do not preserve it.
//
// Records flagged as deleted in the .dbf are left out of Source.Features; the
// other features keep their position in the file as Index.
func ReadShapefile(fsys fs.FS, name string) (*Source, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	geoms, recs, err := parseShp(name, data)
	if err != nil {
		return nil, err
	}

	if shxName := Sibling(fsys, name, ".shx"); shxName != "" {
		shx, err := fs.ReadFile(fsys, shxName)
		if err != nil {
			return nil, err
		}
		if err := checkShx(shxName, shx, recs); err != nil {
			return nil, err
		}
	}

	dbfName := Sibling(fsys, name, ".dbf")
	if dbfName == "" {
		return nil, fileErr(name, -1, "no .dbf beside it: a shapefile needs its attribute table")
	}
	table, err := readDBF(fsys, dbfName, Sibling(fsys, name, ".cpg"))
	if err != nil {
		return nil, err
	}
	if len(table.rows) != len(geoms) {
		return nil, fileErr(dbfName, -1, "has %d records but %s has %d shapes; the two files must come from the same export",
			len(table.rows), path.Base(name), len(geoms))
	}

	src := &Source{Path: name, Fields: table.fields, Features: make([]Feature, 0, len(geoms))}
	if prjName := Sibling(fsys, name, ".prj"); prjName != "" {
		wkt, err := fs.ReadFile(fsys, prjName)
		if err != nil {
			return nil, err
		}
		// An empty .prj says no more than a missing one.
		if strings.TrimSpace(string(wkt)) != "" {
			if src.SRID, err = SRIDFromWKT(string(wkt)); err != nil {
				return nil, &FileError{File: prjName, Feature: -1, Err: err}
			}
		}
	}

	for i, g := range geoms {
		if table.rows[i] == nil {
			continue // deleted record
		}
		src.Features = append(src.Features, Feature{Index: i, Geometry: g, Properties: table.rows[i]})
	}
	return src, nil
}

// Sibling returns the name of the regular file beside name in fsys with the
// same base name and the extension ext (".dbf") in any case, or "" if there
// is none: it is how ReadShapefile finds a shapefile's companions, exported
// so that the importer fingerprints the very files it reads. The spellings
// a writer would use are tried first, so that the common case costs a few
// fs.Stat calls rather than a directory listing.
func Sibling(fsys fs.FS, name, ext string) string {
	stem := strings.TrimSuffix(name, path.Ext(name))
	tries := []string{stem + ext, stem + strings.ToUpper(ext)}
	if e := path.Ext(name); e != "" && e == strings.ToUpper(e) {
		tries[0], tries[1] = tries[1], tries[0]
	}
	for _, p := range tries {
		if fi, err := fs.Stat(fsys, p); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	dir, base := path.Split(stem)
	entries, err := fs.ReadDir(fsys, path.Clean(dir+"."))
	if err != nil {
		return ""
	}
	for _, e := range entries {
		n := e.Name()
		if len(n) == len(base)+len(ext) && strings.HasPrefix(n, base) &&
			strings.EqualFold(n[len(base):], ext) && e.Type().IsRegular() {
			return dir + n
		}
	}
	return ""
}

// shpRecord locates a record in the .shp, to check the .shx against it.
type shpRecord struct {
	offset, length int // in bytes, record header included in neither
}

// parseShp decodes every record of a .shp held in memory. The header is
// big-endian where the ESRI format says so and little-endian elsewhere.
func parseShp(name string, data []byte) ([]orb.Geometry, []shpRecord, error) {
	if len(data) < shpHeaderLen {
		return nil, nil, fileErr(name, -1, "truncated: %d bytes, shorter than the 100-byte header", len(data))
	}
	if code := binary.BigEndian.Uint32(data[0:4]); code != 9994 {
		return nil, nil, fileErr(name, -1, "not a shapefile (file code %d, expected 9994)", code)
	}
	declared := int(binary.BigEndian.Uint32(data[24:28])) * 2
	if declared < shpHeaderLen {
		return nil, nil, fileErr(name, -1, "header declares an impossible file length of %d bytes", declared)
	}
	if st := int32(binary.LittleEndian.Uint32(data[32:36])); !isPolygonType(st) && st != shapeNull {
		return nil, nil, fileErr(name, -1, "contains %s shapes; only polygons (Polygon, PolygonZ, PolygonM) can be territories", shapeTypeName(st))
	}
	end := declared
	truncated := declared > len(data)
	if truncated {
		end = len(data)
	}

	var geoms []orb.Geometry
	var recs []shpRecord
	pos := shpHeaderLen
	for i := 0; pos < end; i++ {
		if pos+8 > end {
			return nil, nil, shpOverrun(name, i, truncated, len(data), declared)
		}
		length := int(binary.BigEndian.Uint32(data[pos+4:pos+8])) * 2
		start := pos + 8
		if length > end-start {
			return nil, nil, shpOverrun(name, i, truncated, len(data), declared)
		}
		g, err := parsePolygonRecord(data[start : start+length])
		if err != nil {
			return nil, nil, &FileError{File: name, Feature: i, Err: err}
		}
		geoms = append(geoms, g)
		recs = append(recs, shpRecord{offset: pos, length: length})
		pos = start + length
	}
	if truncated {
		return nil, nil, fileErr(name, -1, "truncated: the header declares %d bytes but the file has %d", declared, len(data))
	}
	return geoms, recs, nil
}

func shpOverrun(name string, i int, truncated bool, size, declared int) error {
	if truncated {
		return fileErr(name, i, "truncated: the file ends at byte %d inside this record (the header declares %d bytes)", size, declared)
	}
	return fileErr(name, i, "record runs past the end of the file declared in the header (%d bytes)", declared)
}

func isPolygonType(st int32) bool {
	return st == shapePolygon || st == shapePolygonZ || st == shapePolygonM
}

func shapeTypeName(st int32) string {
	switch st {
	case 0:
		return "Null"
	case 1:
		return "Point"
	case 3:
		return "PolyLine"
	case 5:
		return "Polygon"
	case 8:
		return "MultiPoint"
	case 11:
		return "PointZ"
	case 13:
		return "PolyLineZ"
	case 15:
		return "PolygonZ"
	case 18:
		return "MultiPointZ"
	case 21:
		return "PointM"
	case 23:
		return "PolyLineM"
	case 25:
		return "PolygonM"
	case 28:
		return "MultiPointM"
	case 31:
		return "MultiPatch"
	}
	return fmt.Sprintf("unknown type %d", st)
}

// parsePolygonRecord decodes the content of one record (after its 8-byte
// header). Z and M values are dropped: territories are flat. A polygon with
// no parts is returned as nil, like a Null shape.
func parsePolygonRecord(c []byte) (orb.Geometry, error) {
	if len(c) < 4 {
		return nil, fmt.Errorf("record content of %d bytes is too short for a shape type", len(c))
	}
	st := int32(binary.LittleEndian.Uint32(c[0:4]))
	if st == shapeNull {
		return nil, nil
	}
	if !isPolygonType(st) {
		return nil, fmt.Errorf("%s shape; only polygons can be territories", shapeTypeName(st))
	}
	if len(c) < 44 {
		return nil, fmt.Errorf("record content of %d bytes is too short for a polygon", len(c))
	}
	numParts := int64(int32(binary.LittleEndian.Uint32(c[36:40])))
	numPoints := int64(int32(binary.LittleEndian.Uint32(c[40:44])))
	if numParts < 0 || numPoints < 0 {
		return nil, fmt.Errorf("negative count (%d parts, %d points)", numParts, numPoints)
	}
	need := 44 + 4*numParts + 16*numPoints
	if st == shapePolygonZ {
		need += 16 + 8*numPoints // Z range and values; the M block is optional
	}
	if int64(len(c)) < need {
		return nil, fmt.Errorf("record content of %d bytes is too short for %d parts and %d points", len(c), numParts, numPoints)
	}
	if numParts == 0 {
		if numPoints != 0 {
			return nil, fmt.Errorf("%d points but no parts", numPoints)
		}
		return nil, nil
	}
	np, npts := int(numParts), int(numPoints)
	partsAt, pointsAt := 44, 44+4*np
	partStart := func(k int) int {
		if k == np {
			return npts
		}
		return int(int32(binary.LittleEndian.Uint32(c[partsAt+4*k:])))
	}

	// One allocation holds every ring of the record, with one spare point
	// per ring in case it has to be closed.
	pts := make([]orb.Point, npts+np)
	rings := make([]orb.Ring, np)
	areas := make([]float64, np)
	off := 0
	for k := range np {
		s, e := partStart(k), partStart(k+1)
		if k == 0 && s != 0 {
			return nil, fmt.Errorf("first part starts at point %d instead of 0", s)
		}
		if e < s || e > npts {
			return nil, fmt.Errorf("part %d has an invalid start index", k+1)
		}
		n := e - s
		r := orb.Ring(pts[off : off+n : off+n+1])
		b := c[pointsAt+16*s:]
		for j := range r {
			r[j] = orb.Point{
				math.Float64frombits(binary.LittleEndian.Uint64(b[16*j:])),
				math.Float64frombits(binary.LittleEndian.Uint64(b[16*j+8:])),
			}
		}
		r, a, err := checkRing(r)
		if err != nil {
			if np > 1 {
				return nil, fmt.Errorf("%w (part %d of %d)", err, k+1, np)
			}
			return nil, err
		}
		rings[k], areas[k] = r[:len(r):len(r)], a
		off += len(r)
	}
	return assembleESRIRings(rings, areas), nil
}

// assembleESRIRings groups the rings of a record into polygons. ESRI marks
// outer rings by winding them clockwise and holes counter-clockwise, and puts
// the rings in any order, so each hole is given to the smallest outer ring
// that contains it (an island in a lake in an island gets it right). A
// "hole" that no outer ring contains is taken as an outer ring written with
// the wrong winding, as GDAL does, rather than dropped. Rings are rewound to
// the orb/RFC 7946 convention: outer counter-clockwise, holes clockwise.
func assembleESRIRings(rings []orb.Ring, areas []float64) orb.Geometry {
	isOuter := make([]bool, len(rings))
	var outers []int
	for i, a := range areas {
		if a < 0 {
			isOuter[i] = true
			outers = append(outers, i)
		}
	}
	owner := make([]int, len(rings))
	for i, r := range rings {
		owner[i] = -1
		if isOuter[i] {
			continue
		}
		test := r[0]
		for _, o := range outers {
			if (owner[i] < 0 || -areas[o] < -areas[owner[i]]) && planar.RingContains(rings[o], test) {
				owner[i] = o
			}
		}
		if owner[i] < 0 {
			isOuter[i] = true // orphan hole
		}
	}

	polyOf := make([]int, len(rings))
	var mp orb.MultiPolygon
	for i, r := range rings {
		if isOuter[i] {
			if areas[i] < 0 {
				r.Reverse()
			}
			polyOf[i] = len(mp)
			mp = append(mp, orb.Polygon{r})
		}
	}
	for i, r := range rings {
		if !isOuter[i] {
			r.Reverse() // counter-clockwise in ESRI, clockwise in orb
			p := polyOf[owner[i]]
			mp[p] = append(mp[p], r)
		}
	}
	if len(mp) == 1 {
		return mp[0]
	}
	return mp
}

// checkShx compares the .shx index, the file name holding data, with the
// records found in the .shp.
func checkShx(name string, data []byte, recs []shpRecord) error {
	if len(data) < shpHeaderLen || (len(data)-shpHeaderLen)%8 != 0 {
		return fileErr(name, -1, "truncated or malformed: %d bytes is not a 100-byte header plus 8-byte entries", len(data))
	}
	if n := (len(data) - shpHeaderLen) / 8; n != len(recs) {
		return fileErr(name, -1, "indexes %d records but the .shp has %d; the two files do not belong together", n, len(recs))
	}
	for i, r := range recs {
		e := data[shpHeaderLen+8*i:]
		off := int(binary.BigEndian.Uint32(e[0:4])) * 2
		length := int(binary.BigEndian.Uint32(e[4:8])) * 2
		if off != r.offset || length != r.length {
			return fileErr(name, i, "index entry (offset %d, length %d) disagrees with the .shp (offset %d, length %d)",
				off, length, r.offset, r.length)
		}
	}
	return nil
}
