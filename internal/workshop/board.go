package workshop

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// Phases of a workshop's board, set by the facilitator: contributions
// written in private, revealed to all, voted on, then closed.
const (
	PhaseWriting = "writing"
	PhaseReveal  = "reveal"
	PhaseVote    = "vote"
	PhaseClosed  = "closed"
)

var phases = []string{PhaseWriting, PhaseReveal, PhaseVote, PhaseClosed}

// Kinds of contribution, with their French names, in the diagnostic's
// order.
var contributionKinds = []struct{ ID, Label string }{
	{"constat", "Constat"},
	{"hypothese", "Hypothèse"},
	{"question", "Question"},
	{"source", "Source de terrain"},
	{"piste", "Piste d'action"},
}

// KindLabel is the French name of a contribution kind.
func KindLabel(kind string) string {
	for _, k := range contributionKinds {
		if k.ID == kind {
			return k.Label
		}
	}
	return kind
}

func kindIDs() []string {
	out := make([]string, len(contributionKinds))
	for i, k := range contributionKinds {
		out[i] = k.ID
	}
	return out
}

// Limits of the board.
const (
	MaxText        = 1000
	MaxQuestion    = 200
	MaxChoice      = 80
	MaxChoices     = 20
	DefaultBudget  = 3
	MaxBudget      = 20
	maxPolls       = 50
	maxContributed = 2000
)

// Place is a territory a contribution is pinned to.
type Place struct {
	Level territory.Level `json:"level"`
	Code  string          `json:"code"`
	Name  string          `json:"name"`
}

// Stamp is the view a contribution was made on, with the value the map
// showed for its territory (through indicator.Gate: none when secret).
type Stamp struct {
	Indicator string          `json:"indicator"`
	Label     string          `json:"label"`
	Level     territory.Level `json:"level"`
	Period    string          `json:"period"`
	Sex       string          `json:"sex"`
	Sector    string          `json:"sector"`
	Value     *float64        `json:"value"`
	// Status is "" when the map was of another level than the territory.
	Status   indicator.Status `json:"status"`
	Unit     string           `json:"unit"`
	Decimals int              `json:"decimals"`
}

// Contribution is what a participant brings: a finding, a hypothesis, a
// question, a field source or a lead for action, pinned to a territory.
type Contribution struct {
	ID        int        `json:"id"`
	Kind      string     `json:"kind"`
	Text      string     `json:"text"`
	Territory Place      `json:"territory"`
	Stamp     *Stamp     `json:"stamp"`
	Author    int        `json:"author"` // 0: the facilitator
	Name      string     `json:"author_name"`
	CreatedAt time.Time  `json:"created_at"`
	EditedAt  *time.Time `json:"edited_at,omitempty"`
	// Revealed: seen by everyone; until then, by its author and the
	// facilitator only.
	Revealed bool `json:"revealed"`
	// Hidden by the facilitator (moderation), or merged into another.
	Hidden     bool `json:"hidden"`
	MergedInto int  `json:"merged_into,omitempty"`
	// Retained for the synthesis.
	Retained bool `json:"retained"`
}

// visibleTo tells whether id may see c.
func (c Contribution) visibleTo(id Identity) bool {
	if id.Facilitator() {
		return true
	}
	if c.Hidden || c.MergedInto != 0 {
		return false
	}
	return c.Revealed || c.Author == id.Participant
}

// Target is what a dot goes on: a contribution, or a territory to
// prioritise.
type Target struct {
	Contribution int             `json:"contribution,omitempty"`
	Level        territory.Level `json:"level,omitempty"`
	Code         string          `json:"code,omitempty"`
}

func (t Target) key() string {
	if t.Contribution != 0 {
		return "c" + strconv.Itoa(t.Contribution)
	}
	return string(t.Level) + ":" + t.Code
}

// Poll kinds.
const (
	PollSingle   = "single"
	PollMultiple = "multiple"
	PollRanking  = "ranking"
)

// Poll is a quick question of the facilitator's.
type Poll struct {
	ID        int       `json:"id"`
	Question  string    `json:"question"`
	Kind      string    `json:"kind"`
	Choices   []string  `json:"choices"`
	Open      bool      `json:"open"`
	CreatedAt time.Time `json:"created_at"`
	// Answers by participant: the choice indices (a ranking: all of
	// them, best first).
	Answers map[int][]int `json:"-"`
}

// PollResults are a poll's answers counted: per choice, how many chose
// it, and for a ranking its Borda score (n-1 points for a first place,
// down to 0 for the last) and the order it gives.
type PollResults struct {
	Poll        int   `json:"poll"`
	Respondents int   `json:"respondents"`
	Counts      []int `json:"counts"`
	Scores      []int `json:"scores,omitempty"`
	// Order lists the choices from the best: by score for a ranking, by
	// count otherwise (ties in the choices' order).
	Order []int `json:"order"`
}

func (p Poll) results() PollResults {
	r := PollResults{Poll: p.ID, Counts: make([]int, len(p.Choices))}
	if p.Kind == PollRanking {
		r.Scores = make([]int, len(p.Choices))
	}
	for _, a := range p.Answers {
		r.Respondents++
		for rank, c := range a {
			r.Counts[c]++
			if p.Kind == PollRanking {
				r.Scores[c] += len(p.Choices) - 1 - rank
			}
		}
	}
	by := r.Counts
	if p.Kind == PollRanking {
		by = r.Scores
	}
	r.Order = make([]int, len(p.Choices))
	for i := range r.Order {
		r.Order[i] = i
	}
	sort.SliceStable(r.Order, func(i, j int) bool { return by[r.Order[i]] > by[r.Order[j]] })
	return r
}

// board is the workshop's contributions, votes and polls as a snapshot
// reads them (store.WorkshopSnapshot), for what needs all of it: a
// participant's view, the tallies, the synthesis.
type board struct {
	Phase         string
	Contributions []Contribution
	Votes         map[int][]Target // participant → dots
	Budget        int
	HideResults   bool
	ResultsShown  bool
	Polls         []Poll
}

func boardOf(w store.Workshop, wb store.WorkshopBoard) (board, error) {
	b := board{Phase: w.Phase, Budget: w.VoteBudget, HideResults: w.HideResults, ResultsShown: w.ResultsShown,
		Contributions: make([]Contribution, 0, len(wb.Contributions)), Votes: map[int][]Target{}, Polls: make([]Poll, 0, len(wb.Polls))}
	for _, row := range wb.Contributions {
		c, err := contributionOf(row)
		if err != nil {
			return b, err
		}
		b.Contributions = append(b.Contributions, c)
	}
	for _, d := range wb.Dots {
		b.Votes[d.Participant] = append(b.Votes[d.Participant], targetOf(d))
	}
	polls := map[int]int{}
	for _, p := range wb.Polls {
		polls[p.ID] = len(b.Polls)
		b.Polls = append(b.Polls, pollOf(p))
	}
	for _, a := range wb.Answers {
		if i, ok := polls[a.Poll]; ok {
			b.Polls[i].Answers[a.Participant] = a.Choices
		}
	}
	return b, nil
}

// contributionOf is a stored contribution.
func contributionOf(r store.WorkshopContribution) (Contribution, error) {
	c := Contribution{ID: r.ID, Kind: r.Kind, Text: r.Text, Territory: Place{Level: territory.Level(r.Level), Code: r.Code, Name: r.TerritoryName},
		Author: r.Author, Name: r.AuthorName, CreatedAt: r.CreatedAt, EditedAt: r.EditedAt, Revealed: r.Revealed, Hidden: r.Hidden,
		MergedInto: r.MergedInto, Retained: r.Retained}
	if len(r.Stamp) > 0 && string(r.Stamp) != "null" {
		c.Stamp = &Stamp{}
		if err := json.Unmarshal(r.Stamp, c.Stamp); err != nil {
			return c, fmt.Errorf("stamp of contribution %d: %w", r.ID, err)
		}
	}
	return c, nil
}

// row is the contribution to store.
func (c Contribution) row() (store.WorkshopContribution, error) {
	r := store.WorkshopContribution{ID: c.ID, Kind: c.Kind, Text: c.Text, Level: string(c.Territory.Level), Code: c.Territory.Code,
		TerritoryName: c.Territory.Name, Author: c.Author, AuthorName: c.Name, CreatedAt: c.CreatedAt, EditedAt: c.EditedAt,
		Revealed: c.Revealed, Hidden: c.Hidden, MergedInto: c.MergedInto, Retained: c.Retained}
	if c.Stamp != nil {
		var err error
		if r.Stamp, err = json.Marshal(c.Stamp); err != nil {
			return r, err
		}
	}
	return r, nil
}

func targetOf(d store.WorkshopDot) Target {
	if d.Contribution != 0 {
		return Target{Contribution: d.Contribution}
	}
	return Target{Level: territory.Level(d.Level), Code: d.Code}
}

func pollOf(p store.WorkshopPoll) Poll {
	return Poll{ID: p.ID, Question: p.Question, Kind: p.Kind, Choices: p.Choices, Open: p.Open, CreatedAt: p.CreatedAt, Answers: map[int][]int{}}
}

// pollWith is a stored poll with its answers.
func pollWith(p store.WorkshopPoll, answers []store.WorkshopAnswer) Poll {
	out := pollOf(p)
	for _, a := range answers {
		out.Answers[a.Participant] = a.Choices
	}
	return out
}

func (b *board) contribution(id int) (*Contribution, bool) {
	for i := range b.Contributions {
		if b.Contributions[i].ID == id {
			return &b.Contributions[i], true
		}
	}
	return nil, false
}

// Tallies are the dots counted: per contribution, per territory (dots on
// the territory itself and on the contributions pinned to it, for the
// priorities map), and how many voted.
type Tallies struct {
	Contributions map[int]int    `json:"contributions"`
	Territories   map[string]int `json:"territories"` // "level:code"
	Voters        int            `json:"voters"`
	Dots          int            `json:"dots"`
}

func (b *board) tallies() Tallies {
	t := Tallies{Contributions: map[int]int{}, Territories: map[string]int{}}
	byID := make(map[int]*Contribution, len(b.Contributions))
	for i := range b.Contributions {
		byID[b.Contributions[i].ID] = &b.Contributions[i]
	}
	for _, dots := range b.Votes {
		if len(dots) > 0 {
			t.Voters++
		}
		for _, d := range dots {
			t.Dots++
			if d.Contribution == 0 {
				t.Territories[d.key()]++
				continue
			}
			// (A merge moves the dots to the contribution it merges into.)
			if c, ok := byID[d.Contribution]; ok {
				t.Contributions[c.ID]++
				t.Territories[string(c.Territory.Level)+":"+c.Territory.Code]++
			}
		}
	}
	return t
}

// resultsVisible tells whether id may see the tallies.
func (b *board) resultsVisible(id Identity) bool {
	return id.Facilitator() || !b.HideResults || b.ResultsShown
}

// PollView is a poll as someone sees it: without the others' answers, with
// the results, and their own answer.
type PollView struct {
	ID        int         `json:"id"`
	Question  string      `json:"question"`
	Kind      string      `json:"kind"`
	Choices   []string    `json:"choices"`
	Open      bool        `json:"open"`
	CreatedAt time.Time   `json:"created_at"`
	Results   PollResults `json:"results"`
	Mine      []int       `json:"mine"`
}

func (p Poll) viewFor(id Identity) PollView {
	v := PollView{ID: p.ID, Question: p.Question, Kind: p.Kind, Choices: p.Choices, Open: p.Open, CreatedAt: p.CreatedAt, Results: p.results()}
	if !id.Facilitator() {
		v.Mine = p.Answers[id.Participant]
	}
	if v.Mine == nil {
		v.Mine = []int{}
	}
	return v
}

// Board is the board as someone sees it.
type Board struct {
	Phase         string         `json:"phase"`
	Budget        int            `json:"budget"`
	HideResults   bool           `json:"hide_results"`
	ResultsShown  bool           `json:"results_shown"`
	Contributions []Contribution `json:"contributions"`
	// Tallies is null while the facilitator keeps the results hidden.
	Tallies *Tallies   `json:"tallies"`
	Polls   []PollView `json:"polls"`
	// MyVotes and Remaining are the participant's own dots and budget.
	MyVotes   []Target `json:"my_votes"`
	Remaining int      `json:"remaining"`
}

func (b *board) viewFor(id Identity) Board {
	out := Board{Phase: b.Phase, Budget: b.Budget, HideResults: b.HideResults, ResultsShown: b.ResultsShown,
		Contributions: []Contribution{}, Polls: make([]PollView, 0, len(b.Polls)), MyVotes: []Target{}}
	for _, c := range b.Contributions {
		if c.visibleTo(id) {
			out.Contributions = append(out.Contributions, c)
		}
	}
	if b.resultsVisible(id) {
		t := b.tallies()
		out.Tallies = &t
	}
	for _, p := range b.Polls {
		out.Polls = append(out.Polls, p.viewFor(id))
	}
	if !id.Facilitator() {
		mine := b.Votes[id.Participant]
		out.MyVotes = append(out.MyVotes, mine...)
		out.Remaining = max(0, b.Budget-len(mine))
	}
	return out
}
