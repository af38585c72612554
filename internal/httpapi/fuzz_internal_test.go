package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/httpx"
	"github.com/atlas-sante-travail/atlas/internal/workshop"
)

// checkProblem fails unless err is a 400 problem naming one parameter,
// among params when they are given.
func checkProblem(t *testing.T, err error, params ...string) {
	t.Helper()
	var p *httpx.Problem
	if !errors.As(err, &p) || p.Status != http.StatusBadRequest || len(p.InvalidParams) != 1 || p.InvalidParams[0].Name == "" ||
		(len(params) > 0 && !slices.Contains(params, p.InvalidParams[0].Name)) {
		t.Fatalf("%v (%T): want a 400 problem naming one of %v", err, err, params)
	}
}

// workshopBodies are the JSON bodies the workshop routes decode, made
// afresh for each request.
var workshopBodies = []func() any{
	func() any { return new(workshop.Create) },
	func() any { return new(workshop.View) },
	func() any {
		return new(struct {
			Name string `json:"name"`
		})
	},
	func() any {
		return new(struct {
			Following *bool `json:"following"`
		})
	},
	func() any {
		return new(struct {
			Level string `json:"level"`
			Code  string `json:"code"`
		})
	},
	func() any {
		return new(struct {
			Title string        `json:"title"`
			View  workshop.View `json:"view"`
		})
	},
}

func decodeBytes(body []byte, v any) error {
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	return decodeBody(echo.New().NewContext(req, httptest.NewRecorder()), v)
}

// FuzzWorkshopBody: a workshop request body is either one JSON object of
// the route's shape, which decodes the same once encoded again, or a 400
// problem naming the field at fault (or "body"); never a panic or a 500.
func FuzzWorkshopBody(f *testing.F) {
	for i, s := range []string{
		`{"title":"Atelier","region":"76","view":{"indicator":"taux-at","level":"departement","classes":5,"bounds":[-1,42,4,45],
"analysis":{"mode":"evolution","from":"2019"}},"allow_anonymous":true,"allow_pointing":false}`,
		`{"indicator":"taux-at","bounds":[1e400,0,0,0]}`, `{"name":"Zoé"} {"name":"x"}`, `{"following":"oui"}`,
		`{"level":"region","code":76}`, `{"title":"x","view":{"selection":null,"extra":1}}`, ``, `[`, `{"Title":"casse"}`,
		`{"title":"\ud800"}`, strings.Repeat(`[`, 10000),
	} {
		f.Add(uint8(i), []byte(s))
	}
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		mk := workshopBodies[int(kind)%len(workshopBodies)]
		v := mk()
		if err := decodeBytes(body, v); err != nil {
			checkProblem(t, err)
			return
		}
		js, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("accepted %q but cannot encode %+v: %v", body, v, err)
		}
		back := mk()
		if err := decodeBytes(js, back); err != nil || !reflect.DeepEqual(back, v) {
			t.Fatalf("%s decodes as %+v, %v; want %+v", js, back, err, v)
		}
	})
}

// FuzzEmbedQuery: an embedded map's query is either a 400 naming the
// parameter the partner typed, or switches, a printable title of at most
// maxTitle characters and a view (z, lat, lon) of finite numbers in range.
func FuzzEmbedQuery(f *testing.F) {
	for _, s := range []string{
		"", "i=taux-at&l=departement&r=76&legend=0&controls=1&title=Taux+AT&z=5.5&lat=43.6&lon=1.44",
		"legend=oui", "z=loin", "z=NaN", "lat=-Inf", "lon=1e3", "title=%00", "title=%ff", "r=fr&l=france&k=5&pal=viridis",
		"title=" + strings.Repeat("é", 200),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, _ := url.ParseQuery(raw)
		out, err := parseEmbedQuery(q)
		if err != nil {
			checkProblem(t, err, "legend", "controls", "title", "z", "lat", "lon")
			return
		}
		if utf8.RuneCountInString(out.Title) > maxTitle || !utf8.ValidString(out.Title) || strings.IndexFunc(out.Title, unicode.IsControl) >= 0 {
			t.Fatalf("%q: title %q accepted", raw, out.Title)
		}
		for _, c := range embedRanges {
			v := strings.TrimSpace(q.Get(c.name))
			if v == "" {
				continue
			}
			x, err := strconv.ParseFloat(v, 64)
			if err != nil || math.IsNaN(x) || x < c.min || x > c.max {
				t.Fatalf("%q: %s=%q accepted", raw, c.name, v)
			}
		}
	})
}

// FuzzRouteScalars: the small parameters read by the routes themselves
// (oembed's maxwidth, the CSV separator, a stream's resume point from
// Last-Event-ID or after, a step number) are a 400 naming the parameter
// or a value in their range.
func FuzzRouteScalars(f *testing.F) {
	for _, s := range [][3]string{
		{"maxwidth=600&sep=%3B&after=12", "", "3"}, {"sep=;&maxwidth=0", "7", "0"}, {"sep=semicolon&after=-1", "x", "-2"},
		{"maxwidth=1e4&sep=|", "99999999999999999999", "01"}, {"sep=comma", "", ""},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, rawQuery, lastEventID, step string) {
		req, err := http.NewRequest(http.MethodGet, "http://atlas.test/?"+rawQuery, nil)
		if err != nil {
			return
		}
		if lastEventID != "" {
			req.Header.Set("Last-Event-ID", lastEventID)
		}
		c := echo.New().NewContext(req, httptest.NewRecorder())
		c.SetParamNames("step")
		c.SetParamValues(step)
		if n, err := maxDim(c.QueryParams(), "maxwidth"); err != nil {
			checkProblem(t, err, "maxwidth")
		} else if n < 0 || n > 10000 {
			t.Fatalf("maxwidth %d", n)
		}
		if sep, err := csvSeparator(c); err != nil {
			checkProblem(t, err, "sep")
		} else if sep != "" && sep != "," && sep != ";" {
			t.Fatalf("sep %q", sep)
		}
		if n, err := resumeAfter(c); err != nil {
			checkProblem(t, err, "Last-Event-ID", "after")
		} else if n < 0 {
			t.Fatalf("after %d", n)
		}
		if n, err := stepID(c); err != nil {
			checkProblem(t, err, "step")
		} else if n < 1 {
			t.Fatalf("step %d", n)
		}
	})
}
