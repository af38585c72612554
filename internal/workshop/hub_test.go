package workshop

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/store"
)

// next waits for the subscription's next event.
func next(t *testing.T, sub *Subscription) Event {
	t.Helper()
	select {
	case e, ok := <-sub.C:
		if !ok {
			t.Fatal("stream closed")
		}
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5 s")
	}
	return Event{}
}

func sexOf(t *testing.T, e Event) string {
	t.Helper()
	var d struct{ View View }
	if err := json.Unmarshal(e.Data, &d); err != nil {
		t.Fatal(err)
	}
	return d.View.Sex
}

// Two servers on one database: what is committed through one reaches the
// streams of the other, in order, and a stream resumes exactly where it
// stopped, from memory or from the store.
func TestStreamsAcrossServers(t *testing.T) {
	a, st := fixture(t)
	b := New(Config{Store: st, Diagnostic: a.diag})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go a.Run(ctx)
	go b.Run(ctx)
	for !a.Listening() || !b.Listening() {
		time.Sleep(10 * time.Millisecond)
	}
	c, err := a.Create(ctx, Create{Title: "Deux serveurs", View: view("ensemble")}, "client", base)
	if err != nil {
		t.Fatal(err)
	}
	code, ft := c.Workshop.Code, c.FacilitatorToken
	p, err := a.Join(ctx, code, "Marie")
	if err != nil {
		t.Fatal(err)
	}
	// Marie streams from b, the facilitator from a.
	sub, err := b.Subscribe(ctx, code, p.Token, c.Workshop.Seq)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	fsub, err := a.Subscribe(ctx, code, ft, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fsub.Close()
	kinds := []string{}
	for _, e := range fsub.Backlog {
		kinds = append(kinds, e.Kind)
	}
	if len(kinds) != 2 || kinds[0] != KindCreated || kinds[1] != KindJoined {
		t.Errorf("facilitator's backlog %v, want created and joined", kinds)
	}
	if len(sub.Backlog) != 0 {
		t.Errorf("Marie's backlog after the snapshot holds %d events (the join is the facilitator's to see)", len(sub.Backlog))
	}
	sexes := []string{"femmes", "hommes", "ensemble", "femmes"}
	var seqs []int64
	for _, sex := range sexes {
		seq, err := a.SetView(ctx, code, ft, view(sex))
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, seq)
	}
	for i, sex := range sexes {
		e := next(t, sub)
		if e.Kind != KindView || e.Seq != seqs[i] || sexOf(t, e) != sex {
			t.Fatalf("event %d: %s %d %s, want view %d %s", i, e.Kind, e.Seq, sexOf(t, e), seqs[i], sex)
		}
		if f := next(t, fsub); f.Seq != seqs[i] {
			t.Fatalf("the facilitator's stream got %d, want %d", f.Seq, seqs[i])
		}
	}

	// Resuming after the second view: the ring of b answers, and the
	// views are coalesced to the latest.
	again, err := b.Subscribe(ctx, code, p.Token, seqs[1])
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Backlog) != 1 || again.Backlog[0].Seq != seqs[3] {
		t.Errorf("resume from memory: %d events, want the last view only", len(again.Backlog))
	}
	again.Close()
	// A third server has nothing in memory: the store answers the same.
	c3 := New(Config{Store: st, Diagnostic: a.diag})
	fresh, err := c3.Subscribe(ctx, code, ft, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, e := range fresh.Backlog {
		got = append(got, e.Kind)
	}
	if len(got) != 3 || got[0] != KindCreated || got[1] != KindJoined || got[2] != KindView || fresh.Backlog[2].Seq != seqs[3] {
		t.Errorf("resume from the store: %v", got)
	}
	fresh.Close()

	// Steps are never coalesced.
	if _, err := a.AddStep(ctx, code, ft, "Un", view("femmes")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddStep(ctx, code, ft, "Deux", view("hommes")); err != nil {
		t.Fatal(err)
	}
	s1, s2 := next(t, sub), next(t, sub)
	if s1.Kind != KindSteps || s2.Kind != KindSteps {
		t.Errorf("%s %s", s1.Kind, s2.Kind)
	}
	late, _ := b.Subscribe(ctx, code, p.Token, seqs[3])
	if len(late.Backlog) != 2 {
		t.Errorf("a replay of two step changes holds %d events", len(late.Backlog))
	}
	late.Close()
}

// A subscriber that stops reading is dropped rather than slowing the
// others down, and says so.
func TestLaggingSubscriberIsDropped(t *testing.T) {
	s, st := fixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)
	c, err := s.Create(ctx, Create{Title: "Lent", View: view("ensemble")}, "client", base)
	if err != nil {
		t.Fatal(err)
	}
	slow, err := s.Subscribe(ctx, c.Workshop.Code, c.FacilitatorToken, c.Workshop.Seq)
	if err != nil {
		t.Fatal(err)
	}
	w, _, _ := st.WorkshopByCode(ctx, c.Workshop.Code)
	// More events than the buffer holds, straight into the store (the
	// rate limit would stop the facilitator first).
	for i := 0; i < subBuffer+10; i++ {
		if _, _, err := st.ChangeWorkshop(ctx, w.ID, func(cur store.Workshop, _ *store.Board) (store.WorkshopChange, error) {
			return store.WorkshopChange{Workshop: cur, Events: []store.WorkshopEvent{{Kind: KindView, Actor: "facilitator", Data: json.RawMessage(`{}`)}}}, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	// Only now does it read: its buffer is full and it was dropped.
	deadline := time.After(10 * time.Second)
	for n := 0; ; n++ {
		select {
		case _, ok := <-slow.C:
			if !ok {
				if !slow.Lagged() || n != subBuffer {
					t.Errorf("closed after %d events, lagged %v", n, slow.Lagged())
				}
				return
			}
		case <-deadline:
			t.Fatal("the lagging subscriber was never dropped")
		}
	}
}
