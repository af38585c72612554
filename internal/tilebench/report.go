package tilebench

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Figures are one server's measures; durations are in milliseconds, bytes
// means are per non-empty tile.
type Figures struct {
	Tiles          int     `json:"tiles"`
	NonEmpty       int     `json:"non_empty_tiles"`
	ColdErrors     int     `json:"cold_errors"`
	ColdTotalMS    float64 `json:"cold_total_ms"`
	ColdP50MS      float64 `json:"cold_p50_ms"`
	ColdP99MS      float64 `json:"cold_p99_ms"`
	WarmRequests   int     `json:"warm_requests"`
	WarmErrors     int     `json:"warm_errors"`
	WarmSeconds    float64 `json:"warm_seconds"`
	WarmRPS        float64 `json:"warm_rps"`
	WarmP50MS      float64 `json:"warm_p50_ms"`
	WarmP99MS      float64 `json:"warm_p99_ms"`
	BytesTotal     int64   `json:"bytes_total"`
	BytesMean      float64 `json:"bytes_mean"`
	GzipBytesTotal int64   `json:"gzip_bytes_total"`
	GzipBytesMean  float64 `json:"gzip_bytes_mean"`
	BrBytesTotal   int64   `json:"br_bytes_total"`
	BrBytesMean    float64 `json:"br_bytes_mean"`
	PeakRSSBytes   int64   `json:"peak_rss_bytes,omitempty"`
	FirstError     string  `json:"first_error,omitempty"`
	// PerLayer breaks the uncompressed bytes down by layer.
	PerLayer map[string]LayerBytes `json:"per_layer"`
}

// LayerBytes are the uncompressed bytes of one layer's tiles.
type LayerBytes struct {
	NonEmpty   int     `json:"non_empty_tiles"`
	BytesTotal int64   `json:"bytes_total"`
	BytesMean  float64 `json:"bytes_mean"`
}

// Difference is a tile whose feature ids differ between the two servers.
type Difference struct {
	Tile         string   `json:"tile"`
	Ours         int      `json:"ours_features"`
	Baseline     int      `json:"baseline_features"`
	OnlyOurs     []uint64 `json:"only_ours,omitempty"`
	OnlyBaseline []uint64 `json:"only_baseline,omitempty"`
}

// Target is one goal of the benchmark and whether it is met. Value is a
// ratio ours/baseline, or an absolute value when Unit is not "×"; it is
// absent when it cannot be computed.
type Target struct {
	Name  string   `json:"name"`
	Value *float64 `json:"value,omitempty"`
	Op    string   `json:"op"`
	Limit float64  `json:"limit"`
	Unit  string   `json:"unit"`
	Pass  bool     `json:"pass"`
	Note  string   `json:"note,omitempty"`
}

// Report is everything a run measured.
type Report struct {
	Layers        []string   `json:"layers"`
	MinZoom       int        `json:"minzoom"`
	MaxZoom       int        `json:"maxzoom"`
	BBox          [4]float64 `json:"bbox"`
	WarmDuration  float64    `json:"warm_duration_s"`
	Concurrency   int        `json:"concurrency"`
	Seed          uint64     `json:"seed"`
	BaselineConns int        `json:"baseline_conns"`
	Tiles         int        `json:"tiles"`
	Ours          Figures    `json:"ours"`
	Baseline      Figures    `json:"baseline"`
	// Limit is the machine's limit (LimitHandler): its warm run, right
	// after ours; nil when not measured.
	Limit        *Figures     `json:"limit,omitempty"`
	Differences  []Difference `json:"differences"`
	DecodeErrors []string     `json:"decode_errors,omitempty"`
	Targets      []Target     `json:"targets"`
}

// Target thresholds.
const (
	TargetWarmRatio  = 30.0  // ours' warm throughput ≥ 30× the baseline's
	TargetColdRatio  = 0.5   // ours' cold pass < 0.5× the baseline's
	TargetBytesRatio = 0.6   // ours' mean tile ≤ 0.6× the baseline's
	TargetPeakRSSMB  = 300.0 // ours' peak RSS < 300 MB (10^6 bytes)
	// Against the machine's limit, measured in the same run.
	TargetLimitRPS = 0.9 // ours' warm throughput ≥ 0.9× the limit's
	TargetLimitP99 = 1.5 // ours' warm p99 ≤ 1.5× the limit's
)

// ratio is a/b, false when it means nothing.
func ratio(a, b float64) (float64, bool) {
	if b <= 0 || math.IsNaN(a) || math.IsNaN(b) || math.IsInf(a, 0) {
		return 0, false
	}
	return a / b, true
}

// NewTarget evaluates one goal: v (valid when ok) compared with limit by op
// (">=", "<" or "<="). A measure that saw errs failed requests fails.
func NewTarget(name string, v float64, ok bool, op string, limit float64, unit string, errs int) Target {
	t := Target{Name: name, Op: op, Limit: limit, Unit: unit}
	if !ok {
		t.Note = "not measurable"
		return t
	}
	t.Value = &v
	switch op {
	case ">=":
		t.Pass = v >= limit
	case "<":
		t.Pass = v < limit
	case "<=":
		t.Pass = v <= limit
	}
	if errs > 0 {
		t.Pass = false
		t.Note = fmt.Sprintf("%d failed requests", errs)
	}
	return t
}

// Targets evaluates the goals. A target whose measure saw errors on either
// side fails: an error answered fast is not a fast tile.
func Targets(ours, base Figures) []Target {
	mk := NewTarget
	var ts []Target
	v, ok := ratio(ours.WarmRPS, base.WarmRPS)
	ts = append(ts, mk("warm throughput", v, ok, ">=", TargetWarmRatio, "×", ours.WarmErrors+base.WarmErrors))
	v, ok = ratio(ours.ColdTotalMS, base.ColdTotalMS)
	ts = append(ts, mk("cold pass total", v, ok, "<", TargetColdRatio, "×", ours.ColdErrors+base.ColdErrors))
	v, ok = ratio(ours.BytesMean, base.BytesMean)
	ts = append(ts, mk("mean bytes", v, ok, "<=", TargetBytesRatio, "×", ours.ColdErrors+base.ColdErrors))
	ts = append(ts, mk("peak RSS", float64(ours.PeakRSSBytes)/1e6, ours.PeakRSSBytes > 0, "<", TargetPeakRSSMB, "MB", 0))
	return ts
}

// LimitTargets evaluates ours against the machine's limit.
func LimitTargets(ours, limit Figures) []Target {
	errs := ours.WarmErrors + limit.WarmErrors
	v, ok := ratio(ours.WarmRPS, limit.WarmRPS)
	ts := []Target{NewTarget("warm throughput vs limit", v, ok, ">=", TargetLimitRPS, "× limit", errs)}
	v, ok = ratio(ours.WarmP99MS, limit.WarmP99MS)
	return append(ts, NewTarget("warm p99 vs limit", v, ok, "<=", TargetLimitP99, "× limit", errs))
}

// FormatMS writes a duration given in milliseconds with a fitting unit.
func FormatMS(ms float64) string {
	switch {
	case ms < 1:
		return fmt.Sprintf("%.0f µs", ms*1000)
	case ms < 10:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 1000:
		return fmt.Sprintf("%.1f ms", ms)
	}
	return fmt.Sprintf("%.2f s", ms/1000)
}

// FormatInt groups digits by three with spaces: 1 234 567.
func FormatInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// FormatRatio writes ours/baseline with three significant digits.
func FormatRatio(r float64) string {
	switch {
	case r >= 100:
		return fmt.Sprintf("%.0f×", r)
	case r >= 10:
		return fmt.Sprintf("%.1f×", r)
	case r >= 1:
		return fmt.Sprintf("%.2f×", r)
	}
	return strconv.FormatFloat(r, 'g', 3, 64) + "×"
}

func ratioCell(a, b float64) string {
	r, ok := ratio(a, b)
	if !ok {
		return "n/a"
	}
	return FormatRatio(r)
}

// ratioOf is ratioCell followed by what the ratio is of ("2.50× warm").
func ratioOf(a, b float64, of string) string {
	c := ratioCell(a, b)
	if of == "" || c == "n/a" {
		return c
	}
	return c + " " + of
}

func opSign(op string) string {
	switch op {
	case ">=":
		return "≥"
	case "<=":
		return "≤"
	}
	return op
}

func (t Target) limitCell() string {
	if t.Unit == "×" || t.Unit == "× limit" {
		return fmt.Sprintf("%s %g×", opSign(t.Op), t.Limit)
	}
	return fmt.Sprintf("%s %g %s", opSign(t.Op), t.Limit, t.Unit)
}

func (t Target) result() string {
	switch {
	case t.Value == nil:
		return "FAIL (" + t.Note + ")"
	case t.Pass:
		return "PASS"
	case t.Note != "":
		return "FAIL (" + t.Note + ")"
	}
	return "FAIL"
}

// Summary says how a failed target misses, e.g. "cold pass total is 0.62×
// the baseline (target < 0.5×)".
func (t Target) Summary() string {
	if t.Value == nil {
		return t.Name + ": " + t.Note
	}
	var v string
	switch t.Unit {
	case "×":
		v = fmt.Sprintf("%s is %s the baseline", t.Name, FormatRatio(*t.Value))
	case "× limit":
		v = fmt.Sprintf("%s is %s the limit's", t.Name, FormatRatio(*t.Value))
	default:
		v = fmt.Sprintf("%s is %.1f %s", t.Name, *t.Value, t.Unit)
	}
	s := fmt.Sprintf("%s (target %s)", v, t.limitCell())
	if t.Note != "" {
		s += ", " + t.Note
	}
	return s
}

// findTarget returns the target of a name.
func findTarget(targets []Target, name string) (Target, bool) {
	for _, t := range targets {
		if t.Name == name {
			return t, true
		}
	}
	return Target{}, false
}

// Format writes the report as an aligned plain-text table.
func (r *Report) Format(w io.Writer) error {
	o, b := r.Ours, r.Baseline
	var sb strings.Builder
	fmt.Fprintf(&sb, "atlas bench tiles: ours (atlas serve, cold = empty cache) vs baseline (ST_AsMVT over full-resolution geometry, pgx pool of %d)\n", r.BaselineConns)
	fmt.Fprintf(&sb, "layers %s, zooms %d-%d, bbox %g,%g,%g,%g; warm %gs at concurrency %d, seed %d\n\n",
		strings.Join(r.Layers, ","), r.MinZoom, r.MaxZoom, r.BBox[0], r.BBox[1], r.BBox[2], r.BBox[3], r.WarmDuration, r.Concurrency, r.Seed)

	tw := tabwriter.NewWriter(&sb, 0, 0, 2, ' ', 0)
	row := func(cells ...string) { fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t") }
	withTarget := func(name string, cells ...string) {
		t, ok := findTarget(r.Targets, name)
		if !ok {
			row(append(cells, "", "")...)
			return
		}
		row(append(cells, t.limitCell(), t.result())...)
	}
	row("measure", "ours", "baseline", "ratio", "target", "result")
	row("-------", "----", "--------", "-----", "------", "------")
	row("tiles requested", FormatInt(int64(o.Tiles)), FormatInt(int64(b.Tiles)), "", "", "")
	row("non-empty tiles", FormatInt(int64(o.NonEmpty)), FormatInt(int64(b.NonEmpty)), "", "", "")
	withTarget("cold pass total", "cold pass total", FormatMS(o.ColdTotalMS), FormatMS(b.ColdTotalMS), ratioCell(o.ColdTotalMS, b.ColdTotalMS))
	row("cold p50", FormatMS(o.ColdP50MS), FormatMS(b.ColdP50MS), ratioCell(o.ColdP50MS, b.ColdP50MS), "", "")
	row("cold p99", FormatMS(o.ColdP99MS), FormatMS(b.ColdP99MS), ratioCell(o.ColdP99MS, b.ColdP99MS), "", "")
	withTarget("warm throughput", "warm throughput (req/s)", FormatInt(int64(math.Round(o.WarmRPS))), FormatInt(int64(math.Round(b.WarmRPS))), ratioCell(o.WarmRPS, b.WarmRPS))
	row("warm p50", FormatMS(o.WarmP50MS), FormatMS(b.WarmP50MS), ratioCell(o.WarmP50MS, b.WarmP50MS), "", "")
	row("warm p99", FormatMS(o.WarmP99MS), FormatMS(b.WarmP99MS), ratioCell(o.WarmP99MS, b.WarmP99MS), "", "")
	row("warm requests", FormatInt(int64(o.WarmRequests)), FormatInt(int64(b.WarmRequests)), "", "", "")
	row("failed requests (cold/warm)", fmt.Sprintf("%d/%d", o.ColdErrors, o.WarmErrors), fmt.Sprintf("%d/%d", b.ColdErrors, b.WarmErrors), "", "", "")
	withTarget("mean bytes", "mean bytes / non-empty tile", FormatInt(int64(math.Round(o.BytesMean))), FormatInt(int64(math.Round(b.BytesMean))), ratioCell(o.BytesMean, b.BytesMean))
	row("total bytes", FormatInt(o.BytesTotal), FormatInt(b.BytesTotal), ratioCell(float64(o.BytesTotal), float64(b.BytesTotal)), "", "")
	if len(r.Layers) > 1 {
		for _, l := range r.Layers {
			ol, bl := o.PerLayer[l], b.PerLayer[l]
			row("  mean bytes, "+l, FormatInt(int64(math.Round(ol.BytesMean))), FormatInt(int64(math.Round(bl.BytesMean))), ratioCell(ol.BytesMean, bl.BytesMean), "", "")
		}
	}
	row("mean gzip bytes / non-empty tile", FormatInt(int64(math.Round(o.GzipBytesMean))), FormatInt(int64(math.Round(b.GzipBytesMean)))+" *", ratioCell(o.GzipBytesMean, b.GzipBytesMean), "", "")
	row("mean br bytes / non-empty tile", FormatInt(int64(math.Round(o.BrBytesMean))), FormatInt(int64(math.Round(b.BrBytesMean)))+" *", ratioCell(o.BrBytesMean, b.BrBytesMean), "", "")
	row("bytes on the wire: identity", FormatInt(o.BytesTotal), "", "", "", "")
	row("bytes on the wire: gzip", FormatInt(o.GzipBytesTotal), "", ratioOf(float64(o.GzipBytesTotal), float64(o.BytesTotal), "of identity"), "", "")
	row("bytes on the wire: br", FormatInt(o.BrBytesTotal), "", ratioOf(float64(o.BrBytesTotal), float64(o.BytesTotal), "of identity"), "", "")
	rss := "n/a"
	if o.PeakRSSBytes > 0 {
		rss = fmt.Sprintf("%.1f MB", float64(o.PeakRSSBytes)/1e6)
	}
	withTarget("peak RSS", "peak RSS of the server (VmHWM)", rss, "n/a **", "")
	if l := r.Limit; l != nil {
		row("", "", "", "", "", "")
		row("against the limit ***", "ours", "limit", "ratio", "", "")
		withTarget("warm throughput vs limit", "limit: warm throughput (req/s)", FormatInt(int64(math.Round(o.WarmRPS))), FormatInt(int64(math.Round(l.WarmRPS))), ratioCell(o.WarmRPS, l.WarmRPS))
		row("limit: warm p50", FormatMS(o.WarmP50MS), FormatMS(l.WarmP50MS), ratioCell(o.WarmP50MS, l.WarmP50MS), "", "")
		withTarget("warm p99 vs limit", "limit: warm p99", FormatMS(o.WarmP99MS), FormatMS(l.WarmP99MS), ratioCell(o.WarmP99MS, l.WarmP99MS))
		row("limit: failed requests (warm)", strconv.Itoa(o.WarmErrors), strconv.Itoa(l.WarmErrors), "", "", "")
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	writeTargets(&sb, r.Targets)
	sb.WriteString("\n *  baseline gzip: its tiles compressed by the bench at gzip's best level, as ours are; the baseline server itself sends them uncompressed.\n")
	sb.WriteString(" ** the baseline runs inside the bench process and PostgreSQL: no comparable RSS. MB = 10^6 bytes.\n")
	if r.Limit != nil {
		sb.WriteString(" *** the machine's limit: a bare net/http server in a child process answering ours' bytes and cache headers from a Go map, loaded in turns with ours (10 of each, ABBA) by the same client (keep-alive, same concurrency and tiles).\n")
		if r.Limit.FirstError != "" {
			fmt.Fprintf(&sb, "first error (limit): %s\n", r.Limit.FirstError)
		}
	}
	if o.FirstError != "" {
		fmt.Fprintf(&sb, "first error (ours): %s\n", o.FirstError)
	}
	if b.FirstError != "" {
		fmt.Fprintf(&sb, "first error (baseline): %s\n", b.FirstError)
	}
	for _, e := range r.DecodeErrors {
		fmt.Fprintf(&sb, "tile not decodable: %s\n", e)
	}
	if len(r.Differences) > 0 {
		fmt.Fprintf(&sb, "\n%d tile(s) with different features in ours and the baseline:\n", len(r.Differences))
		for i, d := range r.Differences {
			if i == 10 {
				fmt.Fprintf(&sb, "  ... and %d more (see --json)\n", len(r.Differences)-10)
				break
			}
			fmt.Fprintf(&sb, "  %s: ours %d, baseline %d features", d.Tile, d.Ours, d.Baseline)
			if len(d.OnlyOurs) > 0 {
				fmt.Fprintf(&sb, "; only in ours %v", d.OnlyOurs)
			}
			if len(d.OnlyBaseline) > 0 {
				fmt.Fprintf(&sb, "; only in baseline %v", d.OnlyBaseline)
			}
			sb.WriteByte('\n')
		}
	} else {
		sb.WriteString("\nevery tile has the same features (ids) in ours and the baseline.\n")
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// writeTargets prints how many targets pass and the ones that fail.
func writeTargets(sb *strings.Builder, targets []Target) {
	pass := 0
	var failed []string
	for _, t := range targets {
		if t.Pass {
			pass++
		} else {
			failed = append(failed, t.Summary())
		}
	}
	fmt.Fprintf(sb, "\ntargets: %d of %d PASS\n", pass, len(targets))
	for _, f := range failed {
		fmt.Fprintf(sb, "  FAIL: %s\n", f)
	}
}
