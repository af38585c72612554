package workshopbench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// A participant's actions, once every Config.ActionEvery from a random
// offset: a first contribution for three in ten of them, then dots put
// on a contribution or a territory, and taken back once the budget is
// spent (to put them elsewhere), as a room does in the vote phase.
const contributorShare = 0.3

// actionEvents are the events the participants' actions committed, by
// seq: when the action was asked for, and who may see the event (0:
// everyone; n: participant n alone, besides the facilitator).
type actionEvents struct {
	mu  sync.Mutex
	at  map[int64]time.Time
	aud map[int64]int
	// contributions is the highest contribution id committed so far, for
	// dots on contributions.
	contributions atomic.Int64
}

func (a *actionEvents) add(seq int64, t0 time.Time, audience int) {
	a.mu.Lock()
	a.at[seq], a.aud[seq] = t0, audience
	a.mu.Unlock()
}

// room is what the participants' actions share.
type room struct {
	code  string
	view  map[string]any
	codes []string // territory codes at the view's level
	level string
	url   func(i int) string
	hc    *http.Client
	evs   *actionEvents
	errs  *atomic.Int64
	first *atomic.Value
	count atomic.Int64 // actions committed
	mu    sync.Mutex
	took  []time.Duration // from each committed action's request to its answer
}

// act runs participant i's actions until ctx ends.
func (r *room) act(ctx context.Context, i int, c *client, every time.Duration) {
	rng := rand.New(rand.NewPCG(uint64(i), 0x5eed))
	contributes := rng.Float64() < contributorShare
	var dots []map[string]any
	wait := time.Duration(rng.Int64N(int64(every)))
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = every
		t0 := time.Now()
		var err error
		switch {
		case contributes && n == 0:
			err = r.contribute(ctx, i, c, rng, t0)
		case len(dots) < 3:
			var d map[string]any
			if d, err = r.vote(ctx, i, c, rng, t0); err == nil {
				dots = append(dots, d)
			}
		default:
			j := rng.IntN(len(dots))
			if err = r.unvote(ctx, i, c, dots[j], t0); err == nil {
				dots = append(dots[:j], dots[j+1:]...)
			}
		}
		if err != nil && ctx.Err() == nil {
			r.errs.Add(1)
			r.first.CompareAndSwap(nil, fmt.Sprintf("participant %d: %v", c.id, err))
		}
	}
}

var kinds = []string{"constat", "hypothese", "question", "source", "piste"}

func (r *room) contribute(ctx context.Context, i int, c *client, rng *rand.Rand, t0 time.Time) error {
	body := map[string]any{"kind": kinds[rng.IntN(len(kinds))], "level": r.level, "code": r.codes[rng.IntN(len(r.codes))],
		"text": "Remontée de terrain n° " + strconv.Itoa(i) + " : les arrêts se concentrent sur les mêmes établissements.", "view": r.view}
	var out struct{ ID int64 }
	seq, err := r.send(ctx, i, c, "POST", "/contributions", body, &out)
	if err != nil {
		return err
	}
	for cur := r.evs.contributions.Load(); out.ID > cur && !r.evs.contributions.CompareAndSwap(cur, out.ID); cur = r.evs.contributions.Load() {
	}
	r.evs.add(seq, t0, 0)
	return nil
}

// vote puts a dot on a contribution already made, or on a territory.
func (r *room) vote(ctx context.Context, i int, c *client, rng *rand.Rand, t0 time.Time) (map[string]any, error) {
	target := map[string]any{"level": r.level, "code": r.codes[rng.IntN(len(r.codes))]}
	if n := r.evs.contributions.Load(); n > 0 && rng.IntN(2) == 0 {
		target = map[string]any{"contribution": 1 + rng.Int64N(n)}
	}
	seq, err := r.send(ctx, i, c, "POST", "/votes", target, nil)
	if err != nil {
		return nil, err
	}
	r.votes(seq, t0, c.id)
	return target, nil
}

func (r *room) unvote(ctx context.Context, i int, c *client, target map[string]any, t0 time.Time) error {
	q := "?level=" + fmt.Sprint(target["level"]) + "&code=" + fmt.Sprint(target["code"])
	if id, ok := target["contribution"]; ok {
		q = "?contribution=" + fmt.Sprint(id)
	}
	seq, err := r.send(ctx, i, c, "DELETE", "/votes"+q, nil, nil)
	if err != nil {
		return err
	}
	r.votes(seq, t0, c.id)
	return nil
}

// votes records a dot's two events: the voter's own budget, then the
// counts, to everyone (the write commits them in that order, with
// consecutive seqs under the workshop's row lock).
func (r *room) votes(seq int64, t0 time.Time, voter int) {
	r.evs.add(seq-1, t0, voter)
	r.evs.add(seq, t0, 0)
}

// send makes participant i's request to its server, and to the one left
// when its server is gone; it returns the Workshop-Seq of the answer.
func (r *room) send(ctx context.Context, i int, c *client, method, path string, body, out any) (int64, error) {
	var b []byte
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			return 0, err
		}
	}
	t0 := time.Now()
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, r.url(i)+"/api/v1/workshops/"+r.code+path, bytes.NewReader(b))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := r.hc.Do(req)
		var op *net.OpError
		if err != nil && errors.As(err, &op) && op.Op == "dial" && attempt < 20 {
			// Its server stopped: the front end retries on the address
			// it is given, which a load balancer points elsewhere.
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if err != nil {
			return 0, err
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return 0, err
		}
		if resp.StatusCode > 299 {
			return 0, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, strings.TrimSpace(string(data)))
		}
		r.count.Add(1)
		r.mu.Lock()
		r.took = append(r.took, time.Since(t0))
		r.mu.Unlock()
		seq, err := strconv.ParseInt(resp.Header.Get("Workshop-Seq"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s %s: Workshop-Seq %q", method, path, resp.Header.Get("Workshop-Seq"))
		}
		if out != nil {
			return seq, json.Unmarshal(data, out)
		}
		return seq, nil
	}
}

// territoryCodes are the codes of the territories the view's choropleth
// shows.
func territoryCodes(ctx context.Context, hc *http.Client, base string, view map[string]any) ([]string, error) {
	var ch struct {
		Territories []struct{ Code string } `json:"territories"`
	}
	u := base + "/api/v1/indicators/" + fmt.Sprint(view["indicator"]) + "/choropleth?level=" + fmt.Sprint(view["level"])
	if err := call(ctx, hc, "GET", u, "", nil, &ch); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(ch.Territories))
	for _, t := range ch.Territories {
		out = append(out, t.Code)
	}
	if len(out) == 0 {
		return nil, errors.New("no territory in the view's choropleth")
	}
	return out, nil
}
