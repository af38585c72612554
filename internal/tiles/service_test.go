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
