package diagnostic

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// Dataset says where an indicator's values come from.
type Dataset struct {
	ID         int64     `json:"id"`
	Files      []string  `json:"files"`
	SHA256     string    `json:"sha256"`
	ImportedAt time.Time `json:"imported_at"`
}

// IndicatorInfo is a catalogue entry as it is published.
type IndicatorInfo struct {
	indicator.Indicator
	ThemeLabel string  `json:"theme_label"`
	Dataset    Dataset `json:"dataset"`
	Notice     string  `json:"notice,omitempty"`
}

// Entry is one indicator of the catalogue: its metadata (Demo set when the
// import or the metadata says the figures are fictive) and its dataset.
type Entry struct {
	Indicator indicator.Indicator
	Dataset   Dataset
}

// ID is the indicator's identifier.
func (e Entry) ID() string { return e.Indicator.ID }

// Notice is the demo notice of fictive figures, "" for real ones.
func (e Entry) Notice() string {
	if e.Indicator.Demo {
		return indicator.DemoNotice
	}
	return ""
}

// Info is the entry as it is published.
func (e Entry) Info() IndicatorInfo {
	return IndicatorInfo{Indicator: e.Indicator, ThemeLabel: e.Indicator.Theme.Label(), Dataset: e.Dataset, Notice: e.Notice()}
}

// Source is the source line printed under a figure of period ("" for
// none) as producers write theirs: "Source : INSEE, taux de chômage
// localisés, 3e trimestre 2023", then the demo notice. The provenance in
// full (file, sheet, copy) stays in the metadata (Indicator.Source).
func (e Entry) Source(period string) string {
	s := "Source : " + e.Indicator.Producer
	if c := e.Indicator.Citation(); c != "" {
		s += ", " + c
	}
	if period != "" {
		s += ", " + indicator.PeriodLabel(period)
	}
	if e.Indicator.Demo {
		s += " – " + indicator.DemoNotice
	}
	return s
}

// Catalogue is every imported indicator at one version of the imports.
// It is immutable once made.
type Catalogue struct {
	// Version changes with every indicator import; it is part of the keys
	// of everything computed from the values.
	Version string
	Entries []Entry // by theme, then id
	byID    map[string]int
}

// NewCatalogue makes a catalogue of the given indicators at version, in
// their order (Config.Catalogue).
func NewCatalogue(version string, inds []indicator.Indicator) *Catalogue {
	c := &Catalogue{Version: version, Entries: make([]Entry, 0, len(inds)), byID: make(map[string]int, len(inds))}
	for _, ind := range inds {
		c.byID[ind.ID] = len(c.Entries)
		c.Entries = append(c.Entries, Entry{Indicator: ind})
	}
	return c
}

// Get returns the entry of an indicator.
func (c *Catalogue) Get(id string) (Entry, bool) {
	i, ok := c.byID[id]
	if !ok {
		return Entry{}, false
	}
	return c.Entries[i], true
}

// IDs lists the indicators' identifiers.
func (c *Catalogue) IDs() []string {
	out := make([]string, len(c.Entries))
	for i, e := range c.Entries {
		out[i] = e.ID()
	}
	return out
}

// Catalogue returns the catalogue, read again only when an import has
// changed the indicator version. Concurrent readers of a new version wait
// for one read, and readers of the current one never wait.
func (s *Service) Catalogue(ctx context.Context) (*Catalogue, error) {
	ver, err := s.version(ctx)
	if err != nil {
		return nil, err
	}
	if c := s.catalogue.Load(); c != nil && c.Version == ver {
		return c, nil
	}
	v, err, _ := s.flight.Do("catalogue|"+ver, func() (any, error) {
		c, err := s.readCatalogue(ctx, ver)
		if err != nil {
			return nil, err
		}
		s.catalogue.Store(c)
		return c, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*Catalogue), nil
}

func (s *Service) readCatalogue(ctx context.Context, ver string) (*Catalogue, error) {
	rows, err := s.st.Indicators(ctx)
	if err != nil {
		return nil, err
	}
	c := &Catalogue{Version: ver, Entries: make([]Entry, 0, len(rows)), byID: make(map[string]int, len(rows))}
	for _, r := range rows {
		var ind indicator.Indicator
		if err := json.Unmarshal(r.Meta, &ind); err != nil {
			return nil, fmt.Errorf("metadata of %s: %w", r.ID, err)
		}
		if ind.ID == "" {
			ind.ID = r.ID
		}
		if ind.Theme == "" {
			ind.Theme = indicator.Theme(r.Theme)
		}
		ind.Demo = ind.Demo || r.Demo
		c.byID[ind.ID] = len(c.Entries)
		c.Entries = append(c.Entries, Entry{Indicator: ind,
			Dataset: Dataset{ID: r.DatasetID, Files: r.Files, SHA256: r.SHA256, ImportedAt: r.ImportedAt}})
	}
	return c, nil
}

// Indicator returns one entry of the catalogue.
func (s *Service) Indicator(ctx context.Context, id string) (Entry, error) {
	c, err := s.Catalogue(ctx)
	if err != nil {
		return Entry{}, err
	}
	e, ok := c.Get(id)
	if !ok {
		return Entry{}, notFound("indicateur %s", quote(id))
	}
	return e, nil
}

// IndicatorFilter selects catalogue entries, as typed in a URL; empty
// fields select everything.
type IndicatorFilter struct {
	Theme string
	Level string
}

// Indicators lists the published entries matching f.
func (s *Service) Indicators(ctx context.Context, f IndicatorFilter) ([]IndicatorInfo, error) {
	var theme indicator.Theme
	if f.Theme != "" {
		t, err := indicator.ParseTheme(f.Theme)
		if err != nil {
			return nil, badParam("theme", "thème inconnu", names(indicator.Themes())...)
		}
		theme = t
	}
	var level territory.Level
	if f.Level != "" {
		l, err := territory.ParseLevel(f.Level)
		if err != nil {
			return nil, badParam("level", "niveau inconnu", names(territory.Levels)...)
		}
		level = l
	}
	c, err := s.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	out := []IndicatorInfo{}
	for _, e := range c.Entries {
		if theme != "" && e.Indicator.Theme != theme {
			continue
		}
		if level != "" && !e.Indicator.HasLevel(level) {
			continue
		}
		out = append(out, e.Info())
	}
	return out, nil
}
