package diagnostic_test

import (
	"context"
	"errors"
	"testing"

	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
)

// A profile is compared with its région by default, or with any territory
// named by ref, whose values go through Gate as every other.
func TestProfileReference(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	entry := func(p *diagnostic.Profile) diagnostic.ProfileEntry {
		t.Helper()
		for _, e := range p.Indicators {
			if e.Indicator == "taux-a" {
				return e
			}
		}
		t.Fatal("taux-a not in the profile")
		return diagnostic.ProfileEntry{}
	}
	for _, c := range []struct {
		ref, level, code string
		value            *float64
		status, reason   string
	}{
		{"", "region", "76", fp(6), "published", ""},
		{"region:76", "region", "76", fp(6), "published", ""},
		{"departement:11", "departement", "11", fp(2), "published", ""},
		{"DEPARTEMENT:82", "departement", "82", fp(12), "published", ""},
		// Ariège is secret: its figure (77.7) never comes out.
		{"departement:09", "departement", "09", nil, "secret", "secret statistique"},
		{"departement:48", "departement", "48", nil, "missing", "donnée manquante"},
		// France from the régions: only Occitanie has a value, so none.
		{"france", "france", "FR", nil, "missing", "valeur absente pour la région 01"},
	} {
		p, err := f.diag.ProfileWith(ctx, "departement", "31", c.ref)
		if err != nil {
			t.Fatalf("ref %q: %v", c.ref, err)
		}
		if p.Reference == nil || string(p.Reference.Level) != c.level || p.Reference.Code != c.code || p.Reference.Name == "" {
			t.Errorf("ref %q: reference %+v", c.ref, p.Reference)
		}
		r := entry(p).Reference
		if r == nil {
			t.Errorf("ref %q: no reference value", c.ref)
			continue
		}
		if string(r.Status) != c.status || (r.Value == nil) != (c.value == nil) || (c.value != nil && *r.Value != *c.value) || r.Reason != c.reason {
			t.Errorf("ref %q: %+v (value %v)", c.ref, r, r.Value)
		}
	}
	for _, c := range []struct {
		ref     string
		unknown bool
		// No zone d'emploi is loaded here: 7601 is well formed but unknown.
	}{{"partout", false}, {"departement:ZZZ", false}, {"departement", false}, {"france:BE", false}, {"zone-emploi:7601", true}} {
		_, err := f.diag.ProfileWith(ctx, "departement", "31", c.ref)
		var pe *diagnostic.ParamError
		if !errors.As(err, &pe) || pe.Name != "ref" || pe.Unknown != c.unknown {
			t.Errorf("ref %q: %v", c.ref, err)
		}
	}
}

// Each entry gives the change from the first period to the latest and the
// rank at both among the same siblings.
func TestProfileChange(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	for _, c := range []struct {
		code                   string
		value                  *float64
		status                 string
		rankFrom, rankTo, diff int
	}{
		// 1 % in 2021 (every département tied, rank 1 of 11), 5 % in
		// 2022 (seven are higher: rank 8).
		{"31", fp(4), "published", 1, 8, -7},
		{"82", fp(11), "published", 1, 1, 0},
	} {
		p, err := f.diag.Profile(ctx, "departement", c.code)
		if err != nil {
			t.Fatal(err)
		}
		ch := p.Indicators[0].Change
		if ch == nil || ch.From != "2021" || ch.To != "2022" || string(ch.Status) != c.status || *ch.Value != *c.value ||
			*ch.RankFrom != c.rankFrom || *ch.RankTo != c.rankTo || *ch.RankChange != c.diff {
			t.Errorf("%s: change %+v", c.code, ch)
		}
	}
	// The Ariège has a single (secret) period: no change to show.
	p, err := f.diag.Profile(ctx, "departement", "09")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range p.Indicators {
		if e.Change != nil {
			t.Errorf("09: change %+v", e.Change)
		}
	}
}
