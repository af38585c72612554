package ogcapi

import (
	"errors"
	"slices"
	"testing"

	"github.com/atlas-sante-travail/atlas/internal/httpx"
)

// param is the parameter a problem names, "" when err is nil.
func param(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var p *httpx.Problem
	if !errors.As(err, &p) || p.Status != 400 || len(p.InvalidParams) != 1 {
		t.Fatalf("%v is not a 400 problem about one parameter", err)
	}
	return p.InvalidParams[0].Name
}

func TestParseCRS(t *testing.T) {
	for _, c := range []struct {
		in   string
		epsg int
		bad  bool
	}{
		{"", 4326, false},
		{"http://www.opengis.net/def/crs/OGC/1.3/CRS84", 4326, false},
		{"https://www.opengis.net/def/crs/OGC/1.3/CRS84", 4326, false},
		{"OGC:CRS84", 4326, false},
		{"[OGC:CRS84]", 4326, false},
		{"http://www.opengis.net/def/crs/EPSG/0/2154", 2154, false},
		{"EPSG:2154", 2154, false},
		{"epsg:3857", 3857, false},
		{"http://www.opengis.net/def/crs/EPSG/0/4326", 0, true}, // latitude first: not offered
		{"EPSG:27572", 0, true},
	} {
		got, err := parseCRS("crs", c.in)
		if (err != nil) != c.bad || got.EPSG != c.epsg {
			t.Errorf("%q: %+v, %v", c.in, got, err)
		}
		if c.bad && param(t, err) != "crs" {
			t.Errorf("%q: the problem does not name crs", c.in)
		}
	}
}

func TestParseBBox(t *testing.T) {
	for _, c := range []struct {
		in   string
		crs  crs
		want [][4]float64
		bad  bool
	}{
		{"", crs84, nil, false},
		{"1,43,2,44", crs84, [][4]float64{{1, 43, 2, 44}}, false},
		{" 1 , 43 , 2 , 44 ", crs84, [][4]float64{{1, 43, 2, 44}}, false},
		{"1,43,-10,2,44,3000", crs84, [][4]float64{{1, 43, 2, 44}}, false},
		{"170,-50,-170,-40", crs84, [][4]float64{{170, -50, 180, -40}, {-180, -50, -170, -40}}, false},
		{"-180,-90,180,90", crs84, [][4]float64{{-180, -90, 180, 90}}, false},
		{"1,43,2,91", crs84, nil, true},
		{"1,-90.5,2,44", crs84, nil, true},
		{"1,44,2,43", crs84, nil, true},
		{"181,43,182,44", crs84, nil, true},
		{"1,43,2", crs84, nil, true},
		{"1,43,2,44,5", crs84, nil, true},
		{"1,43,NaN,44", crs84, nil, true},
		{"1,43,Inf,44", crs84, nil, true},
		{"1;43;2;44", crs84, nil, true},
		{"500000,6200000,700000,6400000", lambert, [][4]float64{{500000, 6200000, 700000, 6400000}}, false},
		{"700000,6200000,500000,6400000", lambert, nil, true},
		{"-3e7,0,3e7,1", mercator, [][4]float64{{-webMercatorMax, 0, webMercatorMax, 1}}, false},
	} {
		got, err := parseBBox(c.in, c.crs)
		if (err != nil) != c.bad || !slices.Equal(got, c.want) {
			t.Errorf("%q in %d: %v, %v", c.in, c.crs.EPSG, got, err)
		}
		if c.bad && param(t, err) != "bbox" {
			t.Errorf("%q: the problem does not name bbox", c.in)
		}
	}
}

func TestParseLimitOffset(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
		bad  bool
	}{
		{"", defaultLimit, false}, {"1", 1, false}, {"1000", 1000, false}, {"1001", maxLimit, false}, {"99999999", maxLimit, false},
		{"0", 0, true}, {"-1", 0, true}, {"1.5", 0, true}, {"unlimited", 0, true},
	} {
		got, err := parseLimit(c.in)
		if (err != nil) != c.bad || got != c.want || (c.bad && param(t, err) != "limit") {
			t.Errorf("limit %q: %d, %v", c.in, got, err)
		}
	}
	for _, c := range []struct {
		in   string
		want int
		bad  bool
	}{{"", 0, false}, {"0", 0, false}, {"30", 30, false}, {"-1", 0, true}, {"x", 0, true}} {
		got, err := parseOffset(c.in)
		if (err != nil) != c.bad || got != c.want || (c.bad && param(t, err) != "offset") {
			t.Errorf("offset %q: %d, %v", c.in, got, err)
		}
	}
}

func TestParseProperties(t *testing.T) {
	all := []string{"code", "name", "region"}
	for _, c := range []struct {
		in      string
		present bool
		want    []string
		bad     bool
	}{
		{"", false, all, false},
		{"", true, []string{}, false},
		{"region,code", true, []string{"code", "region"}, false},
		{"name, ,name", true, []string{"name"}, false},
		{"code,population", true, nil, true},
	} {
		got, err := parseProperties(c.in, c.present, all)
		if (err != nil) != c.bad || !slices.Equal(got, c.want) || (c.bad && param(t, err) != "properties") {
			t.Errorf("properties %q: %v, %v", c.in, got, err)
		}
	}
}
