package tilebench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"

	"github.com/atlas-sante-travail/atlas/internal/territory"
)

func TestTileList(t *testing.T) {
	// Counts from the slippy-map formulas, computed independently:
	// France at z5 is x 15..16 × y 10..11, z6 31..33 × 21..23,
	// z7 62..67 × 42..47, z8 124..134 × 85..95.
	one := []string{"departements"}
	two := []string{"departements", "zones-emploi"}
	cases := []struct {
		name   string
		layers []string
		b      orb.Bound
		zmin   int
		zmax   int
		want   int
		first  Tile
	}{
		{"France z5", one, France, 5, 5, 4, Tile{"departements", 5, 15, 10}},
		{"France z6", one, France, 6, 6, 9, Tile{"departements", 6, 31, 21}},
		{"France z7", one, France, 7, 7, 36, Tile{"departements", 7, 62, 42}},
		{"France z8", one, France, 8, 8, 121, Tile{"departements", 8, 124, 85}},
		{"France z5-8", one, France, 5, 8, 170, Tile{"departements", 5, 15, 10}},
		{"France z5-8 two layers", two, France, 5, 8, 340, Tile{"departements", 5, 15, 10}},
		{"France z0", one, France, 0, 0, 1, Tile{"departements", 0, 0, 0}},
		{"France z10", one, France, 10, 10, 1763, Tile{"departements", 10, 497, 342}},
		{"around null island z1", one, orb.Bound{Min: orb.Point{-1, -1}, Max: orb.Point{1, 1}}, 1, 1, 4, Tile{"departements", 1, 0, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := TileList(c.layers, c.b, c.zmin, c.zmax)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != c.want {
				t.Fatalf("%d tiles, want %d", len(got), c.want)
			}
			if got[0] != c.first {
				t.Errorf("first tile %v, want %v", got[0], c.first)
			}
			seen := map[Tile]bool{}
			for i, tl := range got {
				if seen[tl] {
					t.Fatalf("duplicate %v", tl)
				}
				seen[tl] = true
				if i > 0 && tl.Layer == got[i-1].Layer && tl.Z == got[i-1].Z &&
					(tl.X < got[i-1].X || tl.X == got[i-1].X && tl.Y < got[i-1].Y) {
					t.Fatalf("not ordered: %v after %v", tl, got[i-1])
				}
			}
		})
	}
}

func TestTileListErrors(t *testing.T) {
	cases := []struct {
		name   string
		layers []string
		b      orb.Bound
		zmin   int
		zmax   int
	}{
		{"no layer", nil, France, 5, 8},
		{"zooms reversed", []string{"regions"}, France, 8, 5},
		{"zoom too high", []string{"regions"}, France, 5, 23},
		{"empty bbox", []string{"regions"}, orb.Bound{Min: orb.Point{2, 45}, Max: orb.Point{2, 46}}, 5, 8},
		{"beyond mercator", []string{"regions"}, orb.Bound{Min: orb.Point{2, 45}, Max: orb.Point{3, 89}}, 5, 8},
	}
	for _, c := range cases {
		if _, err := TileList(c.layers, c.b, c.zmin, c.zmax); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

func TestTilePath(t *testing.T) {
	tl := Tile{"zones-emploi", 7, 64, 44}
	if got, want := tl.Path(), "/tiles/zones-emploi/7/64/44.mvt"; got != want {
		t.Errorf("Path = %q, want %q", got, want)
	}
}

func TestParseBBox(t *testing.T) {
	cases := []struct {
		in   string
		want orb.Bound
		ok   bool
	}{
		{"-5.2,41.3,9.6,51.1", France, true},
		{" -5.2, 41.3 ,9.6,51.1", France, true},
		{"-5.2,41.3,9.6", orb.Bound{}, false},
		{"a,41.3,9.6,51.1", orb.Bound{}, false},
		{"9.6,41.3,-5.2,51.1", orb.Bound{}, false},
		{"-5.2,41.3,9.6,88", orb.Bound{}, false},
	}
	for _, c := range cases {
		got, err := ParseBBox(c.in)
		if (err == nil) != c.ok {
			t.Errorf("ParseBBox(%q) error %v, want ok=%v", c.in, err, c.ok)
			continue
		}
		if c.ok && got != c.want {
			t.Errorf("ParseBBox(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestParseLayers(t *testing.T) {
	cases := []struct {
		in   string
		want string
		ok   bool
	}{
		{"departements,zones-emploi", "departements,zones-emploi", true},
		{"departement, zone-emploi,departements", "departements,zones-emploi", true},
		{"regions", "regions", true},
		{"cantons", "", false},
		{" , ", "", false},
	}
	for _, c := range cases {
		got, err := ParseLayers(c.in)
		if (err == nil) != c.ok {
			t.Errorf("ParseLayers(%q) error %v, want ok=%v", c.in, err, c.ok)
			continue
		}
		if c.ok && strings.Join(got, ",") != c.want {
			t.Errorf("ParseLayers(%q) = %v, want %s", c.in, got, c.want)
		}
	}
}

func millis(n ...int) []time.Duration {
	out := make([]time.Duration, len(n))
	for i, v := range n {
		out[i] = time.Duration(v) * time.Millisecond
	}
	return out
}

func seq(n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = time.Duration(i+1) * time.Millisecond
	}
	return out
}

func TestPercentile(t *testing.T) {
	cases := []struct {
		name string
		in   []time.Duration
		p    float64
		want time.Duration
	}{
		{"empty", nil, 50, 0},
		{"single p50", millis(7), 50, 7 * time.Millisecond},
		{"single p99", millis(7), 99, 7 * time.Millisecond},
		{"two p50", millis(1, 9), 50, 1 * time.Millisecond},
		{"two p99", millis(1, 9), 99, 9 * time.Millisecond},
		{"1..100 p50", seq(100), 50, 50 * time.Millisecond},
		{"1..100 p99", seq(100), 99, 99 * time.Millisecond},
		{"1..100 p100", seq(100), 100, 100 * time.Millisecond},
		{"1..10 p99", seq(10), 99, 10 * time.Millisecond},
		{"1..10 p50", seq(10), 50, 5 * time.Millisecond},
		{"1..1000 p99", seq(1000), 99, 990 * time.Millisecond},
		{"tiny p", seq(10), 0.0001, 1 * time.Millisecond},
	}
	for _, c := range cases {
		if got := Percentile(c.in, c.p); got != c.want {
			t.Errorf("%s: Percentile(p%g) = %v, want %v", c.name, c.p, got, c.want)
		}
	}
}

func TestTargets(t *testing.T) {
	good := func() (Figures, Figures) {
		o := Figures{WarmRPS: 9000, ColdTotalMS: 200, BytesMean: 500, PeakRSSBytes: 150e6}
		b := Figures{WarmRPS: 100, ColdTotalMS: 1000, BytesMean: 1000}
		return o, b
	}
	cases := []struct {
		name   string
		change func(o, b *Figures)
		want   [4]bool // warm, cold, bytes, rss
	}{
		{"all pass", func(o, b *Figures) {}, [4]bool{true, true, true, true}},
		{"warm exactly 30×", func(o, b *Figures) { o.WarmRPS = 3000 }, [4]bool{true, true, true, true}},
		{"warm 29×", func(o, b *Figures) { o.WarmRPS = 2900 }, [4]bool{false, true, true, true}},
		{"cold exactly 0.5×", func(o, b *Figures) { o.ColdTotalMS = 500 }, [4]bool{true, false, true, true}},
		{"bytes exactly 0.6×", func(o, b *Figures) { o.BytesMean = 600 }, [4]bool{true, true, true, true}},
		{"bytes 0.605×", func(o, b *Figures) { o.BytesMean = 605 }, [4]bool{true, true, false, true}},
		{"rss 300 MB", func(o, b *Figures) { o.PeakRSSBytes = 300e6 }, [4]bool{true, true, true, false}},
		{"rss unknown", func(o, b *Figures) { o.PeakRSSBytes = 0 }, [4]bool{true, true, true, false}},
		{"baseline did nothing", func(o, b *Figures) { b.WarmRPS = 0 }, [4]bool{false, true, true, true}},
		{"ours warm errors", func(o, b *Figures) { o.WarmErrors = 3 }, [4]bool{false, true, true, true}},
		{"baseline cold errors", func(o, b *Figures) { b.ColdErrors = 1 }, [4]bool{true, false, false, true}},
	}
	for _, c := range cases {
		o, b := good()
		c.change(&o, &b)
		ts := Targets(o, b)
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

func TestFormatNumbers(t *testing.T) {
	ints := map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1 000", 1234567: "1 234 567", -45000: "-45 000"}
	for in, want := range ints {
		if got := FormatInt(in); got != want {
			t.Errorf("FormatInt(%d) = %q, want %q", in, got, want)
		}
	}
	durs := []struct {
		ms   float64
		want string
	}{{0.25, "250 µs"}, {1.5, "1.50 ms"}, {42.17, "42.2 ms"}, {1500, "1.50 s"}, {61000, "61.00 s"}}
	for _, c := range durs {
		if got := FormatMS(c.ms); got != c.want {
			t.Errorf("FormatMS(%g) = %q, want %q", c.ms, got, c.want)
		}
	}
	ratios := []struct {
		r    float64
		want string
	}{{271.4, "271×"}, {31.25, "31.2×"}, {1.5, "1.50×"}, {0.605, "0.605×"}, {0.00712, "0.00712×"}}
	for _, c := range ratios {
		if got := FormatRatio(c.r); got != c.want {
			t.Errorf("FormatRatio(%g) = %q, want %q", c.r, got, c.want)
		}
	}
}

func sampleReport() *Report {
	o := Figures{Tiles: 340, NonEmpty: 330, ColdTotalMS: 900, ColdP50MS: 2.1, ColdP99MS: 30,
		WarmRequests: 200000, WarmSeconds: 20, WarmRPS: 10000, WarmP50MS: 1.2, WarmP99MS: 8,
		BytesTotal: 330 * 605, BytesMean: 605, GzipBytesTotal: 330 * 400, GzipBytesMean: 400, PeakRSSBytes: 141_700_000}
	b := Figures{Tiles: 340, NonEmpty: 331, ColdTotalMS: 60000, ColdP50MS: 20, ColdP99MS: 900,
		WarmRequests: 1000, WarmSeconds: 20.5, WarmRPS: 48.8, WarmP50MS: 160, WarmP99MS: 2100,
		BytesTotal: 331 * 1000, BytesMean: 1000, GzipBytesTotal: 331 * 700, GzipBytesMean: 700}
	r := &Report{Layers: []string{"departements", "zones-emploi"}, MinZoom: 5, MaxZoom: 8,
		BBox: [4]float64{-5.2, 41.3, 9.6, 51.1}, WarmDuration: 20, Concurrency: 16, Seed: 1, BaselineConns: 16,
		Tiles: 340, Ours: o, Baseline: b,
		Differences: []Difference{{Tile: "zones-emploi/6/32/22", Ours: 119, Baseline: 118, OnlyOurs: []uint64{300235874}}}}
	r.Ours.PerLayer = map[string]LayerBytes{"departements": {BytesMean: 500}, "zones-emploi": {BytesMean: 700}}
	r.Baseline.PerLayer = map[string]LayerBytes{"departements": {BytesMean: 1000}, "zones-emploi": {BytesMean: 1000}}
	r.Limit = &Figures{WarmRequests: 240000, WarmSeconds: 20, WarmRPS: 12000, WarmP50MS: 1, WarmP99MS: 4}
	r.Targets = append(Targets(o, b), LimitTargets(o, *r.Limit)...)
	return r
}

func TestFormat(t *testing.T) {
	var sb strings.Builder
	if err := sampleReport().Format(&sb); err != nil {
		t.Fatal(err)
	}
	out := sb.String()
	lines := strings.Split(out, "\n")
	header := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "measure ") {
			header = i
			break
		}
	}
	if header < 0 {
		t.Fatalf("no header line in\n%s", out)
	}
	// Every column starts at the same (rune) offset on every table row.
	cols := []string{"ours", "baseline", "ratio", "target", "result"}
	offsets := map[string]int{}
	for _, c := range cols {
		offsets[c] = utf8.RuneCountInString(lines[header][:strings.Index(lines[header], " "+c+" ")+1])
	}
	rows := map[string][]string{
		"cold pass total":                {"900.0 ms", "60.00 s", "0.015×", "< 0.5×", "PASS"},
		"warm throughput (req/s)":        {"10 000", "49", "205×", "≥ 30×", "PASS"},
		"mean bytes / non-empty tile":    {"605", "1 000", "0.605×", "≤ 0.6×", "FAIL"},
		"peak RSS of the server (VmHWM)": {"141.7 MB", "n/a **", "", "< 300 MB", "PASS"},
		"tiles requested":                {"340", "340", "", "", ""},
		"non-empty tiles":                {"330", "331", "", "", ""},
		"  mean bytes, zones-emploi":     {"700", "1 000", "0.7×", "", ""},
		"against the limit ***":          {"ours", "limit", "ratio", "", ""},
		"limit: warm throughput (req/s)": {"10 000", "12 000", "0.833×", "≥ 0.9×", "FAIL"},
		"limit: warm p99":                {"8.00 ms", "4.00 ms", "2.00×", "≤ 1.5×", "FAIL"},
		"bytes on the wire: gzip":        {"132 000", "", "0.661× of identity", "", ""},
	}
	found := 0
	for _, l := range lines[header+2:] {
		if l == "" {
			break
		}
		for label, want := range rows {
			if !strings.HasPrefix(l, label+"  ") {
				continue
			}
			found++
			for i, c := range cols {
				if want[i] == "" {
					continue
				}
				rs := []rune(l)
				at := offsets[c]
				if at+utf8.RuneCountInString(want[i]) > len(rs) || string(rs[at:at+utf8.RuneCountInString(want[i])]) != want[i] {
					t.Errorf("row %q: column %s does not start with %q at %d:\n%s\n%s", label, c, want[i], at, lines[header], l)
				}
			}
		}
	}
	if found != len(rows) {
		t.Errorf("found %d of the %d expected rows in\n%s", found, len(rows), out)
	}
	for _, want := range []string{
		"targets: 3 of 6 PASS",
		"FAIL: warm throughput vs limit is 0.833× the limit's (target ≥ 0.9×)",
		"FAIL: mean bytes is 0.605× the baseline (target ≤ 0.6×)",
		"zones-emploi/6/32/22: ours 119, baseline 118 features; only in ours [300235874]",
		"layers departements,zones-emploi, zooms 5-8, bbox -5.2,41.3,9.6,51.1; warm 20s at concurrency 16, seed 1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestParseVmHWM(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"Name:\tatlas\nVmPeak:\t  900000 kB\nVmHWM:\t  141700 kB\nVmRSS:\t  120000 kB\n", 141700 * 1024, true},
		{"VmHWM: 12 kB", 12 * 1024, true},
		{"Name:\tatlas\n", 0, false},
		{"VmHWM:\tlots kB\n", 0, false},
		{"VmHWM:\t12 MB\n", 0, false},
	}
	for _, c := range cases {
		got, err := ParseVmHWM(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseVmHWM(%q) = %d, %v; want %d, ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestParseTilePath(t *testing.T) {
	cases := []struct {
		z, x, y string
		ok      bool
	}{
		{"5", "16", "11.mvt", true},
		{"0", "0", "0.mvt", true},
		{"5", "16", "11", false},
		{"5", "32", "11.mvt", false},
		{"5", "16", "-1.mvt", false},
		{"23", "0", "0.mvt", false},
		{"a", "0", "0.mvt", false},
	}
	for _, c := range cases {
		z, x, y, err := ParseTilePath(c.z, c.x, c.y)
		if (err == nil) != c.ok {
			t.Errorf("ParseTilePath(%s, %s, %s) error %v, want ok=%v", c.z, c.x, c.y, err, c.ok)
		}
		if c.ok && fmt.Sprintf("%d/%d/%d.mvt", z, x, y) != c.z+"/"+c.x+"/"+c.y {
			t.Errorf("ParseTilePath(%s, %s, %s) = %d/%d/%d", c.z, c.x, c.y, z, x, y)
		}
	}
}

func TestBaselineSQL(t *testing.T) {
	cases := []struct {
		level territory.Level
		has   []string
		lacks []string
	}{
		{territory.Departement, []string{"NULLIF(region, '') AS region"}, []string{"departement,", "zone_emploi"}},
		{territory.ZoneEmploi, []string{"NULLIF(region, '') AS region"}, []string{"departement,", "zone_emploi"}},
		{territory.Region, nil, []string{"NULLIF"}},
		{territory.Commune, []string{"AS region", "AS departement", "AS zone_emploi"}, nil},
	}
	for _, c := range cases {
		q := BaselineSQL(c.level)
		for _, s := range append([]string{"ST_AsMVT(q, $1, 4096, 'geom', 'fid')", "ST_TileEnvelope($3, $4, $5, margin => 64.0 / 4096)", "level = $2", "ST_Transform(geom, 3857)"}, c.has...) {
			if !strings.Contains(q, s) {
				t.Errorf("%s: query lacks %q:\n%s", c.level, s, q)
			}
		}
		for _, s := range c.lacks {
			if strings.Contains(q, s) {
				t.Errorf("%s: query has %q:\n%s", c.level, s, q)
			}
		}
	}
}

// tileServer answers 200 with a few bytes, 204 for y=0 and 500 for y=9.
func tileServer(t *testing.T, hits *atomic.Int64) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch {
		case strings.HasSuffix(r.URL.Path, "/0.mvt"):
			w.WriteHeader(http.StatusNoContent)
		case strings.HasSuffix(r.URL.Path, "/9.mvt"):
			http.Error(w, "boom", http.StatusInternalServerError)
		default:
			w.Write([]byte("tile:" + r.URL.Path))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestSequential(t *testing.T) {
	var hits atomic.Int64
	srv := tileServer(t, &hits)
	c := NewClient(2, 5*time.Second)
	tiles := []Tile{{"regions", 1, 0, 0}, {"regions", 1, 0, 1}, {"regions", 4, 0, 9}}
	fs, total, err := Sequential(context.Background(), c, srv.URL, tiles, "identity", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 3 || hits.Load() != 3 || total <= 0 {
		t.Fatalf("%d fetches, %d hits, total %v", len(fs), hits.Load(), total)
	}
	if !fs[0].Empty() || fs[0].Status != 204 {
		t.Errorf("first tile: %+v, want empty", fs[0])
	}
	if !fs[1].OK() || fs[1].Bytes != len("tile:/tiles/regions/1/0/1.mvt") || string(fs[1].Body) != "tile:/tiles/regions/1/0/1.mvt" {
		t.Errorf("second tile: %+v", fs[1])
	}
	if fs[2].OK() || fs[2].Status != 500 || fs[2].Err == nil {
		t.Errorf("third tile: %+v, want an error", fs[2])
	}
}

func TestLoadBounds(t *testing.T) {
	var hits atomic.Int64
	srv := tileServer(t, &hits)
	c := NewClient(4, 5*time.Second)
	urls := []string{srv.URL + "/tiles/regions/1/0/0.mvt", srv.URL + "/tiles/regions/1/0/1.mvt"}

	r := Load(context.Background(), c, urls, LoadOptions{Duration: time.Minute, Concurrency: 4, MaxRequests: 137, Seed: 1})
	if r.Requests != 137 || hits.Load() != 137 || r.Errors != 0 {
		t.Errorf("bounded by count: %d requests, %d hits, %d errors; want 137, 137, 0", r.Requests, hits.Load(), r.Errors)
	}
	if len(r.Latencies) != r.Requests || r.Latencies[0] > r.Latencies[len(r.Latencies)-1] {
		t.Errorf("latencies: %d, not sorted or wrong count", len(r.Latencies))
	}

	start := time.Now()
	r = Load(context.Background(), c, urls, LoadOptions{Duration: 200 * time.Millisecond, Concurrency: 4, Seed: 1})
	if took := time.Since(start); took > 5*time.Second || r.Requests == 0 || r.RPS() <= 0 {
		t.Errorf("bounded by time: took %v, %d requests, %g/s", took, r.Requests, r.RPS())
	}

	r = Load(context.Background(), c, []string{srv.URL + "/tiles/regions/4/0/9.mvt"}, LoadOptions{Duration: time.Minute, Concurrency: 2, MaxRequests: 10, Seed: 1})
	if r.Requests != 10 || r.Errors != 10 || r.FirstError == "" {
		t.Errorf("errors: %d requests, %d errors, first %q", r.Requests, r.Errors, r.FirstError)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r = Load(ctx, c, urls, LoadOptions{Duration: time.Minute, Concurrency: 2, Seed: 1}); r.Requests != 0 {
		t.Errorf("cancelled: %d requests", r.Requests)
	}
}

func mvtTile(t *testing.T, layer string, ids ...uint64) []byte {
	fc := geojson.NewFeatureCollection()
	for i, id := range ids {
		f := geojson.NewFeature(orb.Polygon{{{0, 0}, {10, 0}, {10, 10 + float64(i)}, {0, 0}}})
		f.ID = id
		fc.Append(f)
	}
	b, err := mvt.Marshal(mvt.Layers{mvt.NewLayer(layer, fc)})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCompare(t *testing.T) {
	tl := func(y int) Tile { return Tile{"departements", 5, 16, y} }
	f := func(y int, body []byte) Fetch {
		st := 200
		if body == nil {
			st = 204
		}
		return Fetch{Tile: tl(y), Status: st, Bytes: len(body), Body: body}
	}
	ours := []Fetch{
		f(1, mvtTile(t, "departements", 1, 2, 3)),
		f(2, mvtTile(t, "departements", 1, 2, 4)),
		f(3, nil),
		f(4, mvtTile(t, "regions", 1)),
		f(5, []byte("junk")),
	}
	base := []Fetch{
		f(1, mvtTile(t, "departements", 3, 2, 1)),
		f(2, mvtTile(t, "departements", 1, 2, 5, 6)),
		f(3, nil),
		f(4, mvtTile(t, "departements", 1)),
		f(5, mvtTile(t, "departements", 1)),
	}
	diffs, bad := Compare(ours, base)
	if len(diffs) != 1 {
		t.Fatalf("differences %+v, want one", diffs)
	}
	d := diffs[0]
	if d.Tile != "departements/5/16/2" || d.Ours != 3 || d.Baseline != 4 ||
		fmt.Sprint(d.OnlyOurs) != "[4]" || fmt.Sprint(d.OnlyBaseline) != "[5 6]" {
		t.Errorf("difference %+v", d)
	}
	if len(bad) != 2 || !strings.Contains(bad[0], `layer named "regions"`) || !strings.Contains(bad[1], "departements/5/16/5") {
		t.Errorf("bad tiles %q", bad)
	}
}

func TestServerFigures(t *testing.T) {
	tl := func(layer string, y int) Tile { return Tile{layer, 5, 16, y} }
	cold := []Fetch{
		{Tile: tl("departements", 1), Status: 200, Bytes: 100, Latency: 10 * time.Millisecond, Body: make([]byte, 100)},
		{Tile: tl("departements", 2), Status: 204, Latency: 2 * time.Millisecond},
		{Tile: tl("zones-emploi", 1), Status: 200, Bytes: 300, Latency: 30 * time.Millisecond, Body: make([]byte, 300)},
		{Tile: tl("zones-emploi", 2), Status: 500, Latency: 1 * time.Millisecond, Err: fmt.Errorf("HTTP 500")},
	}
	gz := []Fetch{
		{Tile: tl("departements", 1), Status: 200, Bytes: 40, Body: append([]byte{0x1f, 0x8b}, make([]byte, 38)...)},
		{Tile: tl("departements", 2), Status: 204},
		{Tile: tl("zones-emploi", 1), Status: 200, Bytes: 5, Body: []byte("plain")},
		{Tile: tl("zones-emploi", 2), Status: 200, Bytes: 60, Body: append([]byte{0x1f, 0x8b}, make([]byte, 58)...)},
	}
	brHdr := http.Header{"Content-Encoding": {"br"}}
	br := []Fetch{
		{Tile: tl("departements", 1), Status: 200, Bytes: 30, Header: brHdr},
		{Tile: tl("departements", 2), Status: 204},
		{Tile: tl("zones-emploi", 1), Status: 200, Bytes: 70, Header: brHdr},
		{Tile: tl("zones-emploi", 2), Status: 200, Bytes: 300, Header: http.Header{}}, // not br
	}
	warm := LoadResult{Requests: 200, Errors: 0, Elapsed: 2 * time.Second, Latencies: seq(200)}
	f := ServerFigures(cold, 50*time.Millisecond, warm, gz, br)
	checks := []struct {
		name      string
		got, want float64
	}{
		{"tiles", float64(f.Tiles), 4},
		{"non-empty", float64(f.NonEmpty), 2},
		{"cold errors (one 500, one non-gzip answer, one non-br answer)", float64(f.ColdErrors), 3},
		{"cold total", f.ColdTotalMS, 50},
		{"cold p50", f.ColdP50MS, 2},
		{"cold p99", f.ColdP99MS, 30},
		{"bytes total", float64(f.BytesTotal), 400},
		{"bytes mean", f.BytesMean, 200},
		{"gzip total", float64(f.GzipBytesTotal), 100},
		{"br total", float64(f.BrBytesTotal), 100},
		{"br mean", f.BrBytesMean, 50},
		{"departements mean", f.PerLayer["departements"].BytesMean, 100},
		{"zones-emploi mean", f.PerLayer["zones-emploi"].BytesMean, 300},
		{"warm rps", f.WarmRPS, 100},
		{"warm p50", f.WarmP50MS, 100},
		{"warm p99", f.WarmP99MS, 198},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %g, want %g", c.name, c.got, c.want)
		}
	}
	if !strings.HasPrefix(f.FirstError, "zones-emploi/5/16/2: HTTP 500") {
		t.Errorf("first error %q", f.FirstError)
	}
	// Without compressed passes, the bodies are compressed here.
	if f := ServerFigures(cold, 0, LoadResult{}, nil, nil); f.GzipBytesTotal <= 0 || f.GzipBytesTotal >= 400 || f.BrBytesTotal <= 0 || f.BrBytesTotal >= 400 {
		t.Errorf("computed gzip bytes %d, br bytes %d", f.GzipBytesTotal, f.BrBytesTotal)
	}
}
