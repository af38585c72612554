package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/store/storetest"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// square is a one-degree square polygon at lon, lat, as WKB.
func square(t *testing.T, lon, lat float64) []byte {
	t.Helper()
	b, err := wkb.Marshal(orb.Polygon{{{lon, lat}, {lon + 1, lat}, {lon + 1, lat + 1}, {lon, lat + 1}, {lon, lat}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func importDepartements(t *testing.T, st *store.Store) store.ImportResult {
	t.Helper()
	res, err := st.ReplaceTerritories(context.Background(), store.TerritoryImport{
		Level: territory.Departement, Files: []string{"deps.geojson"}, SHA256: "deps", SRID: 4326, Vintage: "COG 2024",
		Attribution: "IGN", Options: map[string]string{},
		Sources: []store.SourceFile{{Name: "deps.geojson", Size: 1234, SHA256: "ab12"}},
		Rows: []store.TerritoryRow{
			{Index: 0, WKB: square(t, 1, 43), Territory: territory.Territory{Level: territory.Departement, Code: "31", Name: "Haute-Garonne", FID: territory.FeatureID(territory.Departement, "31")}},
			{Index: 1, WKB: square(t, 2, 43), Territory: territory.Territory{Level: territory.Departement, Code: "81", Name: "Tarn", FID: territory.FeatureID(territory.Departement, "81")}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestActiveDatasetsAndDeletes(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	terr := importDepartements(t, st)
	ind, err := st.ReplaceIndicator(ctx, store.IndicatorImport{ID: "taux", Theme: "sinistralite", Meta: []byte(`{"id":"taux","source":"test"}`),
		Files: []string{"taux.json", "taux.csv"}, SHA256: "t1",
		Sources: []store.SourceFile{{Name: "taux.json", Size: 10, SHA256: "aa"}, {Name: "taux.csv", Size: 20, SHA256: "bb"}},
		Rows:    []store.IndicatorValueRow{{Level: "departement", Code: "31", Period: "2023", Sex: "ensemble", Sector: "ensemble", Value: f(1), Status: "published"}}})
	if err != nil {
		t.Fatal(err)
	}
	levels, inds, err := st.ActiveDatasets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(levels) != 1 || levels[0].Level != territory.Departement || levels[0].DatasetID != terr.DatasetID || levels[0].Features != 2 ||
		levels[0].Vintage != "COG 2024" || levels[0].Attribution != "IGN" || len(levels[0].Sources) != 1 || levels[0].Sources[0].Size != 1234 ||
		levels[0].ImportedAt.IsZero() {
		t.Errorf("levels %+v", levels)
	}
	if len(inds) != 1 || inds[0].ID != "taux" || inds[0].DatasetID != ind.DatasetID || inds[0].Rows != 1 ||
		!slices.Equal(inds[0].Files, []string{"taux.json", "taux.csv"}) || len(inds[0].Sources) != 2 || inds[0].Sources[1].SHA256 != "bb" {
		t.Errorf("indicators %+v", inds)
	}

	// A level with values on it stays, and says what holds it.
	found, deps, err := st.DeleteTerritories(ctx, territory.Departement)
	if err != nil || !found || !slices.Equal(deps.Indicators, []string{"taux"}) || len(deps.Workshops) != 0 {
		t.Fatalf("delete departements with values: %v %+v %v", found, deps, err)
	}
	if _, ok, _ := st.LoadLevel(ctx, territory.Departement); !ok {
		t.Fatal("departements deleted while an indicator uses them")
	}
	// So does one with a workshop's contribution on it.
	db := storetest.SQL(t, st)
	if _, err := db.Exec(ctx, `INSERT INTO workshop (id, code, title, facilitator_hash) VALUES (1, 'ABCD', 'Atelier', '\x00');
		INSERT INTO workshop_contribution (workshop_id, id, kind, body, level, code, territory_name, author, author_name, created_at, revealed)
		VALUES (1, 1, 'constat', 'x', 'departement', '31', 'Haute-Garonne', 0, 'F', now(), true)`); err != nil {
		t.Fatal(err)
	}

	before, _ := st.IndicatorVersion(ctx)
	if found, err := st.DeleteIndicator(ctx, "taux"); err != nil || !found {
		t.Fatalf("delete indicator: %v %v", found, err)
	}
	if after, _ := st.IndicatorVersion(ctx); after == before {
		t.Errorf("indicator version %s unchanged by a deletion", after)
	}
	if found, err := st.DeleteIndicator(ctx, "taux"); err != nil || found {
		t.Errorf("second delete: %v %v", found, err)
	}
	var n int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM indicator_value WHERE indicator = 'taux'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d values left (%v)", n, err)
	}
	if sha, _ := st.ActiveIndicatorSHA(ctx, "taux"); sha != "" {
		t.Errorf("a deleted indicator keeps an active dataset (%s): importing it again would be a no-op", sha)
	}

	found, deps, err = st.DeleteTerritories(ctx, territory.Departement)
	if err != nil || !found || len(deps.Indicators) != 0 || !slices.Equal(deps.Workshops, []string{"ABCD"}) {
		t.Fatalf("delete departements with a contribution: %v %+v %v", found, deps, err)
	}
	if _, err := db.Exec(ctx, `DELETE FROM workshop`); err != nil {
		t.Fatal(err)
	}
	found, deps, err = st.DeleteTerritories(ctx, territory.Departement)
	if err != nil || !found || deps.Any() {
		t.Fatalf("delete departements: %v %+v %v", found, deps, err)
	}
	if _, ok, _ := st.LoadLevel(ctx, territory.Departement); ok {
		t.Error("departements still loaded after their deletion")
	}
	if sha, _ := st.ActiveTerritorySHA(ctx, territory.Departement); sha != "" {
		t.Errorf("deleted level keeps an active dataset %s", sha)
	}
	if found, _, err := st.DeleteTerritories(ctx, territory.Departement); err != nil || found {
		t.Errorf("second delete: %v %v", found, err)
	}
	// The same files import again after a deletion.
	if again := importDepartements(t, st); again.NoOp {
		t.Error("re-import after deletion was taken for a no-op")
	}
}

func TestIdempotencyKeys(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	const stale, expire = time.Hour, 24 * time.Hour
	claimed, _, err := st.ClaimIdempotencyKey(ctx, "k1", stale, expire)
	if err != nil || !claimed {
		t.Fatalf("first claim: %v %v", claimed, err)
	}
	claimed, prev, err := st.ClaimIdempotencyKey(ctx, "k1", stale, expire)
	if err != nil || claimed || prev.Status != 0 {
		t.Fatalf("claim while running: %v %+v %v", claimed, prev, err)
	}
	want := store.StoredAnswer{Fingerprint: "fp", Status: 201, ContentType: "application/json", Body: []byte(`{"ok":true}`)}
	if err := st.CompleteIdempotencyKey(ctx, "k1", want); err != nil {
		t.Fatal(err)
	}
	// Releasing a finished key does nothing: only unfinished claims go.
	if err := st.ReleaseIdempotencyKey(ctx, "k1"); err != nil {
		t.Fatal(err)
	}
	claimed, prev, err = st.ClaimIdempotencyKey(ctx, "k1", stale, expire)
	if err != nil || claimed || prev.Fingerprint != "fp" || prev.Status != 201 || prev.ContentType != want.ContentType || string(prev.Body) != string(want.Body) {
		t.Fatalf("claim after completion: %v %+v %v", claimed, prev, err)
	}

	// A released claim can be taken again.
	if claimed, _, _ := st.ClaimIdempotencyKey(ctx, "k2", stale, expire); !claimed {
		t.Fatal("k2 not claimed")
	}
	if err := st.ReleaseIdempotencyKey(ctx, "k2"); err != nil {
		t.Fatal(err)
	}
	if claimed, _, err := st.ClaimIdempotencyKey(ctx, "k2", stale, expire); err != nil || !claimed {
		t.Fatalf("claim after release: %v %v", claimed, err)
	}
	// A claim left by a stopped server goes stale; an old answer expires.
	db := storetest.SQL(t, st)
	if _, err := db.Exec(ctx, `UPDATE admin_idempotency SET claimed_at = now() - interval '2 hours' WHERE key = 'k2'`); err != nil {
		t.Fatal(err)
	}
	if claimed, _, err := st.ClaimIdempotencyKey(ctx, "k2", stale, expire); err != nil || !claimed {
		t.Fatalf("stale claim not taken over: %v %v", claimed, err)
	}
	if _, err := db.Exec(ctx, `UPDATE admin_idempotency SET completed_at = now() - interval '25 hours' WHERE key = 'k1'`); err != nil {
		t.Fatal(err)
	}
	if claimed, _, err := st.ClaimIdempotencyKey(ctx, "k1", stale, expire); err != nil || !claimed {
		t.Fatalf("expired answer not forgotten: %v %v", claimed, err)
	}
}
