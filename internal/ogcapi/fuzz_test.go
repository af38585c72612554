package ogcapi

import (
	"errors"
	"math"
	"net/http"
	"slices"
	"testing"

	"github.com/atlas-sante-travail/atlas/internal/httpx"
)

// FuzzItemsParams: the items route's parameters (crs, bbox-crs, bbox,
// limit, offset, properties), read in the route's order, give either a
// 400 problem naming the parameter at fault, or boxes inside the world of
// their CRS (west ≤ east, south ≤ north), a page of 1 to maxLimit
// features from a non-negative offset, and properties among the
// collection's, in its order.
func FuzzItemsParams(f *testing.F) {
	for _, s := range [][6]string{
		{"", "", "", "", "", ""},
		{"EPSG:2154", "[EPSG:3857]", "-1e9,-1e9,1e9,1e9", "5000", "0", "code,name"},
		{"https://www.opengis.net/def/crs/OGC/1.3/CRS84", "OGC:CRS84", "170,-10,-170,10", "1", "7", ""},
		{"EPSG:4326", "", "1,2,3", "0", "-1", "nope"},
		{"", "crs84", "1,2,0,3,4,0", " 10 ", "99999999999999999999", "name,name, code ,"},
		{"", "", "NaN,0,1,1", "1e3", "", "region"},
		{"", "EPSG:2154", "3,0,1,1", "-5", "x", ","},
		{"", "", "-180,-90,180,90", "", "", "\x00"},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4], s[5])
	}
	all := []string{"code", "name", "region"}
	f.Fuzz(func(t *testing.T, crsV, bboxCRS, bbox, limit, offset, props string) {
		fail := func(param string, err error) {
			t.Helper()
			var p *httpx.Problem
			if !errors.As(err, &p) || p.Status != http.StatusBadRequest || len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != param {
				t.Fatalf("%s: %v (%T), want a 400 problem naming %s", param, err, err, param)
			}
		}
		if _, err := parseCRS("crs", crsV); err != nil {
			fail("crs", err)
			return
		}
		c, err := parseCRS("bbox-crs", bboxCRS)
		if err != nil {
			fail("bbox-crs", err)
			return
		}
		boxes, err := parseBBox(bbox, c)
		if err != nil {
			fail("bbox", err)
			return
		}
		for _, b := range boxes {
			bad := b[0] > b[2] || b[1] > b[3] || slices.ContainsFunc(b[:], func(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) })
			if c.EPSG == 4326 {
				bad = bad || b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90
			}
			if c.EPSG == 3857 {
				bad = bad || b[0] < -webMercatorMax || b[2] > webMercatorMax || b[1] < -webMercatorMax || b[3] > webMercatorMax
			}
			if bad || len(boxes) > 2 {
				t.Fatalf("bbox %q in %s gives boxes %v", bbox, c.URI, boxes)
			}
		}
		n, err := parseLimit(limit)
		if err != nil {
			fail("limit", err)
			return
		}
		if n < 1 || n > maxLimit {
			t.Fatalf("limit %q gives %d", limit, n)
		}
		off, err := parseOffset(offset)
		if err != nil {
			fail("offset", err)
			return
		}
		if off < 0 {
			t.Fatalf("offset %q gives %d", offset, off)
		}
		names, err := parseProperties(props, true, all)
		if err != nil {
			fail("properties", err)
			return
		}
		last := -1
		for _, p := range names {
			i := slices.Index(all, p)
			if i <= last {
				t.Fatalf("properties %q give %v: not the collection's, in its order", props, names)
			}
			last = i
		}
	})
}
