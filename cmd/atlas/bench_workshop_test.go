package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/store/storetest"
	"github.com/atlas-sante-travail/atlas/internal/workshopbench"
)

// TestBenchWorkshop runs the workshop bench briefly with real server
// processes: one server, then two with one stopped halfway, participants
// contributing and voting twice a second. Latencies are not asserted;
// that nothing is lost or leaked, that the stopped server's participants
// resumed on the other, and that every event reached every participant,
// are.
func TestBenchWorkshop(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs servers")
	}
	url, _ := storetest.NewURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	importChoroplethDemo(t, ctx, url)
	dir := t.TempDir()
	bin := buildAtlas(t, ctx, dir)
	t.Setenv("DATABASE_URL", url)
	t.Setenv("ATLAS_LOG_LEVEL", "warn")
	jsonPath := filepath.Join(dir, "workshop.json")
	var out strings.Builder
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := benchWorkshop(ctx, log, []string{"--atlas", bin, "--duration", "3s", "--clients", "20x1,20x2!", "--action-every", "500ms", "--json", jsonPath}, &out); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", out.String())
	rep := readReport[workshopbench.Report](t, jsonPath)
	if len(rep.Runs) != 2 {
		t.Fatalf("%d runs", len(rep.Runs))
	}
	for _, r := range rep.Runs {
		if r.Events < 25 || r.Lost != 0 || r.Errors != 0 || r.P50MS <= 0 {
			t.Errorf("%s: %d events, %d lost, %d errors (%s), p50 %.1f ms", r.Spec, r.Events, r.Lost, r.Errors, r.FirstErr, r.P50MS)
		}
		if !(r.P50MS <= r.P99MS && r.P99MS <= r.MaxMS) {
			t.Errorf("%s: p50 %.2f, p99 %.2f, max %.2f are not in order", r.Spec, r.P50MS, r.P99MS, r.MaxMS)
		}
		if !r.Failover && r.Deliveries != int64(r.Events*r.Clients) {
			t.Errorf("%s: %d deliveries of %d events to %d participants", r.Spec, r.Deliveries, r.Events, r.Clients)
		}
		// About six actions each; each makes an event for everyone, and a
		// dot one more for its voter alone.
		if r.Actions < 3*r.Clients || r.Leaked != 0 || r.ActionDeliveries < int64(r.Actions*r.Clients) || r.ActionP50MS <= 0 || r.AnswerP99MS <= 0 {
			t.Errorf("%s: %d actions, %d deliveries, %d leaked, p50 %.1f ms, answered p99 %.1f ms", r.Spec, r.Actions, r.ActionDeliveries, r.Leaked, r.ActionP50MS, r.AnswerP99MS)
		}
	}
	if f := rep.Runs[1]; f.Resumed != 10 || len(f.RSSMB) != 2 || f.RSSMB[1] <= 0 {
		t.Errorf("failover: %d participants resumed (want the stopped server's 10), RSS %v", f.Resumed, f.RSSMB)
	}
	if _, err := workshopbench.ParseSpecs("20x1!"); err == nil {
		t.Error("a failover on one server is accepted")
	}
}
