package diagnostic_test

import (
	"context"
	"errors"
	"testing"

	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
)

// The analysis maps read through the read side: a change from or to a
// secret value is secret, spellings of one request share a cache key, and
// an import gives another.
func TestAnalysis(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	q := func(change, from string) diagnostic.EvolutionQuery {
		return diagnostic.EvolutionQuery{MapQuery: diagnostic.MapQuery{Query: diagnostic.Query{Indicator: "taux-a", Level: "departement", Within: "region:76"}},
			Change: change, From: from}
	}
	a, err := f.diag.SelectEvolution(ctx, q("RELATIVE ", "2021"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.diag.SelectEvolution(ctx, q("relative", "2021"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Key() != b.Key() {
		t.Errorf("two spellings, two keys: %s, %s", a.Key(), b.Key())
	}
	m, err := f.diag.Evolution(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range m.Territories {
		switch tt.Code {
		case "09":
			if tt.Status != "secret" || tt.Value != nil || tt.B != nil {
				t.Errorf("09: %+v", tt)
			}
		case "48":
			if tt.Status != "missing" || tt.Value != nil {
				t.Errorf("48: %+v", tt)
			}
		case "11":
			// 1 % in 2021, 2 % in 2022: +100 %.
			if tt.Value == nil || *tt.Value != 100 || *tt.RankFrom != 1 || *tt.RankTo != 11 || *tt.RankChange != -10 {
				t.Errorf("11: %+v", tt)
			}
		}
	}
	if _, err := f.diag.SelectEvolution(ctx, q("double", "")); !isParam(err, "change") {
		t.Errorf("change=double: %v", err)
	}
	if _, err := f.diag.Evolution(ctx, mustEvolution(t, f, q("", "2022"))); !isParam(err, "to") {
		t.Errorf("from the last period: %v", err)
	}

	// taux-a has no values by sex.
	if _, err := f.diag.SelectSexGap(ctx, diagnostic.SexGapQuery{MapQuery: diagnostic.MapQuery{Query: diagnostic.Query{Indicator: "taux-a"}}}); err == nil {
		t.Error("a sex gap of an indicator without sexes")
	}

	cq := diagnostic.CrossQuery{Query: diagnostic.Query{Indicator: "taux-a", Level: "departement"}, With: "taux-a"}
	cs, err := f.diag.SelectCross(ctx, cq)
	if err != nil {
		t.Fatal(err)
	}
	before := cs.Key()
	importRates(t, f.st, "taux-b", "sha-b")
	cs2, err := f.diag.SelectCross(ctx, cq)
	if err != nil {
		t.Fatal(err)
	}
	if cs2.Key() == before {
		t.Error("an import kept the crossing's key")
	}
	s, err := f.diag.Scatter(ctx, cs2)
	if err != nil {
		t.Fatal(err)
	}
	// An indicator against itself: r = 1 over the 11 published, 09 and 48
	// left out (one secret, one missing) among the départements of
	// Occitanie, the only ones with values.
	if s.LeftOut.Secret != 1 || s.LeftOut.Missing != 1 || s.Correlation.N != 11 || *s.Correlation.Pearson != 1 {
		t.Errorf("scatter: left out %+v, correlation %+v", s.LeftOut, s.Correlation)
	}
}

func mustEvolution(t *testing.T, f fixture, q diagnostic.EvolutionQuery) diagnostic.EvolutionSelection {
	t.Helper()
	es, err := f.diag.SelectEvolution(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func isParam(err error, name string) bool {
	var pe *diagnostic.ParamError
	return errors.As(err, &pe) && pe.Name == name
}
