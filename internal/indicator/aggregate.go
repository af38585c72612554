package indicator

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// DatasetSeparator joins the datasets of the children of a computed value,
// so that a parent's provenance lists every source it was built from.
const DatasetSeparator = "+"

// Aggregate computes the values of parentLevel from the values of one finer
// level (communes → zones d'emploi → départements → région), per
// (parent code, period, sex, sector).
//
// Counts are summed and rates are recomputed from the summed numerators and
// denominators (sum(num)/sum(den)×Scale): the mean of the children's rates
// would weight a commune of 50 employees like one of 50 000.
//
// Completeness: a parent is computed only when every child that parentOf
// assigns to it has a value for the group, and none of them is missing.
// Otherwise the parent is returned with status missing and no figure: a
// total over part of a territory looks plausible and is wrong, which is
// worse than a blank on the map. A zone d'emploi crossing a regional border
// is therefore missing until the communes on both sides are loaded.
//
// A secret child still contributes its counts (they are known internally,
// only their output is forbidden); whether the parent itself may be
// published is decided later by the secret statistique on the parent's own
// counts, so every parent comes back published, provisional or estimated
// (the weakest status among its children), never secret.
//
// Children must all belong to ind and to a single level, each child code
// must appear in parentOf, and a child key must not repeat: all of these
// would otherwise double-count or drop data silently.
func Aggregate(ind Indicator, children []Value, parentOf map[string]string, parentLevel territory.Level) ([]Value, error) {
	switch ind.Aggregation {
	case AggregateSum, AggregateRatio:
	case AggregateNone:
		return nil, &FieldError{Field: "aggregation", Message: fmt.Sprintf("indicator %q cannot be aggregated (aggregation none): import it at level %q", ind.ID, parentLevel)}
	default:
		return nil, &FieldError{Field: "aggregation", Message: fmt.Sprintf("unknown aggregation %q", ind.Aggregation)}
	}
	if ind.Aggregation == AggregateRatio && (ind.Scale <= 0 || math.IsNaN(ind.Scale) || math.IsInf(ind.Scale, 0)) {
		return nil, &FieldError{Field: "scale", Message: fmt.Sprintf("a ratio needs a positive scale, got %v", ind.Scale)}
	}
	if strings.TrimSpace(string(parentLevel)) == "" {
		return nil, &FieldError{Field: "parentLevel", Message: "is required"}
	}
	if len(ind.Levels) > 0 && !ind.HasLevel(parentLevel) {
		return nil, &FieldError{Field: "parentLevel", Message: fmt.Sprintf("indicator %q is not declared at level %q", ind.ID, parentLevel)}
	}

	// Every parent's expected children, so that completeness can be judged
	// against the territory hierarchy rather than against what was loaded.
	expected := map[string]int{}
	for _, p := range parentOf {
		expected[p]++
	}

	type groupKey struct{ parent, period, sex, sector string }
	type group struct {
		children map[string]bool
		missing  bool
		sumValue float64
		sumNum   float64
		sumDen   float64
		allNum   bool // every child has a numerator (sum: also carry it)
		allDen   bool
		status   Status
		datasets map[string]bool
	}
	groups := map[groupKey]*group{}
	seen := map[Key]bool{}
	var childLevel territory.Level

	for i, c := range children {
		field := func(name string) string { return fmt.Sprintf("children[%d].%s", i, name) }
		if c.Indicator != ind.ID {
			return nil, &FieldError{Field: field("indicator"), Message: fmt.Sprintf("value of %q given to aggregate %q", c.Indicator, ind.ID)}
		}
		if childLevel == "" {
			childLevel = c.Level
		} else if c.Level != childLevel {
			return nil, &FieldError{Field: field("level"), Message: fmt.Sprintf("mixes levels %q and %q", childLevel, c.Level)}
		}
		if c.Level == parentLevel {
			return nil, &FieldError{Field: field("level"), Message: fmt.Sprintf("child level equals parent level %q", parentLevel)}
		}
		parent, ok := parentOf[c.Code]
		if !ok {
			return nil, &FieldError{Field: field("code"), Message: fmt.Sprintf("%s %q has no parent at level %q", c.Level, c.Code, parentLevel)}
		}
		p, err := ParsePeriod(c.Period)
		if err != nil {
			return nil, &FieldError{Field: field("period"), Message: err.Error()}
		}
		k := c.Key
		k.Period = p.String()
		if seen[k] {
			return nil, &FieldError{Field: field("code"), Message: fmt.Sprintf("duplicate value for %s %q, period %s, sex %q, sector %q", c.Level, c.Code, k.Period, c.Sex, c.Sector)}
		}
		seen[k] = true
		for _, f := range []struct {
			name string
			v    *float64
		}{{"value", c.Value}, {"numerator", c.Numerator}, {"denominator", c.Denominator}} {
			if f.v != nil && (math.IsNaN(*f.v) || math.IsInf(*f.v, 0)) {
				return nil, &FieldError{Field: field(f.name), Message: "is not a finite number"}
			}
		}
		if !c.Status.Valid() {
			return nil, &FieldError{Field: field("status"), Message: fmt.Sprintf("unknown status %q", c.Status)}
		}

		gk := groupKey{parent, k.Period, c.Sex, c.Sector}
		g := groups[gk]
		if g == nil {
			g = &group{children: map[string]bool{}, allNum: true, allDen: true, status: StatusPublished, datasets: map[string]bool{}}
			groups[gk] = g
		}
		g.children[c.Code] = true
		if c.Dataset != "" {
			g.datasets[c.Dataset] = true
		}
		g.status = weakerStatus(g.status, c.Status)
		if c.Status == StatusMissing {
			g.missing = true
			continue
		}
		switch ind.Aggregation {
		case AggregateSum:
			// A count may have been loaded as its value or as a
			// numerator only; either is the count.
			switch {
			case c.Value != nil:
				g.sumValue += *c.Value
			case c.Numerator != nil:
				g.sumValue += *c.Numerator
			default:
				g.missing = true
			}
		case AggregateRatio:
			if c.Numerator == nil || c.Denominator == nil {
				g.missing = true
			}
		}
		if c.Numerator != nil {
			g.sumNum += *c.Numerator
		} else {
			g.allNum = false
		}
		if c.Denominator != nil {
			g.sumDen += *c.Denominator
		} else {
			g.allDen = false
		}
	}

	out := make([]Value, 0, len(groups))
	for gk, g := range groups {
		v := Value{
			Key:      Key{Indicator: ind.ID, Level: parentLevel, Code: gk.parent, Period: gk.period, Sex: gk.sex, Sector: gk.sector},
			Computed: true,
			Dataset:  joinDatasets(g.datasets),
		}
		if g.missing || len(g.children) != expected[gk.parent] {
			v.Status = StatusMissing
			out = append(out, v)
			continue
		}
		v.Status = g.status
		switch ind.Aggregation {
		case AggregateSum:
			v.Value = ptr(g.sumValue)
			if g.allNum {
				v.Numerator = ptr(g.sumNum)
			}
			if g.allDen {
				v.Denominator = ptr(g.sumDen)
			}
		case AggregateRatio:
			v.Numerator, v.Denominator = ptr(g.sumNum), ptr(g.sumDen)
			if g.sumDen == 0 {
				// No population: the rate is undefined, not zero.
				v.Status = StatusMissing
			} else {
				v.Value = ptr(g.sumNum / g.sumDen * ind.Scale)
			}
		}
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Key, out[j].Key
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		if a.Period != b.Period {
			return a.Period < b.Period
		}
		if a.Sex != b.Sex {
			return a.Sex < b.Sex
		}
		return a.Sector < b.Sector
	})
	return out, nil
}

// statusRank orders statuses from most to least reliable for a computed
// parent: a total inherits the weakest quality of its parts.
var statusRank = map[Status]int{
	StatusPublished:   0,
	StatusSecret:      0, // secrecy is about output, not about quality
	StatusProvisional: 1,
	StatusEstimated:   2,
	StatusMissing:     3,
}

func weakerStatus(a, b Status) Status {
	if statusRank[b] > statusRank[a] {
		return b
	}
	return a
}

func joinDatasets(set map[string]bool) string {
	ds := make([]string, 0, len(set))
	for d := range set {
		ds = append(ds, d)
	}
	sort.Strings(ds)
	return strings.Join(ds, DatasetSeparator)
}

func ptr(f float64) *float64 { return &f }
