package httpapi_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/httpapi"
	"github.com/atlas-sante-travail/atlas/internal/importer"
	"github.com/atlas-sante-travail/atlas/internal/server"
	"github.com/atlas-sante-travail/atlas/internal/store/storetest"
	"github.com/atlas-sante-travail/atlas/internal/territory"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

func TestDefaultView(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	if _, err := importer.ImportTerritories(ctx, st, importer.TerritoryOptions{
		Level: territory.Region, Files: []string{mirrorFile(t, "regions/regions-avec-outre-mer.geojson")}, CodeField: "code", NameField: "nom",
	}); err != nil {
		t.Fatal(err)
	}
	svc := tiles.NewService(st, blob.NewLRU(8<<20), tiles.Options{PrewarmMaxZoom: -1})
	if err := svc.LoadAll(ctx); err != nil {
		t.Fatal(err)
	}

	t.Run("configuration is checked at start", func(t *testing.T) {
		for _, c := range []struct {
			view httpapi.DefaultView
			want string // "" when valid
		}{
			{httpapi.DefaultView{}, ""},
			{httpapi.DefaultView{Region: "76", Indicator: "chomage-ze"}, ""},
			{httpapi.DefaultView{Region: "84"}, ""},
			{httpapi.DefaultView{Region: "99"}, `"99" is not imported; known régions: 01, 02,`},
			{httpapi.DefaultView{Indicator: "nope"}, `"nope" is not imported; known indicators: chomage-ze`},
		} {
			err := c.view.Check(svc.Territories(), []string{"chomage-ze"})
			switch {
			case c.want == "" && err != nil:
				t.Errorf("%+v: %v", c.view, err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("%+v: error %v, want %q", c.view, err, c.want)
			}
		}
	})

	serve := func(v httpapi.DefaultView) string {
		srv := httptest.NewServer(server.New(server.Config{Store: st, Tiles: svc, View: v}))
		t.Cleanup(srv.Close)
		return srv.URL + "/api/v1/default-view"
	}

	t.Run("France when nothing is configured", func(t *testing.T) {
		var got httpapi.DefaultViewBody
		if s := getJSON(t, serve(httpapi.DefaultView{}), &got); s != 200 || got.Region != nil || got.Indicator != nil {
			t.Fatalf("status %d, %+v", s, got)
		}
	})

	t.Run("a région brings its name and extent", func(t *testing.T) {
		var got httpapi.DefaultViewBody
		if s := getJSON(t, serve(httpapi.DefaultView{Region: "76", Indicator: "chomage-ze"}), &got); s != 200 {
			t.Fatalf("status %d", s)
		}
		r := got.Region
		if r == nil || r.Code != "76" || r.Name != "Occitanie" || r.Level != "region" || got.Indicator == nil || *got.Indicator != "chomage-ze" {
			t.Fatalf("%+v", got)
		}
		// Occitanie lies between the Pyrenees and the Massif central.
		if w, s, e, n := r.BBox[0], r.BBox[1], r.BBox[2], r.BBox[3]; w < -0.5 || w > 0 || s < 42.2 || s > 42.5 || e < 4.7 || e > 5 || n < 44.9 || n > 45.2 {
			t.Errorf("bbox %v", r.BBox)
		}
	})

	t.Run("a région removed since the start is a 404", func(t *testing.T) {
		u := serve(httpapi.DefaultView{Region: "99"})
		if s := getJSON(t, u, &httpapi.DefaultViewBody{}); s != 404 {
			t.Errorf("status %d", s)
		}
	})
}
