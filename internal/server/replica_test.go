package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/store/storetest"
	"github.com/atlas-sante-travail/atlas/internal/territory"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

// TestReadReplica runs a server whose read side reads from a streaming
// standby of the test cluster (DATABASE_READ_URL in production): reads go
// to the standby and writes to the primary; an import is served only once
// the standby has replayed it (replay paused, then resumed); readiness
// follows the standby stopped and started again. It reports the measured
// replication lag. Every step stops or pauses the one standby, so the
// read-replica tests all live here, in one package.
func TestReadReplica(t *testing.T) {
	st, readURL := storetest.NewReplicated(t)
	standby := storetest.StandbyURL(t)
	ctx := context.Background()

	// The primary's URL must take writes: the standby, named as the
	// primary, is refused.
	if bad, err := store.OpenReplicated(ctx, readURL, readURL, 5*time.Second); err == nil {
		bad.Close()
		t.Fatal("a standby was accepted as the primary")
	} else {
		t.Logf("the standby as DATABASE_URL: %v", err)
		if !strings.Contains(err.Error(), "read-only server") {
			t.Errorf("the error does not say the server is read-only: %v", err)
		}
	}

	lag := func(what string) time.Duration {
		t.Helper()
		d, err := st.WaitReplayed(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("replication lag (%s): committed on the primary, replayed on the standby %s later", what, d.Round(time.Microsecond))
		return d
	}
	importTerritories(t, st, 1)
	importValues(t, st, "v1", 11.5)
	lag("first imports")

	svc := tiles.NewService(st.ReadSide(), blob.NewLRU(16<<20), tiles.Options{PrewarmMaxZoom: -1})
	if err := svc.LoadAll(ctx); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go svc.Watch(wctx)
	versions := store.NewVersionWatch(st.ReadSide())
	go versions.Run(wctx, func(err error) { t.Log("version watch:", err) })
	srv := httptest.NewServer(New(Config{Store: st, Tiles: svc, IndicatorVersion: versions.Get, Timeout: 5 * time.Second}))
	defer srv.Close()
	within(t, "the version watch never listened", 10*time.Second, versions.Listening)

	choropleth := func() string {
		t.Helper()
		code, body := get(t, srv.URL+"/api/v1/indicators/taux-r/choropleth?level=departement")
		if code != http.StatusOK {
			t.Fatalf("choropleth: %d %s", code, body)
		}
		return body
	}
	if b := choropleth(); !strings.Contains(b, "11.5") {
		t.Fatalf("the first version is not served: %s", b)
	}
	ready := readiness(t, srv.URL)
	if ready.code != http.StatusOK || ready.Replica.Status != "ok" || !ready.Replica.Standby {
		t.Fatalf("readyz with the standby: %d %+v", ready.code, ready)
	}

	// Reads went to the standby, under the read pool's name; the primary
	// has none of those.
	count := func(url, app string) string {
		t.Helper()
		return query1(t, url, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`, app)
	}
	primaryURL := dbURL(t, st)
	if n := count(readURL, store.AppRead); n == "0" {
		t.Error("no session of the read pool on the standby")
	}
	if n := count(primaryURL, store.AppRead); n != "0" {
		t.Errorf("%s sessions of the read pool on the primary", n)
	}
	if n := count(primaryURL, store.AppPrimary); n == "0" {
		t.Error("no session of the primary's pool on the primary (LISTEN, writes)")
	}
	if rs, err := st.Replication(ctx); err != nil || !rs.Standby {
		t.Fatalf("replication: %+v %v", rs, err)
	}

	// Replay paused: imports committed and announced on the primary are
	// not served until the standby has replayed them.
	query1(t, standby, `SELECT pg_wal_replay_pause()`)
	t.Cleanup(func() { query1(t, standby, `SELECT pg_wal_replay_resume()`) })
	within(t, "replay never paused", 10*time.Second, func() bool {
		return query1(t, standby, `SELECT pg_get_wal_replay_pause_state()`) == "paused"
	})
	before, _ := svc.Layer(territory.Departement.Layer())
	importValues(t, st, "v2", 22.5)
	territoryID := importTerritories(t, st, 2)
	within(t, "readyz never said the import waits for the replica", 10*time.Second, func() bool {
		r := readiness(t, srv.URL)
		return r.Replica.Status == "replaying" && r.Replica.WaitingMS > 0 && r.Replica.BehindBytes > 0 && r.Replica.ReplayPaused
	})
	time.Sleep(300 * time.Millisecond) // what a too early switch would have done by now
	if b := choropleth(); !strings.Contains(b, "11.5") || strings.Contains(b, "22.5") {
		t.Fatalf("a version the standby has not replayed is served: %s", b)
	}
	if l, _ := svc.Layer(territory.Departement.Layer()); l.Version != before.Version {
		t.Fatalf("the territories the standby has not replayed are loaded: dataset %d", l.Version)
	}
	ready = readiness(t, srv.URL)
	if ready.code != http.StatusOK {
		t.Fatalf("a lagging replica made the server unready: %+v", ready)
	}
	t.Logf("replay paused: readyz %+v", ready.Replica)
	if _, m := get(t, srv.URL+"/metrics"); !strings.Contains(m, "atlas_db_replica_behind_bytes ") || strings.Contains(m, "atlas_db_replica_wait_seconds 0\n") {
		t.Errorf("the metrics do not show the replica's lag:\n%s", grepLines(m, "atlas_db_replica"))
	} else {
		t.Logf("replay paused: metrics %s", grepLines(m, "atlas_db_replica_"))
	}

	resumed := time.Now()
	query1(t, standby, `SELECT pg_wal_replay_resume()`)
	within(t, "the new version was never served", 30*time.Second, func() bool { return strings.Contains(choropleth(), "22.5") })
	within(t, "the new territories were never loaded", 30*time.Second, func() bool {
		l, _ := svc.Layer(territory.Departement.Layer())
		return l.Version == territoryID
	})
	t.Logf("replay resumed: the new version served %s later", time.Since(resumed).Round(time.Millisecond))
	within(t, "readyz still says replaying", 10*time.Second, func() bool { return readiness(t, srv.URL).Replica.Status == "ok" })
	importValues(t, st, "v3", 33.5)
	lag("an import while serving")
	within(t, "an import while serving was never served", 30*time.Second, func() bool { return strings.Contains(choropleth(), "33.5") })
	t.Logf("readyz after: %+v", readiness(t, srv.URL).Replica)

	// The standby stopped: not ready; started again: ready.
	t.Cleanup(func() { standbyScript(t, "start") })
	standbyScript(t, "stop")
	within(t, "readyz stayed ready with the standby stopped", 15*time.Second, func() bool {
		r := readiness(t, srv.URL)
		return r.code == http.StatusServiceUnavailable && r.Replica.Status == "unreachable"
	})
	if r := readiness(t, srv.URL); r.Database != "ok" || r.Status != "not ready" {
		t.Errorf("standby stopped: database %q, status %q (the primary answers)", r.Database, r.Status)
	}
	stopped := readiness(t, srv.URL)
	t.Logf("standby stopped: readyz %d database=%s replica=%+v", stopped.code, stopped.Database, stopped.Replica)
	standbyScript(t, "start")
	within(t, "readyz never came back with the standby started", 60*time.Second, func() bool {
		return readiness(t, srv.URL).code == http.StatusOK
	})
	if b := choropleth(); !strings.Contains(b, "33.5") {
		t.Fatalf("after the standby restarted: %s", b)
	}
}

type readyBody struct {
	code     int
	Status   string `json:"status"`
	Database string `json:"database"`
	Replica  struct {
		Status       string `json:"status"`
		Standby      bool   `json:"standby"`
		BehindBytes  int64  `json:"behind_bytes"`
		ReplayPaused bool   `json:"replay_paused"`
		WaitingMS    int64  `json:"waiting_ms"`
		LastWaitMS   int64  `json:"last_wait_ms"`
	} `json:"replica"`
}

func readiness(t *testing.T, base string) readyBody {
	t.Helper()
	code, body := get(t, base+"/readyz")
	var r readyBody
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("readyz %d: %v: %s", code, err, body)
	}
	r.code = code
	return r
}

// grepLines is the lines of s that start with prefix.
func grepLines(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "; ")
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func within(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal(what)
		}
	}
}

// query1 runs sql on the database at url, returning its one text value
// ("" for a void one).
func query1(t *testing.T, url, sql string, args ...any) string {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var out string
	if err := c.QueryRow(ctx, `SELECT coalesce((`+sql+`)::text, '')`, args...).Scan(&out); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

// dbURL is the primary's URL of st's database.
func dbURL(t *testing.T, st *store.Store) string {
	t.Helper()
	return storetest.SQL(t, st).Config().ConnString()
}

// standbyScript runs deploy/pg/standby.sh from the repository's root.
func standbyScript(t *testing.T, cmd string) {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(self), "..", "..")
	c := exec.Command("bash", "deploy/pg/standby.sh", cmd)
	c.Dir = root
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("standby.sh %s: %v\n%s", cmd, err, out)
	}
}

// importTerritories imports three square départements on the primary,
// as import n (its fingerprint), and returns the dataset's id.
func importTerritories(t *testing.T, st *store.Store, n int) int64 {
	t.Helper()
	var rows []store.TerritoryRow
	for i, code := range []string{"09", "31", "32"} {
		x := float64(i)
		g, err := wkb.Marshal(orb.Polygon{{{x, 43}, {x + 1, 43}, {x + 1, 44}, {x, 44}, {x, 43}}})
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, store.TerritoryRow{Territory: territory.Territory{Code: code, Name: "Département " + code, FID: uint64(i + 1)}, WKB: g})
	}
	res, err := st.ReplaceTerritories(context.Background(), store.TerritoryImport{
		Level: territory.Departement, Files: []string{"d.geojson"}, SHA256: fmt.Sprint("square-", n), Options: struct{}{}, SRID: 4326, Rows: rows,
	})
	if err != nil {
		t.Fatal(err)
	}
	return res.DatasetID
}

// importValues imports indicator taux-r on the primary with value v in
// every département.
func importValues(t *testing.T, st *store.Store, sha string, v float64) {
	t.Helper()
	ind := indicator.Indicator{ID: "taux-r", Label: "Taux r", Theme: indicator.ThemeSinistralite, Definition: "test", Unit: "%",
		Producer: "Carsat (test)", Source: "test", Licence: "Licence Ouverte 2.0", Vintages: []string{"2022"},
		Levels: []territory.Level{territory.Departement}, Sexes: []indicator.Sex{indicator.SexEnsemble},
		Sectors: []string{indicator.SectorAll}, Decimals: 1, Polarity: indicator.HigherIsWorse, Aggregation: indicator.AggregateRatio,
		Threshold: 5, ThresholdOn: indicator.ThresholdOnNumerator, Scale: 100}
	meta, err := json.Marshal(ind)
	if err != nil {
		t.Fatal(err)
	}
	var rows []store.IndicatorValueRow
	for _, code := range []string{"09", "31", "32"} {
		val, num, den := v, v*10, 1000.0
		rows = append(rows, store.IndicatorValueRow{Level: territory.Departement, Code: code, Period: "2022", Sex: "ensemble", Sector: "ensemble",
			Value: &val, Numerator: &num, Denominator: &den, Status: "published"})
	}
	if _, err := st.ReplaceIndicator(context.Background(), store.IndicatorImport{ID: ind.ID, Theme: string(ind.Theme), Meta: meta,
		Files: []string{"taux-r.csv"}, SHA256: sha, Rows: rows}); err != nil {
		t.Fatal(err)
	}
}
