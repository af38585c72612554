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

// talliesEmits are the tallies after a change, to everyone who may see
// them: everyone, or the facilitator alone while they are hidden.
func (b *board) talliesEmits() []emit {
	aud := everyone
	if b.HideResults && !b.ResultsShown {
		aud = facilitatorOnly
	}
	return []emit{{KindTallies, b.tallies(), aud}}
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

// voteEmit is the change a dot on t made, to everyone who may see the
// tallies.
func (b *board) voteEmit(t Target) emit {
	aud := everyone
	if b.HideResults && !b.ResultsShown {
		aud = facilitatorOnly
	}
	t = b.resolve(t)
	all := b.tallies()
	vc := VoteCount{Territory: t.key(), Voters: all.Voters, Dots: all.Dots}
	if t.Contribution != 0 {
		vc.Contribution, vc.ContributionDots = t.Contribution, all.Contributions[t.Contribution]
		vc.Territory = ""
		if c, ok := b.contribution(t.Contribution); ok {
			vc.Territory = string(c.Territory.Level) + ":" + c.Territory.Code
		}
	}
	vc.TerritoryDots = all.Territories[vc.Territory]
	return emit{KindVote, vc, aud}
}

// myVotes is the event telling a participant their dots and budget left.
func (b *board) myVotes(participant int) emit {
	mine := b.Votes[strconv.Itoa(participant)]
	if mine == nil {
		mine = []Target{}
	}
	return emit{KindVotes, map[string]any{"my_votes": mine, "remaining": max(0, b.Budget-len(mine))}, participantAnd(participant)}
}

// Vote puts one of a participant's dots on a contribution or a territory,
// within their budget, in the vote phase. The row lock of the write makes
// the budget hold under concurrent votes.
func (s *Service) Vote(ctx context.Context, code, token string, t Target) (Board, error) {
	t, err := s.target(t)
	if err != nil {
		return Board{}, err
	}
	var out Board
	_, _, _, err = s.write(ctx, code, token, false, true, func(_ *store.Workshop, _ *state, b *board, id Identity) ([]emit, error) {
		if id.Facilitator() {
			return nil, &Error{Kind: Forbidden, Reason: "l'animation ne vote pas"}
		}
		if b.Phase != PhaseVote {
			return nil, &Error{Kind: Closed, Reason: "le vote n'est pas ouvert : l'animation l'ouvre (phase vote)"}
		}
		if t.Contribution != 0 {
			c, ok := b.contribution(t.Contribution)
			if !ok || !c.visibleTo(id) {
				return nil, invalid("contribution", "contribution inconnue : %d", t.Contribution)
			}
		}
		key := strconv.Itoa(id.Participant)
		if len(b.Votes[key]) >= b.Budget {
			return nil, &Error{Kind: Forbidden, Field: "budget", Reason: "plus de gommette : les " + strconv.Itoa(b.Budget) + " sont posées (retirez-en une pour voter ailleurs)"}
		}
		b.Votes[key] = append(b.Votes[key], t)
		out = b.viewFor(id)
		return []emit{b.myVotes(id.Participant), b.voteEmit(t)}, nil
	})
	return out, err
}

// Unvote takes one of a participant's dots back from a target.
func (s *Service) Unvote(ctx context.Context, code, token string, t Target) (Board, error) {
	t, err := s.target(t)
	if err != nil {
		return Board{}, err
	}
	var out Board
	_, _, _, err = s.write(ctx, code, token, false, true, func(_ *store.Workshop, _ *state, b *board, id Identity) ([]emit, error) {
		if id.Facilitator() {
			return nil, &Error{Kind: Forbidden, Reason: "l'animation ne vote pas"}
		}
		if b.Phase != PhaseVote {
			return nil, &Error{Kind: Closed, Reason: "le vote n'est pas ouvert"}
		}
		key := strconv.Itoa(id.Participant)
		i := slices.Index(b.Votes[key], t)
		if i < 0 {
			return nil, notFound("gommette sur cette cible")
		}
		b.Votes[key] = slices.Delete(b.Votes[key], i, i+1)
		out = b.viewFor(id)
		return []emit{b.myVotes(id.Participant), b.voteEmit(t)}, nil
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
	_, _, _, err := s.write(ctx, code, token, true, true, func(_ *store.Workshop, _ *state, b *board, id Identity) ([]emit, error) {
		if set.Budget != nil {
			b.Budget = *set.Budget
		}
		if set.HideResults != nil {
			b.HideResults = *set.HideResults
		}
		if set.ResultsShown != nil {
			b.ResultsShown = *set.ResultsShown
		}
		out = b.viewFor(id)
		emits := []emit{{KindBoardSettings, map[string]any{"vote_budget": b.Budget, "hide_results": b.HideResults, "results_shown": b.ResultsShown}, everyone}}
		// The tallies, to those who may now see them (or nobody new).
		return append(emits, b.talliesEmits()...), nil
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
	_, _, _, err = s.write(ctx, code, token, true, true, func(_ *store.Workshop, _ *state, b *board, id Identity) ([]emit, error) {
		if len(b.Polls) >= maxPolls {
			return nil, invalid("question", "%d sondages au plus par atelier", maxPolls)
		}
		p := Poll{ID: b.NextPoll, Question: q, Kind: np.Kind, Choices: choices, Open: true, CreatedAt: s.now().UTC(), Answers: map[string][]int{}}
		b.NextPoll++
		b.Polls = append(b.Polls, p)
		out = p.viewFor(id)
		return []emit{{KindPoll, p.viewFor(Identity{}), everyone}}, nil
	})
	return out, err
}

// SetPollOpen opens or closes a poll to answers (facilitator).
func (s *Service) SetPollOpen(ctx context.Context, code, token string, pid int, open bool) (PollView, error) {
	var out PollView
	_, _, _, err := s.write(ctx, code, token, true, true, func(_ *store.Workshop, _ *state, b *board, id Identity) ([]emit, error) {
		p, ok := b.poll(pid)
		if !ok {
			return nil, notFound("sondage " + strconv.Itoa(pid))
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
	_, _, _, err := s.write(ctx, code, token, false, true, func(_ *store.Workshop, _ *state, b *board, id Identity) ([]emit, error) {
		if id.Facilitator() {
			return nil, &Error{Kind: Forbidden, Reason: "l'animation ne répond pas à ses sondages"}
		}
		p, ok := b.poll(pid)
		if !ok {
			return nil, notFound("sondage " + strconv.Itoa(pid))
		}
		if !p.Open {
			return nil, &Error{Kind: Closed, Reason: "ce sondage est clos"}
		}
		if err := checkAnswer(*p, choices); err != nil {
			return nil, err
		}
		p.Answers[strconv.Itoa(id.Participant)] = slices.Clone(choices)
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

// anonymise replaces the names in a workshop's state and board.
func anonymise(w store.Workshop) (state, board json.RawMessage, err error) {
	st, err := stateOf(w)
	if err != nil {
		return nil, nil, err
	}
	if st.Pointer != nil && st.Pointer.By != facilitatorName {
		st.Pointer.By = "Participant"
	}
	b, err := boardOf(w)
	if err != nil {
		return nil, nil, err
	}
	for i := range b.Contributions {
		c := &b.Contributions[i]
		if c.Author != 0 {
			c.Name = "Participant " + strconv.Itoa(c.Author)
		}
	}
	if state, err = json.Marshal(st); err != nil {
		return nil, nil, err
	}
	board, err = json.Marshal(b)
	return state, board, err
}
