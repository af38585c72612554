package ogcapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/dataset/datasettest"
	"github.com/atlas-sante-travail/atlas/internal/importer"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/server"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/store/storetest"
	"github.com/atlas-sante-travail/atlas/internal/territory"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

func fp(x float64) *float64 { return &x }

type fixture struct {
	st  *store.Store
	db  *pgxpool.Pool // the test database, to check answers against PostGIS itself
	svc *tiles.Service
	srv *httptest.Server
}

// The demo indicator of the fixture: by département, Ariège (09) secret
// with figures that must never appear (77.7 from 777/1000), Lozère (48)
// missing, the other départements of Occitanie 2, 3, ... 12 % in 2022 and
// 1 % in 2021; by région, Occitanie (76) 6 %.
const indicatorID = "taux-at"

var occitanie = []string{"11", "12", "30", "31", "32", "34", "46", "65", "66", "81", "82"}

// setup imports the régions and départements and the indicator, and serves
// them on a loopback server.
func setup(t testing.TB) fixture {
	t.Helper()
	st := storetest.New(t)
	ctx := context.Background()
	for _, o := range []importer.TerritoryOptions{
		{Level: territory.Region, Files: []string{datasettest.File(t, "regions/regions-avec-outre-mer.geojson")}, CodeField: "code", NameField: "nom"},
		{Level: territory.Departement, Files: []string{datasettest.File(t, "departements/departements-avec-outre-mer.geojson")}, CodeField: "code", NameField: "nom",
			ParentTable: datasettest.File(t, "derived/ze2020_composition_communale_geo2023.csv"), ParentKey: "DEP", ParentColumns: map[territory.Level]string{territory.Region: "REG"}},
	} {
		if _, err := importer.ImportTerritories(ctx, st, o); err != nil {
			t.Fatal(err)
		}
	}
	ind := indicator.Indicator{ID: indicatorID, Label: "Taux d'accidents du travail", Theme: indicator.ThemeSinistralite, Definition: "test", Unit: "%",
		Producer: "Carsat (test)", Source: "test", Licence: "Licence Ouverte 2.0", Vintages: []string{"2021", "2022"},
		Levels: []territory.Level{territory.Departement, territory.Region}, Sexes: []indicator.Sex{indicator.SexEnsemble},
		Sectors: []string{indicator.SectorAll}, Decimals: 1, Polarity: indicator.HigherIsWorse, Aggregation: indicator.AggregateRatio,
		Threshold: 5, ThresholdOn: indicator.ThresholdOnNumerator, Scale: 100, Demo: true}
	row := func(code, period string, v float64, status string) store.IndicatorValueRow {
		return store.IndicatorValueRow{Level: territory.Departement, Code: code, Period: period, Sex: "ensemble", Sector: "ensemble",
			Value: fp(v), Numerator: fp(v * 10), Denominator: fp(1000), Status: status}
	}
	rows := []store.IndicatorValueRow{
		row("09", "2022", 77.7, "secret"),
		{Level: territory.Departement, Code: "48", Period: "2022", Sex: "ensemble", Sector: "ensemble", Status: "missing"},
		{Level: territory.Region, Code: "76", Period: "2022", Sex: "ensemble", Sector: "ensemble", Value: fp(6), Numerator: fp(60), Denominator: fp(1000), Status: "published"},
	}
	for i, c := range occitanie {
		rows = append(rows, row(c, "2022", float64(2+i), "published"), row(c, "2021", 1, "published"))
	}
	meta, _ := json.Marshal(ind)
	if _, err := st.ReplaceIndicator(ctx, store.IndicatorImport{ID: indicatorID, Theme: string(ind.Theme), Demo: true, Meta: meta,
		Files: []string{indicatorID + ".csv"}, SHA256: "sha-" + indicatorID, Rows: rows}); err != nil {
		t.Fatal(err)
	}
	svc := tiles.NewService(st, blob.NewLRU(64<<20), tiles.Options{PrewarmMaxZoom: -1})
	if err := svc.LoadAll(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(server.Config{Store: st, Tiles: svc}))
	t.Cleanup(srv.Close)
	return fixture{st: st, db: storetest.SQL(t, st), svc: svc, srv: srv}
}

// count is a number PostGIS gives.
func (f fixture) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := f.db.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func get(t *testing.T, url string, headers ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func body(t *testing.T, r *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// getJSON decodes a 200 answer into v and returns the response; another
// status fails the test.
func getJSON(t *testing.T, url string, v any, headers ...string) *http.Response {
	t.Helper()
	r := get(t, url, headers...)
	b := body(t, r)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", url, r.StatusCode, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v\n%.500s", url, err, b)
	}
	return r
}

// problem is a problem+json answer.
type problem struct {
	Status        int    `json:"status"`
	Detail        string `json:"detail"`
	InvalidParams []struct {
		Name string `json:"name"`
	} `json:"invalid-params"`
}

// getProblem expects a problem with status and, when param is set, one
// naming that parameter.
func getProblem(t *testing.T, url string, status int, param string) problem {
	t.Helper()
	r := get(t, url)
	b := body(t, r)
	var p problem
	if r.StatusCode != status || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") || json.Unmarshal(b, &p) != nil {
		t.Fatalf("GET %s: %d %s, want a %d problem\n%s", url, r.StatusCode, r.Header.Get("Content-Type"), status, b)
	}
	if param != "" && (len(p.InvalidParams) == 0 || p.InvalidParams[0].Name != param) {
		t.Errorf("GET %s: problem %+v does not name %s", url, p, param)
	}
	return p
}

type link struct {
	Href      string `json:"href"`
	Rel       string `json:"rel"`
	Type      string `json:"type"`
	Templated bool   `json:"templated"`
}

func linkOf(links []link, rel string) (link, bool) {
	for _, l := range links {
		if l.Rel == rel {
			return l, true
		}
	}
	return link{}, false
}
