package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/store/storetest"
)

func TestVersionWatch(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	imp := func(sha string) {
		t.Helper()
		if _, err := st.ReplaceIndicator(ctx, store.IndicatorImport{
			ID: "demo-at", Theme: "sinistralite", Meta: []byte(`{"id":"demo-at"}`), Files: []string{"at.csv"}, SHA256: sha,
			Rows: []store.IndicatorValueRow{{Level: "departement", Code: "31", Period: "2023", Sex: "ensemble", Sector: "ensemble", Value: f(1), Status: "published"}},
		}); err != nil {
			t.Fatal(err)
		}
	}
	direct := func() string {
		t.Helper()
		v, err := st.IndicatorVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	get := func(w *store.VersionWatch) string {
		t.Helper()
		v, err := w.Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// within waits for cond, which the watch reaches asynchronously.
	within := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal(what)
			}
		}
	}
	imp("a")
	w := store.NewVersionWatch(st)

	// Not listening: every Get reads the database, even after a change
	// nobody announced.
	if get(w) != direct() {
		t.Fatal("version differs from the database")
	}
	if _, err := storetest.SQL(t, st).Exec(ctx, `UPDATE indicator_dataset SET active = NOT active WHERE id = (SELECT max(id) FROM indicator_dataset)`); err != nil {
		t.Fatal(err)
	}
	if get(w) != direct() {
		t.Fatal("a watch that does not listen answered from memory")
	}

	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { w.Run(rctx, func(err error) { t.Log(err) }); close(done) }()
	within("the watch never listened", w.Listening)
	cached := get(w)

	// Listening: an unannounced change is not seen (the version is served
	// from memory)…
	if _, err := storetest.SQL(t, st).Exec(ctx, `UPDATE indicator_dataset SET active = NOT active WHERE id = (SELECT max(id) FROM indicator_dataset)`); err != nil {
		t.Fatal(err)
	}
	if direct() == cached || get(w) != cached {
		t.Fatal("the version was read from the database while listening")
	}
	// …an import, which announces itself, is.
	imp("b")
	within("an import was not seen", func() bool { return get(w) == direct() && get(w) != cached })

	cancel()
	<-done
	if w.Listening() {
		t.Error("still listening after Run returned")
	}
	if _, err := storetest.SQL(t, st).Exec(ctx, `UPDATE indicator_dataset SET active = NOT active WHERE id = (SELECT max(id) FROM indicator_dataset)`); err != nil {
		t.Fatal(err)
	}
	if get(w) != direct() {
		t.Error("a stopped watch answered from memory")
	}
}
