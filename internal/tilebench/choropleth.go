package tilebench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// The choropleth benchmark measures the indicator maps of the API
// (GET /api/v1/indicators/{id}/choropleth, and the analysis maps
// /evolution and /bivariate), which the server computes once per import
// and then answers from memory with a strong ETag and a gzip form. It reuses the tile bench's child server, sequential pass, load loop,
// percentiles and target evaluation.

// Warm p99 targets of the choropleth scenarios, in milliseconds.
const (
	TargetChoroplethZonesP99MS    = 10.0
	TargetChoroplethCommunesP99MS = 50.0
)

// ChoroplethParams is one parameter set of a choropleth request; empty
// fields are left to the server (latest period, its default method and
// number of classes).
type ChoroplethParams struct {
	Period  string `json:"period,omitempty"`
	Method  string `json:"method,omitempty"`
	Classes int    `json:"classes,omitempty"`
	// From and To are the periods of an evolution map.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// WithPeriod is the second indicator's period of a bivariate map.
	WithPeriod string `json:"with_period,omitempty"`
}

// String is a short label: "2023-T3 jenks 7", "latest period, defaults".
func (p ChoroplethParams) String() string {
	var parts []string
	switch {
	case p.From != "" || p.To != "":
		parts = append(parts, p.From+"→"+p.To)
	case p.Period == "":
		parts = append(parts, "latest period")
	default:
		parts = append(parts, p.Period)
	}
	if p.WithPeriod != "" {
		parts[len(parts)-1] += " × " + p.WithPeriod
	}
	if p.Method != "" {
		parts = append(parts, p.Method)
	}
	if p.Classes != 0 {
		parts = append(parts, strconv.Itoa(p.Classes))
	}
	if p.Method == "" && p.Classes == 0 {
		return strings.Join(parts, " ") + ", defaults"
	}
	return strings.Join(parts, " ")
}

// ChoroplethScenario is one indicator map at one level, requested with
// several parameter sets (one distinct response each).
type ChoroplethScenario struct {
	Name        string             `json:"name"`  // short id, e.g. zones-emploi
	Title       string             `json:"title"` // for the table
	Indicator   string             `json:"indicator"`
	Level       territory.Level    `json:"level"`
	Within      string             `json:"within,omitempty"` // LEVEL:CODE
	Params      []ChoroplethParams `json:"params"`
	TargetP99MS float64            `json:"target_warm_p99_ms"`
	// Route is the map asked for: "" (the choropleth), "evolution" or
	// "bivariate".
	Route string `json:"route,omitempty"`
	// With is the second indicator of a bivariate map.
	With string `json:"with,omitempty"`
}

// Path is the URL path and query of one parameter set. The query is in
// url.Values order (sorted keys), as the server keys its cache.
func (s ChoroplethScenario) Path(p ChoroplethParams) string {
	q := url.Values{}
	q.Set("level", string(s.Level))
	if s.Within != "" {
		q.Set("within", s.Within)
	}
	if p.Period != "" {
		q.Set("period", p.Period)
	}
	if p.Method != "" {
		q.Set("method", p.Method)
	}
	if p.Classes != 0 {
		q.Set("classes", strconv.Itoa(p.Classes))
	}
	if p.From != "" {
		q.Set("from", p.From)
	}
	if p.To != "" {
		q.Set("to", p.To)
	}
	if s.With != "" {
		q.Set("with", s.With)
	}
	if p.WithPeriod != "" {
		q.Set("with-period", p.WithPeriod)
	}
	route := s.Route
	if route == "" {
		route = "choropleth"
	}
	return "/api/v1/indicators/" + url.PathEscape(s.Indicator) + "/" + route + "?" + q.Encode()
}

// Paths lists the scenario's URL paths, in the order of its parameters.
func (s ChoroplethScenario) Paths() []string {
	out := make([]string, len(s.Params))
	for i, p := range s.Params {
		out[i] = s.Path(p)
	}
	return out
}

// ChoroplethScenarios are the fixed inputs of `atlas bench choropleth`:
// unemployment by zone d'emploi (every zone: the latest period with the
// server's defaults, then 8 distinct periods × methods × classes), and the
// population of the communes of Occitanie (région 76) with two methods and
// two numbers of classes; then the analysis maps of every zone d'emploi:
// the evolution of unemployment (first → last period by default, then
// chosen pairs, methods and classes) and the bivariate map of unemployment
// against population at four periods; then the same for the fictive
// sinistralité drawn by commune, whose zones d'emploi are computed from the
// communes of two régions and pass the secret statistique: the evolution
// of the AT frequency and its bivariate map against unemployment, by sex
// and sector too. Every indicator comes with `atlas import demo`.
func ChoroplethScenarios() []ChoroplethScenario {
	return []ChoroplethScenario{
		{
			Name: "zones-emploi", Title: "zones d'emploi", Indicator: "chomage-ze", Level: territory.ZoneEmploi,
			Params: []ChoroplethParams{
				{},
				{Period: "2023-T3", Method: "quantiles", Classes: 5},
				{Period: "2023-T3", Method: "jenks", Classes: 7},
				{Period: "2023-T2", Method: "equal-intervals", Classes: 5},
				{Period: "2023-T2", Method: "quantiles", Classes: 7},
				{Period: "2022-T4", Method: "jenks", Classes: 5},
				{Period: "2022-T4", Method: "equal-intervals", Classes: 7},
				{Period: "2020-T2", Method: "quantiles", Classes: 5},
				{Period: "2020-T2", Method: "jenks", Classes: 7},
			},
			TargetP99MS: TargetChoroplethZonesP99MS,
		},
		{
			Name: "communes-76", Title: "communes, région 76", Indicator: "population-commune", Level: territory.Commune,
			Within: "region:76",
			Params: []ChoroplethParams{
				{Method: "quantiles", Classes: 5},
				{Method: "quantiles", Classes: 7},
				{Method: "jenks", Classes: 5},
				{Method: "jenks", Classes: 7},
			},
			TargetP99MS: TargetChoroplethCommunesP99MS,
		},
		{
			Name: "evolution-zones-emploi", Title: "évolution, zones d'emploi", Indicator: "chomage-ze", Level: territory.ZoneEmploi,
			Route: "evolution",
			Params: []ChoroplethParams{
				{},
				{From: "2020-T2", To: "2023-T3", Method: "quantiles", Classes: 5},
				{From: "2020-T2", To: "2023-T3", Method: "jenks", Classes: 7},
				{From: "2022-T4", To: "2023-T3", Method: "equal-intervals", Classes: 5},
				{From: "2022-T4", To: "2023-T2", Method: "quantiles", Classes: 7},
			},
			TargetP99MS: TargetChoroplethZonesP99MS,
		},
		{
			Name: "bivariate-zones-emploi", Title: "bivariée, zones d'emploi", Indicator: "chomage-ze", Level: territory.ZoneEmploi,
			Route: "bivariate", With: "population-ze",
			Params: []ChoroplethParams{
				{}, {Period: "2023-T3"}, {Period: "2023-T2"}, {Period: "2022-T4"}, {Period: "2020-T2"},
			},
			TargetP99MS: TargetChoroplethZonesP99MS,
		},
		{
			Name: "evolution-at-zones-emploi", Title: "évolution AT, zones d'emploi", Indicator: "demo-at-frequence", Level: territory.ZoneEmploi,
			Route: "evolution",
			Params: []ChoroplethParams{
				{},
				{From: "2020", To: "2023", Method: "jenks", Classes: 5},
				{From: "2022", To: "2023", Method: "quantiles", Classes: 7},
				{From: "2021", To: "2023", Method: "equal-intervals", Classes: 5},
			},
			TargetP99MS: TargetChoroplethZonesP99MS,
		},
		{
			Name: "bivariate-at-zones-emploi", Title: "bivariée AT × chômage, zones d'emploi", Indicator: "demo-at-frequence", Level: territory.ZoneEmploi,
			Route: "bivariate", With: "chomage-ze",
			Params: []ChoroplethParams{
				{}, {Period: "2023", WithPeriod: "2023-T3"}, {Period: "2022", WithPeriod: "2022-T4"}, {Period: "2020", WithPeriod: "2020-T4"},
			},
			TargetP99MS: TargetChoroplethZonesP99MS,
		},
	}
}

// ResponseFigures describe one distinct response: what the server answered
// to its first (cold) request, and its size in both encodings.
type ResponseFigures struct {
	Path        string           `json:"path"`
	Params      ChoroplethParams `json:"params"`
	Period      string           `json:"period"` // as answered
	Method      string           `json:"method"` // as answered
	Territories int              `json:"territories"`
	Bytes       int              `json:"bytes"`
	GzipBytes   int              `json:"gzip_bytes"`
	ETag        string           `json:"etag"`
	ColdMS      float64          `json:"cold_ms"`
	Error       string           `json:"error,omitempty"`
}

// RunFigures sum up a load run; durations in milliseconds.
type RunFigures struct {
	Requests   int         `json:"requests"`
	Errors     int         `json:"errors"`
	Seconds    float64     `json:"seconds"`
	RPS        float64     `json:"rps"`
	P50MS      float64     `json:"p50_ms"`
	P99MS      float64     `json:"p99_ms"`
	Statuses   map[int]int `json:"statuses"`
	FirstError string      `json:"first_error,omitempty"`
}

// NewRunFigures sums up a load run.
func NewRunFigures(r LoadResult) RunFigures {
	st := r.Statuses
	if st == nil {
		st = map[int]int{}
	}
	return RunFigures{
		Requests: r.Requests, Errors: r.Errors, Seconds: r.Elapsed.Seconds(), RPS: r.RPS(),
		P50MS: ms(Percentile(r.Latencies, 50)), P99MS: ms(Percentile(r.Latencies, 99)),
		Statuses: st, FirstError: r.FirstError,
	}
}

// ScenarioFigures are one scenario's measures. Bytes are means per
// response; cold latencies are of each response's first request.
type ScenarioFigures struct {
	Scenario       ChoroplethScenario `json:"scenario"`
	URLs           int                `json:"urls"`
	Responses      []ResponseFigures  `json:"responses"`
	TerritoriesMin int                `json:"territories_min"`
	TerritoriesMax int                `json:"territories_max"`
	BytesMean      float64            `json:"bytes_mean"`
	GzipBytesMean  float64            `json:"gzip_bytes_mean"`
	ColdErrors     int                `json:"cold_errors"`
	ColdTotalMS    float64            `json:"cold_total_ms"`
	ColdP50MS      float64            `json:"cold_p50_ms"`
	ColdP99MS      float64            `json:"cold_p99_ms"`
	ColdMaxMS      float64            `json:"cold_max_ms"`
	Warm           RunFigures         `json:"warm"`
	Conditional    RunFigures         `json:"conditional"`
	// NotModified counts the conditional requests answered 304.
	NotModified int    `json:"conditional_304"`
	FirstError  string `json:"first_error,omitempty"`
}

// NotModifiedShare is the percentage of conditional answers that were 304.
func (f ScenarioFigures) NotModifiedShare() (float64, bool) {
	if f.Conditional.Requests == 0 {
		return 0, false
	}
	return 100 * float64(f.NotModified) / float64(f.Conditional.Requests), true
}

// ChoroplethReport is everything a choropleth run measured.
type ChoroplethReport struct {
	WarmDuration float64           `json:"warm_duration_s"`
	Concurrency  int               `json:"concurrency"`
	Seed         uint64            `json:"seed"`
	Scenarios    []ScenarioFigures `json:"scenarios"`
	PeakRSSBytes int64             `json:"peak_rss_bytes,omitempty"`
	Targets      []Target          `json:"targets"`
}

// answer is what the bench reads of a choropleth body.
type answer struct {
	Period      string            `json:"period"`
	Method      string            `json:"method"`
	Territories []json.RawMessage `json:"territories"`
	// The period of an evolution is its last one (to), that of a
	// bivariate map its first indicator's (a.period).
	To string `json:"to"`
	A  struct {
		Period string `json:"period"`
	} `json:"a"`
}

// period is the period the answer is of.
func (a answer) period() string {
	switch {
	case a.Period != "":
		return a.Period
	case a.To != "":
		return a.To
	}
	return a.A.Period
}

// NewScenarioFigures sums up one scenario: cold holds the first request of
// each URL (Accept-Encoding: gzip, bodies kept), identity the same URLs
// asked without compression (bodies kept), warm and cond the load runs.
func NewScenarioFigures(s ChoroplethScenario, cold []Fetch, coldTotal time.Duration, identity []Fetch, warm, cond LoadResult) ScenarioFigures {
	f := ScenarioFigures{Scenario: s, URLs: len(s.Params), Responses: []ResponseFigures{}, ColdTotalMS: ms(coldTotal)}
	fail := func(r *ResponseFigures, err string) {
		if r.Error == "" {
			f.ColdErrors++
			r.Error = err
			if f.FirstError == "" {
				f.FirstError = r.Path + ": " + err
			}
		}
	}
	var bytesTotal, gzTotal, ok int
	for i, p := range s.Params {
		r := ResponseFigures{Path: s.Path(p), Params: p}
		if i < len(cold) {
			c := cold[i]
			r.ColdMS, r.GzipBytes = ms(c.Latency), c.Bytes
			switch {
			case !c.OK():
				fail(&r, errString(c.Err, c.Status))
			case c.Header.Get("Content-Encoding") != "gzip" || !bytes.HasPrefix(c.Body, []byte{0x1f, 0x8b}):
				fail(&r, "answer to Accept-Encoding: gzip is not gzip")
			case c.Header.Get("ETag") == "":
				fail(&r, "no ETag")
			default:
				r.ETag = c.Header.Get("ETag")
			}
		} else {
			fail(&r, "not requested")
		}
		if i < len(identity) {
			id := identity[i]
			r.Bytes = id.Bytes
			var a answer
			switch {
			case !id.OK():
				fail(&r, errString(id.Err, id.Status))
			case id.Header.Get("Content-Encoding") != "":
				fail(&r, "answer to Accept-Encoding: identity is encoded "+id.Header.Get("Content-Encoding"))
			default:
				if err := json.Unmarshal(id.Body, &a); err != nil {
					fail(&r, "body is not a choropleth: "+err.Error())
				}
			}
			r.Period, r.Method, r.Territories = a.period(), a.Method, len(a.Territories)
		} else {
			fail(&r, "not requested")
		}
		if r.Error == "" {
			if ok == 0 || r.Territories < f.TerritoriesMin {
				f.TerritoriesMin = r.Territories
			}
			f.TerritoriesMax = max(f.TerritoriesMax, r.Territories)
			bytesTotal += r.Bytes
			gzTotal += r.GzipBytes
			ok++
		}
		f.Responses = append(f.Responses, r)
	}
	if ok > 0 {
		f.BytesMean = float64(bytesTotal) / float64(ok)
		f.GzipBytesMean = float64(gzTotal) / float64(ok)
	}
	lat := Latencies(cold)
	f.ColdP50MS, f.ColdP99MS, f.ColdMaxMS = ms(Percentile(lat, 50)), ms(Percentile(lat, 99)), ms(Percentile(lat, 100))
	f.Warm, f.Conditional = NewRunFigures(warm), NewRunFigures(cond)
	f.NotModified = f.Conditional.Statuses[http.StatusNotModified]
	for _, e := range []string{f.Warm.FirstError, f.Conditional.FirstError} {
		if f.FirstError == "" && e != "" {
			f.FirstError = e
		}
	}
	return f
}

func errString(err error, status int) string {
	if err != nil {
		return err.Error()
	}
	return "HTTP " + strconv.Itoa(status)
}

// ChoroplethTargets evaluates, for each scenario, the warm p99 against the
// scenario's limit and that every conditional request was answered 304.
func ChoroplethTargets(scs []ScenarioFigures) []Target {
	var ts []Target
	for _, f := range scs {
		ts = append(ts, NewTarget("warm p99, "+f.Scenario.Title, f.Warm.P99MS, f.Warm.Requests > 0, "<", f.Scenario.TargetP99MS, "ms", f.Warm.Errors))
		share, ok := f.NotModifiedShare()
		ts = append(ts, NewTarget("304 answers, "+f.Scenario.Title, share, ok, ">=", 100, "%", f.Conditional.Errors))
	}
	return ts
}

// ChoroplethConfig is one choropleth benchmark run.
type ChoroplethConfig struct {
	Scenarios []ChoroplethScenario // nil: ChoroplethScenarios()
	Run                            // Duration: of each warm and of each conditional run
}

// ErrDemoMissing is wrapped by the error of a run whose indicators or
// territories are not in the database.
var ErrDemoMissing = errors.New("run `atlas import demo` first")

// RunChoropleth checks that the scenarios' indicators and levels are in the
// database, starts `atlas serve`, and measures each scenario: the cold pass (each URL
// once, gzip accepted), the same URLs without compression (for the sizes),
// a warm load with gzip, and a conditional load carrying the ETag of each
// URL's first answer. The server is stopped with SIGTERM whatever happens.
func RunChoropleth(ctx context.Context, cfg ChoroplethConfig) (rep *ChoroplethReport, err error) {
	if cfg.Run, err = cfg.Run.withDefaults(); err != nil {
		return nil, err
	}
	log := cfg.Log
	if cfg.Scenarios == nil {
		cfg.Scenarios = ChoroplethScenarios()
	}
	if err := CheckChoroplethData(ctx, cfg.DatabaseURL, cfg.Scenarios); err != nil {
		return nil, err
	}
	srv, client, err := startServer(ctx, log, cfg.AtlasBin, cfg.DatabaseURL, cfg.ServerOutput, cfg.ReadyTimeout, cfg.Concurrency)
	if err != nil {
		return nil, err
	}
	defer func() {
		if serr := srv.stop(log, client); serr != nil && err == nil {
			err = serr
		}
	}()

	rep = &ChoroplethReport{WarmDuration: cfg.Duration.Seconds(), Concurrency: cfg.Concurrency, Seed: cfg.Seed}
	for _, s := range cfg.Scenarios {
		us := make([]string, 0, len(s.Params))
		for _, p := range s.Paths() {
			us = append(us, srv.URL+p)
		}
		log.Info("cold pass", "scenario", s.Name, "urls", len(us))
		cold, coldT, err := SequentialURLs(ctx, client, us, "gzip", true)
		if err != nil {
			return nil, err
		}
		identity, _, err := SequentialURLs(ctx, client, us, "identity", true)
		if err != nil {
			return nil, err
		}
		opt := LoadOptions{Duration: cfg.Duration, Concurrency: cfg.Concurrency, MaxRequests: cfg.MaxRequests, Seed: cfg.Seed, AcceptEncoding: "gzip"}
		log.Info("warm run", "scenario", s.Name, "duration", cfg.Duration, "concurrency", cfg.Concurrency)
		warm := Load(ctx, client, us, opt)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		opt.Header = map[string]http.Header{}
		for i, c := range cold {
			if tag := c.Header.Get("ETag"); tag != "" {
				opt.Header[us[i]] = http.Header{"If-None-Match": {tag}}
			}
		}
		log.Info("conditional run", "scenario", s.Name, "duration", cfg.Duration, "concurrency", cfg.Concurrency)
		cond := Load(ctx, client, us, opt)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rep.Scenarios = append(rep.Scenarios, NewScenarioFigures(s, cold, coldT, identity, warm, cond))
	}
	rss, err := PeakRSS(srv.Pid())
	if err != nil {
		log.Warn("peak RSS unavailable", "err", err)
	}
	rep.PeakRSSBytes = rss
	rep.Targets = ChoroplethTargets(rep.Scenarios)
	return rep, nil
}

// CheckChoroplethData checks in the database that the scenarios'
// indicators and the territories of their levels were imported, as `atlas
// import demo` does; the error then wraps ErrDemoMissing. (Without any
// territory the server would not even become ready.)
func CheckChoroplethData(ctx context.Context, databaseURL string, scenarios []ChoroplethScenario) error {
	st, err := store.Open(ctx, databaseURL, 10*time.Second)
	if err != nil {
		return err
	}
	defer st.Close()
	cat, err := st.Indicators(ctx)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, e := range cat {
		have[e.ID] = true
	}
	var missing []string
	for _, s := range scenarios {
		if !have[s.Indicator] {
			missing = append(missing, "indicator "+s.Indicator)
		}
		if s.With != "" && !have[s.With] {
			missing = append(missing, "indicator "+s.With)
		}
		sum, err := st.ActiveTerritorySHA(ctx, s.Level)
		if err != nil {
			return err
		}
		if sum == "" {
			missing = append(missing, "territories of level "+string(s.Level))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("not in the database: %s: %w", strings.Join(missing, ", "), ErrDemoMissing)
	}
	return nil
}

// territoriesCell is "302" or "280–302" when the responses differ.
func (f ScenarioFigures) territoriesCell() string {
	if f.TerritoriesMin == f.TerritoriesMax {
		return FormatInt(int64(f.TerritoriesMax))
	}
	return FormatInt(int64(f.TerritoriesMin)) + "–" + FormatInt(int64(f.TerritoriesMax))
}

// Format writes the report as aligned plain-text tables: the measures of
// each scenario with their targets, then every distinct response.
func (r *ChoroplethReport) Format(w io.Writer) error {
	var sb strings.Builder
	sb.WriteString("atlas bench choropleth: atlas serve on loopback; cold = first request of each URL after start (the response is computed), Accept-Encoding: gzip\n")
	fmt.Fprintf(&sb, "warm and conditional runs of %gs each per scenario at concurrency %d, seed %d, Accept-Encoding: gzip; conditional = If-None-Match: the ETag of the first answer\n", r.WarmDuration, r.Concurrency, r.Seed)
	for _, f := range r.Scenarios {
		s := f.Scenario
		within := ""
		if s.Within != "" {
			within = " within " + s.Within
		}
		fmt.Fprintf(&sb, "  %s: %s at level %s%s, %d URLs\n", s.Title, s.Indicator, s.Level, within, f.URLs)
	}
	sb.WriteByte('\n')

	tw := tabwriter.NewWriter(&sb, 0, 0, 2, ' ', 0)
	row := func(cells ...string) { fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t") }
	row("scenario", "measure", "value", "ratio", "target", "result")
	row("--------", "-------", "-----", "-----", "------", "------")
	for i, f := range r.Scenarios {
		if i > 0 {
			row("", "", "", "", "", "")
		}
		name := f.Scenario.Title
		first := true
		line := func(target string, cells ...string) {
			sc := ""
			if first {
				sc, first = name, false
			}
			t, ok := findTarget(r.Targets, target)
			if target == "" || !ok {
				row(append(append([]string{sc}, cells...), "", "")...)
				return
			}
			row(append(append([]string{sc}, cells...), t.limitCell(), t.result())...)
		}
		line("", "territories / response", f.territoriesCell(), "")
		line("", "bytes / response, identity", FormatInt(int64(math.Round(f.BytesMean))), "")
		line("", "bytes / response, gzip", FormatInt(int64(math.Round(f.GzipBytesMean))), ratioOf(f.GzipBytesMean, f.BytesMean, "identity"))
		line("", "cold p50", FormatMS(f.ColdP50MS), "")
		line("", "cold p99", FormatMS(f.ColdP99MS), "")
		line("", "cold max", FormatMS(f.ColdMaxMS), "")
		line("", "warm throughput (req/s)", FormatInt(int64(math.Round(f.Warm.RPS))), "")
		line("", "warm p50", FormatMS(f.Warm.P50MS), ratioOf(f.Warm.P50MS, f.ColdP50MS, "cold p50"))
		line("warm p99, "+name, "warm p99", FormatMS(f.Warm.P99MS), ratioOf(f.Warm.P99MS, f.ColdP99MS, "cold p99"))
		line("", "conditional throughput (req/s)", FormatInt(int64(math.Round(f.Conditional.RPS))), ratioOf(f.Conditional.RPS, f.Warm.RPS, "warm"))
		line("", "conditional p50", FormatMS(f.Conditional.P50MS), ratioOf(f.Conditional.P50MS, f.Warm.P50MS, "warm"))
		line("", "conditional p99", FormatMS(f.Conditional.P99MS), ratioOf(f.Conditional.P99MS, f.Warm.P99MS, "warm"))
		share := "n/a"
		if v, ok := f.NotModifiedShare(); ok {
			share = fmt.Sprintf("%s %% (%s of %s)", strconv.FormatFloat(math.Floor(v*10)/10, 'f', -1, 64), FormatInt(int64(f.NotModified)), FormatInt(int64(f.Conditional.Requests)))
		}
		line("304 answers, "+name, "conditional answers 304", share, "")
		line("", "requests (warm/conditional)", FormatInt(int64(f.Warm.Requests))+" / "+FormatInt(int64(f.Conditional.Requests)), "")
		line("", "failed requests (cold/warm/cond.)", fmt.Sprintf("%d/%d/%d", f.ColdErrors, f.Warm.Errors, f.Conditional.Errors), "")
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	writeTargets(&sb, r.Targets)

	sb.WriteString("\nresponses (cold = the first request, which computes the map; bytes of the body as sent):\n")
	tw = tabwriter.NewWriter(&sb, 0, 0, 2, ' ', 0)
	row("scenario", "request", "period", "method", "territories", "bytes", "gzip bytes", "gzip ratio", "cold")
	row("--------", "-------", "------", "------", "-----------", "-----", "----------", "----------", "----")
	for _, f := range r.Scenarios {
		for _, x := range f.Responses {
			if x.Error != "" {
				row(f.Scenario.Title, x.Params.String(), "", "", "", "", "", "", "FAILED: "+x.Error)
				continue
			}
			row(f.Scenario.Title, x.Params.String(), x.Period, x.Method, FormatInt(int64(x.Territories)),
				FormatInt(int64(x.Bytes)), FormatInt(int64(x.GzipBytes)), ratioCell(float64(x.GzipBytes), float64(x.Bytes)), FormatMS(x.ColdMS))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	if r.PeakRSSBytes > 0 {
		fmt.Fprintf(&sb, "\npeak RSS of the server (VmHWM): %.1f MB (MB = 10^6 bytes)\n", float64(r.PeakRSSBytes)/1e6)
	}
	for _, f := range r.Scenarios {
		if f.FirstError != "" {
			fmt.Fprintf(&sb, "first error (%s): %s\n", f.Scenario.Title, f.FirstError)
		}
		if f.TerritoriesMax == 0 && f.ColdErrors < f.URLs {
			fmt.Fprintf(&sb, "warning: the %s maps have no territory: is the demo imported (`atlas import demo`)?\n", f.Scenario.Title)
		}
	}
	_, err := io.WriteString(w, sb.String())
	return err
}
