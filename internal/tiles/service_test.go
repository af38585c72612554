package tiles

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/atlas-sante-travail/atlas/internal/blob"
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
			Level: territory.Departement, Files: []string{"d.geojson"}, SHA256: strconv.Itoa(n), Options: struct{}{},
			SRID: 4326, Rows: []store.TerritoryRow{{Territory: territory.Territory{Code: "31", Name: "Haute-Garonne", FID: 31}, WKB: square}},
		})
		if err != nil {
			t.Fatal(err)
		}
		return res.DatasetID
	}
	svc := NewService(st, blob.NewLRU(1<<20), Options{PrewarmMaxZoom: -1})
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
			Level: lv, Files: []string{"f.geojson"}, SHA256: sha, Options: struct{}{},
			SRID: 4326, Rows: []store.TerritoryRow{{Territory: territory.Territory{Code: "76", Name: "Occitanie", FID: territory.FeatureID(lv, "76")}, WKB: square}},
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
	svc := NewService(st, blob.NewLRU(1<<20), Options{PrewarmMaxZoom: -1, Observer: obs})
	if err := svc.LoadAll(ctx); err != nil {
		t.Fatal(err)
	}
	get := func(lv territory.Level) *blob.Body {
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

func TestCacheKeyChangesWithImport(t *testing.T) {
	l := &Layer{Name: "zones-emploi", Version: 3}
	if k := cacheKey(l, 8, 129, 93); k != "zones-emploi/3/8/129/93" {
		t.Errorf("key %q", k)
	}
	l2 := &Layer{Name: "zones-emploi", Version: 4}
	if cacheKey(l, 8, 129, 93) == cacheKey(l2, 8, 129, 93) {
		t.Error("two imports share a cache key")
	}
}
