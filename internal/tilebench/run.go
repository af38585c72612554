package tilebench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"

	"github.com/atlas-sante-travail/atlas/internal/blob"
)

// Config is one benchmark run.
type Config struct {
	Layers           []string
	MinZoom, MaxZoom int
	BBox             orb.Bound
	Run
}

// Run is what every bench run needs: the load, the server to start and
// where its logs go.
type Run struct {
	Duration     time.Duration // of each warm run
	Concurrency  int
	Seed         uint64
	MaxRequests  int // bound of each warm run; 0 for DefaultMaxRequests
	AtlasBin     string
	DatabaseURL  string
	ServerOutput io.Writer // the atlas server's logs; nil discards them
	ReadyTimeout time.Duration
	Log          *slog.Logger
}

// withDefaults fills what was left zero and checks the load.
func (r Run) withDefaults() (Run, error) {
	if r.Log == nil {
		r.Log = slog.New(slog.DiscardHandler)
	}
	if r.MaxRequests == 0 {
		r.MaxRequests = DefaultMaxRequests
	}
	if r.ReadyTimeout == 0 {
		r.ReadyTimeout = 2 * time.Minute
	}
	if r.ServerOutput == nil {
		r.ServerOutput = io.Discard
	}
	if r.Concurrency < 1 {
		return r, errors.New("concurrency must be at least 1")
	}
	if r.Duration <= 0 {
		return r, errors.New("the duration of the load runs must be positive")
	}
	return r, nil
}

// DefaultMaxRequests bounds a warm run (and the memory of its latencies).
const DefaultMaxRequests = 2_000_000

// RunTiles starts both servers, measures them one after the other and stops
// them, the atlas server with SIGTERM, whatever happens.
func RunTiles(ctx context.Context, cfg Config) (rep *Report, err error) {
	if cfg.Run, err = cfg.Run.withDefaults(); err != nil {
		return nil, err
	}
	log := cfg.Log
	list, err := TileList(cfg.Layers, cfg.BBox, cfg.MinZoom, cfg.MaxZoom)
	if err != nil {
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
	for _, l := range cfg.Layers {
		if f := FetchURL(ctx, client, srv.URL+"/tiles/"+l+".json", "identity", nil, false); f.Err != nil {
			return nil, fmt.Errorf("atlas serve has no layer %s (HTTP %d): import it first: %w", l, f.Status, f.Err)
		}
	}

	base, err := NewBaseline(ctx, cfg.DatabaseURL, cfg.Layers)
	if err != nil {
		return nil, err
	}
	defer base.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: base.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln) //nolint:errcheck // ends with Shutdown
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(sctx) //nolint:errcheck // best effort at the end of the run
	}()
	baseURL := "http://" + ln.Addr().String()

	log.Info("cold pass", "server", "ours", "tiles", len(list))
	oursCold, oursColdT, err := Sequential(ctx, client, srv.URL, list, "identity", true)
	if err != nil {
		return nil, err
	}
	log.Info("gzip pass", "server", "ours")
	oursGz, _, err := Sequential(ctx, client, srv.URL, list, "gzip", true)
	if err != nil {
		return nil, err
	}
	log.Info("br pass", "server", "ours")
	oursBr, _, err := Sequential(ctx, client, srv.URL, list, "br", true)
	if err != nil {
		return nil, err
	}
	lim, err := StartLimit(ctx, cfg.AtlasBin, "", LimitTiles(oursCold), cfg.ServerOutput)
	if err != nil {
		return nil, err
	}
	defer lim.Stop()
	log.Info("cold pass", "server", "baseline", "tiles", len(list))
	baseCold, baseColdT, err := Sequential(ctx, client, baseURL, list, "identity", true)
	if err != nil {
		return nil, err
	}

	opt := LoadOptions{Duration: cfg.Duration, Concurrency: cfg.Concurrency, MaxRequests: cfg.MaxRequests, Seed: cfg.Seed, AcceptEncoding: "identity"}
	log.Info("warm run", "server", "ours and the limit, in turns", "duration", cfg.Duration, "concurrency", cfg.Concurrency)
	oursWarm, limWarm := Alternate(ctx, client, urls(srv.URL, list), urls(lim.URL, list), opt, LimitTurns)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	log.Info("warm run", "server", "baseline", "duration", cfg.Duration, "concurrency", cfg.Concurrency)
	baseWarm := Load(ctx, client, urls(baseURL, list), opt)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rss, err := PeakRSS(srv.Pid())
	if err != nil {
		log.Warn("peak RSS unavailable", "err", err)
	}

	rep = &Report{
		Layers: cfg.Layers, MinZoom: cfg.MinZoom, MaxZoom: cfg.MaxZoom,
		BBox:         [4]float64{cfg.BBox.Min[0], cfg.BBox.Min[1], cfg.BBox.Max[0], cfg.BBox.Max[1]},
		WarmDuration: cfg.Duration.Seconds(), Concurrency: cfg.Concurrency, Seed: cfg.Seed,
		BaselineConns: BaselineConns, Tiles: len(list),
		Ours:     ServerFigures(oursCold, oursColdT, oursWarm, oursGz, oursBr),
		Baseline: ServerFigures(baseCold, baseColdT, baseWarm, nil, nil),
		Limit:    LimitFigures(limWarm),
	}
	rep.Ours.PeakRSSBytes = rss
	rep.Differences, rep.DecodeErrors = Compare(oursCold, baseCold)
	rep.Targets = append(Targets(rep.Ours, rep.Baseline), LimitTargets(rep.Ours, *rep.Limit)...)
	return rep, nil
}

func urls(base string, list []Tile) []string {
	out := make([]string, len(list))
	for i, t := range list {
		out[i] = base + t.Path()
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// ServerFigures sums up one server's passes. gz and br are the passes with
// Accept-Encoding: gzip and br; when nil, the uncompressed bodies of cold
// are compressed here as the atlas server does, for comparison. Errors of
// the compressed passes count as cold errors.
func ServerFigures(cold []Fetch, coldTotal time.Duration, warm LoadResult, gz, br []Fetch) Figures {
	f := Figures{Tiles: len(cold), ColdTotalMS: ms(coldTotal), PerLayer: map[string]LayerBytes{}}
	lat := Latencies(cold)
	f.ColdP50MS, f.ColdP99MS = ms(Percentile(lat, 50)), ms(Percentile(lat, 99))
	fail := func(x Fetch) {
		f.ColdErrors++
		if f.FirstError == "" {
			f.FirstError = x.Tile.String() + ": " + x.Err.Error()
		}
	}
	for _, x := range cold {
		switch {
		case !x.OK():
			fail(x)
		case x.Bytes > 0:
			f.NonEmpty++
			f.BytesTotal += int64(x.Bytes)
			lb := f.PerLayer[x.Tile.Layer]
			lb.NonEmpty++
			lb.BytesTotal += int64(x.Bytes)
			lb.BytesMean = float64(lb.BytesTotal) / float64(lb.NonEmpty)
			f.PerLayer[x.Tile.Layer] = lb
			if gz == nil || br == nil {
				t, _ := blob.New(x.Body) // compresses in memory: cannot fail
				if gz == nil {
					f.GzipBytesTotal += int64(len(t.Gzip))
				}
				if br == nil {
					f.BrBytesTotal += int64(len(t.Br))
				}
			}
		}
	}
	for _, x := range gz {
		if x.OK() && x.Bytes > 0 && !bytes.HasPrefix(x.Body, []byte{0x1f, 0x8b}) {
			x.Err = errors.New("answer to Accept-Encoding: gzip is not gzip")
		}
		switch {
		case !x.OK():
			fail(x)
		default:
			f.GzipBytesTotal += int64(x.Bytes)
		}
	}
	for _, x := range br {
		if x.OK() && x.Bytes > 0 && x.Header.Get("Content-Encoding") != "br" {
			x.Err = errors.New("answer to Accept-Encoding: br is not br")
		}
		switch {
		case !x.OK():
			fail(x)
		default:
			f.BrBytesTotal += int64(x.Bytes)
		}
	}
	if f.NonEmpty > 0 {
		f.BytesMean = float64(f.BytesTotal) / float64(f.NonEmpty)
		f.GzipBytesMean = float64(f.GzipBytesTotal) / float64(f.NonEmpty)
		f.BrBytesMean = float64(f.BrBytesTotal) / float64(f.NonEmpty)
	}
	f.warm(warm)
	return f
}

// LimitFigures are the limit server's: its warm run only.
func LimitFigures(warm LoadResult) *Figures {
	f := &Figures{}
	f.warm(warm)
	return f
}

// warm fills the figures of a warm run.
func (f *Figures) warm(warm LoadResult) {
	f.WarmRequests, f.WarmErrors = warm.Requests, warm.Errors
	f.WarmSeconds, f.WarmRPS = warm.Elapsed.Seconds(), warm.RPS()
	f.WarmP50MS, f.WarmP99MS = ms(Percentile(warm.Latencies, 50)), ms(Percentile(warm.Latencies, 99))
	if f.FirstError == "" && warm.FirstError != "" {
		f.FirstError = warm.FirstError
	}
}

// Compare decodes the tiles that both servers answered and lists those
// whose feature ids differ, and the tiles that do not decode or carry a
// layer of another name.
func Compare(ours, base []Fetch) (diffs []Difference, bad []string) {
	diffs = []Difference{}
	for i := range min(len(ours), len(base)) {
		o, b := ours[i], base[i]
		if !o.OK() || !b.OK() {
			continue
		}
		oi, err := featureIDs(o)
		if err != nil {
			bad = append(bad, "ours "+err.Error())
			continue
		}
		bi, err := featureIDs(b)
		if err != nil {
			bad = append(bad, "baseline "+err.Error())
			continue
		}
		if slices.Equal(oi, bi) {
			continue
		}
		diffs = append(diffs, Difference{Tile: o.Tile.String(), Ours: len(oi), Baseline: len(bi),
			OnlyOurs: minus(oi, bi), OnlyBaseline: minus(bi, oi)})
	}
	return diffs, bad
}

// featureIDs lists the sorted feature ids of a tile.
func featureIDs(f Fetch) ([]uint64, error) {
	if len(f.Body) == 0 {
		return nil, nil
	}
	ls, err := mvt.Unmarshal(f.Body)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", f.Tile, err)
	}
	var ids []uint64
	for _, l := range ls {
		if l.Name != f.Tile.Layer {
			return nil, fmt.Errorf("%s: layer named %q", f.Tile, l.Name)
		}
		for _, ft := range l.Features {
			id, ok := ft.ID.(float64)
			if !ok {
				return nil, fmt.Errorf("%s: a feature has no id", f.Tile)
			}
			ids = append(ids, uint64(id))
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// minus lists the ids of a (sorted) not in b.
func minus(a, b []uint64) []uint64 {
	var out []uint64
	for _, x := range a {
		if _, found := slices.BinarySearch(b, x); !found {
			out = append(out, x)
		}
	}
	return out
}
