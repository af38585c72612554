// Package workshopbench measures the live workshops the way a room uses
// them: one facilitator changing the view ten times a second, N
// participants following over Server-Sent Events and each contributing or
// voting every ten seconds, on one server or spread over two, one of
// which may be stopped mid-run. It reports the delivery latency from the
// request (the facilitator's, or a participant's) to each participant's
// receipt, the events lost, private events seen by others, and the
// servers' memory and CPU.
package workshopbench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/tilebench"
)

// Spec is one run: how many participants, on how many servers, and
// whether the second server is stopped halfway (its participants then
// resume on the first).
type Spec struct {
	Clients  int  `json:"clients"`
	Replicas int  `json:"replicas"`
	Failover bool `json:"failover"`
}

func (s Spec) String() string {
	switch {
	case s.Failover:
		return fmt.Sprintf("%d participants, %d servers, one stopped", s.Clients, s.Replicas)
	case s.Replicas > 1:
		return fmt.Sprintf("%d participants on %d servers", s.Clients, s.Replicas)
	}
	return fmt.Sprintf("%d participants", s.Clients)
}

// DefaultSpecs are the runs of `atlas bench workshop`.
func DefaultSpecs() []Spec {
	return []Spec{{200, 1, false}, {1000, 1, false}, {1000, 2, false}, {1000, 2, true}}
}

// Config is a bench.
type Config struct {
	Specs    []Spec
	Duration time.Duration // of the facilitator's driving, per run
	Rate     float64       // views per second
	// ActionEvery is how often each participant contributes or votes (0:
	// never).
	ActionEvery  time.Duration
	AtlasBin     string
	DatabaseURL  string
	ServerOutput io.Writer
	Log          *slog.Logger
}

// Figures are one run's measures.
type Figures struct {
	Spec
	// Events committed by the facilitator during the run (views, and a
	// step every five seconds, which is never coalesced).
	Events int `json:"events"`
	// Deliveries is the facilitator's events received, over every
	// participant.
	Deliveries int64 `json:"deliveries"`
	// Lost counts an event a participant never received: any step, any
	// participant's action it may see, and any view not superseded by a
	// later one in a resume's replay (which sends the latest view only,
	// by design).
	Lost  int64   `json:"lost"`
	P50MS float64 `json:"p50_ms"`
	P99MS float64 `json:"p99_ms"`
	MaxMS float64 `json:"max_ms"`
	// Actions are the participants' contributions and dots committed,
	// ActionEvents the events they made, ActionDeliveries those received
	// by the participants who may see them; the latencies run from the
	// participant's request to each receipt.
	Actions          int     `json:"actions"`
	ActionEvents     int     `json:"action_events"`
	ActionDeliveries int64   `json:"action_deliveries"`
	ActionP50MS      float64 `json:"action_p50_ms"`
	ActionP99MS      float64 `json:"action_p99_ms"`
	ActionMaxMS      float64 `json:"action_max_ms"`
	// AnswerP50MS and AnswerP99MS: from a participant's request to its
	// answer (the write committed).
	AnswerP50MS float64 `json:"answer_p50_ms"`
	AnswerP99MS float64 `json:"answer_p99_ms"`
	// Leaked counts a participant's private event (their budget) received
	// by another participant.
	Leaked   int64     `json:"leaked"`
	Resumed  int       `json:"resumed,omitempty"`
	ResumeMS float64   `json:"resume_max_ms,omitempty"` // stop → last participant's first event on the other server
	JoinS    float64   `json:"join_s"`
	RSSMB    []int64   `json:"rss_mb"`    // per server, peak
	CPUCores []float64 `json:"cpu_cores"` // per server, over the run
	Errors   int       `json:"errors"`
	FirstErr string    `json:"first_error,omitempty"`
}

// Report is a whole bench.
type Report struct {
	DurationS    float64            `json:"duration_s"`
	Rate         float64            `json:"rate"`
	ActionEveryS float64            `json:"action_every_s"`
	Runs         []Figures          `json:"runs"`
	Targets      []tilebench.Target `json:"targets"`
}

// Run measures every spec in turn.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.ServerOutput == nil {
		cfg.ServerOutput = io.Discard
	}
	rep := &Report{DurationS: cfg.Duration.Seconds(), Rate: cfg.Rate, ActionEveryS: cfg.ActionEvery.Seconds()}
	for _, s := range cfg.Specs {
		cfg.Log.Info("workshop run", "run", s.String())
		f, err := runOne(ctx, cfg, s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s, err)
		}
		rep.Runs = append(rep.Runs, f)
	}
	rep.Targets = targets(rep.Runs)
	return rep, nil
}

// targets: p99 under 50 ms at 200, 100 ms at 1,000, 150 ms across two
// servers; nothing lost in any run.
func targets(runs []Figures) []tilebench.Target {
	var out []tilebench.Target
	for _, f := range runs {
		if !f.Failover {
			limit := 50.0
			switch {
			case f.Replicas > 1:
				limit = 150
			case f.Clients > 200:
				limit = 100
			}
			v := f.P99MS
			out = append(out, tilebench.Target{Name: "p99 delivery, " + f.Spec.String(), Value: &v, Op: "<", Limit: limit, Unit: "ms", Pass: v < limit})
			if f.Actions > 0 {
				a := f.ActionP99MS
				out = append(out, tilebench.Target{Name: "p99 delivery of actions, " + f.Spec.String(), Value: &a, Op: "<", Limit: limit, Unit: "ms", Pass: a < limit})
			}
		}
		lost := float64(f.Lost)
		out = append(out, tilebench.Target{Name: "events lost, " + f.Spec.String(), Value: &lost, Op: "=", Limit: 0, Unit: "", Pass: f.Lost == 0 && f.Errors == 0})
		if f.Actions > 0 {
			leaked := float64(f.Leaked)
			out = append(out, tilebench.Target{Name: "private events seen by others, " + f.Spec.String(), Value: &leaked, Op: "=", Limit: 0, Unit: "", Pass: f.Leaked == 0})
		}
	}
	return out
}

// stoppedFigures are a stopped server's, read before it went.
type stoppedFigures struct {
	rss int64
	cpu float64
}

// client is one participant's stream and what it received.
type client struct {
	token string
	id    int // participant number
	mu    sync.Mutex
	got   map[int64]time.Time // seq → receipt
	// coalesced: views up to this seq came superseded in a replay.
	coalescedTo int64
	last        int64
	resumedAt   time.Time // first event after a resume
	reconnects  int
	connected   chan struct{}
	once        sync.Once
}

func runOne(ctx context.Context, cfg Config, s Spec) (Figures, error) {
	f := Figures{Spec: s}
	var servers []*tilebench.Server
	defer func() {
		for _, srv := range servers {
			srv.Stop(15 * time.Second) //nolint:errcheck // measured already
		}
	}()
	for i := 0; i < s.Replicas; i++ {
		srv, err := tilebench.StartServer(ctx, cfg.AtlasBin, cfg.DatabaseURL, cfg.ServerOutput, 2*time.Minute)
		if err != nil {
			return f, err
		}
		servers = append(servers, srv)
	}
	hc := &http.Client{Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 64,
		DisableCompression:  true,
	}}
	base := servers[0].URL + "/api/v1/workshops"
	view, err := firstView(ctx, hc, servers[0].URL)
	if err != nil {
		return f, err
	}
	var created struct {
		Workshop struct {
			Code string `json:"code"`
		} `json:"workshop"`
		Token string `json:"facilitator_token"`
	}
	if err := call(ctx, hc, "POST", base, "", map[string]any{"title": "Banc d'essai", "view": view, "allow_anonymous": true}, &created); err != nil {
		return f, fmt.Errorf("create: %w", err)
	}
	code, ft := created.Workshop.Code, created.Token

	// Everyone joins (anonymously), spread over the servers.
	start := time.Now()
	clients := make([]*client, s.Clients)
	var joinErr error
	var wg sync.WaitGroup
	var jmu sync.Mutex
	sem := make(chan struct{}, 32)
	for i := range clients {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			var j struct {
				Token       string
				Participant struct{ ID int }
			}
			err := call(ctx, hc, "POST", servers[i%s.Replicas].URL+"/api/v1/workshops/"+code+"/participants", "", map[string]string{}, &j)
			jmu.Lock()
			defer jmu.Unlock()
			if err != nil && joinErr == nil {
				joinErr = err
			}
			clients[i] = &client{token: j.Token, id: j.Participant.ID, got: map[int64]time.Time{}, connected: make(chan struct{})}
		}(i)
	}
	wg.Wait()
	if joinErr != nil {
		return f, fmt.Errorf("join: %w", joinErr)
	}
	f.JoinS = time.Since(start).Seconds()
	var rm *room
	if cfg.ActionEvery > 0 {
		// The vote phase: contributions are public at once, dots allowed.
		if err := call(ctx, hc, "PUT", base+"/"+code+"/phase", ft, map[string]string{"phase": "vote"}, nil); err != nil {
			return f, fmt.Errorf("phase: %w", err)
		}
		codes, err := territoryCodes(ctx, hc, servers[0].URL, view)
		if err != nil {
			return f, err
		}
		rm = &room{code: code, view: view, codes: codes, level: fmt.Sprint(view["level"]), hc: hc,
			evs: &actionEvents{at: map[int64]time.Time{}, aud: map[int64]int{}}}
	}
	var snap struct{ Seq int64 }
	if err := call(ctx, hc, "GET", base+"/"+code, ft, nil, &snap); err != nil {
		return f, err
	}

	// The streams: each participant's own connection, reconnecting on its
	// own (to the first server once the second is stopped), as the
	// front end does.
	sctx, stopStreams := context.WithCancel(ctx)
	defer stopStreams()
	var alive atomic.Int32
	alive.Store(int32(s.Replicas))
	var errs atomic.Int64
	var firstErr atomic.Value
	for i, c := range clients {
		c.last = snap.Seq
		go c.stream(sctx, func() string { return servers[i%int(alive.Load())].URL }, code, &errs, &firstErr)
	}
	for _, c := range clients {
		select {
		case <-c.connected:
		case <-time.After(time.Minute):
			return f, errors.New("participants not connected after a minute")
		}
	}
	cpu0 := cpuTimes(servers)
	deadline := time.Now().Add(cfg.Duration)
	if rm != nil {
		rm.url = func(i int) string { return servers[i%int(alive.Load())].URL }
		rm.errs, rm.first = &errs, &firstErr
		actx, stopActing := context.WithDeadline(ctx, deadline)
		defer stopActing()
		for i, c := range clients {
			go rm.act(actx, i, c, cfg.ActionEvery)
		}
	}

	// The facilitator drives.
	sent := map[int64]time.Time{}
	var kinds = map[int64]string{}
	tick := time.NewTicker(time.Duration(float64(time.Second) / cfg.Rate))
	defer tick.Stop()
	var stoppedAt time.Time
	var stopped *stoppedFigures
	n := 0
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return f, ctx.Err()
		case <-tick.C:
		}
		if s.Failover && stoppedAt.IsZero() && time.Until(deadline) < cfg.Duration/2 {
			// Its memory and CPU are read now: the process is going.
			last := len(servers) - 1
			rss, _ := tilebench.PeakRSS(servers[last].Pid())
			stopped = &stoppedFigures{rss: rss, cpu: cpuTimes(servers[last:])[0]}
			stoppedAt = time.Now()
			alive.Store(1)
			go servers[last].Stop(15 * time.Second) //nolint:errcheck // it is the point
		}
		n++
		v := moved(view, n)
		t0 := time.Now()
		var ev struct{ Seq int64 }
		var err error
		kind := "view"
		if n%int(5*cfg.Rate) == 0 {
			kind = "steps"
			var st struct{ ID int64 }
			err = call(ctx, hc, "POST", base+"/"+code+"/steps", ft, map[string]any{"title": "Étape " + strconv.Itoa(n), "view": v}, &st)
			if err == nil {
				err = call(ctx, hc, "GET", base+"/"+code, ft, nil, &ev)
			}
		} else {
			err = call(ctx, hc, "PUT", base+"/"+code+"/view", ft, v, &ev)
		}
		if err != nil {
			errs.Add(1)
			firstErr.CompareAndSwap(nil, err.Error())
			continue
		}
		sent[ev.Seq], kinds[ev.Seq] = t0, kind
	}
	f.Events = len(sent)
	// Let the last events arrive.
	var lastSeq int64
	for seq := range sent {
		lastSeq = max(lastSeq, seq)
	}
	var acted map[int64]time.Time
	var audience map[int64]int
	if rm != nil {
		// The last actions may still be on their way: the deadline ended
		// their context, which cancels what was not answered yet.
		time.Sleep(100 * time.Millisecond)
		rm.evs.mu.Lock()
		acted, audience = rm.evs.at, rm.evs.aud
		rm.evs.mu.Unlock()
		for seq, aud := range audience {
			if aud == 0 {
				lastSeq = max(lastSeq, seq)
			}
		}
		f.Actions, f.ActionEvents = int(rm.count.Load()), len(acted)
		rm.mu.Lock()
		f.AnswerP50MS, f.AnswerP99MS, _ = percentiles(rm.took)
		rm.mu.Unlock()
	}
	settle := time.Now().Add(10 * time.Second)
	for time.Now().Before(settle) && !allGot(clients, lastSeq) {
		time.Sleep(50 * time.Millisecond)
	}
	cpu1 := cpuTimes(servers)
	wall := time.Since(deadline.Add(-cfg.Duration)).Seconds()
	stopStreams()

	var lat, alat []time.Duration
	for _, c := range clients {
		c.mu.Lock()
		for seq, t0 := range acted {
			aud := audience[seq]
			got, ok := c.got[seq]
			switch {
			case ok && aud != 0 && aud != c.id:
				f.Leaked++
			case ok:
				// Delivered late by a failover's resume: that is the
				// resume figure, not the delivery latency.
				if c.resumedAt.IsZero() || got.Before(stoppedAt) || t0.After(c.resumedAt) {
					alat = append(alat, got.Sub(t0))
				}
				f.ActionDeliveries++
			case aud == 0 || aud == c.id:
				f.Lost++
			}
		}
		for seq, t0 := range sent {
			got, ok := c.got[seq]
			switch {
			case ok:
				if c.resumedAt.IsZero() || got.Before(stoppedAt) || seq > c.coalescedTo {
					lat = append(lat, got.Sub(t0))
				}
				f.Deliveries++
			case kinds[seq] == "view" && seq <= c.coalescedTo:
				// Superseded in a replay: the latest view was sent instead.
			default:
				f.Lost++
			}
		}
		if !c.resumedAt.IsZero() {
			f.Resumed++
			f.ResumeMS = max(f.ResumeMS, ms(c.resumedAt.Sub(stoppedAt)))
		}
		c.mu.Unlock()
	}
	f.P50MS, f.P99MS, f.MaxMS = percentiles(lat)
	f.ActionP50MS, f.ActionP99MS, f.ActionMaxMS = percentiles(alat)
	for i, srv := range servers {
		rss, _ := tilebench.PeakRSS(srv.Pid())
		cpu, secs := cpu1[i]-cpu0[i], wall
		if stopped != nil && i == len(servers)-1 {
			rss, cpu, secs = stopped.rss, stopped.cpu-cpu0[i], stoppedAt.Sub(deadline.Add(-cfg.Duration)).Seconds()
		}
		f.RSSMB = append(f.RSSMB, rss/1_000_000)
		f.CPUCores = append(f.CPUCores, cpu/secs)
	}
	f.Errors = int(errs.Load())
	if v, ok := firstErr.Load().(string); ok {
		f.FirstErr = v
	}
	return f, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// percentiles are the p50, p99 and max of latencies, in ms.
func percentiles(lat []time.Duration) (p50, p99, top float64) {
	if len(lat) == 0 {
		return 0, 0, 0
	}
	slices.Sort(lat)
	return ms(tilebench.Percentile(lat, 50)), ms(tilebench.Percentile(lat, 99)), ms(lat[len(lat)-1])
}

func allGot(cs []*client, seq int64) bool {
	for _, c := range cs {
		c.mu.Lock()
		last := c.last
		c.mu.Unlock()
		if last < seq {
			return false
		}
	}
	return true
}

// stream reads the participant's events until ctx ends, reconnecting
// after any drop with Last-Event-ID, to the server url gives then.
func (c *client) stream(ctx context.Context, url func() string, code string, errs *atomic.Int64, firstErr *atomic.Value) {
	hc := &http.Client{Transport: &http.Transport{DisableCompression: true, DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext}}
	defer hc.CloseIdleConnections()
	for attempt := 0; ctx.Err() == nil; attempt++ {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url()+"/api/v1/workshops/"+code+"/events", nil)
		req.Header.Set("Authorization", "Bearer "+c.token)
		c.mu.Lock()
		last := c.last
		c.mu.Unlock()
		req.Header.Set("Last-Event-ID", strconv.FormatInt(last, 10))
		resp, err := hc.Do(req)
		if err != nil {
			if ctx.Err() == nil {
				time.Sleep(100 * time.Millisecond)
			}
			continue
		}
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			errs.Add(1)
			firstErr.CompareAndSwap(nil, fmt.Sprintf("stream: %d %s", resp.StatusCode, b))
			time.Sleep(500 * time.Millisecond)
			continue
		}
		c.once.Do(func() { close(c.connected) })
		resumed := attempt > 0
		c.read(resp.Body, resumed)
		resp.Body.Close()
		c.mu.Lock()
		c.reconnects++
		c.mu.Unlock()
	}
}

// read records the events of one connection; the first view of a resumed
// connection tells which views its replay superseded.
func (c *client) read(body io.Reader, resumed bool) {
	sc := bufio.NewScanner(body)
	var id int64
	firstView := resumed
	first := resumed
	for sc.Scan() {
		line := sc.Bytes()
		switch {
		case bytes.HasPrefix(line, []byte("id: ")):
			id, _ = strconv.ParseInt(string(line[4:]), 10, 64)
		case bytes.HasPrefix(line, []byte("event: ")):
			now := time.Now()
			c.mu.Lock()
			c.got[id] = now
			if id > c.last {
				c.last = id
			}
			if first {
				c.resumedAt, first = now, false
			}
			if firstView && string(line[7:]) == "view" {
				c.coalescedTo, firstView = id, false
			}
			c.mu.Unlock()
		}
	}
}

// firstView is a view on the first indicator of the catalogue.
func firstView(ctx context.Context, hc *http.Client, base string) (map[string]any, error) {
	var cat struct {
		Indicators []struct {
			ID     string   `json:"id"`
			Levels []string `json:"levels"`
		} `json:"indicators"`
	}
	if err := call(ctx, hc, "GET", base+"/api/v1/indicators", "", nil, &cat); err != nil {
		return nil, err
	}
	if len(cat.Indicators) == 0 {
		return nil, errors.New("no indicator imported: run `atlas import demo` first")
	}
	ind := cat.Indicators[0]
	for _, i := range cat.Indicators {
		if i.ID == "chomage-ze" {
			ind = i
		}
	}
	return map[string]any{"indicator": ind.ID, "level": ind.Levels[0], "sex": "ensemble", "sector": "ensemble",
		"method": "quantiles", "classes": 5, "bounds": []float64{-5.2, 41.3, 9.6, 51.1}}, nil
}

// moved is the view panned a little, as a facilitator dragging the map.
func moved(v map[string]any, n int) map[string]any {
	out := make(map[string]any, len(v))
	for k, x := range v {
		out[k] = x
	}
	d := float64(n%20) * 0.05
	out["bounds"] = []float64{-5.2 + d, 41.3 + d/2, 9.6 - d, 51.1 - d/2}
	return out
}

// call makes one JSON request; a status over 299 is an error with the
// problem's text.
func call(ctx context.Context, hc *http.Client, method, url, token string, body, out any) error {
	for {
		var rd io.Reader
		if body != nil {
			b, err := json.Marshal(body)
			if err != nil {
				return err
			}
			rd = bytes.NewReader(b)
		}
		req, err := http.NewRequestWithContext(ctx, method, url, rd)
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			// A room joining at once: wait as told, as a client should.
			wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			time.Sleep(time.Duration(max(wait, 1)) * time.Second)
			continue
		}
		if resp.StatusCode > 299 {
			return fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, strings.TrimSpace(string(b)))
		}
		if out != nil && len(b) > 0 {
			return json.Unmarshal(b, out)
		}
		return nil
	}
}

// cpuTimes are the servers' CPU seconds so far (user + system).
func cpuTimes(servers []*tilebench.Server) []float64 {
	out := make([]float64, len(servers))
	for i, s := range servers {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(s.Pid()) + "/stat")
		if err != nil {
			continue
		}
		// Fields after the command name, which is in parentheses.
		rest := string(b[bytes.LastIndexByte(b, ')')+2:])
		fs := strings.Fields(rest)
		if len(fs) > 12 {
			u, _ := strconv.ParseFloat(fs[11], 64)
			st, _ := strconv.ParseFloat(fs[12], 64)
			out[i] = (u + st) / 100 // clock ticks
		}
	}
	return out
}

// ParseSpecs reads runs written "200x1,1000x2,1000x2!" (! stops the last
// server halfway).
func ParseSpecs(s string) ([]Spec, error) {
	var out []Spec
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		fail := strings.HasSuffix(part, "!")
		c, r, ok := strings.Cut(strings.TrimSuffix(part, "!"), "x")
		nc, err1 := strconv.Atoi(c)
		nr, err2 := strconv.Atoi(r)
		if !ok || err1 != nil || err2 != nil || nc < 1 || nr < 1 || nr > 8 || (fail && nr < 2) {
			return nil, fmt.Errorf("%q: want CLIENTSxSERVERS, e.g. 200x1, or 1000x2! to stop a server halfway", part)
		}
		out = append(out, Spec{Clients: nc, Replicas: nr, Failover: fail})
	}
	return out, nil
}
