package tilebench

import (
	"bufio"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The machine's limit is what a bare net/http server does with the same
// tiles: no middleware, no router, every answer's bytes and headers built
// beforehand and taken from a Go map. It runs as a child process, as
// `atlas serve` does, so that both are measured alike: their own runtime
// (scheduler, GC) apart from the bench's client, over loopback HTTP from
// the same client with the same keep-alive connections and concurrency.
// Its answers are Atlas's own, recorded in the cold pass: the same bodies
// and the headers a cache needs (Content-Type, Cache-Control, ETag, Vary),
// so that the bytes on the wire are about the same.

// LimitTile is one answer of the limit server.
type LimitTile struct {
	Path         string // the URL path, /tiles/…
	Body         []byte // nil: 204
	ContentType  string
	CacheControl string
	ETag         string
	Vary         string
}

// LimitTiles records the answers of a cold pass (with kept bodies) for the
// limit server; failed fetches are left out.
func LimitTiles(cold []Fetch) []LimitTile {
	out := make([]LimitTile, 0, len(cold))
	for _, f := range cold {
		if !f.OK() || f.Header == nil {
			continue
		}
		t := LimitTile{Path: f.Tile.Path(), ContentType: f.Header.Get("Content-Type"),
			CacheControl: f.Header.Get("Cache-Control"), ETag: f.Header.Get("ETag"), Vary: strings.Join(f.Header.Values("Vary"), ", ")}
		if f.Bytes > 0 {
			t.Body = f.Body
		}
		out = append(out, t)
	}
	return out
}

// limitAnswer is a LimitTile with its header values ready to assign.
type limitAnswer struct {
	status int
	body   []byte
	header []limitHeader
}

type limitHeader struct {
	key   string // canonical
	value []string
}

// LimitHandler serves the tiles from a map, and 200 on /healthz. Header
// values are shared slices assigned as they are: the handler allocates
// nothing of its own.
func LimitHandler(tiles []LimitTile) http.Handler {
	m := make(map[string]*limitAnswer, len(tiles))
	for _, t := range tiles {
		a := &limitAnswer{status: http.StatusNoContent}
		set := func(k, v string) {
			if v != "" {
				a.header = append(a.header, limitHeader{k, []string{v}})
			}
		}
		set("Cache-Control", t.CacheControl)
		set("Etag", t.ETag)
		set("Vary", t.Vary)
		if t.Body != nil {
			a.status, a.body = http.StatusOK, t.Body
			set("Content-Type", t.ContentType)
			set("Content-Length", strconv.Itoa(len(t.Body)))
		}
		m[t.Path] = a
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := m[r.URL.Path]
		if !ok {
			if r.URL.Path == "/healthz" {
				w.WriteHeader(http.StatusOK)
				return
			}
			w.WriteHeader(http.StatusNotFound)
			return
		}
		h := w.Header()
		for _, kv := range a.header {
			h[kv.key] = kv.value
		}
		w.WriteHeader(a.status)
		w.Write(a.body) //nolint:errcheck // the client went away
	})
}

// ServeLimit is the limit server's process: it reads the tiles that
// StartLimit wrote to file (gob), listens on a free loopback port, writes
// "listening http://ADDR" as its first line to out and serves until ctx
// ends.
func ServeLimit(ctx context.Context, file string, out io.Writer) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("limit server: %w", err)
	}
	var tiles []LimitTile
	err = gob.NewDecoder(bufio.NewReader(f)).Decode(&tiles)
	f.Close()
	if err != nil {
		return fmt.Errorf("limit server: %s: %w", file, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("limit server: %w", err)
	}
	hs := &http.Server{Handler: LimitHandler(tiles), ReadHeaderTimeout: 5 * time.Second}
	if _, err := fmt.Fprintf(out, "listening http://%s\n", ln.Addr()); err != nil {
		ln.Close()
		return err
	}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(sctx) //nolint:errcheck // the process ends anyway
	}()
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("limit server: %w", err)
	}
	return nil
}

// LimitArgs are the arguments of the atlas binary that run ServeLimit on
// a file (`atlas bench tiles --serve-limit FILE`).
func LimitArgs(file string) []string { return []string{"bench", "tiles", "--serve-limit", file} }

// Limit is a running limit server.
type Limit struct {
	URL  string
	cmd  *exec.Cmd
	done chan struct{}
}

// StartLimit writes the tiles to a file in dir and starts `bin
// LimitArgs(file)` as a child process, in its own process group like the
// atlas server, and waits for the address it listens on.
func StartLimit(ctx context.Context, bin, dir string, tiles []LimitTile, logw io.Writer) (*Limit, error) {
	f, err := os.CreateTemp(dir, "atlas-bench-limit-*.gob")
	if err != nil {
		return nil, fmt.Errorf("limit server: %w", err)
	}
	defer os.Remove(f.Name()) // read once at start-up
	w := bufio.NewWriter(f)
	if err := gob.NewEncoder(w).Encode(tiles); err != nil {
		f.Close()
		return nil, fmt.Errorf("limit server: %w", err)
	}
	if err := errors.Join(w.Flush(), f.Close()); err != nil {
		return nil, fmt.Errorf("limit server: %w", err)
	}
	cmd := exec.Command(bin, LimitArgs(f.Name())...)
	cmd.Stderr = logw
	cmd.SysProcAttr = sysProcAttr()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("limit server: start %s: %w", bin, err)
	}
	l := &Limit{cmd: cmd, done: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			addr <- strings.TrimPrefix(sc.Text(), "listening ")
		}
		close(addr)
		io.Copy(io.Discard, stdout) //nolint:errcheck // nothing more is said
		cmd.Wait()                  //nolint:errcheck // a kill is how it ends
		close(l.done)
	}()
	select {
	case u, ok := <-addr:
		if !ok || !strings.HasPrefix(u, "http://") {
			l.Stop()
			return nil, fmt.Errorf("limit server: %s %s did not say where it listens", bin, strings.Join(LimitArgs(f.Name()), " "))
		}
		l.URL = u
	case <-ctx.Done():
		l.Stop()
		return nil, ctx.Err()
	case <-time.After(30 * time.Second):
		l.Stop()
		return nil, errors.New("limit server: not listening after 30s")
	}
	return l, nil
}

// Stop ends the limit server (SIGTERM, then a kill after 5 s).
func (l *Limit) Stop() {
	l.cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck // it may be gone already
	select {
	case <-l.done:
	case <-time.After(5 * time.Second):
		l.cmd.Process.Kill() //nolint:errcheck // best effort
		<-l.done
	}
}

// LimitTurns is how many turns ours and the limit take in a warm run: 2 s
// each at the default 20 s.
const LimitTurns = 10

// Alternate loads a and b in turns, each for opt.Duration/turns at a time,
// a then b, then b then a (ABBA), so that a machine shared with other
// work, whose load drifts over seconds, weighs on both alike and neither
// always follows the other; each result sums its turns. A turn seeds its
// workers anew (Seed + turn), each side drawing the same URL indices as
// the other.
func Alternate(ctx context.Context, c *http.Client, a, b []string, opt LoadOptions, turns int) (LoadResult, LoadResult) {
	turns = max(turns, 1)
	each := opt
	each.Duration = opt.Duration / time.Duration(turns)
	if opt.MaxRequests > 0 {
		each.MaxRequests = max(opt.MaxRequests/turns, 1)
	}
	var ra, rb LoadResult
	for i := range turns {
		each.Seed = opt.Seed + uint64(i)
		if i%2 == 0 {
			ra = merge(ra, Load(ctx, c, a, each))
			rb = merge(rb, Load(ctx, c, b, each))
		} else {
			rb = merge(rb, Load(ctx, c, b, each))
			ra = merge(ra, Load(ctx, c, a, each))
		}
		if ctx.Err() != nil {
			break
		}
	}
	return ra, rb
}

// merge sums two load runs.
func merge(x, y LoadResult) LoadResult {
	out := LoadResult{Requests: x.Requests + y.Requests, Errors: x.Errors + y.Errors, Bytes: x.Bytes + y.Bytes,
		Elapsed: x.Elapsed + y.Elapsed, FirstError: x.FirstError, Statuses: map[int]int{}}
	if out.FirstError == "" {
		out.FirstError = y.FirstError
	}
	for _, m := range []map[int]int{x.Statuses, y.Statuses} {
		for st, n := range m {
			out.Statuses[st] += n
		}
	}
	out.Latencies = append(append(make([]time.Duration, 0, len(x.Latencies)+len(y.Latencies)), x.Latencies...), y.Latencies...)
	slices.Sort(out.Latencies)
	return out
}
