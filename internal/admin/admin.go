// Package admin is what the admin API does, apart from HTTP: imports of
// uploaded files through the importer (the same validation and the same
// transaction as `atlas import`), the datasets with their provenance,
// deletions of an indicator or of a level nothing depends on, and the
// answers kept for the uploads' idempotency keys. Errors that a file's
// author can fix come back as *InputError, naming the file, line, column,
// field or feature at fault.
package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/importer"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// Service runs the administration of one store. A nil store is allowed
// for a server without a database (its admin API then refuses every
// request before calling the service).
type Service struct {
	st  *store.Store
	log *slog.Logger
}

// New returns the service over st; log may be nil.
func New(st *store.Store, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{st: st, log: log}
}

// File is one file a dataset was imported from. Size and SHA256 are
// empty for datasets imported before they were recorded.
type File struct {
	Name   string `json:"name"`
	Size   int64  `json:"size,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
}

// Level is the active dataset of a territorial level.
type Level struct {
	Level       territory.Level `json:"level"`
	Dataset     int64           `json:"dataset"`
	Vintage     string          `json:"vintage"`
	Attribution string          `json:"attribution"`
	Features    int             `json:"features"`
	Repaired    int             `json:"repaired"`
	Files       []File          `json:"files"`
	// SHA256 is the import's fingerprint: the files' bytes and the
	// options, so that importing the same again is a no-op.
	SHA256     string    `json:"sha256"`
	ImportedAt time.Time `json:"imported_at"`
}

// Indicator is the active dataset of an indicator, with the provenance its
// metadata declares.
type Indicator struct {
	ID         string            `json:"id"`
	Label      string            `json:"label"`
	Theme      indicator.Theme   `json:"theme"`
	Producer   string            `json:"producer"`
	Source     string            `json:"source"`
	Licence    string            `json:"licence"`
	Vintages   []string          `json:"vintages"`
	Levels     []territory.Level `json:"levels"`
	Demo       bool              `json:"demo"`
	Dataset    int64             `json:"dataset"`
	Rows       int               `json:"rows"`
	Files      []File            `json:"files"`
	SHA256     string            `json:"sha256"`
	ImportedAt time.Time         `json:"imported_at"`
}

// Datasets lists every imported level and indicator.
type Datasets struct {
	Territories []Level     `json:"territories"`
	Indicators  []Indicator `json:"indicators"`
}

func files(names []string, sources []store.SourceFile) []File {
	out := make([]File, 0, len(names))
	if len(sources) > 0 {
		for _, s := range sources {
			out = append(out, File(s))
		}
		return out
	}
	for _, n := range names {
		out = append(out, File{Name: n})
	}
	return out
}

// Datasets returns the active datasets, levels in the order of
// territory.Levels (coarsest first) and indicators by id.
func (s *Service) Datasets(ctx context.Context) (Datasets, error) {
	levels, inds, err := s.st.ActiveDatasets(ctx)
	if err != nil {
		return Datasets{}, err
	}
	out := Datasets{Territories: []Level{}, Indicators: []Indicator{}}
	byLevel := map[territory.Level]store.TerritoryDataset{}
	for _, l := range levels {
		byLevel[l.Level] = l
	}
	for _, lv := range territory.Levels {
		l, ok := byLevel[lv]
		if !ok {
			continue
		}
		out.Territories = append(out.Territories, Level{Level: l.Level, Dataset: l.DatasetID, Vintage: l.Vintage, Attribution: l.Attribution,
			Features: l.Features, Repaired: l.Repaired, Files: files(l.Files, l.Sources), SHA256: l.SHA256, ImportedAt: l.ImportedAt})
	}
	for _, d := range inds {
		var m indicator.Indicator
		if err := json.Unmarshal(d.Meta, &m); err != nil {
			return Datasets{}, fmt.Errorf("metadata of %s: %w", d.ID, err)
		}
		out.Indicators = append(out.Indicators, Indicator{ID: d.ID, Label: m.Label, Theme: m.Theme, Producer: m.Producer, Source: m.Source,
			Licence: m.Licence, Vintages: m.Vintages, Levels: m.Levels, Demo: d.Demo, Dataset: d.DatasetID, Rows: d.Rows,
			Files: files(d.Files, d.Sources), SHA256: d.SHA256, ImportedAt: d.ImportedAt})
	}
	return out, nil
}

// NotFoundError says that what a deletion names does not exist.
type NotFoundError struct{ What string }

func (e *NotFoundError) Error() string { return e.What + " not found" }

// DependentsError refuses the deletion of a level that something uses.
type DependentsError struct {
	Level territory.Level
	store.LevelDependents
}

func (e *DependentsError) Error() string {
	var parts []string
	if len(e.Indicators) > 0 {
		parts = append(parts, "indicators "+strings.Join(e.Indicators, ", "))
	}
	if len(e.Workshops) > 0 {
		parts = append(parts, "workshops "+strings.Join(e.Workshops, ", "))
	}
	return fmt.Sprintf("level %s is used by %s", e.Level, strings.Join(parts, "; "))
}

// DeleteIndicator removes an indicator and its values; servers drop it
// from the catalogue and the maps when they hear of the commit.
func (s *Service) DeleteIndicator(ctx context.Context, id string) error {
	found, err := s.st.DeleteIndicator(ctx, id)
	if err != nil {
		return err
	}
	if !found {
		return &NotFoundError{What: "indicator " + id}
	}
	s.log.Info("indicator deleted", "indicator", id)
	return nil
}

// DeleteLevel removes a level's territories when nothing depends on them
// (*DependentsError names what does); servers drop its tiles when they
// hear of the commit.
func (s *Service) DeleteLevel(ctx context.Context, level territory.Level) error {
	found, deps, err := s.st.DeleteTerritories(ctx, level)
	if err != nil {
		return err
	}
	if !found {
		return &NotFoundError{What: "level " + string(level)}
	}
	if deps.Any() {
		return &DependentsError{Level: level, LevelDependents: deps}
	}
	s.log.Info("territories deleted", "level", level)
	return nil
}

// IndicatorResult is what an indicator upload did.
type IndicatorResult struct {
	Indicator string `json:"indicator"`
	Dataset   int64  `json:"dataset,omitempty"`
	Rows      int    `json:"rows"`
	// Unchanged: the same files and options were already the active
	// import, and nothing was written.
	Unchanged bool `json:"unchanged"`
}

// ImportIndicator imports an indicator whose files are in opt.FS, through
// importer.ImportIndicator; a problem with the files is an *InputError
// whose Part is "meta" or "values".
func (s *Service) ImportIndicator(ctx context.Context, opt importer.IndicatorOptions) (IndicatorResult, error) {
	opt.Log = s.log
	res, err := importer.ImportIndicator(ctx, s.st, opt)
	if err != nil {
		return IndicatorResult{}, classify(err, func(file string) string {
			if file == baseName(opt.Meta) {
				return "meta"
			}
			return "values"
		})
	}
	if res.NoOp {
		s.log.Info("indicator upload unchanged", "indicator", res.ID)
	} else {
		s.log.Info("indicator uploaded", "indicator", res.ID, "dataset", res.DatasetID, "rows", res.Rows)
	}
	return IndicatorResult{Indicator: res.ID, Dataset: res.DatasetID, Rows: res.Rows, Unchanged: res.NoOp}, nil
}

// TerritoryResult is what a territory upload did.
type TerritoryResult struct {
	Level       territory.Level `json:"level"`
	Dataset     int64           `json:"dataset,omitempty"`
	Features    int             `json:"features"`
	Repaired    []store.Repair  `json:"repaired"`
	Generalised int             `json:"generalised"`
	Unchanged   bool            `json:"unchanged"`
}

// ImportTerritories imports a level whose files are in opt.FS, through
// importer.ImportTerritories; a problem with the files is an *InputError
// whose Part is "file" or "parent-table".
func (s *Service) ImportTerritories(ctx context.Context, opt importer.TerritoryOptions) (TerritoryResult, error) {
	opt.Log = s.log
	res, err := importer.ImportTerritories(ctx, s.st, opt)
	if err != nil {
		return TerritoryResult{}, classify(err, func(file string) string {
			if opt.ParentTable != "" && file == baseName(opt.ParentTable) {
				return "parent-table"
			}
			return "file"
		})
	}
	if res.NoOp {
		s.log.Info("territory upload unchanged", "level", opt.Level)
	} else {
		s.log.Info("territories uploaded", "level", opt.Level, "dataset", res.DatasetID, "features", res.Features)
	}
	rep := res.Repaired
	if rep == nil {
		rep = []store.Repair{}
	}
	return TerritoryResult{Level: opt.Level, Dataset: res.DatasetID, Features: res.Features, Repaired: rep,
		Generalised: res.Generalised, Unchanged: res.NoOp}, nil
}

// How long idempotency keys live: a claim whose request never finished
// (its server stopped mid-upload) is taken over after ClaimStale, longer
// than any upload may last; an answer is replayed for AnswerKept, as the
// Idempotency-Key draft suggests (a day).
const (
	ClaimStale = time.Hour
	AnswerKept = 24 * time.Hour
)

// Answer is an upload's answer as kept for its idempotency key.
type Answer = store.StoredAnswer

// Claim takes an idempotency key for a new request (claimed), or returns
// the answer kept for it; an Answer with Status 0 belongs to a request
// still running.
func (s *Service) Claim(ctx context.Context, key string) (claimed bool, prev Answer, err error) {
	for range 3 {
		// A claim released between the store's insert and its read
		// (the other request failed) is simply claimed on the next turn.
		claimed, prev, err = s.st.ClaimIdempotencyKey(ctx, key, ClaimStale, AnswerKept)
		if err == nil {
			return claimed, prev, nil
		}
	}
	return false, prev, err
}

// Complete keeps the answer of the request that claimed key.
func (s *Service) Complete(ctx context.Context, key string, a Answer) error {
	return s.st.CompleteIdempotencyKey(ctx, key, a)
}

// Release forgets the claim of a request that did not finish in a way worth
// replaying (interrupted, or failed on the server's side).
func (s *Service) Release(ctx context.Context, key string) error {
	return s.st.ReleaseIdempotencyKey(ctx, key)
}
