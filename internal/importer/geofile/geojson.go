package geofile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// ReadGeoJSON reads the file name of fsys: a GeoJSON FeatureCollection, or
// a single Feature, whose geometries are Polygons or MultiPolygons (or
// null). Coordinates are WGS 84 (SRID 4326) as RFC 7946 requires, unless the
// file carries the "crs" member of the 2008 GeoJSON specification, which
// older exports (ogr2ogr, QGIS) still write for Lambert-93 data.
//
// The document is decoded in one encoding/json pass, which also locates
// syntax errors. Polygon coordinates are then read straight into orb types
// by a small parser: going through orb/geojson's decoder would re-validate
// every coordinate several times and decode each through reflection, which
// made a 10 MB file take half a second; it also accepts a position with a
// single number and answers "cannot unmarshal number into orb.Point" where
// a person needs "expected an array". Other geometry types are left to
// orb/geojson, only to name them in the error.
func ReadGeoJSON(fsys fs.FS, name string) (*Source, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	return parseGeoJSON(name, data)
}

// parseGeoJSON is ReadGeoJSON once the file name is in memory.
func parseGeoJSON(name string, data []byte) (*Source, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))

	// top is a FeatureCollection or, with the members of gjFeature, a Feature.
	var top struct {
		gjFeature
		Features []gjFeature     `json:"features"`
		CRS      json.RawMessage `json:"crs"`
	}
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, jsonError(name, data, err)
	}
	var features []gjFeature
	switch top.Type {
	case "FeatureCollection":
		features = top.Features
	case "Feature":
		features = []gjFeature{top.gjFeature}
	default:
		return nil, fileErr(name, -1, "GeoJSON object of type %q; expected a FeatureCollection or a Feature", top.Type)
	}

	src := &Source{Path: name, SRID: 4326, Features: make([]Feature, 0, len(features))}
	if len(top.CRS) > 0 && !bytes.Equal(top.CRS, []byte("null")) {
		var err error
		if src.SRID, err = sridFromGeoJSONCRS(top.CRS); err != nil {
			return nil, &FileError{File: name, Feature: -1, Err: err}
		}
	}

	seen := make(map[string]bool)
	for i := range features {
		f := &features[i]
		if f.Type != "Feature" {
			return nil, fileErr(name, i, "object of type %q where a Feature was expected", f.Type)
		}
		if f.Properties.err != nil {
			return nil, &FileError{File: name, Feature: i, Err: f.Properties.err}
		}
		if f.Geometry.err != nil {
			return nil, &FileError{File: name, Feature: i, Err: f.Geometry.err}
		}
		g, err := checkGeoJSONGeometry(f.Geometry.geom)
		if err != nil {
			return nil, &FileError{File: name, Feature: i, Err: err}
		}
		for _, k := range f.Properties.keys {
			if !seen[k] {
				seen[k] = true
				src.Fields = append(src.Fields, k)
			}
		}
		props := f.Properties.values
		if props == nil {
			props = map[string]string{}
		}
		src.Features = append(src.Features, Feature{Index: i, Geometry: g, Properties: props})
	}
	return src, nil
}

// gjFeature receives one GeoJSON Feature. Its parts record their errors
// instead of returning them, because encoding/json would report an error
// without saying which element of "features" it came from; ReadGeoJSON
// reports them with the feature index. Other members (id, bbox) are ignored.
type gjFeature struct {
	Type       string         `json:"type"`
	Properties textProperties `json:"properties"`
	Geometry   gjGeometry     `json:"geometry"`
}

// gjGeometry receives a GeoJSON geometry object.
type gjGeometry struct {
	geom orb.Geometry
	err  error
}

// UnmarshalJSON is given a value that encoding/json has already validated,
// which is what lets scanObject and coordParser skip most checks.
func (g *gjGeometry) UnmarshalJSON(b []byte) error {
	*g = gjGeometry{}
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if len(b) == 0 || b[0] != '{' {
		g.err = errors.New("geometry is not an object")
		return nil
	}
	var typ string
	var coords []byte
	err := scanObject(b, func(key string, value []byte) error {
		switch key {
		case "type":
			return json.Unmarshal(value, &typ)
		case "coordinates":
			coords = value
		}
		return nil
	})
	if err != nil {
		g.err = fmt.Errorf("geometry: %w", err)
		return nil
	}
	if (typ == "Polygon" || typ == "MultiPolygon") && (coords == nil || bytes.Equal(coords, []byte("null"))) {
		g.err = fmt.Errorf("%s without coordinates", typ)
		return nil
	}
	p := coordParser{b: coords}
	switch typ {
	case "Polygon":
		g.geom, g.err = p.polygon()
	case "MultiPolygon":
		g.geom, g.err = p.multiPolygon()
	default:
		var og geojson.Geometry
		if err := json.Unmarshal(b, &og); err != nil {
			g.err = fmt.Errorf("geometry of type %q: %w", typ, err)
			return nil
		}
		g.geom = og.Geometry()
	}
	return nil
}

// scanObject calls member for each member of a JSON object known to be
// valid, with the raw bytes of its value.
func scanObject(b []byte, member func(key string, value []byte) error) error {
	i := skipSpace(b, 1) // after '{'
	for i < len(b) && b[i] != '}' {
		if b[i] == ',' {
			i = skipSpace(b, i+1)
			continue
		}
		end := skipValue(b, i)
		if end-i < 2 || b[i] != '"' {
			return errors.New("malformed object")
		}
		key := string(b[i+1 : end-1])
		// Escapes need decoding, and invalid UTF-8 the replacement
		// characters encoding/json gives every other string of the file.
		if strings.IndexByte(key, '\\') >= 0 || !utf8.ValidString(key) {
			if err := json.Unmarshal(b[i:end], &key); err != nil {
				return err
			}
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return errors.New("malformed object")
		}
		i = skipSpace(b, i+1)
		end = skipValue(b, i)
		if err := member(key, b[i:end]); err != nil {
			return err
		}
		i = skipSpace(b, end)
	}
	return nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the index just after the valid JSON value at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	default:
		for i < len(b) && !strings.ContainsRune(",]} \t\r\n", rune(b[i])) {
			i++
		}
		return i
	}
}

// skipString returns the index just after the string starting at b[i].
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

// coordParser reads GeoJSON coordinate arrays into orb types. Positions are
// gathered in a scratch slice reused from ring to ring, so that each ring
// costs one allocation of its exact size (plus room for a closing point).
// Elevations and other extra position members are dropped.
type coordParser struct {
	b       []byte
	i       int
	scratch []orb.Point
}

func (p *coordParser) errorf(format string, args ...any) error {
	return fmt.Errorf("coordinates, byte %d: %s", p.i, fmt.Sprintf(format, args...))
}

func (p *coordParser) skipSpace() int {
	p.i = skipSpace(p.b, p.i)
	return p.i
}

// list reads an array, calling item for each element.
func (p *coordParser) list(item func() error) error {
	if p.skipSpace() >= len(p.b) || p.b[p.i] != '[' {
		return p.errorf("expected an array")
	}
	p.i++
	if p.skipSpace() < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return nil
	}
	for {
		if err := item(); err != nil {
			return err
		}
		if p.skipSpace() >= len(p.b) {
			return p.errorf("unterminated array")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return nil
		default:
			return p.errorf("expected ',' or ']'")
		}
	}
}

func (p *coordParser) position() (orb.Point, error) {
	var pt orb.Point
	n := 0
	err := p.list(func() error {
		start := p.skipSpace()
		for p.i < len(p.b) && strings.IndexByte("+-0123456789.eE", p.b[p.i]) >= 0 {
			p.i++
		}
		if p.i == start {
			return p.errorf("expected a number")
		}
		f, err := strconv.ParseFloat(string(p.b[start:p.i]), 64)
		if err != nil {
			return p.errorf("%v", err)
		}
		if n < 2 {
			pt[n] = f
		}
		n++
		return nil
	})
	if err == nil && n < 2 {
		err = p.errorf("position with %d coordinates", n)
	}
	return pt, err
}

func (p *coordParser) ring() (orb.Ring, error) {
	p.scratch = p.scratch[:0]
	err := p.list(func() error {
		pt, err := p.position()
		p.scratch = append(p.scratch, pt)
		return err
	})
	if err != nil {
		return nil, err
	}
	r := make(orb.Ring, len(p.scratch), len(p.scratch)+1)
	copy(r, p.scratch)
	return r, nil
}

func (p *coordParser) polygon() (orb.Polygon, error) {
	var poly orb.Polygon
	err := p.list(func() error {
		r, err := p.ring()
		poly = append(poly, r)
		return err
	})
	return poly, err
}

func (p *coordParser) multiPolygon() (orb.MultiPolygon, error) {
	var mp orb.MultiPolygon
	err := p.list(func() error {
		poly, err := p.polygon()
		mp = append(mp, poly)
		return err
	})
	return mp, err
}

// checkGeoJSONGeometry applies the rules the shapefile reader applies (closed
// rings of at least four points, with an area) and rewinds rings to outer
// counter-clockwise, holes clockwise, since RFC 7946 only recommends that
// winding and many producers ignore it. Empty geometries become nil, like
// null ones.
func checkGeoJSONGeometry(g orb.Geometry) (orb.Geometry, error) {
	switch g := g.(type) {
	case nil:
		return nil, nil
	case orb.Polygon:
		if len(g) == 0 {
			return nil, nil
		}
		if err := checkPolygon(g); err != nil {
			return nil, err
		}
		return g, nil
	case orb.MultiPolygon:
		if len(g) == 0 {
			return nil, nil
		}
		for k, p := range g {
			if len(p) == 0 {
				return nil, fmt.Errorf("polygon %d of the MultiPolygon has no rings", k+1)
			}
			if err := checkPolygon(p); err != nil {
				return nil, fmt.Errorf("%w (polygon %d of %d)", err, k+1, len(g))
			}
		}
		return g, nil
	default:
		return nil, fmt.Errorf("%s geometry; only Polygon and MultiPolygon can be territories", g.GeoJSONType())
	}
}

func checkPolygon(p orb.Polygon) error {
	for k, r := range p {
		r, _, err := checkRing(r)
		if err != nil {
			if len(p) > 1 {
				return fmt.Errorf("%w (ring %d of %d)", err, k+1, len(p))
			}
			return err
		}
		p[k] = r
	}
	orientPolygon(p)
	return nil
}

// sridFromGeoJSONCRS reads the legacy "crs" member: a named CRS
// ("EPSG:2154", "urn:ogc:def:crs:EPSG::2154", "urn:ogc:def:crs:OGC:1.3:CRS84"
// or the http://www.opengis.net/def/crs/ form) or the older
// {"type":"EPSG","properties":{"code":2154}}.
func sridFromGeoJSONCRS(raw json.RawMessage) (int, error) {
	var crs struct {
		Type       string `json:"type"`
		Properties struct {
			Name string      `json:"name"`
			Code json.Number `json:"code"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(raw, &crs); err != nil {
		return 0, fmt.Errorf("malformed \"crs\" member: %w", err)
	}
	unknown := func(what string) error {
		return fmt.Errorf("unrecognised coordinate reference system %q in the \"crs\" member; use the --srid option to give its EPSG code", what)
	}
	switch strings.ToLower(crs.Type) {
	case "epsg":
		code, err := strconv.Atoi(crs.Properties.Code.String())
		if err != nil || code <= 0 {
			return 0, unknown(crs.Properties.Code.String())
		}
		return code, nil
	case "name":
		name := strings.ToLower(strings.TrimSpace(crs.Properties.Name))
		if strings.HasSuffix(name, "crs84") {
			return 4326, nil
		}
		if strings.Contains(name, "epsg") {
			code := name[strings.LastIndexAny(name, ":/")+1:]
			if n, err := strconv.Atoi(code); err == nil && n > 0 {
				return n, nil
			}
		}
		return 0, unknown(crs.Properties.Name)
	}
	return 0, unknown(string(raw))
}

// jsonError turns a decoding error of the whole document into a FileError
// with a line and column, which is what a person opening the file in an
// editor needs.
func jsonError(name string, data []byte, err error) error {
	var offset int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		// Offset counts the offending byte; point at it rather than after.
		offset = max(se.Offset-1, 0)
	case errors.As(err, &te):
		offset = te.Offset
	}
	if offset < 0 || offset > int64(len(data)) {
		return &FileError{File: name, Feature: -1, Err: fmt.Errorf("invalid GeoJSON: %w", err)}
	}
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return &FileError{File: name, Feature: -1,
		Err: fmt.Errorf("invalid GeoJSON at line %d, column %d (byte %d): %w", line, col, offset, err)}
}

// textProperties decodes a GeoJSON "properties" object into text values
// while remembering the order of its keys, which a Go map would lose and
// Source.Fields must keep. Like gjGeometry, it records its error for
// ReadGeoJSON to report with the feature index.
type textProperties struct {
	keys   []string
	values map[string]string
	err    error
}

// UnmarshalJSON is given a value that encoding/json has already validated.
func (p *textProperties) UnmarshalJSON(b []byte) error {
	*p = textProperties{}
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if len(b) == 0 || b[0] != '{' {
		p.err = errors.New("\"properties\" is not an object")
		return nil
	}
	p.values = make(map[string]string)
	p.err = scanObject(b, func(key string, raw []byte) error {
		v, err := jsonText(raw)
		if err != nil {
			return fmt.Errorf("property %q: %w", key, err)
		}
		if _, dup := p.values[key]; !dup {
			p.keys = append(p.keys, key)
		}
		p.values[key] = v
		return nil
	})
	return nil
}

// jsonText renders a property value as text: strings trimmed like every
// Feature property (codes are compared as text across formats), numbers
// without trailing zeros, booleans as true/false, null as "", and nested
// objects or arrays as compact JSON so that nothing is lost.
func jsonText(raw []byte) (string, error) {
	switch raw[0] {
	case 'n':
		return "", nil
	case 't':
		return "true", nil
	case 'f':
		return "false", nil
	case '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return strings.TrimSpace(s), err
	case '{', '[':
		var b bytes.Buffer
		err := json.Compact(&b, raw)
		// Compact copies strings byte for byte; the text must be UTF-8
		// like every other property, or PostgreSQL refuses it.
		return strings.ToValidUTF8(b.String(), "\uFFFD"), err
	default:
		return formatNumber(string(raw)), nil
	}
}
