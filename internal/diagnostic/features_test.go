package diagnostic_test

import (
	"context"
	"errors"
	"testing"

	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

func TestFeatures(t *testing.T) {
	f := setup(t)
	ctx := context.Background()

	// The territories alone: a page, the count of all.
	deps, _ := f.svc.Layer("departements")
	page, err := f.diag.Features(ctx, diagnostic.FeatureQuery{Level: territory.Departement, Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if page.Matched != deps.Territories.Len() || len(page.Features) != 5 || page.Values != nil || page.Features[0].Status != "" {
		t.Errorf("page: %d of %d, values %v", len(page.Features), page.Matched, page.Values)
	}

	// An indicator's values, through Gate: none for the secret Ariège.
	page, err = f.diag.Features(ctx, diagnostic.FeatureQuery{Level: territory.Departement, Indicator: "taux-a", Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	if v := page.Values; v == nil || v.Period != "2022" || v.Sex != "ensemble" || v.Sector != indicator.SectorAll {
		t.Fatalf("values %+v", page.Values)
	}
	by := map[string]diagnostic.Feature{}
	for _, ft := range page.Features {
		by[ft.Code] = ft
	}
	for code, want := range map[string]struct {
		status indicator.Status
		value  *float64
	}{
		"09": {indicator.StatusSecret, nil}, "48": {indicator.StatusMissing, nil}, "75": {indicator.StatusMissing, nil},
		"11": {indicator.StatusPublished, fp(2)}, "31": {indicator.StatusPublished, fp(5)},
	} {
		got := by[code]
		if got.Status != want.status || (got.Value == nil) != (want.value == nil) || (got.Value != nil && *got.Value != *want.value) || got.Geometry == nil {
			t.Errorf("%s: %s %v, want %s %v", code, got.Status, got.Value, want.status, want.value)
		}
	}
	page, err = f.diag.Features(ctx, diagnostic.FeatureQuery{Level: territory.Departement, Indicator: "taux-a", Period: "2021", FID: by["31"].FID, Limit: 1})
	if err != nil || len(page.Features) != 1 || *page.Features[0].Value != 1 || page.Values.Period != "2021" {
		t.Errorf("31 in 2021: %+v, %v", page, err)
	}

	// Mistakes are typed, and told before any geometry is read.
	var pe *diagnostic.ParamError
	var nf *diagnostic.NotFoundError
	if _, err := f.diag.Features(ctx, diagnostic.FeatureQuery{Level: territory.Departement, Indicator: "taux-a", Period: "20x2", Limit: 1}); !errors.As(err, &pe) || pe.Name != "period" {
		t.Errorf("bad period: %v", err)
	}
	if _, err := f.diag.Features(ctx, diagnostic.FeatureQuery{Level: territory.ZoneEmploi, Limit: 1}); !errors.As(err, &nf) {
		t.Errorf("level not loaded: %v", err)
	}
	if _, err := f.diag.Features(ctx, diagnostic.FeatureQuery{Level: territory.Departement, Indicator: "nope", Limit: 1}); !errors.As(err, &nf) {
		t.Errorf("unknown indicator: %v", err)
	}
}
