package tilebench

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// NewClient returns an HTTP client for loopback benchmarking: keep-alive
// connections for every worker, no transparent decompression (the bytes
// counted are the bytes sent), and a per-request time limit.
func NewClient(concurrency int, timeout time.Duration) *http.Client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        concurrency + 4,
		MaxIdleConnsPerHost: concurrency + 4,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &http.Client{Transport: tr, Timeout: timeout}
}

// Fetch is the outcome of one request.
type Fetch struct {
	Tile    Tile // the tile requested, for tile lists
	URL     string
	Status  int
	Bytes   int
	Latency time.Duration
	Header  http.Header // of the response; nil when there was none
	Body    []byte      // kept only when asked for
	Err     error
}

// OK reports a tile answered normally: 200 with a body or 204 for empty.
func (f Fetch) OK() bool {
	return f.Err == nil && (f.Status == http.StatusOK || f.Status == http.StatusNoContent)
}

// Empty reports a tile answered as empty.
func (f Fetch) Empty() bool { return f.OK() && f.Bytes == 0 }

// FetchURL requests one URL with the given Accept-Encoding and extra
// request headers (may be nil), and reads the whole body; the latency runs
// until the last byte is read. An answer other than 200 or 204 is an
// error, except 304 to a conditional request (If-None-Match): that is the
// answer such a request hopes for.
func FetchURL(ctx context.Context, c *http.Client, url, acceptEncoding string, hdr http.Header, keep bool) Fetch {
	f := Fetch{URL: url}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		f.Err = err
		return f
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	req.Header.Set("Accept-Encoding", acceptEncoding)
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		f.Latency, f.Err = time.Since(start), err
		return f
	}
	defer resp.Body.Close()
	if keep {
		f.Body, err = io.ReadAll(resp.Body)
		f.Bytes = len(f.Body)
	} else {
		var m int64
		m, err = io.Copy(io.Discard, resp.Body)
		f.Bytes = int(m)
	}
	f.Latency, f.Status, f.Header = time.Since(start), resp.StatusCode, resp.Header
	notModified := resp.StatusCode == http.StatusNotModified && req.Header.Get("If-None-Match") != ""
	if err == nil && resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent && !notModified {
		msg := f.Body
		if len(msg) > 200 {
			msg = msg[:200]
		}
		err = fmt.Errorf("HTTP %d %s", resp.StatusCode, msg)
	}
	f.Err = err
	return f
}

// Sequential requests each tile once, one after the other, and returns
// every outcome and the wall-clock time of the pass. It stops early only
// when ctx ends.
func Sequential(ctx context.Context, c *http.Client, base string, tiles []Tile, acceptEncoding string, keepBodies bool) ([]Fetch, time.Duration, error) {
	out, d, err := SequentialURLs(ctx, c, urls(base, tiles), acceptEncoding, keepBodies)
	for i := range out {
		out[i].Tile = tiles[i]
	}
	return out, d, err
}

// SequentialURLs requests each URL once, one after the other, and returns
// every outcome and the wall-clock time of the pass. It stops early only
// when ctx ends.
func SequentialURLs(ctx context.Context, c *http.Client, urls []string, acceptEncoding string, keepBodies bool) ([]Fetch, time.Duration, error) {
	out := make([]Fetch, 0, len(urls))
	start := time.Now()
	for _, u := range urls {
		if err := ctx.Err(); err != nil {
			return out, time.Since(start), err
		}
		out = append(out, FetchURL(ctx, c, u, acceptEncoding, nil, keepBodies))
	}
	return out, time.Since(start), ctx.Err()
}

// LoadOptions bound a load run: it stops at Duration or after MaxRequests
// requests, whichever comes first.
type LoadOptions struct {
	Duration       time.Duration
	Concurrency    int
	MaxRequests    int // 0: no bound but Duration
	Seed           uint64
	AcceptEncoding string
	// Header holds extra request headers by URL (e.g. If-None-Match);
	// URLs not in it get none.
	Header map[string]http.Header
}

// LoadResult summarises a load run.
type LoadResult struct {
	Requests   int
	Errors     int
	Bytes      int64
	Elapsed    time.Duration
	Latencies  []time.Duration // sorted
	FirstError string
	// Statuses counts the answers by HTTP status (0: no answer).
	Statuses map[int]int
}

// RPS is the rate of completed requests.
func (r LoadResult) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Load requests random URLs from the list with Concurrency workers until
// Duration has passed or MaxRequests have been started. Each worker draws
// from its own generator seeded from Seed, so the sequence of every worker
// is reproducible. Requests in flight at the deadline complete; ctx ending
// aborts them.
func Load(ctx context.Context, c *http.Client, urls []string, opt LoadOptions) LoadResult {
	if opt.Concurrency < 1 {
		opt.Concurrency = 1
	}
	if len(urls) == 0 {
		return LoadResult{}
	}
	var (
		started  atomic.Int64
		mu       sync.Mutex
		res      = LoadResult{Statuses: map[int]int{}}
		wg       sync.WaitGroup
		deadline = time.Now().Add(opt.Duration)
	)
	start := time.Now()
	for w := 0; w < opt.Concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(opt.Seed, uint64(w)))
			var lat []time.Duration
			var errs int
			var bytes int64
			var first string
			statuses := map[int]int{}
			for ctx.Err() == nil && time.Now().Before(deadline) {
				if opt.MaxRequests > 0 && started.Add(1) > int64(opt.MaxRequests) {
					break
				}
				u := urls[rng.IntN(len(urls))]
				f := FetchURL(ctx, c, u, opt.AcceptEncoding, opt.Header[u], false)
				if ctx.Err() != nil {
					break // aborted, not measured
				}
				lat = append(lat, f.Latency)
				bytes += int64(f.Bytes)
				statuses[f.Status]++
				if f.Err != nil {
					errs++
					if first == "" {
						first = u + ": " + f.Err.Error()
					}
				}
			}
			mu.Lock()
			res.Latencies = append(res.Latencies, lat...)
			res.Errors += errs
			res.Bytes += bytes
			if res.FirstError == "" {
				res.FirstError = first
			}
			for st, n := range statuses {
				res.Statuses[st] += n
			}
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.Requests = len(res.Latencies)
	slices.Sort(res.Latencies)
	return res
}

// Percentile is the nearest-rank p-th percentile (0 < p <= 100) of sorted
// durations; 0 for none.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// Latencies returns the sorted latencies of fetches.
func Latencies(fs []Fetch) []time.Duration {
	out := make([]time.Duration, len(fs))
	for i, f := range fs {
		out[i] = f.Latency
	}
	slices.Sort(out)
	return out
}
