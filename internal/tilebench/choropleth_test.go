package tilebench

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

func TestChoroplethScenarios(t *testing.T) {
	const api = "/api/v1/indicators/"
	cases := []struct {
		name      string
		indicator string
		level     territory.Level
		within    string
		target    float64
		paths     []string
	}{
		{"zones-emploi", "chomage-ze", territory.ZoneEmploi, "", 10, []string{
			api + "chomage-ze/choropleth?level=zone-emploi",
			api + "chomage-ze/choropleth?classes=5&level=zone-emploi&method=quantiles&period=2023-T3",
			api + "chomage-ze/choropleth?classes=7&level=zone-emploi&method=jenks&period=2023-T3",
			api + "chomage-ze/choropleth?classes=5&level=zone-emploi&method=equal-intervals&period=2023-T2",
			api + "chomage-ze/choropleth?classes=7&level=zone-emploi&method=quantiles&period=2023-T2",
			api + "chomage-ze/choropleth?classes=5&level=zone-emploi&method=jenks&period=2022-T4",
			api + "chomage-ze/choropleth?classes=7&level=zone-emploi&method=equal-intervals&period=2022-T4",
			api + "chomage-ze/choropleth?classes=5&level=zone-emploi&method=quantiles&period=2020-T2",
			api + "chomage-ze/choropleth?classes=7&level=zone-emploi&method=jenks&period=2020-T2",
		}},
		{"communes-76", "population-commune", territory.Commune, "region:76", 50, []string{
			api + "population-commune/choropleth?classes=5&level=commune&method=quantiles&within=region%3A76",
			api + "population-commune/choropleth?classes=7&level=commune&method=quantiles&within=region%3A76",
			api + "population-commune/choropleth?classes=5&level=commune&method=jenks&within=region%3A76",
			api + "population-commune/choropleth?classes=7&level=commune&method=jenks&within=region%3A76",
		}},
		{"evolution-zones-emploi", "chomage-ze", territory.ZoneEmploi, "", 10, []string{
			api + "chomage-ze/evolution?level=zone-emploi",
			api + "chomage-ze/evolution?classes=5&from=2020-T2&level=zone-emploi&method=quantiles&to=2023-T3",
			api + "chomage-ze/evolution?classes=7&from=2020-T2&level=zone-emploi&method=jenks&to=2023-T3",
			api + "chomage-ze/evolution?classes=5&from=2022-T4&level=zone-emploi&method=equal-intervals&to=2023-T3",
			api + "chomage-ze/evolution?classes=7&from=2022-T4&level=zone-emploi&method=quantiles&to=2023-T2",
		}},
		{"bivariate-zones-emploi", "chomage-ze", territory.ZoneEmploi, "", 10, []string{
			api + "chomage-ze/bivariate?level=zone-emploi&with=population-ze",
			api + "chomage-ze/bivariate?level=zone-emploi&period=2023-T3&with=population-ze",
			api + "chomage-ze/bivariate?level=zone-emploi&period=2023-T2&with=population-ze",
			api + "chomage-ze/bivariate?level=zone-emploi&period=2022-T4&with=population-ze",
			api + "chomage-ze/bivariate?level=zone-emploi&period=2020-T2&with=population-ze",
		}},
		{"evolution-at-zones-emploi", "demo-at-frequence", territory.ZoneEmploi, "", TargetChoroplethZonesP99MS, []string{
			api + "demo-at-frequence/evolution?level=zone-emploi",
			api + "demo-at-frequence/evolution?classes=5&from=2020&level=zone-emploi&method=jenks&to=2023",
			api + "demo-at-frequence/evolution?classes=7&from=2022&level=zone-emploi&method=quantiles&to=2023",
			api + "demo-at-frequence/evolution?classes=5&from=2021&level=zone-emploi&method=equal-intervals&to=2023",
		}},
		{"bivariate-at-zones-emploi", "demo-at-frequence", territory.ZoneEmploi, "", TargetChoroplethZonesP99MS, []string{
			api + "demo-at-frequence/bivariate?level=zone-emploi&with=chomage-ze",
			api + "demo-at-frequence/bivariate?level=zone-emploi&period=2023&with=chomage-ze&with-period=2023-T3",
			api + "demo-at-frequence/bivariate?level=zone-emploi&period=2022&with=chomage-ze&with-period=2022-T4",
			api + "demo-at-frequence/bivariate?level=zone-emploi&period=2020&with=chomage-ze&with-period=2020-T4",
		}},
	}
	scs := ChoroplethScenarios()
	if len(scs) != len(cases) {
		t.Fatalf("%d scenarios, want %d", len(scs), len(cases))
	}
	for i, c := range cases {
		s := scs[i]
		t.Run(c.name, func(t *testing.T) {
			if s.Name != c.name || s.Indicator != c.indicator || s.Level != c.level || s.Within != c.within || s.TargetP99MS != c.target {
				t.Errorf("scenario %+v", s)
			}
			got := s.Paths()
			if strings.Join(got, "\n") != strings.Join(c.paths, "\n") {
				t.Errorf("paths:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.paths, "\n"))
			}
			seen := map[string]bool{}
			for _, p := range got {
				if seen[p] {
					t.Errorf("duplicate URL %s", p)
				}
				seen[p] = true
				// Every URL is one the server accepts.
				u, err := url.Parse(p)
				if err != nil {
					t.Fatal(err)
				}
				q := u.Query()
				if lv, err := territory.ParseLevel(q.Get("level")); err != nil || lv != c.level {
					t.Errorf("%s: level %q", p, q.Get("level"))
				}
				if w := q.Get("within"); w != c.within {
					t.Errorf("%s: within %q", p, w)
				}
				if v := q.Get("period"); v != "" {
					if pp, err := indicator.ParsePeriod(v); err != nil || pp.String() != v {
						t.Errorf("%s: period %q not canonical (%v)", p, v, err)
					}
				}
				if v := q.Get("method"); v != "" {
					if _, err := indicator.ParseMethod(v); err != nil {
						t.Errorf("%s: %v", p, err)
					}
				}
				if v := q.Get("classes"); v != "" {
					var n int
					if _, err := fmt.Sscan(v, &n); err != nil || n < indicator.MinClasses || n > indicator.MaxClasses {
						t.Errorf("%s: classes %q", p, v)
					}
				}
			}
		})
	}
	// The zones' 8 explicit sets cover the 4 periods, the 3 methods and
	// both numbers of classes.
	periods, methods, classes := map[string]bool{}, map[string]bool{}, map[int]bool{}
	for _, p := range scs[0].Params[1:] {
		periods[p.Period], methods[p.Method], classes[p.Classes] = true, true, true
	}
	if len(scs[0].Params) != 9 || len(periods) != 4 || len(methods) != 3 || len(classes) != 2 {
		t.Errorf("zones: %d sets, periods %v, methods %v, classes %v", len(scs[0].Params), periods, methods, classes)
	}
}

func TestChoroplethParamsString(t *testing.T) {
	cases := []struct {
		p    ChoroplethParams
		want string
	}{
		{ChoroplethParams{}, "latest period, defaults"},
		{ChoroplethParams{Period: "2023-T3", Method: "jenks", Classes: 7}, "2023-T3 jenks 7"},
		{ChoroplethParams{Method: "quantiles", Classes: 5}, "latest period quantiles 5"},
		{ChoroplethParams{Classes: 5}, "latest period 5"},
		{ChoroplethParams{From: "2020-T2", To: "2023-T3", Method: "jenks", Classes: 7}, "2020-T2→2023-T3 jenks 7"},
	}
	for _, c := range cases {
		if got := c.p.String(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.p, got, c.want)
		}
	}
}

// etagServer answers /a and /b with a gzip or identity body and honours
// If-None-Match; /bad answers 304 whatever is asked.
func etagServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/bad" {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		body := []byte(`{"period":"2023","method":"jenks","territories":[{},{},{}]}`)
		tag := `"` + r.URL.Path + `"`
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			zw.Write(body) //nolint:errcheck // memory
			zw.Close()     //nolint:errcheck // memory
			body, tag = b.Bytes(), `"`+r.URL.Path+`-gz"`
			w.Header().Set("Content-Encoding", "gzip")
		}
		w.Header().Set("ETag", tag)
		if inm := r.Header.Get("If-None-Match"); inm != "" && strings.HasPrefix(inm, `"`+r.URL.Path) {
			w.Header().Del("Content-Encoding")
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(body) //nolint:errcheck // the client went away
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFetchURLConditional(t *testing.T) {
	srv := etagServer(t)
	c := NewClient(2, 5*time.Second)
	ctx := context.Background()
	f := FetchURL(ctx, c, srv.URL+"/a", "gzip", nil, true)
	if !f.OK() || f.Header.Get("ETag") != `"/a-gz"` || f.Header.Get("Content-Encoding") != "gzip" || f.URL != srv.URL+"/a" {
		t.Fatalf("first: %+v", f)
	}
	f = FetchURL(ctx, c, srv.URL+"/a", "gzip", http.Header{"If-None-Match": {`"/a-gz"`}}, false)
	if f.Err != nil || f.Status != http.StatusNotModified || f.Bytes != 0 {
		t.Errorf("conditional: %+v, want a 304 without error", f)
	}
	// A 304 to a request that was not conditional is an error.
	if f = FetchURL(ctx, c, srv.URL+"/bad", "gzip", nil, false); f.Err == nil || f.Status != http.StatusNotModified {
		t.Errorf("unconditional 304: %+v, want an error", f)
	}
	fs, total, err := SequentialURLs(ctx, c, []string{srv.URL + "/a", srv.URL + "/b"}, "identity", true)
	if err != nil || len(fs) != 2 || total <= 0 || !fs[1].OK() || fs[1].Header.Get("ETag") != `"/b"` {
		t.Errorf("sequential: %v, %d fetches, %v", err, len(fs), total)
	}
}

func TestLoadConditional(t *testing.T) {
	srv := etagServer(t)
	c := NewClient(4, 5*time.Second)
	urls := []string{srv.URL + "/a", srv.URL + "/b"}
	opt := LoadOptions{Duration: time.Minute, Concurrency: 4, MaxRequests: 200, Seed: 1, AcceptEncoding: "gzip"}

	r := Load(context.Background(), c, urls, opt)
	if r.Requests != 200 || r.Errors != 0 || r.Statuses[http.StatusOK] != 200 {
		t.Errorf("plain: %d requests, %d errors, statuses %v", r.Requests, r.Errors, r.Statuses)
	}

	opt.Header = map[string]http.Header{
		urls[0]: {"If-None-Match": {`"/a-gz"`}},
		urls[1]: {"If-None-Match": {`"/b"`}}, // the identity tag names the same response
	}
	r = Load(context.Background(), c, urls, opt)
	if r.Requests != 200 || r.Errors != 0 || r.Statuses[http.StatusNotModified] != 200 {
		t.Errorf("conditional: %d requests, %d errors, statuses %v", r.Requests, r.Errors, r.Statuses)
	}
	f := NewRunFigures(r)
	if f.Requests != 200 || f.Statuses[http.StatusNotModified] != 200 || f.P99MS < f.P50MS {
		t.Errorf("figures %+v", f)
	}

	// A stale tag gets the body again: not an error, but not a 304.
	opt.Header[urls[0]] = http.Header{"If-None-Match": {`"stale"`}}
	r = Load(context.Background(), c, urls[:1], opt)
	if r.Errors != 0 || r.Statuses[http.StatusOK] != 200 || r.Statuses[http.StatusNotModified] != 0 {
		t.Errorf("stale: %d errors, statuses %v", r.Errors, r.Statuses)
	}
}

func gzipped(s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s)) //nolint:errcheck // memory
	zw.Close()          //nolint:errcheck // memory
	return b.Bytes()
}

func TestNewScenarioFigures(t *testing.T) {
	s := ChoroplethScenario{Name: "x", Title: "x", Indicator: "i", Level: territory.ZoneEmploi, TargetP99MS: 10,
		Params: []ChoroplethParams{{}, {Period: "2023-T3"}, {Period: "2023-T2"}, {Period: "2022-T4"}}}
	body := func(n int) string {
		return `{"period":"2023-T3","method":"quantiles","territories":[` + strings.TrimSuffix(strings.Repeat("{},", n), ",") + `]}`
	}
	gz := func(lat time.Duration, etag string, n int) Fetch {
		b := gzipped(body(n))
		h := http.Header{"Content-Encoding": {"gzip"}}
		if etag != "" {
			h.Set("ETag", etag)
		}
		return Fetch{Status: 200, Bytes: len(b), Body: b, Header: h, Latency: lat}
	}
	id := func(n int) Fetch {
		b := []byte(body(n))
		return Fetch{Status: 200, Bytes: len(b), Body: b, Header: http.Header{}}
	}
	cold := []Fetch{
		gz(4*time.Millisecond, `"a"`, 300),
		gz(2*time.Millisecond, `"b"`, 302),
		gz(3*time.Millisecond, "", 302), // no ETag
		{Status: 200, Bytes: 3, Body: []byte("{}x"), Header: http.Header{"Etag": {`"d"`}}, Latency: time.Millisecond}, // not gzip
	}
	identity := []Fetch{id(300), id(302), id(302), id(302)}
	warm := LoadResult{Requests: 100, Elapsed: time.Second, Latencies: []time.Duration{time.Millisecond, 2 * time.Millisecond}, Statuses: map[int]int{200: 100}}
	cond := LoadResult{Requests: 50, Elapsed: time.Second, Latencies: []time.Duration{time.Millisecond}, Statuses: map[int]int{304: 49, 200: 1}}
	f := NewScenarioFigures(s, cold, 10*time.Millisecond, identity, warm, cond)

	if f.URLs != 4 || len(f.Responses) != 4 || f.ColdErrors != 2 {
		t.Fatalf("urls %d, responses %d, cold errors %d: %+v", f.URLs, len(f.Responses), f.ColdErrors, f.Responses)
	}
	if f.Responses[0].ETag != `"a"` || f.Responses[0].Territories != 300 || f.Responses[0].Period != "2023-T3" || f.Responses[0].Method != "quantiles" {
		t.Errorf("first response %+v", f.Responses[0])
	}
	if f.Responses[2].Error != "no ETag" || !strings.Contains(f.Responses[3].Error, "not gzip") {
		t.Errorf("errors: %q, %q", f.Responses[2].Error, f.Responses[3].Error)
	}
	if f.TerritoriesMin != 300 || f.TerritoriesMax != 302 || f.territoriesCell() != "300–302" {
		t.Errorf("territories %d–%d", f.TerritoriesMin, f.TerritoriesMax)
	}
	wantBytes := float64(len(body(300))+len(body(302))) / 2
	if f.BytesMean != wantBytes || f.GzipBytesMean <= 0 || f.GzipBytesMean >= f.BytesMean {
		t.Errorf("bytes mean %g (want %g), gzip %g", f.BytesMean, wantBytes, f.GzipBytesMean)
	}
	if f.ColdP50MS != 2 || f.ColdMaxMS != 4 || f.ColdP99MS != 4 || f.ColdTotalMS != 10 {
		t.Errorf("cold p50 %g, p99 %g, max %g, total %g", f.ColdP50MS, f.ColdP99MS, f.ColdMaxMS, f.ColdTotalMS)
	}
	if f.Warm.RPS != 100 || f.Warm.P99MS != 2 || f.NotModified != 49 || f.FirstError == "" {
		t.Errorf("warm %+v, 304s %d, first error %q", f.Warm, f.NotModified, f.FirstError)
	}
	if v, ok := f.NotModifiedShare(); !ok || v != 98 {
		t.Errorf("304 share %g %v", v, ok)
	}
}

func TestChoroplethTargets(t *testing.T) {
	good := func() []ScenarioFigures {
		mk := func(title string, limit float64) ScenarioFigures {
			return ScenarioFigures{Scenario: ChoroplethScenario{Title: title, TargetP99MS: limit},
				Warm:        RunFigures{Requests: 1000, P99MS: limit / 2},
				Conditional: RunFigures{Requests: 1000}, NotModified: 1000}
		}
		return []ScenarioFigures{mk("zones", 10), mk("communes", 50)}
	}
	cases := []struct {
		name   string
		change func(fs []ScenarioFigures)
		want   [4]bool // zones p99, zones 304, communes p99, communes 304
	}{
		{"all pass", func(fs []ScenarioFigures) {}, [4]bool{true, true, true, true}},
		{"zones p99 exactly 10 ms", func(fs []ScenarioFigures) { fs[0].Warm.P99MS = 10 }, [4]bool{false, true, true, true}},
		{"communes p99 49.9 ms", func(fs []ScenarioFigures) { fs[1].Warm.P99MS = 49.9 }, [4]bool{true, true, true, true}},
		{"communes p99 60 ms", func(fs []ScenarioFigures) { fs[1].Warm.P99MS = 60 }, [4]bool{true, true, false, true}},
		{"warm errors", func(fs []ScenarioFigures) { fs[0].Warm.Errors = 1 }, [4]bool{false, true, true, true}},
		{"no warm request", func(fs []ScenarioFigures) { fs[1].Warm.Requests = 0 }, [4]bool{true, true, false, true}},
		{"one 200 among the 304s", func(fs []ScenarioFigures) { fs[0].NotModified = 999 }, [4]bool{true, false, true, true}},
		{"conditional errors", func(fs []ScenarioFigures) { fs[1].Conditional.Errors = 2 }, [4]bool{true, true, true, false}},
		{"no conditional request", func(fs []ScenarioFigures) { fs[1].Conditional.Requests, fs[1].NotModified = 0, 0 }, [4]bool{true, true, true, false}},
	}
	for _, c := range cases {
		fs := good()
		c.change(fs)
		ts := ChoroplethTargets(fs)
		if len(ts) != 4 {
			t.Fatalf("%s: %d targets", c.name, len(ts))
		}
		for i, tg := range ts {
			if tg.Pass != c.want[i] {
				t.Errorf("%s: %s pass=%v, want %v (%s)", c.name, tg.Name, tg.Pass, c.want[i], tg.Summary())
			}
		}
	}
}

func TestChoroplethFormat(t *testing.T) {
	scs := ChoroplethScenarios()
	zones := ScenarioFigures{Scenario: scs[0], URLs: 9, TerritoriesMin: 302, TerritoriesMax: 302, BytesMean: 30455, GzipBytesMean: 5781,
		ColdP50MS: 5.93, ColdP99MS: 17.8, ColdMaxMS: 17.8,
		Warm:        RunFigures{Requests: 44430, RPS: 4443, P50MS: 2.8, P99MS: 12.5},
		Conditional: RunFigures{Requests: 78450, RPS: 7845, P50MS: 1.74, P99MS: 6.42}, NotModified: 78450,
		Responses: []ResponseFigures{{Params: scs[0].Params[0], Period: "2023-T3", Method: "quantiles", Territories: 302, Bytes: 30288, GzipBytes: 5750, ColdMS: 17.8}}}
	communes := ScenarioFigures{Scenario: scs[1], URLs: 4, TerritoriesMin: 4445, TerritoriesMax: 4445, BytesMean: 428661, GzipBytesMean: 69295,
		Warm:        RunFigures{Requests: 100, RPS: 10, P50MS: 2, P99MS: 7},
		Conditional: RunFigures{Requests: 100, RPS: 10, P50MS: 1, P99MS: 6}, NotModified: 100,
		Responses: []ResponseFigures{{Params: scs[1].Params[0], Error: "HTTP 500"}}}
	rep := &ChoroplethReport{WarmDuration: 10, Concurrency: 16, Seed: 1, PeakRSSBytes: 236.7e6, Scenarios: []ScenarioFigures{zones, communes}}
	rep.Targets = ChoroplethTargets(rep.Scenarios)
	var sb strings.Builder
	if err := rep.Format(&sb); err != nil {
		t.Fatal(err)
	}
	out := sb.String()
	for _, want := range []string{
		"zones d'emploi: chomage-ze at level zone-emploi, 9 URLs",
		"communes, région 76: population-commune at level commune within region:76, 4 URLs",
		"targets: 3 of 4 PASS",
		"FAIL: warm p99, zones d'emploi is 12.5 ms (target < 10 ms)",
		"100 % (78 450 of 78 450)",
		"0.19× identity",
		"4 445",
		"FAILED: HTTP 500",
		"peak RSS of the server (VmHWM): 236.7 MB",
		"latest period, defaults",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Table rows are aligned: the value column starts at the same offset
	// on every row of the first table.
	lines := strings.Split(out, "\n")
	var header int
	for i, l := range lines {
		if strings.HasPrefix(l, "scenario ") {
			header = i
			break
		}
	}
	at := strings.Index(lines[header], "value")
	for _, l := range lines[header+2:] {
		if l == "" {
			break
		}
		if strings.TrimSpace(l) == "" {
			continue
		}
		rs := []rune(l)
		hr := []rune(lines[header])
		col := len([]rune(lines[header][:at]))
		if len(rs) <= col || rs[col-1] != ' ' || rs[col] == ' ' || len(hr) <= col {
			t.Errorf("row not aligned on the value column:\n%s\n%s", lines[header], l)
		}
	}
	if !strings.Contains(lines[header], "target") || !strings.Contains(lines[header], "result") {
		t.Errorf("header %q", lines[header])
	}
}
