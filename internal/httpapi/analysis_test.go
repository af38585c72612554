package httpapi_test

import (
	"context"
	"encoding/json"
	"math"
	"net/url"
	"slices"
	"testing"

	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// The analysis fixture: two indicators over the départements of
// Occitanie, at 2021 and 2022, by sex.
//   - evo-a: 2022 = occitanie's rates; 2021 = 2022 minus the code's last
//     digit / 2 (so changes vary and some are negative: 34 and 66 fall).
//     09 is secret in 2022 (77.7 from 777: never output, nor any change
//     from it); 48 is missing in 2021. For women, 11 is secret in 2022.
//   - evo-b: 2022 = 20 − occitanie's rate (a perfect inverse of evo-a),
//     12 secret.
func setupAnalysis(t *testing.T) fixture {
	t.Helper()
	f := setup(t)
	ctx := context.Background()
	last := func(code string) float64 { return float64(code[1]-'0') / 2 }
	var a, b []store.IndicatorValueRow
	for code, v := range occitanie {
		before := v - last(code)
		if code == "34" || code == "66" {
			before = v + 1.5
		}
		a = append(a,
			rate("departement", code, "2022", "ensemble", "ensemble", v, "published"),
			rate("departement", code, "2021", "ensemble", "ensemble", before, "published"),
			rate("departement", code, "2022", "hommes", "ensemble", v+1, "published"))
		st := "published"
		if code == "11" {
			st = "secret"
		}
		a = append(a, rate("departement", code, "2022", "femmes", "ensemble", v*1.5, st))
		st = "published"
		if code == "12" {
			st = "secret"
		}
		b = append(b, rate("departement", code, "2022", "ensemble", "ensemble", 20-v, st))
	}
	a = append(a,
		rate("departement", "09", "2022", "ensemble", "ensemble", 77.7, "secret"),
		rate("departement", "09", "2021", "ensemble", "ensemble", 6, "published"),
		store.IndicatorValueRow{Level: "departement", Code: "48", Period: "2021", Sex: "ensemble", Sector: "ensemble", Status: "missing"},
		rate("departement", "48", "2022", "ensemble", "ensemble", 5, "published"),
		rate("region", "76", "2022", "ensemble", "ensemble", 7, "published"),
	)
	b = append(b, rate("departement", "09", "2022", "ensemble", "ensemble", 3, "published"),
		rate("departement", "48", "2022", "ensemble", "ensemble", 15, "published"),
		rate("region", "76", "2022", "ensemble", "ensemble", 13, "published"))
	for _, c := range []struct {
		meta indicator.Indicator
		rows []store.IndicatorValueRow
	}{
		{testMeta("evo-a", indicator.ThemeSinistralite, []territory.Level{"departement", "region"}, true), a},
		{testMeta("evo-b", indicator.ThemeExposition, []territory.Level{"departement", "region"}, false), b},
	} {
		if c.meta.ID == "evo-b" {
			c.meta.Polarity = indicator.HigherIsBetter
		}
		meta, _ := json.Marshal(c.meta)
		if _, err := f.st.ReplaceIndicator(ctx, store.IndicatorImport{ID: c.meta.ID, Theme: string(c.meta.Theme), Demo: c.meta.Demo,
			Meta: meta, Files: []string{c.meta.ID + ".csv"}, SHA256: "sha-" + c.meta.ID, Rows: c.rows}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func byCode[T any](xs []T, code func(T) string) map[string]T {
	m := map[string]T{}
	for _, x := range xs {
		m[code(x)] = x
	}
	return m
}

func TestEvolution(t *testing.T) {
	f := setupAnalysis(t)
	base := f.srv.URL + "/api/v1/indicators/evo-a/"
	u := base + "evolution?level=departement&within=region:76&classes=4"
	r := get(t, u)
	raw := body(t, r)
	if r.StatusCode != 200 {
		t.Fatalf("%s: %d %s", u, r.StatusCode, raw)
	}
	noSecret(t, "evolution", raw)
	var m diagnostic.DerivedMap
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	golden(t, "evolution-evo-a-occitanie.json", m)
	if m.From != "2021" || m.To != "2022" || m.Mode != "absolute" || m.Unit != "pts" || m.Warm != 1 {
		t.Errorf("from %s to %s mode %s unit %s warm %d", m.From, m.To, m.Mode, m.Unit, m.Warm)
	}
	if !slices.Contains(m.Breaks.Upper, 0) {
		t.Errorf("0 is not a class boundary: %v", m.Breaks.Upper)
	}
	ts := byCode(m.Territories, func(d diagnostic.DerivedTerritory) string { return d.Code })
	if len(ts) != 13 {
		t.Fatalf("%d territories", len(ts))
	}
	if d := ts["09"]; d.Status != "secret" || d.Value != nil || d.B != nil || d.RankTo != nil || d.RankChange != nil {
		t.Errorf("09 (secret in 2022): %+v", d)
	}
	if d := ts["48"]; d.Status != "missing" || d.Value != nil || d.A != nil {
		t.Errorf("48 (missing in 2021): %+v", d)
	}
	if d := ts["31"]; d.Value == nil || math.Abs(*d.Value-0.5) > 1e-9 || *d.A != 4.5 || *d.B != 5 {
		t.Errorf("31: %+v", d)
	}
	// 34 fell by 1.5: below zero, the cool side, class 0.
	if d := ts["34"]; d.Value == nil || *d.Value != -1.5 || d.Class != 0 || m.Colors[0] != m.Legend[0].Color {
		t.Errorf("34: %+v", d)
	}
	// 2022 ranks: 82 (12) first; 2021 ranks among the 12 published.
	if d := ts["82"]; d.RankTo == nil || *d.RankTo != 1 {
		t.Errorf("82: rank %+v", d)
	}
	for _, d := range m.Territories {
		if d.RankChange != nil && *d.RankChange != *d.RankFrom-*d.RankTo {
			t.Errorf("%s: rank change %d from %d to %d", d.Code, *d.RankChange, *d.RankFrom, *d.RankTo)
		}
	}
	if m.Legend[len(m.Colors)].Kind != "secret" || m.Legend[len(m.Colors)].Count != 1 {
		t.Errorf("secret legend entry %+v", m.Legend[len(m.Colors)])
	}

	// Relative change: 31 went from 4.5 to 5, +11.1 %.
	var rel diagnostic.DerivedMap
	getJSON(t, u+"&change=relative", &rel)
	d := byCode(rel.Territories, func(d diagnostic.DerivedTerritory) string { return d.Code })["31"]
	if rel.Unit != "%" || d.Value == nil || math.Abs(*d.Value-100.0/9) > 1e-9 {
		t.Errorf("relative: unit %s, 31 %+v", rel.Unit, d)
	}

	// Cached with a strong ETag.
	tag := r.Header.Get("ETag")
	if tag == "" || tag[0] == 'W' || r.Header.Get("Cache-Control") == "" {
		t.Errorf("ETag %q Cache-Control %q", tag, r.Header.Get("Cache-Control"))
	}
	if nm := get(t, u, "If-None-Match", tag); nm.StatusCode != 304 {
		t.Errorf("If-None-Match: %d", nm.StatusCode)
	}
}

func TestSexGap(t *testing.T) {
	f := setupAnalysis(t)
	u := f.srv.URL + "/api/v1/indicators/evo-a/sex-gap?level=departement&within=region:76&classes=3"
	r := get(t, u)
	raw := body(t, r)
	if r.StatusCode != 200 {
		t.Fatalf("%d %s", r.StatusCode, raw)
	}
	var m diagnostic.DerivedMap
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	golden(t, "sex-gap-evo-a-occitanie.json", m)
	ts := byCode(m.Territories, func(d diagnostic.DerivedTerritory) string { return d.Code })
	// Women 1.5·v, men v + 1: 31 is 7.5 / 6.
	if d := ts["31"]; d.Value == nil || math.Abs(*d.Value-1.25) > 1e-9 || *d.A != 7.5 || *d.B != 6 {
		t.Errorf("31: %+v", d)
	}
	if d := ts["11"]; d.Status != "secret" || d.Value != nil || d.A != nil {
		t.Errorf("11 (women secret): %+v", d)
	}
	// Women are above men everywhere: every class on the warm side.
	if m.Centre != 1 || m.Breaks.Min <= 1 || m.Colors[0] != "#fee0d2" {
		t.Errorf("centre %g, breaks %+v, colours %v", m.Centre, m.Breaks, m.Colors)
	}
	var diff diagnostic.DerivedMap
	getJSON(t, u+"&gap=difference", &diff)
	if d := byCode(diff.Territories, func(d diagnostic.DerivedTerritory) string { return d.Code })["31"]; diff.Centre != 0 || d.Value == nil || *d.Value != 1.5 {
		t.Errorf("difference: centre %g, 31 %+v", diff.Centre, d)
	}
	// evo-b has values for neither sex: nothing to map.
	if r := get(t, f.srv.URL+"/api/v1/indicators/evo-b/sex-gap?level=departement"); r.StatusCode != 404 {
		t.Errorf("evo-b sex gap: %d", r.StatusCode)
	}
}

func TestBivariateAndScatter(t *testing.T) {
	f := setupAnalysis(t)
	u := f.srv.URL + "/api/v1/indicators/evo-a/bivariate?with=evo-b&level=departement&within=region:76"
	r := get(t, u)
	raw := body(t, r)
	if r.StatusCode != 200 {
		t.Fatalf("%d %s", r.StatusCode, raw)
	}
	noSecret(t, "bivariate", raw)
	var m diagnostic.Bivariate
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	golden(t, "bivariate-evo-a-evo-b-occitanie.json", m)
	ts := byCode(m.Territories, func(b diagnostic.BivariateTerritory) string { return b.Code })
	for code, want := range map[string]int{"09": diagnostic.BivariateSecretClass, "12": diagnostic.BivariateSecretClass} {
		if b := ts[code]; b.Class != want || b.A != nil || b.B != nil {
			t.Errorf("%s: %+v", code, b)
		}
	}
	// evo-b is 20 − evo-a: the highest tercile of A is the lowest of B.
	if b := ts["82"]; b.Class != 2 {
		t.Errorf("82 (A high, B low): class %d", b.Class)
	}
	if b := ts["11"]; b.Class != 6 {
		t.Errorf("11 (A low, B high): class %d", b.Class)
	}
	cells := 0
	for _, l := range m.Legend {
		if l.Kind == "value" {
			cells++
			if l.Color != m.Colors[*l.B][*l.A] || l.Class != 3**l.B+*l.A {
				t.Errorf("legend cell %+v", l)
			}
		}
	}
	if cells != 9 || m.PaletteSource == "" {
		t.Errorf("%d legend cells, palette source %q", cells, m.PaletteSource)
	}

	var s diagnostic.Scatter
	su := f.srv.URL + "/api/v1/indicators/evo-a/scatter?with=evo-b&level=departement&within=region:76"
	sr := get(t, su)
	sraw := body(t, sr)
	noSecret(t, "scatter", sraw)
	if err := json.Unmarshal(sraw, &s); err != nil {
		t.Fatal(err)
	}
	golden(t, "scatter-evo-a-evo-b-occitanie.json", s)
	// 13 départements: 09 and 12 secret on one side; 48 is published in
	// 2022 on both.
	if s.LeftOut.Secret != 2 || s.LeftOut.Missing != 0 || len(s.Points) != 11 || s.Correlation.N != 11 {
		t.Errorf("left out %+v, %d points, n %d", s.LeftOut, len(s.Points), s.Correlation.N)
	}
	if s.Correlation.Pearson == nil || math.Abs(*s.Correlation.Pearson+1) > 1e-9 || *s.Correlation.Spearman != -1 {
		t.Errorf("correlation %+v", s.Correlation)
	}
	if len(s.Regions) != 1 || s.Regions[0].Code != "76" || s.Regions[0].A != 7 || s.Regions[0].B != 13 {
		t.Errorf("régions %+v", s.Regions)
	}
	if s.Caution == "" {
		t.Error("no caution")
	}
	if nm := get(t, su, "If-None-Match", sr.Header.Get("ETag")); nm.StatusCode != 304 {
		t.Errorf("scatter If-None-Match: %d", nm.StatusCode)
	}
}

func TestAnalysisRefusals(t *testing.T) {
	f := setupAnalysis(t)
	base := f.srv.URL + "/api/v1/indicators/"
	for _, c := range []struct {
		path   string
		q      url.Values
		status int
		param  string
	}{
		{"evo-a/evolution", url.Values{"change": {"beaucoup"}}, 400, "change"},
		{"evo-a/evolution", url.Values{"from": {"hier"}}, 400, "from"},
		{"evo-a/evolution", url.Values{"from": {"2019"}}, 400, "from"},
		{"evo-a/evolution", url.Values{"from": {"2022"}, "to": {"2021"}}, 400, "to"},
		{"evo-a/evolution", url.Values{"classes": {"1"}}, 400, "classes"},
		{"evo-a/evolution", url.Values{"method": {"au-hasard"}}, 400, "method"},
		{"evo-a/evolution", url.Values{"method": {"manual"}, "classes": {"3"}, "breaks": {"1,2"}}, 400, "breaks"},
		{"evo-a/evolution", url.Values{"level": {"commune"}}, 400, "level"},
		{"evo-a/evolution", url.Values{"within": {"region:99"}}, 404, "within"},
		{"evo-a/sex-gap", url.Values{"gap": {"moyenne"}}, 400, "gap"},
		{"evo-a/sex-gap", url.Values{"period": {"l'an dernier"}}, 400, "period"},
		{"evo-a/bivariate", url.Values{}, 400, "with"},
		{"evo-a/bivariate", url.Values{"with": {"inconnu"}}, 404, "with"},
		{"evo-a/bivariate", url.Values{"with": {"evo-b"}, "with-period": {"x"}}, 400, "with-period"},
		{"evo-a/bivariate", url.Values{"with": {"evo-b"}, "with-sector": {"ZZ"}}, 400, "with-sector"},
		{"evo-a/scatter", url.Values{"with": {"evo-b"}, "level": {"zone-emploi"}}, 400, "level"},
		{"evo-a/scatter", url.Values{"with": {"evo-b"}, "sex": {"x"}}, 400, "sex"},
	} {
		u := base + c.path + "?" + c.q.Encode()
		r := get(t, u)
		b := body(t, r)
		if r.StatusCode != c.status || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %s, want %d problem+json", u, r.StatusCode, r.Header.Get("Content-Type"), c.status)
			continue
		}
		if name, _ := problemParam(t, u, b); name != c.param {
			t.Errorf("%s names %q, want %q: %s", u, name, c.param, b)
		}
	}
	// The profile's reference territory.
	for ref, status := range map[string]int{"ailleurs": 400, "departement:XYZ": 400, "region:05": 404, "zone-emploi:0000": 404} {
		u := f.srv.URL + "/api/v1/territories/departement/31/profile?ref=" + url.QueryEscape(ref)
		r := get(t, u)
		b := body(t, r)
		if r.StatusCode != status {
			t.Errorf("%s: %d, want %d: %s", u, r.StatusCode, status, b)
			continue
		}
		if name, _ := problemParam(t, u, b); name != "ref" {
			t.Errorf("%s names %q, want ref", u, name)
		}
	}
	var p diagnostic.Profile
	if st := getJSON(t, f.srv.URL+"/api/v1/territories/departement/31/profile?ref=departement:09", &p); st != 200 || p.Reference == nil || p.Reference.Code != "09" {
		t.Fatalf("profile with ref: %d %+v", st, p.Reference)
	}
	for _, e := range p.Indicators {
		if e.Indicator == "evo-a" && (e.Reference == nil || e.Reference.Status != "secret" || e.Reference.Value != nil) {
			t.Errorf("the secret reference: %+v", e.Reference)
		}
	}
	// Région 76 is known as the départements' parent: its stored value
	// (7) is the reference.
	if st := getJSON(t, f.srv.URL+"/api/v1/territories/departement/31/profile?ref=region:76", &p); st != 200 || p.Reference == nil || p.Reference.Code != "76" {
		t.Fatalf("profile with ref=region:76: %d %+v", st, p.Reference)
	}
	for _, e := range p.Indicators {
		if e.Indicator == "evo-a" && (e.Reference == nil || e.Reference.Value == nil || *e.Reference.Value != 7) {
			t.Errorf("région reference: %+v", e.Reference)
		}
	}
}
