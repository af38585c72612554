package demodata

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/atlas-sante-travail/atlas/geodata"
	"github.com/atlas-sante-travail/atlas/internal/importer"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// Recipe says how one demo indicator is imported: its metadata file in
// geodata/indicators, and where its values come from (a pinned file read
// as is, a pinned file converted to the long layout, or the generator).
// Fields not used here (separator, period_columns, ...) describe the source
// for people and are checked against the files by the tests.
type Recipe struct {
	Indicator        string            `json:"indicator"`
	Meta             string            `json:"meta"`
	Values           string            `json:"values"`
	Separator        string            `json:"separator"`
	Layout           string            `json:"layout"`
	Level            territory.Level   `json:"level"`
	Columns          map[string]string `json:"columns"`
	IgnoreColumns    []string          `json:"ignore_columns"`
	PeriodColumns    *PeriodColumns    `json:"period_columns"`
	EmptyCell        string            `json:"empty_cell"`
	Converter        string            `json:"converter"`
	SourceColumns    map[string]string `json:"source_columns"`
	Generator        string            `json:"generator"`
	GeneratorOptions *GeneratorOptions `json:"generator_options"`
	Note             string            `json:"note"`
}

// PeriodColumns describes the period headers of a wide file.
type PeriodColumns struct {
	First  string `json:"first"`
	Last   string `json:"last"`
	Format string `json:"format"`
}

// GeneratorOptions are the Generate options of a generated indicator; the
// territories are those of the named level in the database.
type GeneratorOptions struct {
	Indicator   string `json:"indicator"`
	Seed        int64  `json:"seed"`
	Years       []int  `json:"years"`
	Territories string `json:"territories"`
	// RateColumn, for a rate indicator, is the column of the recipe's
	// values file (the AT table, read for its national rates, not as
	// values) whose rate per 1 000 salariés sets the magnitudes.
	RateColumn string `json:"rate_column"`
	// RateScale multiplies those rates (1 when zero): a prévention
	// indicator has no national figure of its own, and borrows the sector
	// profile of an AT column at an assumed national level.
	RateScale float64 `json:"rate_scale"`
	// Finest, when set (commune), is a finer level at which to draw where
	// its territories are imported: the communes of the départements that
	// have some, Territories for the others. The service aggregates the
	// communes to zones d'emploi, départements and régions.
	Finest territory.Level `json:"finest"`
	// Employees is the pinned population table (COM, PMUN) that sizes the
	// communes' salariés (see CommuneEmployees).
	Employees string `json:"employees"`
}

// Sources lists the pinned files the recipe reads.
func (r Recipe) Sources() []string {
	var out []string
	if r.Values != "" {
		out = append(out, r.Values)
	}
	if g := r.GeneratorOptions; g != nil && g.Employees != "" {
		out = append(out, g.Employees)
	}
	return out
}

// Recipes reads geodata/indicators/recipes.json.
func Recipes() ([]Recipe, error) {
	b, err := geodata.Indicators.ReadFile("indicators/recipes.json")
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var rs []Recipe
	if err := dec.Decode(&rs); err != nil {
		return nil, fmt.Errorf("indicator recipes: %w", err)
	}
	for _, r := range rs {
		switch {
		case r.Generator != "" && (r.Generator != "demodata.Generate" || r.GeneratorOptions == nil):
			return nil, fmt.Errorf("indicator recipe %s: unknown generator %q", r.Indicator, r.Generator)
		case r.Converter != "" && converters[r.Converter] == nil:
			return nil, fmt.Errorf("indicator recipe %s: unknown converter %q", r.Indicator, r.Converter)
		case r.Generator == "" && r.Values == "":
			return nil, fmt.Errorf("indicator recipe %s: no values file and no generator", r.Indicator)
		}
	}
	return rs, nil
}

// converters turn a pinned file into the long layout; known holds the
// imported territories, for converters that must filter.
var converters = map[string]func(b []byte, known *territory.Registry) ([]byte, error){
	"demodata.PopulationCSV":   func(b []byte, _ *territory.Registry) ([]byte, error) { return PopulationCSV(bytes.NewReader(b)) },
	"demodata.PopulationZECSV": func(b []byte, _ *territory.Registry) ([]byte, error) { return PopulationZECSV(bytes.NewReader(b)) },
	"demodata.NationalATCSV":   func(b []byte, _ *territory.Registry) ([]byte, error) { return NationalATCSV(bytes.NewReader(b)) },
	"demodata.NationalMPCSV":   func(b []byte, _ *territory.Registry) ([]byte, error) { return NationalMPCSV(bytes.NewReader(b)) },
	"demodata.ApprenticeshipCSV": func(b []byte, _ *territory.Registry) ([]byte, error) {
		return ApprenticeshipCSV(bytes.NewReader(b))
	},
	"demodata.InterimCSV": func(b []byte, _ *territory.Registry) ([]byte, error) { return InterimCSV(bytes.NewReader(b)) },
	"demodata.PopulationCommuneCSV": func(b []byte, known *territory.Registry) ([]byte, error) {
		return PopulationCommuneCSV(bytes.NewReader(b), func(c string) bool {
			_, ok := known.Get(territory.Commune, c)
			return ok
		})
	},
}

// Prepare writes the recipe's metadata and values into dir and returns the
// options to import them. source resolves a pinned file name to its
// verified local path; known holds the imported territories (the
// generator draws for the level its options name).
func (r Recipe) Prepare(dir string, source map[string]string, known *territory.Registry) (importer.IndicatorOptions, error) {
	opt := importer.IndicatorOptions{Layout: r.Layout, Level: string(r.Level), CodeColumn: r.Columns["code"]}
	meta, err := geodata.Indicators.ReadFile("indicators/" + r.Meta)
	if err != nil {
		return opt, fmt.Errorf("indicator %s: %w", r.Indicator, err)
	}
	opt.Meta = filepath.Join(dir, r.Meta)
	if err := os.WriteFile(opt.Meta, meta, 0o644); err != nil {
		return opt, err
	}
	var values []byte
	switch {
	case r.Generator != "":
		g := r.GeneratorOptions
		var ts []territory.Territory
		var employees map[string]int
		ts, employees, err = g.territories(source, known)
		if err != nil {
			return opt, fmt.Errorf("indicator %s: %w", r.Indicator, err)
		}
		var rates map[string]float64
		if g.RateColumn != "" {
			p, ok := source[r.Values]
			if !ok {
				return opt, fmt.Errorf("indicator %s: %s was not fetched", r.Indicator, r.Values)
			}
			f, err := os.Open(p)
			if err != nil {
				return opt, err
			}
			rates, err = RatesFromAT(f, g.RateColumn)
			f.Close()
			if err != nil {
				return opt, fmt.Errorf("indicator %s: %s: %w", r.Indicator, r.Values, err)
			}
			if g.RateScale < 0 {
				return opt, fmt.Errorf("indicator %s: negative rate_scale %v", r.Indicator, g.RateScale)
			}
			if g.RateScale > 0 {
				for k := range rates {
					rates[k] *= g.RateScale
				}
			}
		}
		values, err = Generate(Options{Indicator: g.Indicator, Seed: g.Seed, Years: g.Years, Territories: ts, Rates: rates, Employees: employees})
		if g.Finest != "" {
			opt.Level = "" // communes and départements: the level column says which
		}
	default:
		p, ok := source[r.Values]
		if !ok {
			return opt, fmt.Errorf("indicator %s: %s was not fetched", r.Indicator, r.Values)
		}
		if values, err = os.ReadFile(p); err != nil {
			return opt, err
		}
		if r.Converter != "" {
			values, err = converters[r.Converter](values, known)
		}
	}
	if err != nil {
		return opt, fmt.Errorf("indicator %s: %w", r.Indicator, err)
	}
	opt.Values = filepath.Join(dir, r.Indicator+".csv")
	return opt, os.WriteFile(opt.Values, values, 0o644)
}

// territories returns what the generator draws for: the territories of
// the level g names, except, when g.Finest is set, the départements that
// have imported communes, replaced by those communes with their salariés.
func (g *GeneratorOptions) territories(source map[string]string, known *territory.Registry) ([]territory.Territory, map[string]int, error) {
	var coarse []territory.Territory
	if set, ok := known.Level(territory.Level(g.Territories)); ok {
		coarse = set.All()
	}
	if g.Finest == "" {
		return coarse, nil, nil
	}
	if g.Finest != territory.Commune || territory.Level(g.Territories) != territory.Departement {
		return nil, nil, fmt.Errorf("finest %q over %q: only communes within départements are drawn", g.Finest, g.Territories)
	}
	set, ok := known.Level(territory.Commune)
	if !ok || len(set.All()) == 0 {
		return coarse, nil, nil
	}
	fine := set.All()
	covered := map[string]bool{}
	for _, c := range fine {
		covered[c.Departement] = true
	}
	ts := append([]territory.Territory(nil), fine...)
	for _, d := range coarse {
		if !covered[d.Code] {
			ts = append(ts, d)
		}
	}
	p, ok := source[g.Employees]
	if !ok {
		return nil, nil, fmt.Errorf("%s was not fetched", g.Employees)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	employees, err := CommuneEmployees(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", g.Employees, err)
	}
	return ts, employees, nil
}
