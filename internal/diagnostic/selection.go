package diagnostic

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// Query is a choice of an indicator's values as a user typed it: each
// field is the URL parameter of the same name, "" when absent.
type Query struct {
	Indicator string
	Level     string
	Period    string
	Sex       string
	Sector    string
	// Within is "LEVEL:CODE" (region:76): only the territories inside it.
	Within string
}

// Selection is a validated Query: the values of one indicator at one level
// (or every level), period (or every one; the latest for a map), sex and
// sector, optionally within a coarser territory.
type Selection struct {
	Entry   Entry
	Level   territory.Level
	Period  string // canonical ("2023-T3"); "" for every period, or the latest on a map
	Sex     string
	Sector  string
	Within  *territory.Territory // nil: everywhere
	version string               // of the catalogue and the layers, for Key
}

// Key names the selection among everything computed from values: the same
// for every spelling of the same request (case, defaults written out,
// parameter order), different after any import of the indicators or of a
// layer, whose names and parents an answer carries.
func (s Selection) Key() string {
	within := ""
	if s.Within != nil {
		within = string(s.Within.Level) + ":" + s.Within.Code
	}
	return keyOf(s.version, s.Entry.ID(), string(s.Level), s.Period, s.Sex, s.Sector, within)
}

// Select validates q against the catalogue and the loaded territories.
// With defaults, an absent level is the indicator's first one and absent
// sex and sector are "ensemble"; without, they select everything.
func (s *Service) Select(ctx context.Context, q Query, defaults bool) (Selection, error) {
	c, err := s.Catalogue(ctx)
	if err != nil {
		return Selection{}, err
	}
	e, ok := c.Get(q.Indicator)
	if !ok {
		return Selection{}, notFound("indicateur %s", quote(q.Indicator))
	}
	return s.selectIn(c, e, q, defaults)
}

func (s *Service) selectIn(c *Catalogue, e Entry, q Query, defaults bool) (Selection, error) {
	ind := e.Indicator
	sel := Selection{Entry: e, version: c.Version + "/" + s.tiles.LayerVersions()}
	if q.Level != "" {
		l, err := territory.ParseLevel(q.Level)
		if err != nil || !ind.HasLevel(l) {
			return sel, badParam("level", "niveau non disponible pour cet indicateur", names(ind.Levels)...)
		}
		sel.Level = l
	} else if defaults && len(ind.Levels) > 0 {
		sel.Level = ind.Levels[0]
	}
	if q.Period != "" {
		p, err := indicator.ParsePeriod(q.Period)
		if err != nil {
			return sel, badParam("period", "période invalide : attendu une année (2021) ou un trimestre (2021-T3)", ind.Vintages...)
		}
		sel.Period = p.String()
	}
	if q.Sex != "" {
		x, err := indicator.ParseSex(q.Sex)
		if err != nil {
			return sel, badParam("sex", "sexe inconnu", string(indicator.SexEnsemble), string(indicator.SexFemmes), string(indicator.SexHommes))
		}
		sel.Sex = string(x)
	} else if defaults {
		sel.Sex = string(indicator.SexEnsemble)
	}
	if q.Sector != "" {
		if !slices.Contains(ind.Sectors, q.Sector) && q.Sector != indicator.SectorAll {
			return sel, badParam("sector", "secteur non disponible pour cet indicateur", ind.Sectors...)
		}
		sel.Sector = q.Sector
	} else if defaults {
		sel.Sector = indicator.SectorAll
	}
	if q.Within != "" {
		w, err := s.within(q.Within)
		if err != nil {
			return sel, err
		}
		sel.Within = &w
	}
	return sel, nil
}

// within resolves "LEVEL:CODE" to a known territory.
func (s *Service) within(v string) (territory.Territory, error) {
	ls, code, ok := strings.Cut(v, ":")
	l, err := territory.ParseLevel(ls)
	if !ok || err != nil || l == territory.Commune || code == "" {
		return territory.Territory{}, badParam("within", "attendu NIVEAU:CODE, par exemple region:76", "region", "departement", "zone-emploi")
	}
	code = territory.NormaliseCode(l, code)
	if territory.ValidateCode(l, code) != nil {
		return territory.Territory{}, badParam("within", "code invalide pour le niveau "+l.Label())
	}
	reg := s.tiles.Territories()
	// An unknown territory would give an empty map that looks like
	// missing data: name it instead.
	if !reg.Known(l, code) {
		return territory.Territory{}, &ParamError{Name: "within", Reason: "territoire inconnu : " + l.Label() + " " + code, Unknown: true}
	}
	t, ok := reg.Get(l, code)
	if !ok {
		// Known only as the parent of loaded territories.
		t = territory.Territory{Level: l, Code: code, FID: territory.FeatureID(l, code)}
	}
	return t, nil
}

// query is the store query of the selection.
func (s Selection) query() store.ValueQuery {
	q := store.ValueQuery{Indicator: s.Entry.ID(), Level: s.Level, Period: s.Period, Sex: s.Sex, Sector: s.Sector}
	if s.Within != nil {
		q.WithinLevel, q.WithinCode = s.Within.Level, s.Within.Code
	}
	return q
}

// value turns a stored row into a domain value; its figures are still raw
// and go through indicator.Gate before they leave.
func value(r store.IndicatorValueRow) indicator.Value {
	return indicator.Value{
		Key:   indicator.Key{Indicator: r.Indicator, Level: r.Level, Code: r.Code, Period: r.Period, Sex: r.Sex, Sector: r.Sector},
		Value: r.Value, Numerator: r.Numerator, Denominator: r.Denominator,
		Status: indicator.Status(r.Status), Computed: r.Computed, Dataset: strconv.FormatInt(r.DatasetID, 10),
	}
}
