package ogcapi

import (
	"math"
	"strconv"
	"strings"

	"github.com/atlas-sante-travail/atlas/internal/httpx"
)

// Paging of items: GDAL 3.6 asks for 10 unless told, QGIS for 1000; a
// larger limit is clamped to the maximum, not refused (OGC API Features
// Permission 6: the ETS sends one and expects a page).
const (
	defaultLimit = 100
	maxLimit     = 1000
)

// crs is a coordinate reference system the API offers, by reference (OGC
// API Features Part 2).
type crs struct {
	URI  string
	EPSG int // PostGIS SRID
	// Decimals of the coordinates written: 7 in degrees (1 cm), 2 in metres.
	Decimals int
}

// The CRS offered: CRS84 (longitude, latitude: the GeoJSON default and how
// PostGIS stores the territories), Lambert-93 (what French GIS users work
// in; easting, northing) and Web Mercator. EPSG:4326 is not offered: its
// axis order is latitude first, a trap for every client.
var (
	crs84    = crs{URI: "http://www.opengis.net/def/crs/OGC/1.3/CRS84", EPSG: 4326, Decimals: 7}
	lambert  = crs{URI: "http://www.opengis.net/def/crs/EPSG/0/2154", EPSG: 2154, Decimals: 2}
	mercator = crs{URI: "http://www.opengis.net/def/crs/EPSG/0/3857", EPSG: 3857, Decimals: 2}
	crsList  = []crs{crs84, lambert, mercator}
)

func crsURIs() []string {
	out := make([]string, len(crsList))
	for i, c := range crsList {
		out[i] = c.URI
	}
	return out
}

// parseCRS reads the value of parameter name (crs, bbox-crs): a URI of
// crsList, or its short form (EPSG:2154, [EPSG:2154], OGC:CRS84); absent
// is CRS84.
func parseCRS(name, v string) (crs, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return crs84, nil
	}
	short := strings.ToUpper(strings.Trim(v, "[]"))
	for _, c := range crsList {
		code := "EPSG:" + strconv.Itoa(c.EPSG)
		if c == crs84 {
			code = "OGC:CRS84"
		}
		if v == c.URI || strings.Replace(v, "https://", "http://", 1) == c.URI || short == code || (c == crs84 && short == "CRS84") {
			return c, nil
		}
	}
	return crs{}, httpx.BadParam(name, "système de coordonnées non proposé : "+v, crsURIs()...)
}

// webMercatorMax is the half width of the Web Mercator world, in metres.
const webMercatorMax = 20037508.342789244

// parseBBox reads bbox in c: "west,south,east,north" (or six numbers with
// heights, which are ignored). In CRS84 longitudes and latitudes must be
// in range, and west > east crosses the antimeridian: the box is then
// split in two. Absent is nil (no filter).
func parseBBox(v string, c crs) ([][4]float64, error) {
	if v == "" {
		return nil, nil
	}
	parts := strings.Split(v, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return nil, httpx.BadParam("bbox", "attendu quatre nombres ouest,sud,est,nord (ou six avec les hauteurs)")
	}
	n := make([]float64, len(parts))
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, httpx.BadParam("bbox", "« "+p+" » n'est pas un nombre (point décimal)")
		}
		n[i] = x
	}
	if len(n) == 6 {
		n = []float64{n[0], n[1], n[3], n[4]}
	}
	w, s, e, north := n[0], n[1], n[2], n[3]
	if s > north {
		return nil, httpx.BadParam("bbox", "le sud dépasse le nord")
	}
	switch c.EPSG {
	case 4326:
		if s < -90 || north > 90 {
			return nil, httpx.BadParam("bbox", "latitude hors de -90…90")
		}
		if w < -180 || w > 180 || e < -180 || e > 180 {
			return nil, httpx.BadParam("bbox", "longitude hors de -180…180")
		}
		if w > e {
			// Across the antimeridian: from west to 180°, and from -180° to east.
			return [][4]float64{{w, s, 180, north}, {-180, s, e, north}}, nil
		}
	default:
		if w > e {
			return nil, httpx.BadParam("bbox", "l'ouest dépasse l'est")
		}
		if c.EPSG == 3857 {
			// Beyond the square world the projection wraps around: clamp.
			clamp := func(x float64) float64 { return math.Max(-webMercatorMax, math.Min(webMercatorMax, x)) }
			w, s, e, north = clamp(w), clamp(s), clamp(e), clamp(north)
		}
	}
	return [][4]float64{{w, s, e, north}}, nil
}

// parseLimit reads limit: an integer of at least 1; above the maximum it
// is clamped. Absent is the default.
func parseLimit(v string) (int, error) {
	if v == "" {
		return defaultLimit, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 {
		return 0, httpx.BadParam("limit", "un entier d'au moins 1 (au plus "+strconv.Itoa(maxLimit)+", au-delà ramené à "+strconv.Itoa(maxLimit)+")")
	}
	return min(n, maxLimit), nil
}

// parseOffset reads offset: the number of features skipped, 0 when absent.
func parseOffset(v string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0, httpx.BadParam("offset", "un entier positif ou nul")
	}
	return n, nil
}

// parseProperties reads properties: a comma-separated choice among the
// collection's properties, in the collection's order whatever the order
// asked; absent is all of them, empty is none.
func parseProperties(v string, present bool, all []string) ([]string, error) {
	if !present {
		return all, nil
	}
	want := map[string]bool{}
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		known := false
		for _, a := range all {
			known = known || a == p
		}
		if !known {
			return nil, httpx.BadParam("properties", "propriété inconnue : "+p, all...)
		}
		want[p] = true
	}
	out := []string{}
	for _, a := range all {
		if want[a] {
			out = append(out, a)
		}
	}
	return out, nil
}
