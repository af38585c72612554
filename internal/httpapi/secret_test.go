package httpapi_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb/encoding/mvt"

	"github.com/atlas-sante-travail/atlas/internal/demodata"
	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/importer"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
	"github.com/atlas-sante-travail/atlas/internal/workshop"
)

// TestSecretNeverReachesAnOutput imports the fictive AT data (whose small
// counts the importer marks secret, with secondary suppression) and reads
// it back through every output channel: JSON values, CSV values,
// choropleths of every sex and sector, territory profiles, tiles with
// values, and the workshops (contributions' stamps, the synthesis in
// every format). Wherever a figure appears, the stored cell must be publishable;
// every secret cell must appear without figures.
func TestSecretNeverReachesAnOutput(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	if _, err := importer.ImportTerritories(ctx, f.st, importer.TerritoryOptions{Level: territory.Region,
		Files: []string{mirrorFile(t, "regions/regions-avec-outre-mer.geojson")}, CodeField: "code", NameField: "nom"}); err != nil {
		t.Fatal(err)
	}
	deps := importDemoAT(t, f.st)
	const id = demodata.IndicatorAT
	stored, err := f.st.IndicatorValues(ctx, store.ValueQuery{Indicator: id})
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	secret := 0
	for _, v := range stored {
		status[cellKey(string(v.Level), v.Code, v.Period, v.Sex, v.Sector)] = v.Status
		if v.Status == "secret" {
			secret++
		}
	}
	if secret == 0 {
		t.Fatal("the demo data has no secret cell: the test would prove nothing")
	}
	base := f.srv.URL + "/api/v1/indicators/" + id
	shown := func(channel, level, code, period, sex, sector string) {
		t.Helper()
		st, ok := status[cellKey(level, code, period, sex, sector)]
		if !ok {
			t.Errorf("%s shows a figure for %s %s %s %s %s that is not stored", channel, level, code, period, sex, sector)
		} else if st == "secret" || st == "missing" {
			t.Errorf("%s shows a figure for %s cell %s %s %s %s %s", channel, st, level, code, period, sex, sector)
		}
	}

	// JSON and CSV values: every stored cell comes out; figures only for
	// publishable ones.
	var vr diagnostic.Values
	getJSON(t, base+"/values", &vr)
	if len(vr.Values) != len(stored) {
		t.Fatalf("values: %d of %d cells", len(vr.Values), len(stored))
	}
	blank := 0
	for _, v := range vr.Values {
		if v.Value != nil || v.Numerator != nil || v.Denominator != nil {
			shown("values JSON", string(v.Level), v.Code, v.Period, v.Sex, v.Sector)
		} else if v.Status == "secret" {
			blank++
		}
	}
	if blank != secret {
		t.Errorf("values JSON: %d secret cells without figures, %d stored", blank, secret)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(body(t, get(t, base+"/values?format=csv"))), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, rec := range recs[1:] {
		if rec[col["value"]] != "" || rec[col["numerator"]] != "" || rec[col["denominator"]] != "" {
			shown("values CSV", rec[col["level"]], rec[col["code"]], rec[col["period"]], rec[col["sex"]], rec[col["sector"]])
		}
	}

	// Choropleths of every sex and sector, at both levels.
	var meta struct{ Sectors []string }
	getJSON(t, base, &meta)
	for _, level := range []string{"departement", "region"} {
		for _, sex := range []string{"ensemble", "femmes", "hommes"} {
			for _, sector := range meta.Sectors {
				var ch diagnostic.Map
				q := url.Values{"level": {level}, "period": {"2023"}, "sex": {sex}, "sector": {sector}}
				getJSON(t, base+"/choropleth?"+q.Encode(), &ch)
				for _, tt := range ch.Territories {
					if tt.Value != nil {
						shown("choropleth", level, tt.Code, "2023", sex, sector)
					}
				}
				for _, r := range ch.References {
					if r.Value != nil && r.Level == "region" {
						shown("choropleth reference", "region", r.Code, "2023", sex, sector)
					}
				}
			}
		}
	}

	// Profiles of the départements of one région.
	for _, d := range deps {
		if d.Region != "76" {
			continue
		}
		var p struct{ Indicators []diagnostic.ProfileEntry }
		getJSON(t, f.srv.URL+"/api/v1/territories/departement/"+d.Code+"/profile", &p)
		for _, e := range p.Indicators {
			if e.Indicator != id {
				continue
			}
			if e.Value != nil {
				shown("profile", "departement", d.Code, e.Period, "ensemble", "ensemble")
			}
			for _, s := range e.Series {
				if s.Value != nil {
					shown("profile series", "departement", d.Code, s.Period, "ensemble", "ensemble")
				}
			}
			if c := e.Change; c != nil && c.Value != nil {
				shown("profile change (from)", "departement", d.Code, c.From, "ensemble", "ensemble")
				shown("profile change (to)", "departement", d.Code, c.To, "ensemble", "ensemble")
			}
		}
	}

	// Profiles compared with another territory (ref=): each département of
	// Occitanie against every other, secret ones included.
	var occ []string
	for _, d := range deps {
		if d.Region == "76" {
			occ = append(occ, d.Code)
		}
	}
	for i, code := range occ {
		ref := occ[(i+1)%len(occ)]
		var p struct{ Indicators []diagnostic.ProfileEntry }
		getJSON(t, f.srv.URL+"/api/v1/territories/departement/"+code+"/profile?ref=departement:"+ref, &p)
		for _, e := range p.Indicators {
			if e.Indicator == id && e.Reference != nil && e.Reference.Value != nil {
				shown("profile reference", "departement", ref, e.Period, "ensemble", "ensemble")
			}
		}
	}

	// Tiles with values, over metropolitan France at z5, for a small sector.
	for x := 14; x <= 17; x++ {
		for y := 10; y <= 12; y++ {
			r := get(t, fmt.Sprintf("%s/tiles/departements/5/%d/%d.mvt?indicator=%s&period=2023&sex=femmes&sector=38", f.srv.URL, x, y, id))
			if r.StatusCode == 204 {
				continue
			}
			layers, err := mvt.Unmarshal(body(t, r))
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range layers {
				for _, ft := range l.Features {
					if _, ok := ft.Properties["value"]; ok {
						shown("tile", "departement", ft.Properties.MustString("code"), "2023", "femmes", "38")
					}
				}
			}
		}
	}

	// The analysis maps: every figure they show, and every figure derived
	// from others, must come from publishable cells only.
	analysisSecrets(t, base, meta.Sectors, shown)

	// Workshops: contributions' stamps and the synthesis in every format.
	workshopSecrets(t, f.srv.URL, id, stored, shown)
}

// workshopSecrets is the workshop channel of TestSecretNeverReachesAnOutput:
// steps and contributions on secret and published territories, then the
// synthesis in every format.
func workshopSecrets(t *testing.T, base, id string, stored []store.IndicatorValueRow, shown func(channel, level, code, period, sex, sector string)) {
	t.Helper()
	// A secret département and a published one, women, sector 38, 2023.
	var secret, published *store.IndicatorValueRow
	for i, v := range stored {
		if v.Level != "departement" || v.Period != "2023" || v.Sex != "femmes" || v.Sector != "38" {
			continue
		}
		switch {
		case v.Status == "secret" && secret == nil && v.Value != nil:
			secret = &stored[i]
		case v.Status == "published" && published == nil:
			published = &stored[i]
		}
	}
	if secret == nil || published == nil {
		t.Fatal("no secret or no published département for women in sector 38: the test would prove nothing")
	}
	view := func(sel string) map[string]any {
		return map[string]any{"indicator": id, "level": "departement", "period": "2023", "sex": "femmes", "sector": "38",
			"selection": sel, "bounds": []float64{-5, 41, 10, 51}}
	}
	var created workshop.Created
	if r := call(t, "POST", base+"/api/v1/workshops", "", map[string]any{"title": "Secret", "view": view(secret.Code)}, &created); r.StatusCode != 201 {
		t.Fatalf("create: %d", r.StatusCode)
	}
	ws, ft := base+"/api/v1/workshops/"+created.Workshop.Code, created.FacilitatorToken
	var joined workshop.Joined
	call(t, "POST", ws+"/participants", "", map[string]string{"name": "Marie"}, &joined)
	for _, code := range []string{secret.Code, published.Code} {
		if r := call(t, "POST", ws+"/steps", ft, map[string]any{"title": "Étape " + code, "view": view(code)}, nil); r.StatusCode != 201 {
			t.Fatalf("step: %d", r.StatusCode)
		}
		var c workshop.Contribution
		if r := call(t, "POST", ws+"/contributions", joined.Token, map[string]any{"kind": "constat", "text": "Vu sur le terrain", "level": "departement", "code": code, "view": view(code)}, &c); r.StatusCode != 201 {
			t.Fatalf("contribution: %d", r.StatusCode)
		}
		if code == secret.Code && (c.Stamp == nil || c.Stamp.Value != nil || c.Stamp.Status != "secret") {
			t.Errorf("the stamp of a contribution on a secret territory: %+v", c.Stamp)
		}
		if code == published.Code && (c.Stamp == nil || c.Stamp.Value == nil) {
			t.Errorf("the stamp of a contribution on a published territory: %+v", c.Stamp)
		}
	}
	call(t, "PUT", ws+"/phase", ft, map[string]string{"phase": "reveal"}, nil)
	secretText := indicator.FormatNumber(*secret.Value, 1)
	for _, format := range workshop.Formats() {
		r, err := http.Get(ws + "/synthesis?format=" + format) // no token: refused
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != 401 {
			t.Errorf("a synthesis without a token: %d", r.StatusCode)
		}
		req, _ := http.NewRequest(http.MethodGet, ws+"/synthesis?format="+format, nil)
		req.Header.Set("Authorization", "Bearer "+ft)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		text := string(b)
		if resp.StatusCode != 200 || !strings.Contains(text, "secret statistique") || !strings.Contains(text, "Marie") {
			t.Errorf("synthesis %s: %d, says secret statistique %v, names Marie %v", format, resp.StatusCode,
				strings.Contains(text, "secret statistique"), strings.Contains(text, "Marie"))
		}
		// The secret figure, as the synthesis would write it, and raw.
		for _, leak := range []string{secretText, strconv.FormatFloat(*secret.Value, 'f', -1, 64)} {
			if strings.Contains(text, leak) {
				t.Errorf("synthesis %s shows the secret figure %s of %s", format, leak, secret.Code)
			}
		}
		if format == "json" {
			var syn workshop.Synthesis
			if err := json.Unmarshal(b, &syn); err != nil {
				t.Fatal(err)
			}
			for _, st := range syn.Steps {
				if st.Selected == nil {
					t.Fatalf("step %q has no selected figure", st.Title)
				}
				if st.Selected.Value != nil {
					shown("synthesis", "departement", st.Selected.Code, "2023", "femmes", "38")
				}
			}
		}
	}
}

func cellKey(level, code, period, sex, sector string) string {
	return strings.Join([]string{level, code, period, sex, sector}, "|")
}

// analysisSecrets is the analysis channel of TestSecretNeverReachesAnOutput:
// evolutions, sex gaps, bivariate maps and scatter plots at both levels,
// for every sex and sector of the small ones. A derived figure (a change,
// a gap) is checked against both cells it comes from, so that a secret
// cannot be recovered by subtraction; a territory with a secret cell must
// come out secret (or be left out of a scatter plot).
func analysisSecrets(t *testing.T, base string, sectors []string, shown func(channel, level, code, period, sex, sector string)) {
	t.Helper()
	secretSeen := 0
	for _, level := range []string{"departement", "region"} {
		for _, sector := range sectors {
			for _, sex := range []string{"ensemble", "femmes", "hommes"} {
				var m diagnostic.DerivedMap
				q := url.Values{"level": {level}, "sex": {sex}, "sector": {sector}}
				if st := getJSON(t, base+"/evolution?"+q.Encode(), &m); st != 200 {
					t.Fatalf("evolution %s: %d", q.Encode(), st)
				}
				for _, d := range m.Territories {
					if d.Value != nil {
						shown("evolution (from)", level, d.Code, m.From, sex, sector)
						shown("evolution (to)", level, d.Code, m.To, sex, sector)
					}
					if d.A != nil {
						shown("evolution from", level, d.Code, m.From, sex, sector)
					}
					if d.B != nil {
						shown("evolution to", level, d.Code, m.To, sex, sector)
					}
					if d.Status == "secret" {
						secretSeen++
					}
				}
			}
			var g diagnostic.DerivedMap
			q := url.Values{"level": {level}, "sector": {sector}, "gap": {"difference"}}
			if st := getJSON(t, base+"/sex-gap?"+q.Encode(), &g); st != 200 {
				t.Fatalf("sex gap %s: %d", q.Encode(), st)
			}
			for _, d := range g.Territories {
				if d.Value != nil {
					shown("sex gap (women)", level, d.Code, g.Period, "femmes", sector)
					shown("sex gap (men)", level, d.Code, g.Period, "hommes", sector)
				}
				if d.A != nil {
					shown("sex gap women", level, d.Code, g.Period, "femmes", sector)
				}
				if d.B != nil {
					shown("sex gap men", level, d.Code, g.Period, "hommes", sector)
				}
			}
			// The indicator crossed with itself in all sectors.
			id := path.Base(base)
			cq := url.Values{"with": {id}, "level": {level}, "sector": {sector}, "with-sector": {"ensemble"}, "sex": {"femmes"}, "period": {"2023"}, "with-period": {"2022"}}
			var b diagnostic.Bivariate
			if st := getJSON(t, base+"/bivariate?"+cq.Encode(), &b); st != 200 {
				t.Fatalf("bivariate %s: %d", cq.Encode(), st)
			}
			for _, bt := range b.Territories {
				if bt.A != nil {
					shown("bivariate a", level, bt.Code, "2023", "femmes", sector)
				}
				if bt.B != nil {
					shown("bivariate b", level, bt.Code, "2022", "femmes", "ensemble")
				}
				if bt.Class < diagnostic.BivariateSecretClass && (bt.A == nil || bt.B == nil) {
					t.Errorf("bivariate: %s classed without both figures", bt.Code)
				}
			}
			var s diagnostic.Scatter
			if st := getJSON(t, base+"/scatter?"+cq.Encode(), &s); st != 200 {
				t.Fatalf("scatter %s: %d", cq.Encode(), st)
			}
			for _, p := range s.Points {
				shown("scatter a", level, p.Code, "2023", "femmes", sector)
				shown("scatter b", level, p.Code, "2022", "femmes", "ensemble")
			}
			for _, p := range s.Regions {
				shown("scatter région a", "region", p.Code, "2023", "femmes", sector)
				shown("scatter région b", "region", p.Code, "2022", "femmes", "ensemble")
			}
			if len(s.Points)+s.LeftOut.Secret+s.LeftOut.Missing != len(b.Territories) {
				t.Errorf("scatter: %d points and %+v left out of %d territories", len(s.Points), s.LeftOut, len(b.Territories))
			}
		}
	}
	if secretSeen == 0 {
		t.Error("no evolution came out secret: the analysis check proves nothing")
	}
}
