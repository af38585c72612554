package workshop

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/store"
)

// countsAudience is who may see the counts: everyone, or the facilitator
// alone while they are hidden.
func countsAudience(w *store.Workshop) *int {
	if w.HideResults && !w.ResultsShown {
		return facilitatorOnly
	}
	return everyone
}

// talliesEmit is every count after a change, to those who may see them.
func talliesEmit(w *store.Workshop, b *store.Board) (emit, error) {
	wb, err := b.Load()
	if err != nil {
		return emit{}, err
	}
	bd, err := boardOf(*w, wb)
	if err != nil {
		return emit{}, err
	}
	return emit{KindTallies, bd.tallies(), countsAudience(w)}, nil
}

// VoteCount is what one dot changed in the tallies: the counts, after
// the change, of its contribution (if on one), of its territory, and of
// the whole vote. Counts are absolute, so applying one twice is harmless.
type VoteCount struct {
	Contribution     int    `json:"contribution,omitempty"`
	ContributionDots int    `json:"contribution_dots"`
	Territory        string `json:"territory"` // level:code
	TerritoryDots    int    `json:"territory_dots"`
	Voters           int    `json:"voters"`
	Dots             int    `json:"dots"`
}

// voteEmit is the change dot d made, to those who may see the counts:
// its target's (read on the dots' indexes) and the workshop's totals, not
// the whole board.
func voteEmit(w *store.Workshop, d store.WorkshopDot, n store.DotCounts) emit {
	vc := VoteCount{Contribution: d.Contribution, ContributionDots: n.Contribution, Territory: d.Level + ":" + d.Code, TerritoryDots: n.Territory,
		Voters: w.Voters, Dots: w.Dots}
	return emit{KindVote, vc, countsAudience(w)}
}

// ballotsEmits tell participants whose dots moved or went (a merge, a
// deletion) what they now hold.
func ballotsEmits(w *store.Workshop, b *store.Board, participants []int) ([]emit, error) {
	out := make([]emit, 0, len(participants))
	for _, p := range participants {
		bl, err := ballot(w, b, p)
		if err != nil {
			return nil, err
		}
		out = append(out, emit{KindVotes, bl, participantAnd(p)})
	}
	return out, nil
}

// Ballot is a participant's dots, in the order they put them, and what is
// left of their budget.
type Ballot struct {
	MyVotes   []Target `json:"my_votes"`
	Remaining int      `json:"remaining"`
}

// ballot reads a participant's dots.
func ballot(w *store.Workshop, b *store.Board, participant int) (Ballot, error) {
	dots, err := b.Dots(participant)
	if err != nil {
		return Ballot{}, err
	}
	out := Ballot{MyVotes: make([]Target, 0, len(dots)), Remaining: max(0, w.VoteBudget-len(dots))}
	for _, d := range dots {
		out.MyVotes = append(out.MyVotes, targetOf(d))
	}
	return out, nil
}

// Vote puts one of a participant's dots on a contribution or a territory,
// within their budget, in the vote phase. The workshop's row lock, held
// by the write, makes the budget hold under concurrent votes.
func (s *Service) Vote(ctx context.Context, code, token string, t Target) (Ballot, error) {
	return s.dot(ctx, code, token, t, true)
}

// Unvote takes one of a participant's dots back from a target.
func (s *Service) Unvote(ctx context.Context, code, token string, t Target) (Ballot, error) {
	return s.dot(ctx, code, token, t, false)
}

func (s *Service) dot(ctx context.Context, code, token string, t Target, put bool) (Ballot, error) {
	t, err := s.target(t)
	if err != nil {
		return Ballot{}, err
	}
	var out Ballot
	_, _, _, err = s.write(ctx, code, token, false, true, func(w *store.Workshop, _ *state, b *store.Board, id Identity) ([]emit, error) {
		if id.Facilitator() {
			return nil, &Error{Kind: Forbidden, Reason: "l'animation ne vote pas"}
		}
		if w.Phase != PhaseVote {
			return nil, &Error{Kind: Conflict, Reason: "le vote n'est pas ouvert : l'animation l'ouvre (phase vote)"}
		}
		d := store.WorkshopDot{Participant: id.Participant, Contribution: t.Contribution, Level: string(t.Level), Code: t.Code}
		if t.Contribution != 0 {
			c, ok, err := contribution(b, t.Contribution)
			if err != nil {
				return nil, err
			}
			if put && (!ok || !c.visibleTo(id)) {
				return nil, invalid("contribution", "contribution inconnue : %d", t.Contribution)
			}
			// A dot on a contribution counts for its territory too.
			d.Level, d.Code = string(c.Territory.Level), c.Territory.Code
		}
		dots, err := b.Dots(id.Participant)
		if err != nil {
			return nil, err
		}
		var counts store.DotCounts
		if put {
			if len(dots) >= w.VoteBudget {
				return nil, &Error{Kind: Conflict, Reason: "plus de gommette : les " + strconv.Itoa(w.VoteBudget) + " sont posées (retirez-en une pour voter ailleurs)"}
			}
			if counts, err = b.AddDot(d); err != nil {
				return nil, err
			}
			w.Dots++
			if len(dots) == 0 {
				w.Voters++
			}
			dots = append(dots, d)
		} else {
			var ok bool
			if counts, ok, err = b.RemoveDot(d); err != nil {
				return nil, err
			}
			if !ok {
				return nil, notFound("gommette sur cette cible")
			}
			w.Dots--
			if len(dots) == 1 {
				w.Voters--
			}
			i := slices.IndexFunc(dots, func(x store.WorkshopDot) bool { return targetOf(x) == targetOf(d) })
			dots = slices.Delete(dots, i, i+1)
		}
		out = Ballot{MyVotes: make([]Target, 0, len(dots)), Remaining: max(0, w.VoteBudget-len(dots))}
		for _, x := range dots {
			out.MyVotes = append(out.MyVotes, targetOf(x))
		}
		return []emit{{KindVotes, out, participantAnd(id.Participant)}, voteEmit(w, d, counts)}, nil
	})
	return out, err
}

// target checks what a dot goes on: a contribution, or a known territory.
func (s *Service) target(t Target) (Target, error) {
	switch {
	case t.Contribution != 0 && (t.Level != "" || t.Code != ""):
		return t, invalid("contribution", "une contribution ou un territoire, pas les deux")
	case t.Contribution < 0:
		return t, invalid("contribution", "un numéro de contribution")
	case t.Contribution != 0:
		return t, nil
	}
	pl, err := s.place(string(t.Level), t.Code)
	if err != nil {
		return t, err
	}
	return Target{Level: pl.Level, Code: pl.Code}, nil
}

// BoardSettings are the vote's settings (facilitator).
type BoardSettings struct {
	Budget       *int  `json:"vote_budget"`
	HideResults  *bool `json:"hide_results"`
	ResultsShown *bool `json:"results_shown"`
}

// SetBoard changes the vote's budget and whether its results are hidden
// (and, if so, revealed).
func (s *Service) SetBoard(ctx context.Context, code, token string, set BoardSettings) (Board, error) {
	if set.Budget != nil && (*set.Budget < 1 || *set.Budget > MaxBudget) {
		return Board{}, invalid("vote_budget", "de 1 à %d gommettes", MaxBudget)
	}
	var out Board
	_, _, _, err := s.write(ctx, code, token, true, true, func(w *store.Workshop, _ *state, b *store.Board, id Identity) ([]emit, error) {
		if set.Budget != nil {
			w.VoteBudget = *set.Budget
		}
		if set.HideResults != nil {
			w.HideResults = *set.HideResults
		}
		if set.ResultsShown != nil {
			w.ResultsShown = *set.ResultsShown
		}
		var err error
		if out, err = viewIn(w, b, id); err != nil {
			return nil, err
		}
		// The tallies, to those who may now see them (or nobody new).
		t, err := talliesEmit(w, b)
		if err != nil {
			return nil, err
		}
		return []emit{{KindBoardSettings, map[string]any{"vote_budget": w.VoteBudget, "hide_results": w.HideResults, "results_shown": w.ResultsShown}, everyone}, t}, nil
	})
	return out, err
}

// NewPoll is a quick question: its choices, or a preset ("themes": the
// five themes, to rank; "sectors": the ten of the sector focus).
type NewPoll struct {
	Question string   `json:"question"`
	Kind     string   `json:"kind"`
	Choices  []string `json:"choices"`
	Preset   string   `json:"preset"`
}

// CreatePoll asks the room a question (facilitator).
func (s *Service) CreatePoll(ctx context.Context, code, token string, np NewPoll) (PollView, error) {
	q, err := cleanText("question", np.Question, MaxQuestion)
	if err != nil {
		return PollView{}, err
	}
	if !slices.Contains([]string{PollSingle, PollMultiple, PollRanking}, np.Kind) {
		return PollView{}, invalid("kind", "attendu single, multiple ou ranking")
	}
	choices := np.Choices
	switch np.Preset {
	case "":
	case "themes":
		choices = nil
		for _, t := range indicator.Themes() {
			choices = append(choices, t.Label())
		}
	case "sectors":
		choices = nil
		for _, sct := range indicator.FocusSectors() {
			choices = append(choices, sct.Label)
		}
	default:
		return PollView{}, invalid("preset", "attendu themes ou sectors")
	}
	if len(choices) < 2 || len(choices) > MaxChoices {
		return PollView{}, invalid("choices", "de 2 à %d choix", MaxChoices)
	}
	seen := map[string]bool{}
	for i, c := range choices {
		c, err := cleanText("choices["+strconv.Itoa(i)+"]", c, MaxChoice)
		if err != nil {
			return PollView{}, err
		}
		if seen[strings.ToLower(c)] {
			return PollView{}, invalid("choices["+strconv.Itoa(i)+"]", "choix en double : %s", c)
		}
		seen[strings.ToLower(c)] = true
		choices[i] = c
	}
	var out PollView
	_, _, _, err = s.write(ctx, code, token, true, true, func(w *store.Workshop, _ *state, b *store.Board, id Identity) ([]emit, error) {
		// Polls are never deleted: the next number is their count + 1.
		if w.NextPoll > maxPolls {
			return nil, invalid("question", "%d sondages au plus par atelier", maxPolls)
		}
		row := store.WorkshopPoll{ID: w.NextPoll, Question: q, Kind: np.Kind, Choices: choices, Open: true, CreatedAt: s.now().UTC()}
		w.NextPoll++
		if err := b.AddPoll(row); err != nil {
			return nil, err
		}
		p := pollOf(row)
		out = p.viewFor(id)
		return []emit{{KindPoll, p.viewFor(Identity{}), everyone}}, nil
	})
	return out, err
}

// poll reads a poll with its answers; ok is false when there is none.
func poll(b *store.Board, id int) (Poll, bool, error) {
	row, ok, err := b.Poll(id)
	if err != nil || !ok {
		return Poll{}, false, err
	}
	as, err := b.Answers(id)
	if err != nil {
		return Poll{}, false, err
	}
	return pollWith(row, as), true, nil
}

// SetPollOpen opens or closes a poll to answers (facilitator).
func (s *Service) SetPollOpen(ctx context.Context, code, token string, pid int, open bool) (PollView, error) {
	var out PollView
	_, _, _, err := s.write(ctx, code, token, true, true, func(_ *store.Workshop, _ *state, b *store.Board, id Identity) ([]emit, error) {
		p, ok, err := poll(b, pid)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, notFound("sondage " + strconv.Itoa(pid))
		}
		if err := b.SetPollOpen(pid, open); err != nil {
			return nil, err
		}
		p.Open = open
		out = p.viewFor(id)
		return []emit{{KindPoll, p.viewFor(Identity{}), everyone}}, nil
	})
	return out, err
}

// Answer records (or replaces) a participant's answer to an open poll: one
// choice, some choices, or every choice ranked from the best.
func (s *Service) Answer(ctx context.Context, code, token string, pid int, choices []int) (PollView, error) {
	var out PollView
	_, _, _, err := s.write(ctx, code, token, false, true, func(_ *store.Workshop, _ *state, b *store.Board, id Identity) ([]emit, error) {
		if id.Facilitator() {
			return nil, &Error{Kind: Forbidden, Reason: "l'animation ne répond pas à ses sondages"}
		}
		p, ok, err := poll(b, pid)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, notFound("sondage " + strconv.Itoa(pid))
		}
		if !p.Open {
			return nil, &Error{Kind: Conflict, Reason: "ce sondage est clos"}
		}
		if err := checkAnswer(p, choices); err != nil {
			return nil, err
		}
		if err := b.Answer(store.WorkshopAnswer{Poll: pid, Participant: id.Participant, Choices: slices.Clone(choices)}); err != nil {
			return nil, err
		}
		p.Answers[id.Participant] = slices.Clone(choices)
		out = p.viewFor(id)
		return []emit{
			{KindAnswer, map[string]any{"poll": pid, "mine": choices}, participantAnd(id.Participant)},
			{KindPollResults, p.results(), everyone},
		}, nil
	})
	return out, err
}

func checkAnswer(p Poll, choices []int) error {
	seen := map[int]bool{}
	for _, c := range choices {
		if c < 0 || c >= len(p.Choices) {
			return invalid("choices", "choix inconnu : %d (de 0 à %d)", c, len(p.Choices)-1)
		}
		if seen[c] {
			return invalid("choices", "choix répété : %d", c)
		}
		seen[c] = true
	}
	switch {
	case p.Kind == PollSingle && len(choices) != 1:
		return invalid("choices", "un seul choix")
	case p.Kind == PollMultiple && len(choices) == 0:
		return invalid("choices", "au moins un choix")
	case p.Kind == PollRanking && len(choices) != len(p.Choices):
		return invalid("choices", "tous les choix, du premier au dernier (%d)", len(p.Choices))
	}
	return nil
}

// Delete removes a workshop and everything in it: names, contributions,
// votes, answers and its log (facilitator).
func (s *Service) Delete(ctx context.Context, code, token string) error {
	w, err := s.find(ctx, code)
	if err != nil {
		return err
	}
	id, err := s.identify(ctx, w, token)
	if err != nil {
		return err
	}
	if !id.Facilitator() {
		return errFacilitator
	}
	s.forget(w.ID)
	return s.st.DeleteWorkshop(ctx, w.ID)
}

// forget drops what this server keeps of a workshop's participants.
func (s *Service) forget(workshop int64) {
	prefix := strconv.FormatInt(workshop, 10) + "/"
	s.known.Range(func(k, _ any) bool {
		if strings.HasPrefix(k.(string), prefix) {
			s.known.Delete(k)
		}
		return true
	})
}

// Purge removes the personal data of the workshops closed for longer than
// retention: their log and participants go, and names in the state become
// "Participant N". It returns how many were purged.
func (s *Service) Purge(ctx context.Context, retention time.Duration) (int, error) {
	ws, err := s.st.ClosedWorkshops(ctx, s.now().Add(-retention))
	if err != nil {
		return 0, err
	}
	for _, w := range ws {
		if err := s.st.PurgeWorkshop(ctx, w.ID, anonymise); err != nil {
			return 0, err
		}
		s.forget(w.ID)
		s.log.Info("workshop personal data purged", "code", w.Code, "closed", w.ClosedAt)
	}
	return len(ws), nil
}

// PurgeEvery purges (see Purge) now and then every period, until ctx
// ends; a failure is logged and tried again at the next.
func (s *Service) PurgeEvery(ctx context.Context, retention, period time.Duration) {
	for {
		if n, err := s.Purge(ctx, retention); err != nil && ctx.Err() == nil {
			s.log.Warn("purging closed workshops", "err", err)
		} else if n > 0 {
			s.log.Info("closed workshops purged", "workshops", n, "retention", retention)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(period):
		}
	}
}

// anonymise replaces the names in a workshop's state (the store renames
// the contributions' authors).
func anonymise(w store.Workshop) (json.RawMessage, error) {
	st, err := stateOf(w)
	if err != nil {
		return nil, err
	}
	if st.Pointer != nil && st.Pointer.By != facilitatorName {
		st.Pointer.By = "Participant"
	}
	return json.Marshal(st)
}
