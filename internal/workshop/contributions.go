package workshop

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// Events of the board.
const (
	KindContribution = "contribution"
	// KindContributionGone: a contribution to take off the screen
	// (deleted, hidden or merged); the facilitator then gets the
	// contribution itself, marked.
	KindContributionGone = "contribution-removed"
	KindPhase            = "phase"
	KindBoardSettings    = "board-settings"
	KindVotes            = "votes"
	// KindTallies: every count at once (after a merge, a deletion, or
	// when hidden results are revealed); KindVote: the counts one dot
	// changed, so that a room voting at 100 dots a second does not
	// receive the whole board each time.
	KindTallies     = "tallies"
	KindVote        = "vote"
	KindPoll        = "poll"
	KindPollResults = "poll-results"
	KindAnswer      = "answer"
)

// Contribute is a contribution as asked for: its kind, its text, the
// territory it is pinned to and the view it was made on (for the value
// the map showed).
type Contribute struct {
	Kind  string `json:"kind"`
	Text  string `json:"text"`
	Level string `json:"level"`
	Code  string `json:"code"`
	View  *View  `json:"view"`
}

// audienceOf is who sees a contribution: its author (and the facilitator)
// until it is revealed, then everyone.
func audienceOf(c Contribution) *int {
	if c.Revealed {
		return everyone
	}
	return participantAnd(c.Author)
}

// stamp is the value the view showed for a territory: the map's own,
// through indicator.Gate (no figure when secret), or none when the view
// is not at the territory's level.
func (s *Service) stamp(ctx context.Context, v View, at territory.Level, code string) (*Stamp, error) {
	ms, err := s.diag.SelectMap(ctx, diagnostic.MapQuery{Query: diagnostic.Query{Indicator: v.Indicator, Level: v.Level, Period: v.Period,
		Sex: v.Sex, Sector: v.Sector}, Method: v.Method, Classes: classes(v), Palette: v.Palette})
	if err != nil {
		return nil, err
	}
	m, err := s.diag.Map(ctx, ms)
	if err != nil {
		return nil, err
	}
	st := &Stamp{Indicator: m.Indicator, Label: m.Label, Level: m.Level, Period: m.Period, Sex: m.Sex, Sector: m.Sector, Unit: m.Unit,
		Decimals: ms.Entry.Indicator.Decimals}
	if m.Level != at {
		// Another level's map: it showed no value for this territory.
		return st, nil
	}
	st.Status = indicator.StatusMissing
	for _, t := range m.Territories {
		if t.Code == code {
			st.Value, st.Status = t.Value, t.Status
		}
	}
	return st, nil
}

func classes(v View) string {
	if v.Classes == 0 {
		return ""
	}
	return strconv.Itoa(v.Classes)
}

// place checks a territory and names it.
func (s *Service) place(level, code string) (Place, error) {
	lv, err := territory.ParseLevel(level)
	if err != nil {
		return Place{}, invalid("level", "niveau inconnu : %s", level)
	}
	c := territory.NormaliseCode(lv, code)
	t, ok := s.diag.Territories().Get(lv, c)
	if !ok {
		return Place{}, invalid("code", "territoire inconnu : %s %s", lv.Label(), code)
	}
	return Place{Level: lv, Code: t.Code, Name: t.Name}, nil
}

func checkKind(kind string) error {
	if !slices.Contains(kindIDs(), kind) {
		return invalid("kind", "type inconnu : attendu %s", strings.Join(kindIDs(), ", "))
	}
	return nil
}

// Contribute adds a contribution; in the writing phase only its author and
// the facilitator see it until the facilitator reveals them.
func (s *Service) Contribute(ctx context.Context, code, token string, req Contribute) (Contribution, error) {
	if err := checkKind(req.Kind); err != nil {
		return Contribution{}, err
	}
	text, err := cleanLongText("text", req.Text, MaxText)
	if err != nil {
		return Contribution{}, err
	}
	pl, err := s.place(req.Level, req.Code)
	if err != nil {
		return Contribution{}, err
	}
	var st *Stamp
	if req.View != nil {
		v, err := checkView(ctx, s.diag, withBounds(*req.View), "view")
		if err != nil {
			return Contribution{}, err
		}
		if st, err = s.stamp(ctx, v, pl.Level, pl.Code); err != nil {
			return Contribution{}, err
		}
	}
	var out Contribution
	_, _, _, err = s.write(ctx, code, token, false, true, func(w *store.Workshop, _ *state, b *store.Board, id Identity) ([]emit, error) {
		if w.Phase == PhaseClosed {
			return nil, &Error{Kind: Conflict, Reason: "les contributions sont closes (phase close)"}
		}
		n, err := b.CountContributions()
		if err != nil {
			return nil, err
		}
		if n >= maxContributed {
			return nil, invalid("text", "cet atelier a déjà %d contributions", maxContributed)
		}
		name := facilitatorName
		if !id.Facilitator() {
			name = id.Name
		}
		out = Contribution{ID: w.NextContribution, Kind: req.Kind, Text: text, Territory: pl, Stamp: st, Author: id.Participant, Name: name,
			CreatedAt: s.now().UTC(), Revealed: w.Phase != PhaseWriting}
		w.NextContribution++
		if err := putContribution(b, out, true); err != nil {
			return nil, err
		}
		return []emit{{KindContribution, out, audienceOf(out)}}, nil
	})
	return out, err
}

// putContribution stores a new contribution, or what changed of one.
func putContribution(b *store.Board, c Contribution, isNew bool) error {
	row, err := c.row()
	if err != nil {
		return err
	}
	if isNew {
		return b.AddContribution(row)
	}
	return b.UpdateContribution(row)
}

// contribution reads one contribution; ok is false when there is none.
func contribution(b *store.Board, id int) (Contribution, bool, error) {
	row, ok, err := b.Contribution(id)
	if err != nil || !ok {
		return Contribution{}, false, err
	}
	c, err := contributionOf(row)
	return c, err == nil, err
}

// withBounds gives a view that came without a camera a valid one: a
// contribution's stamp needs the view's figures, not its camera.
func withBounds(v View) View {
	if v.Bounds == ([4]float64{}) {
		v.Bounds = [4]float64{-180, -90, 180, 90}
	}
	return v
}

// Edit changes a contribution's kind or text; authors only.
type Edit struct {
	Kind *string `json:"kind"`
	Text *string `json:"text"`
}

// Moderation is what the facilitator does to a contribution.
type Moderation struct {
	Hidden     *bool `json:"hidden"`
	Retained   *bool `json:"retained"`
	MergedInto *int  `json:"merged_into"`
}

// EditContribution changes the author's own contribution.
func (s *Service) EditContribution(ctx context.Context, code, token string, cid int, e Edit) (Contribution, error) {
	if e.Kind != nil {
		if err := checkKind(*e.Kind); err != nil {
			return Contribution{}, err
		}
	}
	var text string
	if e.Text != nil {
		var err error
		if text, err = cleanLongText("text", *e.Text, MaxText); err != nil {
			return Contribution{}, err
		}
	}
	var out Contribution
	_, _, _, err := s.write(ctx, code, token, false, true, func(w *store.Workshop, _ *state, b *store.Board, id Identity) ([]emit, error) {
		c, err := own(w, b, cid, id, "seul l'auteur modifie une contribution ; l'animation la masque ou la fusionne")
		if err != nil {
			return nil, err
		}
		if e.Kind != nil {
			c.Kind = *e.Kind
		}
		if e.Text != nil {
			c.Text = text
		}
		now := s.now().UTC()
		c.EditedAt = &now
		if err := putContribution(b, c, false); err != nil {
			return nil, err
		}
		out = c
		return []emit{{KindContribution, out, audienceOf(out)}}, nil
	})
	return out, err
}

// own reads a contribution its author is about to change: unknown to
// whoever may not see it, refused (with why) to anyone else, and to
// everyone once the board is closed.
func own(w *store.Workshop, b *store.Board, cid int, id Identity, why string) (Contribution, error) {
	c, ok, err := contribution(b, cid)
	if err != nil {
		return c, err
	}
	if !ok || !c.visibleTo(id) {
		return c, notFound("contribution " + strconv.Itoa(cid))
	}
	if id.Facilitator() || c.Author != id.Participant {
		return c, &Error{Kind: Forbidden, Reason: why}
	}
	if w.Phase == PhaseClosed {
		return c, &Error{Kind: Conflict, Reason: "les contributions sont closes (phase close)"}
	}
	return c, nil
}

// DeleteContribution removes the author's own contribution, and the dots
// on it.
func (s *Service) DeleteContribution(ctx context.Context, code, token string, cid int) error {
	_, _, _, err := s.write(ctx, code, token, false, true, func(w *store.Workshop, _ *state, b *store.Board, id Identity) ([]emit, error) {
		c, err := own(w, b, cid, id, "seul l'auteur supprime une contribution ; l'animation la masque")
		if err != nil {
			return nil, err
		}
		// The dots on it go with it, and those merged into it stand alone
		// again (the store's keys say so).
		voters, err := b.DeleteContribution(cid)
		if err != nil {
			return nil, err
		}
		emits := []emit{{KindContributionGone, map[string]int{"id": cid}, audienceOf(c)}}
		if len(voters) == 0 {
			return emits, nil
		}
		if w.Dots, w.Voters, err = b.Totals(); err != nil {
			return nil, err
		}
		ballots, err := ballotsEmits(w, b, voters)
		if err != nil {
			return nil, err
		}
		t, err := talliesEmit(w, b)
		if err != nil {
			return nil, err
		}
		return append(append(emits, ballots...), t), nil
	})
	return err
}

// Moderate hides, retains or merges a contribution (facilitator).
func (s *Service) Moderate(ctx context.Context, code, token string, cid int, m Moderation) (Contribution, error) {
	var out Contribution
	_, _, _, err := s.write(ctx, code, token, true, true, func(w *store.Workshop, _ *state, b *store.Board, _ Identity) ([]emit, error) {
		c, ok, err := contribution(b, cid)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, notFound("contribution " + strconv.Itoa(cid))
		}
		wasShown := c.Revealed && !c.Hidden && c.MergedInto == 0
		var moved []int
		if m.MergedInto != nil && *m.MergedInto != 0 && *m.MergedInto != c.MergedInto {
			into, ok, err := b.Contribution(*m.MergedInto)
			if err != nil {
				return nil, err
			}
			if !ok || into.ID == cid || into.MergedInto != 0 {
				return nil, invalid("merged_into", "une autre contribution, qui n'est pas elle-même fusionnée")
			}
			// Its dots, and those merged into it, follow: a merge is one
			// step, and a merged contribution holds no dot.
			if moved, err = b.Merge(cid, into); err != nil {
				return nil, err
			}
		}
		if m.Hidden != nil {
			c.Hidden = *m.Hidden
		}
		if m.Retained != nil {
			c.Retained = *m.Retained
		}
		if m.MergedInto != nil {
			c.MergedInto = *m.MergedInto
		}
		if err := putContribution(b, c, false); err != nil {
			return nil, err
		}
		out = c
		shown := c.Revealed && !c.Hidden && c.MergedInto == 0
		var emits []emit
		switch {
		case wasShown && !shown:
			// Off every screen; the facilitator keeps it, marked.
			emits = append(emits, emit{KindContributionGone, map[string]int{"id": cid}, everyone}, emit{KindContribution, out, facilitatorOnly})
		case shown:
			emits = append(emits, emit{KindContribution, out, everyone})
		default:
			emits = append(emits, emit{KindContribution, out, audienceOf(out)})
		}
		if len(moved) > 0 {
			ballots, err := ballotsEmits(w, b, moved)
			if err != nil {
				return nil, err
			}
			t, err := talliesEmit(w, b)
			if err != nil {
				return nil, err
			}
			emits = append(append(emits, ballots...), t)
		}
		return emits, nil
	})
	return out, err
}

// SetPhase moves the board to a phase; revealing (any phase after
// writing) shows everyone the contributions written so far.
func (s *Service) SetPhase(ctx context.Context, code, token, phase string) (Board, error) {
	if !slices.Contains(phases, phase) {
		return Board{}, invalid("phase", "attendu %s", strings.Join(phases, ", "))
	}
	var out Board
	_, _, _, err := s.write(ctx, code, token, true, true, func(w *store.Workshop, _ *state, b *store.Board, id Identity) ([]emit, error) {
		w.Phase = phase
		revealed := []Contribution{}
		if phase != PhaseWriting {
			rows, err := b.RevealContributions()
			if err != nil {
				return nil, err
			}
			for _, r := range rows {
				c, err := contributionOf(r)
				if err != nil {
					return nil, err
				}
				if !c.Hidden && c.MergedInto == 0 {
					revealed = append(revealed, c)
				}
			}
		}
		var err error
		if out, err = viewIn(w, b, id); err != nil {
			return nil, err
		}
		return []emit{{KindPhase, map[string]any{"phase": phase, "revealed": revealed}, everyone}}, nil
	})
	return out, err
}

// viewIn is the whole board as id sees it, inside a write (for the
// facilitator's answers: a participant's are kept small).
func viewIn(w *store.Workshop, b *store.Board, id Identity) (Board, error) {
	wb, err := b.Load()
	if err != nil {
		return Board{}, err
	}
	bd, err := boardOf(*w, wb)
	if err != nil {
		return Board{}, err
	}
	return bd.viewFor(id), nil
}

// cleanLongText is cleanText for a contribution: line breaks are kept.
func cleanLongText(field, s string, max int) (string, error) {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	joined := strings.TrimSpace(strings.Join(lines, "\n"))
	flat := strings.ReplaceAll(joined, "\n", " ")
	if _, err := cleanText(field, flat, max); err != nil {
		return "", err
	}
	return joined, nil
}
