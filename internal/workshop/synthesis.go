package workshop

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// Synthesis is what a workshop produced, in the shape of the diagnostic's
// deliverable: the steps with the figures they showed, the contributions
// by territory and kind, the priorities voted, the polls, and the
// retained constats and pistes d'action. Every figure comes from the read
// side, through indicator.Gate: a secret value is said, never shown.
type Synthesis struct {
	Code         string        `json:"code"`
	Title        string        `json:"title"`
	Region       string        `json:"region"`
	RegionName   string        `json:"region_name,omitempty"`
	Status       string        `json:"status"`
	CreatedAt    time.Time     `json:"created_at"`
	ClosedAt     *time.Time    `json:"closed_at"`
	GeneratedAt  time.Time     `json:"generated_at"`
	Participants int           `json:"participants"`
	WithNames    bool          `json:"with_names"`
	Phase        string        `json:"phase"`
	Steps        []StepFigures `json:"steps"`
	// ByTerritory groups the contributions shown, by territory then kind.
	ByTerritory []TerritoryContributions `json:"by_territory"`
	// Priorities are the territories by dots received (on themselves and
	// on their contributions), most first; empty while the results are
	// hidden to the reader.
	Priorities []Priority    `json:"priorities"`
	Polls      []PollSummary `json:"polls"`
	// Constats and Pistes are the contributions retained for the
	// synthesis, the deliverable's two lists.
	Constats []ContributionLine `json:"constats"`
	Pistes   []ContributionLine `json:"pistes"`
	// Notices: the demo notice when a figure shown is fictive.
	Notices []string `json:"notices"`
}

// StepFigures is a step and what its map showed.
type StepFigures struct {
	ID        int                     `json:"id"`
	Title     string                  `json:"title"`
	Indicator string                  `json:"indicator"`
	Label     string                  `json:"label"`
	Level     string                  `json:"level"`
	Period    string                  `json:"period"`
	Sex       string                  `json:"sex"`
	Sector    string                  `json:"sector"`
	Within    string                  `json:"within,omitempty"`
	Selected  *Figure                 `json:"selected"`
	Legend    []indicator.LegendEntry `json:"legend"`
	Source    string                  `json:"source"`
	Error     string                  `json:"error,omitempty"`
}

// Figure is one territory's value as the map showed it.
type Figure struct {
	Code   string           `json:"code"`
	Name   string           `json:"name"`
	Value  *float64         `json:"value"`
	Label  string           `json:"label"`
	Status indicator.Status `json:"status"`
}

// ContributionLine is a contribution in the synthesis.
type ContributionLine struct {
	ID        int    `json:"id"`
	Kind      string `json:"kind"`
	KindLabel string `json:"kind_label"`
	Text      string `json:"text"`
	Territory Place  `json:"territory"`
	// Figure is the value the map showed for the territory when it was
	// written, and on what.
	Figure   string `json:"figure,omitempty"`
	Author   string `json:"author,omitempty"`
	Votes    int    `json:"votes"`
	Retained bool   `json:"retained"`
}

// TerritoryContributions are the contributions on one territory.
type TerritoryContributions struct {
	Territory     Place              `json:"territory"`
	Contributions []ContributionLine `json:"contributions"`
}

// Priority is a territory and the dots it received.
type Priority struct {
	Territory Place `json:"territory"`
	Votes     int   `json:"votes"`
}

// PollSummary is a poll's question and its results, best first.
type PollSummary struct {
	Question    string       `json:"question"`
	Kind        string       `json:"kind"`
	Respondents int          `json:"respondents"`
	Results     []PollChoice `json:"results"`
	Open        bool         `json:"open"`
}

// PollChoice is a choice's result: how many chose it, and its Borda
// score for a ranking.
type PollChoice struct {
	Choice string `json:"choice"`
	Count  int    `json:"count"`
	Score  *int   `json:"score,omitempty"`
}

// Synthesis builds the workshop's synthesis for the holder of token: the
// facilitator's holds the authors' names and everything; a participant's
// what they may see, without names.
func (s *Service) Synthesis(ctx context.Context, code, token string) (Synthesis, error) {
	w, err := s.find(ctx, code)
	if err != nil {
		return Synthesis{}, err
	}
	id, err := s.identify(ctx, w, token)
	if err != nil {
		return Synthesis{}, err
	}
	w, wb, ok, err := s.st.WorkshopSnapshot(ctx, w.Code)
	if err != nil {
		return Synthesis{}, err
	}
	if !ok {
		return Synthesis{}, notFound("atelier " + w.Code)
	}
	st, err := stateOf(w)
	if err != nil {
		return Synthesis{}, err
	}
	b, err := boardOf(w, wb)
	if err != nil {
		return Synthesis{}, err
	}
	out := Synthesis{Code: w.Code, Title: w.Title, Region: w.Region, Status: w.Status, CreatedAt: w.CreatedAt, ClosedAt: w.ClosedAt,
		GeneratedAt: s.now().UTC(), Participants: w.Participants, WithNames: id.Facilitator(), Phase: b.Phase,
		Steps: []StepFigures{}, ByTerritory: []TerritoryContributions{}, Priorities: []Priority{}, Polls: []PollSummary{},
		Constats: []ContributionLine{}, Pistes: []ContributionLine{}, Notices: []string{}}
	if w.Region != "" {
		out.RegionName, _ = s.diag.Territories().Ref(territory.Region, w.Region)
	}
	demo := false
	for _, step := range st.Steps {
		f, isDemo := s.stepFigures(ctx, step)
		demo = demo || isDemo
		out.Steps = append(out.Steps, f)
	}
	tallies := b.tallies()
	visible := b.resultsVisible(id)
	byPlace := map[string]int{}
	for _, c := range b.Contributions {
		if !c.visibleTo(id) || c.Hidden || c.MergedInto != 0 {
			continue
		}
		line := ContributionLine{ID: c.ID, Kind: c.Kind, KindLabel: KindLabel(c.Kind), Text: c.Text, Territory: c.Territory, Retained: c.Retained}
		if id.Facilitator() {
			line.Author = c.Name
		}
		if visible {
			line.Votes = tallies.Contributions[c.ID]
		}
		if c.Stamp != nil {
			line.Figure = stampText(*c.Stamp)
		}
		key := string(c.Territory.Level) + ":" + c.Territory.Code
		i, ok := byPlace[key]
		if !ok {
			i = len(out.ByTerritory)
			byPlace[key] = i
			out.ByTerritory = append(out.ByTerritory, TerritoryContributions{Territory: c.Territory})
		}
		out.ByTerritory[i].Contributions = append(out.ByTerritory[i].Contributions, line)
		if c.Retained {
			switch c.Kind {
			case "constat":
				out.Constats = append(out.Constats, line)
			case "piste":
				out.Pistes = append(out.Pistes, line)
			}
		}
	}
	order := map[string]int{}
	for i, k := range contributionKinds {
		order[k.ID] = i
	}
	for i := range out.ByTerritory {
		cs := out.ByTerritory[i].Contributions
		sort.SliceStable(cs, func(a, b int) bool { return order[cs[a].Kind] < order[cs[b].Kind] })
	}
	sort.SliceStable(out.ByTerritory, func(i, j int) bool { return out.ByTerritory[i].Territory.Name < out.ByTerritory[j].Territory.Name })
	if visible {
		for key, n := range tallies.Territories {
			out.Priorities = append(out.Priorities, Priority{Territory: s.placeOf(key), Votes: n})
		}
		sort.Slice(out.Priorities, func(i, j int) bool {
			if out.Priorities[i].Votes != out.Priorities[j].Votes {
				return out.Priorities[i].Votes > out.Priorities[j].Votes
			}
			return out.Priorities[i].Territory.Name < out.Priorities[j].Territory.Name
		})
		for _, l := range [][]ContributionLine{out.Constats, out.Pistes} {
			sort.SliceStable(l, func(i, j int) bool { return l[i].Votes > l[j].Votes })
		}
	}
	for _, p := range b.Polls {
		r := p.results()
		ps := PollSummary{Question: p.Question, Kind: p.Kind, Respondents: r.Respondents, Open: p.Open}
		for _, c := range r.Order {
			pc := PollChoice{Choice: p.Choices[c], Count: r.Counts[c]}
			if p.Kind == PollRanking {
				score := r.Scores[c]
				pc.Score = &score
			}
			ps.Results = append(ps.Results, pc)
		}
		out.Polls = append(out.Polls, ps)
	}
	if demo {
		out.Notices = append(out.Notices, "Certains chiffres sont des "+indicator.DemoNotice+".")
	}
	return out, nil
}

// stepFigures computes what a step's map showed: through the read side, so
// through indicator.Gate.
func (s *Service) stepFigures(ctx context.Context, step Step) (StepFigures, bool) {
	v := step.View
	f := StepFigures{ID: step.ID, Title: step.Title, Indicator: v.Indicator, Level: v.Level, Period: v.Period, Sex: v.Sex, Sector: v.Sector,
		Legend: []indicator.LegendEntry{}}
	q := diagnostic.MapQuery{Query: diagnostic.Query{Indicator: v.Indicator, Level: v.Level, Period: v.Period, Sex: v.Sex, Sector: v.Sector},
		Method: v.Method, Classes: classes(v), Palette: v.Palette}
	if v.Region != "" {
		q.Within = "region:" + v.Region
	}
	ms, err := s.diag.SelectMap(ctx, q)
	var m *diagnostic.Map
	if err == nil {
		m, err = s.diag.Map(ctx, ms)
	}
	if err != nil {
		// Re-imported since, or gone: say so rather than fail the whole.
		var pe *diagnostic.ParamError
		var nf *diagnostic.NotFoundError
		if errors.As(err, &pe) || errors.As(err, &nf) {
			f.Error = "carte indisponible : " + err.Error()
			return f, false
		}
		f.Error = "carte indisponible"
		return f, false
	}
	f.Label, f.Period, f.Source, f.Legend = m.Label, m.Period, m.Source, m.Legend
	if m.Within != nil {
		f.Within = m.Within.Name
	}
	if v.Selection != "" {
		for _, t := range m.Territories {
			if t.Code == v.Selection {
				fig := Figure{Code: t.Code, Name: t.Name, Value: t.Value, Status: t.Status}
				fig.Label = valueText(t.Value, t.Status, ms.Entry.Indicator.Decimals, m.Unit)
				f.Selected = &fig
			}
		}
	}
	return f, m.Notice != ""
}

// valueText writes a figure, or why there is none.
func valueText(v *float64, status indicator.Status, decimals int, unit string) string {
	switch {
	case status == indicator.StatusSecret:
		return indicator.SecretLabel
	case v == nil:
		return indicator.MissingLabel
	}
	return indicator.FormatValue(*v, decimals, unit)
}

// stampText is a contribution's figure: "Taux … (2023, femmes) : 12,5 %".
func stampText(st Stamp) string {
	what := st.Label + " (" + st.Period
	if st.Sex != "" && st.Sex != string(indicator.SexEnsemble) {
		what += ", " + st.Sex
	}
	if st.Sector != "" && st.Sector != indicator.SectorAll {
		what += ", " + indicator.SectorLabel(st.Sector)
	}
	what += ")"
	if st.Value == nil && st.Status != indicator.StatusSecret && st.Status != indicator.StatusMissing {
		return what
	}
	return what + " : " + valueText(st.Value, st.Status, st.Decimals, st.Unit)
}

// placeOf names the territory of a tallies key "level:code".
func (s *Service) placeOf(key string) Place {
	level, code, _ := strings.Cut(key, ":")
	lv := territory.Level(level)
	name, _ := s.diag.Territories().Ref(lv, code)
	return Place{Level: lv, Code: code, Name: name}
}
