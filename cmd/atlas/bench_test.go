package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/dataset/datasettest"
	"github.com/atlas-sante-travail/atlas/internal/importer"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/store/storetest"
	"github.com/atlas-sante-travail/atlas/internal/territory"
	"github.com/atlas-sante-travail/atlas/internal/tilebench"
)

// buildAtlas builds this command into dir, for the benches to start as
// their server.
func buildAtlas(t *testing.T, ctx context.Context, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "atlas")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// readReport decodes the JSON figures a bench wrote to path.
func readReport[R any](t *testing.T, path string) R {
	t.Helper()
	var rep R
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("report does not parse: %v\n%s", err, b)
	}
	return rep
}

// TestBenchTiles runs the whole benchmark, briefly, on a fresh database
// holding the départements: a real atlas server process and the baseline.
// Timings are not asserted, only that both servers answered the same list.
func TestBenchTiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs both servers")
	}
	url, _ := storetest.NewURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	st, err := store.Open(ctx, url, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_, err = importer.ImportTerritories(ctx, st, importer.TerritoryOptions{
		Level:     territory.Departement,
		Files:     []string{filepath.Join(datasettest.Mirror(t), "departements", "departements-avec-outre-mer.geojson")},
		CodeField: "code", NameField: "nom",
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	bin := buildAtlas(t, ctx, dir)

	t.Setenv("DATABASE_URL", url)
	t.Setenv("ATLAS_LOG_LEVEL", "warn")
	jsonPath := filepath.Join(dir, "bench.json")
	var out strings.Builder
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	err = benchTiles(ctx, log, []string{"--atlas", bin, "--duration", "2s", "--maxzoom", "6",
		"--layers", "departements", "--json", jsonPath}, &out)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", out.String())

	rep := readReport[tilebench.Report](t, jsonPath)
	// France at z5 and z6: 4 + 9 tiles.
	if rep.Tiles != 13 || rep.Ours.Tiles != rep.Tiles || rep.Baseline.Tiles != rep.Tiles {
		t.Errorf("tiles: report %d, ours %d, baseline %d; want 13 each", rep.Tiles, rep.Ours.Tiles, rep.Baseline.Tiles)
	}
	if rep.Ours.NonEmpty == 0 || rep.Ours.NonEmpty != rep.Baseline.NonEmpty {
		t.Errorf("non-empty tiles: ours %d, baseline %d", rep.Ours.NonEmpty, rep.Baseline.NonEmpty)
	}
	if rep.Ours.BytesTotal <= 0 || rep.Baseline.BytesTotal <= 0 || rep.Ours.GzipBytesTotal <= 0 {
		t.Errorf("bytes: ours %d (gzip %d), baseline %d", rep.Ours.BytesTotal, rep.Ours.GzipBytesTotal, rep.Baseline.BytesTotal)
	}
	if rep.Ours.ColdErrors+rep.Ours.WarmErrors+rep.Baseline.ColdErrors+rep.Baseline.WarmErrors != 0 {
		t.Errorf("failed requests: ours %s, baseline %s", rep.Ours.FirstError, rep.Baseline.FirstError)
	}
	if rep.Ours.WarmRequests == 0 || rep.Baseline.WarmRequests == 0 || rep.Ours.PeakRSSBytes <= 0 {
		t.Errorf("warm requests ours %d, baseline %d; peak RSS %d", rep.Ours.WarmRequests, rep.Baseline.WarmRequests, rep.Ours.PeakRSSBytes)
	}
	if len(rep.Targets) != 6 {
		t.Errorf("%d targets, want 6", len(rep.Targets))
	}
	if rep.Limit == nil || rep.Limit.WarmRequests == 0 || rep.Limit.WarmErrors != 0 || rep.Ours.BrBytesTotal <= 0 || rep.Ours.BrBytesTotal >= rep.Ours.BytesTotal {
		t.Errorf("limit %+v; br bytes %d of %d", rep.Limit, rep.Ours.BrBytesTotal, rep.Ours.BytesTotal)
	}
	for _, want := range []string{"cold pass total", "warm throughput (req/s)", "mean bytes / non-empty tile", "peak RSS", "limit: warm throughput (req/s)", "bytes on the wire: br", "targets: "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q", want)
		}
	}
}
