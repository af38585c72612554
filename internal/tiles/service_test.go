package tiles

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/store/storetest"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// TestWatchReloadsImports checks that Watch loads an import announced
// while it listens, and one committed before it listened, whose
// announcement nobody heard.
func TestWatchReloadsImports(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	square, err := wkb.Marshal(orb.Polygon{{{1, 43}, {2, 43}, {2, 44}, {1, 44}, {1, 43}}})
	if err != nil {
		t.Fatal(err)
	}
	imp := func(n int) int64 {
		t.Helper()
		res, err := st.ReplaceTerritories(ctx, store.TerritoryImport{
			Level: string(territory.Departement), Files: []string{"d.geojson"}, SHA256: strconv.Itoa(n), Options: struct{}{},
			SRID: 4326, Rows: []store.TerritoryRow{{Code: "31", Name: "Haute-Garonne", WKB: square}},
			FeatureID: func(string) uint64 { return 31 },
		})
		if err != nil {
			t.Fatal(err)
		}
		return res.DatasetID
	}
	svc := NewService(st, NewLRU(1<<20), Options{PrewarmMaxZoom: -1})
	// within waits for the layer to be loaded from dataset id.
	within := func(what string, id int64) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if l, ok := svc.Layer(territory.Departement.Layer()); ok && l.Version == id {
				return
			}
			if time.Now().After(deadline) {
				t.Fatal(what)
			}
		}
	}
	if err := svc.LoadAll(ctx); err != nil {
		t.Fatal(err)
	}
	first := imp(1) // before Watch: not announced to it
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { svc.Watch(wctx); close(done) }()
	defer func() { cancel(); <-done }()
	within("an import committed before Watch listened was not loaded", first)
	within("an announced import was not loaded", imp(2))
}

type countingObserver struct{ hits, misses map[string]int }

func (o *countingObserver) CacheHit(l string)  { o.hits[l]++ }
func (o *countingObserver) CacheMiss(l string) { o.misses[l]++ }

// TestReloadKeepsOtherLayersWarm checks that re-importing one level serves
// its new tiles and leaves the cached tiles of another level in place.
func TestReloadKeepsOtherLayersWarm(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	square, err := wkb.Marshal(orb.Polygon{{{1, 43}, {2, 43}, {2, 44}, {1, 44}, {1, 43}}})
	if err != nil {
		t.Fatal(err)
	}
	imp := func(lv territory.Level, sha string) {
		t.Helper()
		if _, err := st.ReplaceTerritories(ctx, store.TerritoryImport{
			Level: string(lv), Files: []string{"f.geojson"}, SHA256: sha, Options: struct{}{},
			SRID: 4326, Rows: []store.TerritoryRow{{Code: "76", Name: "Occitanie", WKB: square}},
			FeatureID: func(code string) uint64 { return territory.FeatureID(lv, code) },
			// The same geometry at every zoom: this test is about caching.
			Generalise: func(_ context.Context, merc []store.GeneralisedRow) ([]store.GeneralisedRow, error) {
				zmin, zmax := lv.Zooms()
				var out []store.GeneralisedRow
				for z := zmin; z <= zmax; z++ {
					for _, m := range merc {
						out = append(out, store.GeneralisedRow{Code: m.Code, Zoom: z, WKB: m.WKB})
					}
				}
				return out, nil
			},
		}); err != nil {
			t.Fatal(err)
		}
	}
	imp(territory.Region, "r1")
	imp(territory.France, "f1")
	obs := &countingObserver{hits: map[string]int{}, misses: map[string]int{}}
	svc := NewService(st, NewLRU(1<<20), Options{PrewarmMaxZoom: -1, Observer: obs})
	if err := svc.LoadAll(ctx); err != nil {
		t.Fatal(err)
	}
	get := func(lv territory.Level) *Tile {
		t.Helper()
		l, ok := svc.Layer(lv.Layer())
		if !ok {
			t.Fatalf("%s not loaded", lv)
		}
		tile, err := svc.Tile(ctx, l, 5, 16, 11)
		if err != nil {
			t.Fatal(err)
		}
		return tile
	}
	regions, france := get(territory.Region), get(territory.France)
	if regions.Raw == nil || france.Raw == nil {
		t.Fatal("empty tiles")
	}
	imp(territory.Region, "r2")
	if err := svc.Reload(ctx, territory.Region); err != nil {
		t.Fatal(err)
	}
	get(territory.France)
	if obs.hits["france"] != 1 {
		t.Errorf("the France tile was computed again after the régions' reload (hits %v, misses %v)", obs.hits, obs.misses)
	}
	if again := get(territory.Region); obs.misses["regions"] != 2 || again == regions {
		t.Errorf("the reloaded régions' tile was served from the old layer (misses %v)", obs.misses)
	}
}
