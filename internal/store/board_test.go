package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/store/storetest"
)

// onBoard runs f in one write of the workshop, with one event so that the
// write is allowed; f's error rolls everything back.
func onBoard(t *testing.T, st *store.Store, w store.Workshop, f func(*store.Board) error) error {
	t.Helper()
	_, _, err := st.ChangeWorkshop(context.Background(), w.ID, func(cur store.Workshop, b *store.Board) (store.WorkshopChange, error) {
		if err := f(b); err != nil {
			return store.WorkshopChange{}, err
		}
		return store.WorkshopChange{Workshop: cur, Events: []store.WorkshopEvent{{Kind: "test", Actor: "facilitator", Data: []byte(`{}`)}}}, nil
	})
	return err
}

func newWorkshop(t *testing.T, st *store.Store, code string) store.Workshop {
	t.Helper()
	w, err := st.CreateWorkshop(context.Background(), store.Workshop{Code: code, Title: "Atelier", FacilitatorHash: []byte("h"), State: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func contribution(id int, code string) store.WorkshopContribution {
	return store.WorkshopContribution{ID: id, Kind: "constat", Text: "texte", Level: "departement", Code: code, TerritoryName: "Haute-Garonne",
		Author: 1, AuthorName: "Alice", CreatedAt: time.Now(), Stamp: []byte(`{"indicator":"x"}`)}
}

func TestBoardDotsAndCounts(t *testing.T) {
	st := storetest.New(t)
	w := newWorkshop(t, st, "BOARD1")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	type figures struct {
		store.DotCounts
		Dots, Voters int
	}
	count := func(b *store.Board, contribution int, code string) (figures, error) {
		c, err := b.Counts(contribution, "departement", code)
		if err != nil {
			return figures{}, err
		}
		d, v, err := b.Totals()
		return figures{c, d, v}, err
	}
	var got figures
	must(onBoard(t, st, w, func(b *store.Board) error {
		for _, c := range []store.WorkshopContribution{contribution(1, "31"), contribution(2, "31"), contribution(3, "09")} {
			if err := b.AddContribution(c); err != nil {
				return err
			}
		}
		// Alice: two dots on 1, one on the Ariège; Bruno: one on 3.
		for _, d := range []store.WorkshopDot{
			{Participant: 1, Contribution: 1, Level: "departement", Code: "31"}, {Participant: 1, Contribution: 1, Level: "departement", Code: "31"},
			{Participant: 1, Level: "departement", Code: "09"}, {Participant: 2, Contribution: 3, Level: "departement", Code: "09"},
		} {
			if _, err := b.AddDot(d); err != nil {
				return err
			}
		}
		var err error
		got, err = count(b, 3, "09")
		return err
	}))
	// The Ariège: Alice's dot on it, and Bruno's on contribution 3 pinned to it.
	if got != (figures{store.DotCounts{Contribution: 1, Territory: 2}, 4, 2}) {
		t.Errorf("counts %+v", got)
	}

	// 1 merged into 3 (in the Ariège): its dots move there, with their
	// territory. Taking a dot back takes one of two alike.
	var moved []int
	must(onBoard(t, st, w, func(b *store.Board) error {
		into, _, err := b.Contribution(3)
		if err != nil {
			return err
		}
		if moved, err = b.Merge(1, into); err != nil {
			return err
		}
		if n, ok, err := b.RemoveDot(store.WorkshopDot{Participant: 1, Contribution: 3, Level: "departement", Code: "09"}); !ok || err != nil || n.Contribution != 2 {
			t.Errorf("remove: %v %v, %+v after", ok, err, n)
		}
		if _, ok, _ := b.RemoveDot(store.WorkshopDot{Participant: 2, Level: "departement", Code: "09"}); ok {
			t.Error("removed a dot Bruno never put")
		}
		got, err = count(b, 3, "09")
		return err
	}))
	if !slices.Equal(moved, []int{1}) || got != (figures{store.DotCounts{Contribution: 2, Territory: 3}, 3, 2}) {
		t.Errorf("after the merge: moved %v, %+v", moved, got)
	}

	// Deleting 3 takes the dots on it; Alice keeps her dot on the Ariège.
	var dots []store.WorkshopDot
	var voters []int
	must(onBoard(t, st, w, func(b *store.Board) error {
		var err error
		if voters, err = b.DeleteContribution(3); err != nil {
			return err
		}
		if dots, err = b.Dots(1); err != nil {
			return err
		}
		got, err = count(b, 0, "09")
		return err
	}))
	want := []store.WorkshopDot{{Participant: 1, Level: "departement", Code: "09"}}
	if !slices.Equal(dots, want) || !slices.Equal(voters, []int{1, 2}) || got != (figures{store.DotCounts{Territory: 1}, 1, 1}) {
		t.Errorf("after deleting: Alice's dots %+v, voters %v, %+v", dots, voters, got)
	}
}

func TestBoardRollsBackWithTheWrite(t *testing.T) {
	st := storetest.New(t)
	w := newWorkshop(t, st, "BOARD2")
	refused := errors.New("refused")
	err := onBoard(t, st, w, func(b *store.Board) error {
		if err := b.AddContribution(contribution(1, "31")); err != nil {
			return err
		}
		return refused
	})
	if !errors.Is(err, refused) {
		t.Fatalf("%v", err)
	}
	_, wb, ok, err := st.WorkshopSnapshot(context.Background(), "BOARD2")
	if err != nil || !ok || len(wb.Contributions) != 0 {
		t.Errorf("a refused write left %+v (%v)", wb.Contributions, err)
	}
}

func TestBoardPollsRevealAndSnapshot(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	w := newWorkshop(t, st, "BOARD3")
	var revealed []store.WorkshopContribution
	err := onBoard(t, st, w, func(b *store.Board) error {
		for _, id := range []int{3, 1, 2} {
			c := contribution(id, "31")
			c.Revealed = id == 2
			if err := b.AddContribution(c); err != nil {
				return err
			}
		}
		var err error
		if revealed, err = b.RevealContributions(); err != nil {
			return err
		}
		if err := b.AddPoll(store.WorkshopPoll{ID: 1, Question: "Quels thèmes ?", Kind: "ranking", Choices: []string{"a", "b", "c"}, Open: true, CreatedAt: time.Now()}); err != nil {
			return err
		}
		for _, a := range []store.WorkshopAnswer{{Poll: 1, Participant: 2, Choices: []int{2, 1, 0}}, {Poll: 1, Participant: 1, Choices: []int{0, 1, 2}}, {Poll: 1, Participant: 2, Choices: []int{1, 0, 2}}} {
			if err := b.Answer(a); err != nil {
				return err
			}
		}
		return b.SetPollOpen(1, false)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(revealed) != 2 || revealed[0].ID != 1 || revealed[1].ID != 3 {
		t.Errorf("revealed %+v", revealed)
	}
	got, wb, ok, err := st.WorkshopSnapshot(ctx, "BOARD3")
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if got.Seq != 1 || len(wb.Contributions) != 3 || wb.Contributions[0].ID != 1 || !wb.Contributions[2].Revealed || string(wb.Contributions[0].Stamp) != `{"indicator": "x"}` {
		t.Errorf("snapshot at %d: %+v", got.Seq, wb.Contributions)
	}
	// An answer given again replaces the first.
	if len(wb.Polls) != 1 || wb.Polls[0].Open || len(wb.Answers) != 2 || !slices.Equal(wb.Answers[1].Choices, []int{1, 0, 2}) {
		t.Errorf("polls %+v, answers %+v", wb.Polls, wb.Answers)
	}
	// Deleting the workshop takes the board.
	if err := st.DeleteWorkshop(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := storetest.SQL(t, st).QueryRow(ctx, `SELECT (SELECT count(*) FROM workshop_contribution) + (SELECT count(*) FROM workshop_dot)
		+ (SELECT count(*) FROM workshop_poll) + (SELECT count(*) FROM workshop_answer)`).Scan(&left); err != nil || left != 0 {
		t.Errorf("%d board rows left after deleting (%v)", left, err)
	}
	if _, _, ok, err := st.WorkshopSnapshot(ctx, "BOARD3"); ok || err != nil {
		t.Errorf("snapshot of a deleted workshop: %v %v", ok, err)
	}
}

// BenchmarkBoardVote is one dot in its own write, as a participant's vote
// makes it: the contribution, the participant's dots, the dot and the
// counts after it, one event; on a board of 300 contributions and 3,000 dots, all
// in one territory (the worst case for its count), with the tables'
// statistics as stale as in a workshop's first minutes. Its baseline is
// a write of the event alone (the facilitator's view), in the same run.
func BenchmarkBoardVote(b *testing.B) {
	st := storetest.New(b)
	w, err := st.CreateWorkshop(context.Background(), store.Workshop{Code: "BENCH1", Title: "Banc", FacilitatorHash: []byte("h"), State: []byte(`{}`)})
	if err != nil {
		b.Fatal(err)
	}
	write := func(f func(*store.Board) error) {
		_, _, err := st.ChangeWorkshop(context.Background(), w.ID, func(cur store.Workshop, bd *store.Board) (store.WorkshopChange, error) {
			if err := f(bd); err != nil {
				return store.WorkshopChange{}, err
			}
			return store.WorkshopChange{Workshop: cur, Events: []store.WorkshopEvent{{Kind: "vote", Actor: "p1", Data: []byte(`{"dots":1}`)}}}, nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	write(func(bd *store.Board) error {
		for i := 1; i <= 300; i++ {
			if err := bd.AddContribution(contribution(i, "31")); err != nil {
				return err
			}
		}
		for p := 1; p <= 1000; p++ {
			for d := 0; d < 3; d++ {
				if _, err := bd.AddDot(store.WorkshopDot{Participant: p, Contribution: 1 + (p*7+d*13)%300, Level: "departement", Code: "31"}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	b.Run("event only", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			write(func(*store.Board) error { return nil })
		}
	})
	b.Run("vote", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			p, c := 1001+i, 1+i%300
			write(func(bd *store.Board) error {
				if _, _, err := bd.Contribution(c); err != nil {
					return err
				}
				if _, err := bd.Dots(p); err != nil {
					return err
				}
				_, err := bd.AddDot(store.WorkshopDot{Participant: p, Contribution: c, Level: "departement", Code: "31"})
				return err
			})
		}
	})
}
