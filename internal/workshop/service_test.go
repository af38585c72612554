package workshop

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/store/storetest"
	"github.com/atlas-sante-travail/atlas/internal/territory"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

const base = "http://salle.example:8080"

func fp(x float64) *float64 { return &x }

// fixture is a base with two régions, three départements and one
// indicator by département, and a workshop service over it.
func fixture(t *testing.T) (*Service, *store.Store) {
	t.Helper()
	st := storetest.New(t)
	ctx := context.Background()
	// Small squares: the workshops need the territories' names and
	// parents, not their outlines.
	square, _ := wkb.Marshal(orb.Polygon{{{1, 43}, {2, 43}, {2, 44}, {1, 44}, {1, 43}}})
	for lv, ts := range map[territory.Level][]territory.Territory{
		territory.Region: {{Code: "76", Name: "Occitanie"}, {Code: "84", Name: "Auvergne-Rhône-Alpes"}},
		territory.Departement: {{Code: "31", Name: "Haute-Garonne", Region: "76"}, {Code: "09", Name: "Ariège", Region: "76"},
			{Code: "38", Name: "Isère", Region: "84"}},
	} {
		rows := make([]store.TerritoryRow, len(ts))
		for i, tr := range ts {
			tr.Level, tr.FID = lv, territory.FeatureID(lv, tr.Code)
			rows[i] = store.TerritoryRow{Territory: tr, Index: i, WKB: square}
		}
		if _, err := st.ReplaceTerritories(ctx, store.TerritoryImport{Level: lv, Files: []string{"test"}, SHA256: string(lv),
			Options: struct{}{}, SRID: 4326, Rows: rows}); err != nil {
			t.Fatal(err)
		}
	}
	ind := indicator.Indicator{ID: "taux", Label: "Taux", Theme: indicator.ThemeSinistralite, Definition: "test", Unit: "%",
		Producer: "test", Source: "test", Licence: "Licence Ouverte 2.0", Vintages: []string{"2022", "2023"},
		Levels: []territory.Level{territory.Departement}, Sexes: []indicator.Sex{indicator.SexEnsemble, indicator.SexFemmes, indicator.SexHommes},
		Sectors: []string{indicator.SectorAll}, Polarity: indicator.HigherIsWorse, Aggregation: indicator.AggregateSum}
	meta, _ := json.Marshal(ind)
	var rows []store.IndicatorValueRow
	for _, p := range []string{"2022", "2023"} {
		for _, s := range []string{"ensemble", "femmes", "hommes"} {
			rows = append(rows, store.IndicatorValueRow{Level: territory.Departement, Code: "31", Period: p, Sex: s, Sector: "ensemble", Value: fp(10), Status: "published"})
		}
	}
	if _, err := st.ReplaceIndicator(ctx, store.IndicatorImport{ID: ind.ID, Theme: string(ind.Theme), Meta: meta, Files: []string{"t.csv"}, SHA256: "t", Rows: rows}); err != nil {
		t.Fatal(err)
	}
	svc := tiles.NewService(st, blob.NewLRU(8<<20), tiles.Options{PrewarmMaxZoom: -1})
	if err := svc.LoadAll(ctx); err != nil {
		t.Fatal(err)
	}
	diag := diagnostic.New(diagnostic.Config{Store: st, Tiles: svc})
	return New(Config{Store: st, Diagnostic: diag}), st
}

func view(sex string) View {
	return View{Indicator: "taux", Level: "departement", Sex: sex, Sector: "ensemble", Method: "quantiles", Classes: 5,
		Region: "76", Selection: "31", Bounds: [4]float64{-0.5, 42.3, 4.9, 45.1}}
}

func kindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

func TestRules(t *testing.T) {
	s, _ := fixture(t)
	ctx := context.Background()
	c, err := s.Create(ctx, Create{Title: "Diagnostic Occitanie", Region: "76", View: view("ensemble")}, "client", base)
	if err != nil {
		t.Fatal(err)
	}
	code, ft := c.Workshop.Code, c.FacilitatorToken
	if _, ok := NormaliseCode(strings.ToLower(code)); !ok || len(ft) < 40 {
		t.Fatalf("code %q, token %d characters", code, len(ft))
	}
	if c.Links.Participant != base+"/#atelier="+code || c.Links.Facilitator != c.Links.Participant+"&animateur="+ft {
		t.Errorf("links %+v", c.Links)
	}
	marie, err := s.Join(ctx, strings.ToLower(code), "  Marie  ")
	if err != nil || marie.Participant.Name != "Marie" || marie.Participant.ID != 1 {
		t.Fatalf("join %+v %v", marie, err)
	}
	for _, tc := range []struct {
		name string
		err  error
		want Kind
	}{
		{"no token", func() error { _, err := s.SetView(ctx, code, "", view("femmes")); return err }(), Unauthorized},
		{"another workshop's kind of token", func() error { _, err := s.SetView(ctx, code, "f_"+strings.Repeat("A", 43), view("femmes")); return err }(), Unauthorized},
		{"a participant drives", func() error { _, err := s.SetView(ctx, code, marie.Token, view("femmes")); return err }(), Forbidden},
		{"unknown sex", func() error { _, err := s.SetView(ctx, code, ft, view("tous")); return err }(), Invalid},
		{"bad bounds", func() error {
			v := view("femmes")
			v.Bounds = [4]float64{5, 42, 1, 45}
			_, err := s.SetView(ctx, code, ft, v)
			return err
		}(), Invalid},
		{"unknown workshop", func() error { _, err := s.Get(ctx, "AAAAAA", "", base); return err }(), NotFound},
		{"no name", func() error { _, err := s.Join(ctx, code, " "); return err }(), Invalid},
		{"name too long", func() error { _, err := s.Join(ctx, code, strings.Repeat("é", 41)); return err }(), Invalid},
		{"control character", func() error { _, err := s.Join(ctx, code, "a\x07b"); return err }(), Invalid},
		{"unknown territory pointed at", func() error { _, err := s.Point(ctx, code, marie.Token, "departement", "975"); return err }(), Invalid},
		{"participant lists participants", func() error { _, err := s.Participants(ctx, code, marie.Token); return err }(), Forbidden},
	} {
		if got := kindOf(tc.err); got != tc.want {
			t.Errorf("%s: %v (kind %d), want kind %d", tc.name, tc.err, got, tc.want)
		}
	}
	var e *Error
	if _, err := s.SetView(ctx, code, ft, view("tous")); !errors.As(err, &e) || e.Field != "sex" {
		t.Errorf("the field at fault is named as in the view: %v", err)
	}

	// The facilitator drives; everyone may point while it is allowed.
	if _, err := s.SetView(ctx, code, ft, view("femmes")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Point(ctx, code, marie.Token, "departement", "31"); err != nil {
		t.Fatal(err)
	}
	off := false
	if _, err := s.Update(ctx, code, ft, Settings{AllowPointing: &off}, base); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Point(ctx, code, marie.Token, "departement", "31"); kindOf(err) != Forbidden {
		t.Errorf("pointing while it is off: %v", err)
	}
	if _, err := s.Point(ctx, code, ft, "departement", "31"); err != nil {
		t.Errorf("the facilitator may always point: %v", err)
	}

	// A closed workshop is read-only until it is reopened.
	if _, err := s.Close(ctx, code, marie.Token, base); kindOf(err) != Forbidden {
		t.Errorf("a participant closes: %v", err)
	}
	w, err := s.Close(ctx, code, ft, base)
	if err != nil || w.Status != StatusClosed || w.ClosedAt == nil {
		t.Fatalf("close: %+v %v", w, err)
	}
	for name, err := range map[string]error{
		"view": func() error { _, err := s.SetView(ctx, code, ft, view("hommes")); return err }(),
		"join": func() error { _, err := s.Join(ctx, code, "Paul"); return err }(),
		"step": func() error { _, err := s.AddStep(ctx, code, ft, "Étape", view("hommes")); return err }(),
	} {
		if kindOf(err) != Closed {
			t.Errorf("%s in a closed workshop: %v", name, err)
		}
	}
	if w, err := s.Reopen(ctx, code, ft, base); err != nil || w.Status != StatusOpen || w.ClosedAt != nil {
		t.Errorf("reopen: %+v %v", w, err)
	}
	if _, err := s.Reopen(ctx, code, ft, base); kindOf(err) != Invalid {
		t.Errorf("reopening an open workshop: %v", err)
	}

	// Anonymous participants, when allowed, are numbered.
	yes := true
	if _, err := s.Update(ctx, code, ft, Settings{AllowAnonymous: &yes}, base); err != nil {
		t.Fatal(err)
	}
	anon, err := s.Join(ctx, code, "")
	if err != nil || anon.Participant.Name != "Participant 2" {
		t.Errorf("anonymous: %+v %v", anon, err)
	}
	// Who a token is.
	g, err := s.Get(ctx, code, marie.Token, base)
	if err != nil || g.Me == nil || g.Me.Name != "Marie" || g.Participants != 2 || g.View.Sex != "femmes" || g.Pointer == nil {
		t.Errorf("snapshot %+v %v", g, err)
	}
	if _, err := s.Get(ctx, code, marie.Token[:len(marie.Token)-1]+"x", base); kindOf(err) != Unauthorized {
		t.Errorf("a forged token: %v", err)
	}
}

func TestSteps(t *testing.T) {
	s, _ := fixture(t)
	ctx := context.Background()
	c, err := s.Create(ctx, Create{Title: "Étapes", View: view("ensemble")}, "client", base)
	if err != nil {
		t.Fatal(err)
	}
	code, ft := c.Workshop.Code, c.FacilitatorToken
	a, err := s.AddStep(ctx, code, ft, "Vue d'ensemble", view("ensemble"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.AddStep(ctx, code, ft, "Femmes", view("femmes"))
	if _, err := s.RenameStep(ctx, code, ft, a.ID, "Ensemble"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteStep(ctx, code, ft, 99); kindOf(err) != NotFound {
		t.Errorf("deleting an unknown step: %v", err)
	}
	if err := s.DeleteStep(ctx, code, ft, a.ID); err != nil {
		t.Fatal(err)
	}
	c2, _ := s.AddStep(ctx, code, ft, "Hommes", view("hommes"))
	w, _ := s.Get(ctx, code, "", base)
	if len(w.Steps) != 2 || w.Steps[0].ID != b.ID || w.Steps[1].ID != c2.ID || c2.ID == a.ID {
		t.Errorf("steps %+v: ids are never reused", w.Steps)
	}
}

func TestRateLimit(t *testing.T) {
	s, _ := fixture(t)
	ctx := context.Background()
	c, err := s.Create(ctx, Create{Title: "Limites", View: view("ensemble")}, "client", base)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Join(ctx, c.Workshop.Code, "Marie")
	if err != nil {
		t.Fatal(err)
	}
	var limited *Error
	for i := 0; i < 100; i++ {
		if err := s.SetFollowing(ctx, c.Workshop.Code, p.Token, i%2 == 0); errors.As(err, &limited) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if limited == nil || limited.Kind != TooMany || limited.RetryAfter <= 0 || limited.RetryAfter > time.Second {
		t.Errorf("100 presence updates at once: %+v", limited)
	}
	// Other participants keep their own allowance.
	q, _ := s.Join(ctx, c.Workshop.Code, "Paul")
	if err := s.SetFollowing(ctx, c.Workshop.Code, q.Token, true); err != nil {
		t.Errorf("another participant is limited too: %v", err)
	}
}

func TestCode(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		c, err := newCode()
		if err != nil {
			t.Fatal(err)
		}
		if n, ok := NormaliseCode(" " + strings.ToLower(c) + " "); !ok || n != c {
			t.Fatalf("%q does not read back", c)
		}
		if strings.ContainsAny(c, "0O1IL2Z5S8B") {
			t.Fatalf("%q has a look-alike", c)
		}
		seen[c] = true
	}
	if len(seen) < 999 {
		t.Errorf("%d distinct codes of 1000", len(seen))
	}
	for _, bad := range []string{"", "ABCDE", "ABCDEFG", "ABCD0E", "ABC-DE"} {
		if _, ok := NormaliseCode(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestViewAnalysis checks that a view carries its analysis map to the
// followers, checked by the read side's own rules, the field at fault named.
func TestViewAnalysis(t *testing.T) {
	s, _ := fixture(t)
	ctx := context.Background()
	c, err := s.Create(ctx, Create{Title: "Analyses", Region: "76", View: view("ensemble")}, "client", base)
	if err != nil {
		t.Fatal(err)
	}
	code, ft := c.Workshop.Code, c.FacilitatorToken
	for _, tc := range []struct {
		name     string
		analysis Analysis
		field    string // "" when valid
	}{
		{"evolution, entry and exit of the plan", Analysis{Mode: "evolution"}, ""},
		{"evolution between two periods, relative", Analysis{Mode: "evolution", From: "2022", To: "2023", Change: "relative"}, ""},
		{"sex gap as a difference", Analysis{Mode: "sex-gap", Gap: "difference"}, ""},
		{"crossing", Analysis{Mode: "bivariate", With: "taux", WithPeriod: "2022"}, ""},
		{"unknown mode", Analysis{Mode: "carte"}, "analysis.mode"},
		{"unknown change", Analysis{Mode: "evolution", Change: "double"}, "analysis.change"},
		{"malformed period", Analysis{Mode: "evolution", From: "hier"}, "analysis.from"},
		{"unknown gap", Analysis{Mode: "sex-gap", Gap: "moyenne"}, "analysis.gap"},
		{"crossing without its indicator", Analysis{Mode: "bivariate"}, "analysis.with"},
		{"crossing with an unknown indicator", Analysis{Mode: "bivariate", With: "inconnu"}, "analysis.with"},
		{"crossing at a malformed period", Analysis{Mode: "bivariate", With: "taux", WithPeriod: "hier"}, "analysis.with_period"},
	} {
		v := view("ensemble")
		a := tc.analysis
		v.Analysis = &a
		_, err := s.SetView(ctx, code, ft, v)
		var e *Error
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.field == "":
			g, err := s.Get(ctx, code, "", base)
			if err != nil || g.View.Analysis == nil || *g.View.Analysis != a {
				t.Errorf("%s: followers get %+v (%v), want %+v", tc.name, g.View.Analysis, err, a)
			}
		case !errors.As(err, &e) || e.Kind != Invalid || e.Field != tc.field:
			t.Errorf("%s: %v, want the field %s invalid", tc.name, err, tc.field)
		}
	}
	// A view without an analysis is the indicator's map again.
	if _, err := s.SetView(ctx, code, ft, view("ensemble")); err != nil {
		t.Fatal(err)
	}
	if g, err := s.Get(ctx, code, "", base); err != nil || g.View.Analysis != nil {
		t.Errorf("plain view: %+v %v", g.View.Analysis, err)
	}
}
