package geofile

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// SRIDFromWKT finds the EPSG code of a coordinate reference system written as
// WKT, the content of a shapefile's .prj. PostGIS needs an EPSG code, and
// .prj files rarely carry one: ESRI software writes only names such as
// "RGF_1993_Lambert_93". So an explicit EPSG authority on the outermost CRS is
// used when present, and otherwise the CRS name is looked up among the ESRI
// and EPSG spellings of the systems French territory files come in. A name
// that is not known is an error rather than a guess: reprojecting from the
// wrong CRS would silently move every territory.
func SRIDFromWKT(wkt string) (int, error) {
	root, err := parseWKT(wkt)
	if err != nil {
		return 0, fmt.Errorf("cannot parse the coordinate reference system: %w", err)
	}
	// A compound CRS adds a vertical datum to a horizontal one; only the
	// horizontal part matters for 2D boundaries.
	for isCompoundKeyword(root.keyword) && root.authority() == 0 {
		var sub *wktNode
		for _, a := range root.args {
			if a.node != nil && (isProjectedKeyword(a.node.keyword) || isGeographicKeyword(a.node.keyword)) {
				sub = a.node
				break
			}
		}
		if sub == nil {
			return 0, fmt.Errorf("compound coordinate reference system %q has no horizontal part", root.name())
		}
		root = sub
	}
	if code := root.authority(); code > 0 {
		return code, nil
	}
	name := root.name()
	switch {
	case isProjectedKeyword(root.keyword), isGeographicKeyword(root.keyword):
		if code := sridFromName(name); code > 0 {
			return code, nil
		}
	default:
		return 0, fmt.Errorf("unsupported kind of coordinate reference system %s[%q]; use the --srid option to give its EPSG code", root.keyword, name)
	}
	return 0, fmt.Errorf("unrecognised coordinate reference system %q (%s); use the --srid option to give its EPSG code", name, root.keyword)
}

// sridByName holds normalised CRS names (see normaliseCRSName), in their ESRI,
// EPSG and common GDAL/QGIS spellings, of the systems used for France and its
// overseas territories.
var sridByName = map[string]int{
	// WGS 84 geographic.
	"gcs_wgs_1984": 4326, "wgs_84": 4326, "wgs84": 4326, "wgs_1984": 4326,
	// RGF93 geographic.
	"gcs_rgf_1993": 4171, "rgf93": 4171, "rgf93_v1": 4171, "rgf_1993": 4171, "gcs_rgf93": 4171,
	// RGF93 / Lambert-93.
	"rgf_1993_lambert_93": 2154, "rgf93_lambert_93": 2154, "rgf93_v1_lambert_93": 2154,
	"lambert_93": 2154, "rgf93_cc_lambert_93": 2154,
	// NTF (Paris) / Lambert zone II, the "Lambert II étendu" of older IGN data.
	"ntf_paris_lambert_zone_ii": 27572, "ntf_paris_lambert_ii_etendu": 27572,
	"lambert_ii_etendu": 27572, "ntf_paris_lambert_ii_extended": 27572, "ntf_paris_france_ii": 27572,
	// WGS 84 / Pseudo-Mercator.
	"wgs_84_pseudo_mercator": 3857, "wgs_1984_web_mercator_auxiliary_sphere": 3857,
	"popular_visualisation_crs_mercator": 3857, "google_maps_global_mercator": 3857,
	// Overseas départements.
	"rgaf09_utm_zone_20n": 5490,
	"rgfg95_utm_zone_22n": 2972, "rgfg_1995_utm_zone_22n": 2972,
	"rgr92_utm_zone_40s": 2975, "rgr_1992_utm_40s": 2975, "rgr_1992_utm_zone_40s": 2975,
	"rgm04_utm_zone_38s": 4471, "rgm_2004_utm_zone_38s": 4471,
	// ETRS89 / LAEA Europe, used by Eurostat grids.
	"etrs89_laea_europe": 3035, "etrs89_extended_laea_europe": 3035, "etrs89_etrs_laea": 3035,
	"etrs_1989_laea": 3035, "etrs_1989_etrs_laea": 3035, "etrs_1989_laea_europe": 3035,
}

// sridByESRICode maps the ESRI authority codes that have an EPSG twin.
var sridByESRICode = map[int]int{102100: 3857}

// sridFromName looks a CRS name up, including every WGS 84 UTM zone since
// those follow a rule rather than a list (Antilles data often come in 20N).
func sridFromName(name string) int {
	n := normaliseCRSName(name)
	if code, ok := sridByName[n]; ok {
		return code
	}
	for _, prefix := range []string{"wgs_1984_utm_zone_", "wgs_84_utm_zone_", "wgs84_utm_zone_"} {
		rest, ok := strings.CutPrefix(n, prefix)
		if !ok || len(rest) < 2 || len(rest) > 3 {
			continue
		}
		zone, err := strconv.Atoi(rest[:len(rest)-1])
		if err != nil || zone < 1 || zone > 60 {
			continue
		}
		switch rest[len(rest)-1] {
		case 'n':
			return 32600 + zone
		case 's':
			return 32700 + zone
		}
	}
	return 0
}

// normaliseCRSName reduces the spelling variants of a CRS name ("RGF93 /
// Lambert-93", "RGF93_Lambert_93", "NTF (Paris) / Lambert II étendu") to one
// key: territory.Fold's lower case without accents, with runs of other
// characters turned into a single underscore.
func normaliseCRSName(name string) string {
	return strings.ReplaceAll(territory.Fold(name), " ", "_")
}

func isProjectedKeyword(k string) bool {
	switch k {
	case "PROJCS", "PROJCRS", "PROJECTEDCRS":
		return true
	}
	return false
}

func isGeographicKeyword(k string) bool {
	switch k {
	case "GEOGCS", "GEOGCRS", "GEOGRAPHICCRS", "GEODCRS", "GEODETICCRS":
		return true
	}
	return false
}

func isCompoundKeyword(k string) bool {
	return k == "COMPD_CS" || k == "COMPOUNDCRS"
}

// wktNode is one KEYWORD[arg, ...] element of a WKT string.
type wktNode struct {
	keyword string
	args    []wktValue
}

// wktValue is an argument of a wktNode: a quoted string or a bare token
// (number or enumeration) as text, or a nested node.
type wktValue struct {
	text string
	node *wktNode
}

// name is the first quoted argument, which WKT reserves for the object name.
func (n *wktNode) name() string {
	if len(n.args) > 0 && n.args[0].node == nil {
		return n.args[0].text
	}
	return ""
}

// authority returns the EPSG code declared directly on n (WKT1 AUTHORITY or
// WKT2 ID), or 0. Nested authorities are ignored on purpose: they belong to
// the datum or the base CRS, not to n.
func (n *wktNode) authority() int {
	for _, a := range n.args {
		c := a.node
		if c == nil || (c.keyword != "AUTHORITY" && c.keyword != "ID") || len(c.args) < 2 {
			continue
		}
		code, err := strconv.Atoi(strings.TrimSpace(c.args[1].text))
		if err != nil || code <= 0 {
			continue
		}
		switch strings.ToUpper(c.args[0].text) {
		case "EPSG":
			return code
		case "ESRI":
			if epsg, ok := sridByESRICode[code]; ok {
				return epsg
			}
		}
	}
	return 0
}

// parseWKT parses the first WKT element of s. It accepts both bracket styles
// and the doubled-quote escape of WKT2, and checks nothing else: validating
// the CRS definition is not this package's business.
func parseWKT(s string) (*wktNode, error) {
	p := wktParser{s: strings.TrimPrefix(s, "\uFEFF")}
	p.skipSpace()
	if p.pos >= len(p.s) {
		return nil, errors.New("empty WKT")
	}
	n, err := p.node(0)
	if err != nil {
		return nil, err
	}
	return n, nil
}

type wktParser struct {
	s   string
	pos int
}

// maxWKTDepth bounds recursion on hostile input; real CRS definitions nest
// five or six levels deep.
const maxWKTDepth = 64

func (p *wktParser) skipSpace() {
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t', '\r', '\n':
			p.pos++
		default:
			return
		}
	}
}

func (p *wktParser) node(depth int) (*wktNode, error) {
	if depth > maxWKTDepth {
		return nil, errors.New("WKT nested too deeply")
	}
	start := p.pos
	for p.pos < len(p.s) && isWKTKeywordByte(p.s[p.pos]) {
		p.pos++
	}
	if p.pos == start {
		return nil, fmt.Errorf("expected a keyword at byte %d", p.pos)
	}
	n := &wktNode{keyword: strings.ToUpper(p.s[start:p.pos])}
	p.skipSpace()
	if p.pos >= len(p.s) || (p.s[p.pos] != '[' && p.s[p.pos] != '(') {
		return nil, fmt.Errorf("expected '[' after %s at byte %d", n.keyword, p.pos)
	}
	p.pos++
	for {
		p.skipSpace()
		if p.pos >= len(p.s) {
			return nil, fmt.Errorf("unterminated %s", n.keyword)
		}
		switch c := p.s[p.pos]; {
		case c == ']' || c == ')':
			p.pos++
			return n, nil
		case c == ',':
			p.pos++
			continue
		case c == '"':
			str, err := p.quoted()
			if err != nil {
				return nil, err
			}
			n.args = append(n.args, wktValue{text: str})
		default:
			// A bare token is either a nested keyword (followed by a bracket)
			// or a number/enumeration value.
			tokStart := p.pos
			for p.pos < len(p.s) && !strings.ContainsRune(" \t\r\n,[]()\"", rune(p.s[p.pos])) {
				p.pos++
			}
			if p.pos == tokStart {
				return nil, fmt.Errorf("unexpected %q at byte %d", p.s[p.pos], p.pos)
			}
			save := p.pos
			p.skipSpace()
			if p.pos < len(p.s) && (p.s[p.pos] == '[' || p.s[p.pos] == '(') {
				p.pos = tokStart
				child, err := p.node(depth + 1)
				if err != nil {
					return nil, err
				}
				n.args = append(n.args, wktValue{node: child})
			} else {
				p.pos = save
				n.args = append(n.args, wktValue{text: p.s[tokStart:save]})
			}
		}
	}
}

func (p *wktParser) quoted() (string, error) {
	start := p.pos
	p.pos++ // opening quote
	var b strings.Builder
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		p.pos++
		if c != '"' {
			b.WriteByte(c)
			continue
		}
		if p.pos < len(p.s) && p.s[p.pos] == '"' { // "" escapes a quote
			b.WriteByte('"')
			p.pos++
			continue
		}
		return b.String(), nil
	}
	return "", fmt.Errorf("unterminated string starting at byte %d", start)
}

func isWKTKeywordByte(c byte) bool {
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
}
