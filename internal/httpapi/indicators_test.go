package httpapi_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/server"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

func fp(x float64) *float64 { return &x }

// Occitanie (région 76): its départements and the synthetic 2022 rates.
// 09 is secret (its figures, 77.7 from 777/1000, must never be output) and
// 48 is missing; the eleven others are 2, 3, ... 12 %.
var occitanie = map[string]float64{"11": 2, "12": 3, "30": 4, "31": 5, "32": 6, "34": 7, "46": 8, "65": 9, "66": 10, "81": 11, "82": 12}

func rate(level territory.Level, code, period, sex, sector string, v float64, status string) store.IndicatorValueRow {
	return store.IndicatorValueRow{Level: level, Code: code, Period: period, Sex: sex, Sector: sector,
		Value: fp(v), Numerator: fp(v * 10), Denominator: fp(1000), Status: status}
}

func testMeta(id string, theme indicator.Theme, levels []territory.Level, demo bool) indicator.Indicator {
	return indicator.Indicator{
		ID: id, Label: "Taux de test " + id, Theme: theme, Definition: "Indicateur synthétique de test", Unit: "%",
		Producer: "Carsat (test)", Source: "fichier de test", Licence: "Licence Ouverte 2.0",
		Vintages: []string{"2021", "2022"}, Levels: levels, Sexes: []indicator.Sex{"ensemble", "femmes", "hommes"},
		Sectors: []string{"ensemble", "F"}, Decimals: 1, Polarity: indicator.HigherIsWorse,
		Aggregation: indicator.AggregateRatio, Threshold: 5, ThresholdOn: indicator.ThresholdOnNumerator, Scale: 100, Demo: demo,
	}
}

type indFixture struct {
	fixture
	regions []string
}

// setupIndicators serves the territories of setup plus two synthetic
// indicators: taux-at (demo, every région published, so France is
// computable) and taux-expo (région 76 secret, so France must be omitted).
func setupIndicators(t *testing.T) indFixture {
	t.Helper()
	f := setup(t)
	ctx := context.Background()
	deps, _ := f.svc.Layer("departements")
	set := map[string]bool{}
	for _, d := range deps.Territories.All() {
		set[d.Region] = true
	}
	var regions []string
	for r := range set {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	for _, c := range []struct {
		meta         indicator.Indicator
		secretRegion string
	}{
		{testMeta("taux-at", indicator.ThemeSinistralite, []territory.Level{"departement", "region", "zone-emploi"}, true), ""},
		{testMeta("taux-expo", indicator.ThemeExposition, []territory.Level{"departement", "region"}, false), "76"},
	} {
		var rows []store.IndicatorValueRow
		for code, v := range occitanie {
			rows = append(rows, rate("departement", code, "2022", "ensemble", "ensemble", v, "published"))
		}
		rows = append(rows,
			rate("departement", "09", "2022", "ensemble", "ensemble", 77.7, "secret"),
			store.IndicatorValueRow{Level: "departement", Code: "48", Period: "2022", Sex: "ensemble", Sector: "ensemble", Status: "missing"},
			rate("departement", "31", "2021", "ensemble", "ensemble", 4.5, "published"),
			rate("departement", "31", "2022", "femmes", "ensemble", 4, "published"),
			rate("departement", "31", "2022", "ensemble", "F", 9.5, "provisional"),
		)
		for i, r := range regions {
			st := "published"
			if r == c.secretRegion {
				st = "secret"
			}
			rows = append(rows, rate("region", r, "2022", "ensemble", "ensemble", 3+float64(i)/10, st))
		}
		meta, _ := json.Marshal(c.meta)
		if _, err := f.st.ReplaceIndicator(ctx, store.IndicatorImport{ID: c.meta.ID, Theme: string(c.meta.Theme), Demo: c.meta.Demo,
			Meta: meta, Files: []string{c.meta.ID + ".csv"}, SHA256: "sha-" + c.meta.ID, Rows: rows}); err != nil {
			t.Fatal(err)
		}
	}
	return indFixture{fixture: f, regions: regions}
}

func getJSON(t *testing.T, u string, v any, headers ...string) int {
	t.Helper()
	r := get(t, u, headers...)
	b := body(t, r)
	if r.StatusCode == 200 {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v\n%s", u, err, b)
		}
	}
	return r.StatusCode
}

// noSecret fails when the secret figures of 09 (77.7, 777) appear.
func noSecret(t *testing.T, what string, b []byte) {
	t.Helper()
	if s := string(b); strings.Contains(s, "77.7") || strings.Contains(s, "777") || strings.Contains(s, "77,7") {
		t.Errorf("%s leaks a secret figure:\n%.3000s", what, s)
	}
}

func TestIndicators(t *testing.T) {
	f := setupIndicators(t)
	base := f.srv.URL + "/api/v1"

	t.Run("catalogue and filters", func(t *testing.T) {
		type cat struct {
			Count      int                        `json:"count"`
			Indicators []diagnostic.IndicatorInfo `json:"indicators"`
		}
		var all cat
		if getJSON(t, base+"/indicators", &all) != 200 || all.Count != 2 {
			t.Fatalf("catalogue %+v", all)
		}
		var sin cat
		getJSON(t, base+"/indicators?theme=sinistralite", &sin)
		if sin.Count != 1 {
			t.Fatalf("theme filter: %+v", sin)
		}
		at := sin.Indicators[0]
		if at.ID != "taux-at" || at.ThemeLabel != "Sinistralité (AT/MP)" || !at.Demo || at.Notice != indicator.DemoNotice ||
			at.Dataset.Files[0] != "taux-at.csv" || at.Dataset.SHA256 != "sha-taux-at" || at.Dataset.ImportedAt.IsZero() || at.Unit != "%" {
			t.Errorf("entry %+v", at)
		}
		var ze cat
		getJSON(t, base+"/indicators?level=zone-emploi", &ze)
		if ze.Count != 1 || ze.Indicators[0].ID != "taux-at" {
			t.Errorf("level filter: %+v", ze)
		}
		var expo diagnostic.IndicatorInfo
		if getJSON(t, base+"/indicators/taux-expo", &expo) != 200 || expo.Demo || expo.Notice != "" || expo.Label == "" {
			t.Errorf("detail %+v", expo)
		}
		if r := get(t, base+"/indicators/nope"); r.StatusCode != 404 || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("unknown indicator: %d", r.StatusCode)
		}
	})

	t.Run("values JSON and CSV without secret figures", func(t *testing.T) {
		r := get(t, base+"/indicators/taux-at/values?level=departement&period=2022&sex=ensemble&sector=ensemble")
		b := body(t, r)
		noSecret(t, "values JSON", b)
		var vr diagnostic.Values
		if err := json.Unmarshal(b, &vr); err != nil {
			t.Fatal(err)
		}
		if vr.Indicator != "taux-at" || vr.Notice != indicator.DemoNotice || len(vr.Values) != 13 {
			t.Fatalf("values %d %+v", len(vr.Values), vr)
		}
		for _, v := range vr.Values {
			switch v.Code {
			case "09":
				if v.Status != "secret" || v.Value != nil || v.Numerator != nil || v.Denominator != nil {
					t.Errorf("secret row %+v", v)
				}
			case "31":
				if v.Name != "Haute-Garonne" || *v.Value != 5 || *v.Numerator != 50 || v.Status != "published" {
					t.Errorf("31: %+v", v)
				}
			}
		}
		var within diagnostic.Values
		getJSON(t, base+"/indicators/taux-at/values?within=departement:31", &within)
		if len(within.Values) != 4 {
			t.Errorf("within departement:31: %d values", len(within.Values))
		}

		// sep=%3B is the encoded form; a literal sep=; typed in a browser works too.
		if lit := body(t, get(t, base+"/indicators/taux-at/values?level=departement&period=2022&sex=ensemble&format=csv&sep=;")); !strings.HasPrefix(string(lit), "\uFEFFindicator;") {
			t.Errorf("literal sep=;: %.40q", lit)
		}
		r = get(t, base+"/indicators/taux-at/values?level=departement&period=2022&sex=ensemble&format=csv&sep=%3B")
		raw := body(t, r)
		noSecret(t, "values CSV", raw)
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(string(raw), "\uFEFF") {
			t.Fatalf("CSV: type %s, start %q", r.Header.Get("Content-Type"), raw[:8])
		}
		cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(raw), "\uFEFF")))
		cr.Comma = ';'
		recs, err := cr.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		head := strings.Join(recs[0], ",")
		if head != "indicator,level,code,name,period,sex,sector,value,numerator,denominator,status,computed,dataset,source,notice" || len(recs) != 15 {
			t.Fatalf("CSV header %s, %d records", head, len(recs))
		}
		for _, rec := range recs[1:] {
			if rec[2] == "09" && (rec[7] != "" || rec[8] != "" || rec[9] != "" || rec[10] != "secret") {
				t.Errorf("secret CSV row %v", rec)
			}
			if rec[2] == "31" && rec[6] == "ensemble" && (rec[7] != "5" || rec[14] != indicator.DemoNotice || !strings.Contains(rec[13], "Carsat")) {
				t.Errorf("31 CSV row %v", rec)
			}
		}
		r = get(t, base+"/indicators/taux-expo/values?level=departement", "Accept", "text/csv")
		raw = body(t, r)
		noSecret(t, "values CSV (Accept)", raw)
		if strings.HasPrefix(string(raw), "\uFEFF") || !strings.HasPrefix(string(raw), "indicator,level,code") || strings.Contains(strings.SplitN(string(raw), "\n", 2)[0], "notice") {
			t.Errorf("CSV by Accept: %.200s", raw)
		}
	})

	t.Run("choropleth", func(t *testing.T) {
		u := base + "/indicators/taux-at/choropleth?level=departement"
		r := get(t, u)
		b := body(t, r)
		noSecret(t, "choropleth", b)
		var ch diagnostic.Map
		if err := json.Unmarshal(b, &ch); err != nil {
			t.Fatal(err)
		}
		if ch.Period != "2022" || ch.Sex != "ensemble" || ch.Sector != "ensemble" || ch.Method != "quantiles" || ch.Palette != indicator.DefaultPalette {
			t.Errorf("defaults: %+v", ch)
		}
		if fmt.Sprint(ch.Breaks.Upper) != "[4 6 8 10 12]" || fmt.Sprint(ch.Breaks.Counts) != "[3 2 2 2 2]" || ch.Breaks.Min != 2 {
			t.Errorf("quantile breaks %+v", ch.Breaks)
		}
		if len(ch.Legend) != 7 || ch.Legend[5].Kind != "secret" || ch.Legend[5].Count != 1 || ch.Legend[5].Color != indicator.SecretColor ||
			ch.Legend[5].Label != "secret statistique" || ch.Legend[6].Label != "donnée manquante" || ch.Legend[6].Count != 1 ||
			ch.Legend[0].Label != "de 2,0 à 4,0\u00a0%" || ch.Legend[0].Count != 3 {
			t.Errorf("legend %+v", ch.Legend)
		}
		wantColors, _ := indicator.Colors(indicator.DefaultPalette, 5, indicator.HigherIsWorse)
		if fmt.Sprint(ch.Colors) != fmt.Sprint(wantColors) {
			t.Errorf("colors %v", ch.Colors)
		}
		for _, tr := range ch.Territories {
			switch tr.Code {
			case "09":
				if tr.Value != nil || tr.Class != 5 || tr.Status != "secret" {
					t.Errorf("09: %+v", tr)
				}
			case "48":
				if tr.Value != nil || tr.Class != 6 || tr.Status != "missing" {
					t.Errorf("48: %+v", tr)
				}
			case "31":
				if *tr.Value != 5 || tr.Class != 1 || tr.Name != "Haute-Garonne" || tr.ID == 0 {
					t.Errorf("31: %+v", tr)
				}
			}
		}
		if len(ch.References) != 2 || ch.References[0].Code != "76" || ch.References[0].Value == nil ||
			ch.References[1].Code != "FR" || ch.References[1].Value == nil || ch.References[1].Reason != "" {
			t.Errorf("references %+v", ch.References)
		}
		if !strings.Contains(ch.Source, "Carsat") || ch.Notice != indicator.DemoNotice {
			t.Errorf("source %q notice %q", ch.Source, ch.Notice)
		}
		var g any
		json.Unmarshal(b, &g)
		golden(t, "choropleth-taux-at-departement.json", g)

		tag := r.Header.Get("ETag")
		if !strings.HasPrefix(tag, `"`) || r.Header.Get("Cache-Control") == "" {
			t.Errorf("ETag %q, Cache-Control %q", tag, r.Header.Get("Cache-Control"))
		}
		if nm := get(t, u, "If-None-Match", tag); nm.StatusCode != 304 {
			t.Errorf("If-None-Match: %d", nm.StatusCode)
		}

		var man diagnostic.Map
		getJSON(t, u+"&method=manual&classes=3&breaks=5,10&palette=blues", &man)
		if fmt.Sprint(man.Breaks.Upper) != "[5 10 12]" || fmt.Sprint(man.Breaks.Counts) != "[4 5 2]" || man.Legend[1].Label != "de 5,0 à 10,0\u00a0%" {
			t.Errorf("manual %+v %+v", man.Breaks, man.Legend)
		}
		for _, m := range []string{"jenks", "equal-intervals", "standard-deviation"} {
			var x diagnostic.Map
			if getJSON(t, u+"&method="+m, &x) != 200 || x.Breaks == nil || x.Breaks.Method != indicator.Method(m) {
				t.Errorf("%s: %+v", m, x.Breaks)
			}
		}

		var expo diagnostic.Map
		getJSON(t, base+"/indicators/taux-expo/choropleth?level=departement&period=2022", &expo)
		noSecret(t, "choropleth expo", nil)
		fr := expo.References[len(expo.References)-1]
		if fr.Code != "FR" || fr.Value != nil || !strings.Contains(fr.Reason, "secret") {
			t.Errorf("France with a secret région: %+v", fr)
		}
		if r76 := expo.References[0]; r76.Code != "76" || r76.Value != nil || r76.Status != "secret" {
			t.Errorf("secret région reference: %+v", r76)
		}
	})

	t.Run("profile", func(t *testing.T) {
		type prof struct {
			Territory  diagnostic.TerritoryRef   `json:"territory"`
			Indicators []diagnostic.ProfileEntry `json:"indicators"`
		}
		var p prof
		if getJSON(t, base+"/territories/departement/31/profile", &p) != 200 || p.Territory.Name != "Haute-Garonne" || len(p.Indicators) != 2 {
			t.Fatalf("profile %+v", p)
		}
		at := p.Indicators[1]
		if at.Indicator != "taux-at" {
			at = p.Indicators[0]
		}
		if at.Period != "2022" || *at.Value != 5 || at.Rank == nil || at.Rank.Rank != 8 || at.Rank.Of != 11 ||
			at.Region == nil || at.Region.Code != "76" || at.Region.Value == nil || len(at.Series) != 2 || at.Series[0].Period != "2021" {
			t.Errorf("taux-at profile %+v rank %+v", at, at.Rank)
		}
		r := get(t, base+"/territories/departement/09/profile")
		b := body(t, r)
		noSecret(t, "profile 09", b)
		p = prof{}
		json.Unmarshal(b, &p)
		if len(p.Indicators) != 2 || p.Indicators[0].Value != nil || p.Indicators[0].Rank != nil || p.Indicators[0].Status != "secret" {
			t.Errorf("profile 09 %+v", p.Indicators)
		}
		if r := get(t, base+"/territories/zone-emploi/9999/profile"); r.StatusCode != 404 {
			t.Errorf("unknown territory: %d", r.StatusCode)
		}
	})

	t.Run("tiles with values", func(t *testing.T) {
		r := get(t, f.srv.URL+"/tiles/departements/8/129/93.mvt?indicator=taux-at&period=2022")
		raw := body(t, r)
		if r.StatusCode != 200 {
			t.Fatalf("status %d %s", r.StatusCode, raw)
		}
		s := decode(t, raw)
		seen := map[string]bool{}
		for _, ft := range s[0].Features {
			code := ft.Properties["code"].(string)
			seen[code] = true
			// taux-at is demonstration data: every feature says so.
			if ft.Properties["notice"] != indicator.DemoNotice {
				t.Errorf("%s: notice %v", code, ft.Properties["notice"])
			}
			switch code {
			case "09":
				if _, ok := ft.Properties["value"]; ok || ft.Properties["status"] != "secret" || ft.Properties["class"] != float64(5) {
					t.Errorf("09: %v", ft.Properties)
				}
			case "31":
				if ft.Properties["value"] != float64(5) || ft.Properties["status"] != "published" || ft.Properties["class"] != float64(1) || ft.Properties["name"] != "Haute-Garonne" {
					t.Errorf("31: %v", ft.Properties)
				}
			}
		}
		if !seen["09"] || !seen["31"] {
			t.Errorf("tile lacks 09 or 31: %v", seen)
		}
		for _, ft := range s[0].Features {
			for k, v := range ft.Properties {
				if k == "value" && (v == 77.7 || v == float64(777)) {
					t.Error("secret value in tile")
				}
			}
		}
		if nm := get(t, f.srv.URL+"/tiles/departements/8/129/93.mvt?indicator=taux-at&period=2022", "If-None-Match", r.Header.Get("ETag")); nm.StatusCode != 304 {
			t.Errorf("baked tile If-None-Match: %d", nm.StatusCode)
		}
		// The plain tile is untouched.
		for _, ft := range decode(t, body(t, get(t, f.srv.URL+"/tiles/departements/8/129/93.mvt")))[0].Features {
			if _, ok := ft.Properties["status"]; ok {
				t.Fatal("the cached plain tile has values")
			}
		}
	})

	t.Run("bad parameters", func(t *testing.T) {
		for _, c := range []struct {
			path, param string
			status      int
		}{
			{"/api/v1/indicators?theme=sante", "theme", 400},
			{"/api/v1/indicators?level=canton", "level", 400},
			{"/api/v1/indicators/taux-at/values?level=commune", "level", 400},
			{"/api/v1/indicators/taux-at/values?period=20x2", "period", 400},
			{"/api/v1/indicators/taux-at/values?sex=autre", "sex", 400},
			{"/api/v1/indicators/taux-at/values?sector=Z9", "sector", 400},
			{"/api/v1/indicators/taux-at/values?within=76", "within", 400},
			{"/api/v1/indicators/taux-at/values?within=region:7x", "within", 400},
			{"/api/v1/indicators/taux-at/values?within=region:99", "within", 404},
			{"/api/v1/indicators/taux-at/choropleth?within=zone-emploi:9999", "within", 404},
			{"/api/v1/indicators/taux-at/values?format=xml", "format", 400},
			{"/api/v1/indicators/taux-at/values?format=csv&sep=|", "sep", 400},
			{"/api/v1/indicators/taux-at/choropleth?level=canton", "level", 400},
			{"/api/v1/indicators/taux-at/choropleth?period=hier", "period", 400},
			{"/api/v1/indicators/taux-at/choropleth?sex=x", "sex", 400},
			{"/api/v1/indicators/taux-at/choropleth?sector=ZZZ", "sector", 400},
			{"/api/v1/indicators/taux-at/choropleth?method=kmeans", "method", 400},
			{"/api/v1/indicators/taux-at/choropleth?classes=12", "classes", 400},
			{"/api/v1/indicators/taux-at/choropleth?classes=deux", "classes", 400},
			{"/api/v1/indicators/taux-at/choropleth?palette=rainbow", "palette", 400},
			{"/api/v1/indicators/taux-at/choropleth?method=manual", "breaks", 400},
			{"/api/v1/indicators/taux-at/choropleth?method=manual&classes=3&breaks=5,x", "breaks", 400},
			{"/api/v1/indicators/taux-at/choropleth?method=manual&classes=3&breaks=10,5", "breaks", 400},
			{"/api/v1/indicators/taux-at/choropleth?breaks=5", "breaks", 400},
			{"/api/v1/territories/canton/31/profile", "level", 400},
			{"/api/v1/territories/departement/2C/profile", "code", 400},
			{"/tiles/departements/8/129/93.mvt?indicator=nope", "indicator", 400},
			{"/tiles/zones-emploi/8/129/93.mvt?indicator=taux-expo", "layer", 400},
			{"/tiles/departements/8/129/93.mvt?indicator=taux-at&sex=x", "sex", 400},
			{"/tiles/departements/8/129/93.mvt?indicator=taux-at&period=x", "period", 400},
			{"/tiles/departements/8/129/93.mvt?indicator=taux-at&method=jenks", "method", 400},
		} {
			r := get(t, f.srv.URL+c.path)
			var p httpx.Problem
			b := body(t, r)
			if err := json.Unmarshal(b, &p); err != nil || r.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: not problem+json (%d %s)", c.path, r.StatusCode, b)
				continue
			}
			if r.StatusCode != c.status || len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != c.param {
				t.Errorf("%s: status %d, problem %+v, want %s", c.path, r.StatusCode, p, c.param)
			}
		}
		// Allowed values are named where there is a closed list.
		var p httpx.Problem
		json.Unmarshal(body(t, get(t, base+"/indicators/taux-at/choropleth?method=kmeans")), &p)
		if !strings.Contains(strings.Join(p.InvalidParams[0].Allowed, ","), "jenks") {
			t.Errorf("allowed %v", p.InvalidParams[0].Allowed)
		}
		json.Unmarshal(body(t, get(t, base+"/indicators/taux-at/values?sex="+url.QueryEscape("?"))), &p)
		if len(p.InvalidParams[0].Allowed) != 3 {
			t.Errorf("allowed sexes %v", p.InvalidParams[0].Allowed)
		}
	})

	t.Run("choropleth within a région", func(t *testing.T) {
		var in, out diagnostic.Map
		getJSON(t, base+"/indicators/taux-at/choropleth?level=departement&within=region:76", &in)
		getJSON(t, base+"/indicators/taux-at/choropleth?level=departement&within=region:84", &out)
		if len(in.Territories) != len(occitanie)+2 || len(out.Territories) != 0 {
			t.Errorf("within 76: %d territories, within 84: %d", len(in.Territories), len(out.Territories))
		}
		// The answer says where its classes come from.
		if w := in.Within; w == nil || w.Level != "region" || w.Code != "76" {
			t.Errorf("within %+v", in.Within)
		}
		var france diagnostic.Map
		getJSON(t, base+"/indicators/taux-at/choropleth?level=departement", &france)
		if france.Within != nil {
			t.Errorf("France-wide map says within %+v", france.Within)
		}
	})

	t.Run("a re-import replaces the cached map", func(t *testing.T) {
		u := base + "/indicators/taux-expo/choropleth?level=departement&classes=3"
		var before, after diagnostic.Map
		getJSON(t, u, &before)
		// Value tiles are cached too: the same answer twice, a new one after.
		tileURL := f.srv.URL + "/tiles/departements/8/129/93.mvt?indicator=taux-expo&period=2022"
		value31 := func() any {
			t.Helper()
			for _, l := range decode(t, body(t, get(t, tileURL))) {
				for _, ft := range l.Features {
					if ft.Properties["code"] == "31" {
						return ft.Properties["value"]
					}
				}
			}
			t.Fatal("no département 31 in the value tile")
			return nil
		}
		if v, again := value31(), value31(); v != occitanie["31"] || again != v {
			t.Fatalf("value tile before the re-import: %v then %v, want %v", v, again, occitanie["31"])
		}
		meta, _ := json.Marshal(testMeta("taux-expo", indicator.ThemeExposition, []territory.Level{"departement", "region"}, false))
		rows := []store.IndicatorValueRow{
			rate("departement", "31", "2022", "ensemble", "ensemble", 50, "published"),
			rate("departement", "32", "2022", "ensemble", "ensemble", 60, "published"),
			rate("departement", "34", "2022", "ensemble", "ensemble", 70, "published"),
		}
		if _, err := f.st.ReplaceIndicator(context.Background(), store.IndicatorImport{ID: "taux-expo", Theme: "exposition",
			Meta: meta, Files: []string{"v2.csv"}, SHA256: "sha-v2", Rows: rows}); err != nil {
			t.Fatal(err)
		}
		getJSON(t, u, &after)
		if len(after.Territories) != 3 || after.Breaks.Min != 50 || len(before.Territories) == 3 {
			t.Errorf("after a re-import the map still shows %d territories from %v", len(after.Territories), after.Breaks.Min)
		}
		if v := value31(); v != 50.0 {
			t.Errorf("after a re-import the value tile still says %v for 31", v)
		}
	})

	t.Run("a server that keeps the version in memory sees a re-import", func(t *testing.T) {
		// As atlas serve runs: the version comes from a store.VersionWatch.
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		w := store.NewVersionWatch(f.st)
		go w.Run(ctx, nil)
		for deadline := time.Now().Add(10 * time.Second); !w.Listening(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the watch never listened")
			}
		}
		srv := httptest.NewServer(server.New(server.Config{Store: f.st, Tiles: f.svc, IndicatorVersion: w.Get}))
		defer srv.Close()
		u := srv.URL + "/api/v1/indicators/taux-expo/choropleth?level=departement&classes=3"
		var before diagnostic.Map
		getJSON(t, u, &before)
		meta, _ := json.Marshal(testMeta("taux-expo", indicator.ThemeExposition, []territory.Level{"departement", "region"}, false))
		rows := []store.IndicatorValueRow{
			rate("departement", "31", "2022", "ensemble", "ensemble", 80, "published"),
			rate("departement", "32", "2022", "ensemble", "ensemble", 90, "published"),
		}
		if _, err := f.st.ReplaceIndicator(context.Background(), store.IndicatorImport{ID: "taux-expo", Theme: "exposition",
			Meta: meta, Files: []string{"v3.csv"}, SHA256: "sha-v3", Rows: rows}); err != nil {
			t.Fatal(err)
		}
		// The notification arrives asynchronously, but soon.
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			var after diagnostic.Map
			getJSON(t, u, &after)
			if len(after.Territories) == 2 && after.Breaks != nil && after.Breaks.Min == 80 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("10 s after the re-import the map still shows %d territories (before: %d)", len(after.Territories), len(before.Territories))
			}
		}
	})
}
