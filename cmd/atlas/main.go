// Command atlas is the one binary of Atlas Santé-Travail:
//
//	atlas serve                      serve tiles and the API
//	atlas migrate                    apply the database schema
//	atlas geodata fetch              download (or copy) and verify the pinned source files
//	atlas import territories ...     import one level's geometry from GeoJSON or shapefiles
//	atlas import indicators ...      import one indicator: metadata and a CSV of values
//	atlas import demo                fetch and import the demo geography and indicators
//	atlas bench tiles                measure tile serving against a PostGIS ST_AsMVT baseline
//	atlas bench choropleth           measure choropleth latency, throughput and 304s
//	atlas bench workshop             measure workshop event delivery to SSE participants
//	atlas export gpkg ...            write a level's territories and an indicator's values as a GeoPackage
//	atlas export mbtiles|pmtiles ... write a layer's tiles (and an indicator's values) as MBTiles or PMTiles
//	atlas serve --mbtiles F ...      serve tile files with no database
//	atlas admin token                make a token for the admin API and print it with its SHA-256
//	atlas healthcheck                exit 0 when the server's /healthz answers 200 (the image's HEALTHCHECK)
//
// The database comes from DATABASE_URL, or else the project's private
// cluster under ./.atlas/pg when it exists.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "atlas:", err)
		os.Exit(1)
	}
}

const usage = `usage: atlas <command> [flags]

commands:
  serve                 serve tiles and the API (ATLAS_ADDR, default 127.0.0.1:8080)
  serve --mbtiles F     serve tile files (MBTiles, PMTiles; repeatable) and the map of their layers, with no database
  migrate               apply the database schema
  geodata fetch         fetch and verify the pinned source files (--mirror DIR)
  import territories    import one level of territories from GeoJSON or shapefiles
  import demo           fetch and import the demo geography and indicators (--mirror DIR)
  import indicators     import one indicator: --meta FILE (.json/.yaml) --values FILE (.csv) [--layout wide]
  bench tiles           benchmark tile serving against a PostGIS ST_AsMVT baseline
  bench choropleth      benchmark the indicator maps of the API (needs atlas import demo)
  bench workshop        benchmark live workshops: SSE delivery to 200 and 1,000 participants, two servers, failover
  export gpkg           a level's territories (and an indicator's values) as a GeoPackage: --level L [--indicator I] [--crs 4326|2154] --out F.gpkg
  export mbtiles        a layer's vector tiles (and an indicator's values) as MBTiles 1.3: --layer L [--indicator I --period P --sex S --sector S] [--minzoom Z --maxzoom Z] --out F.mbtiles
  export pmtiles        the same as one PMTiles v3 archive, for static hosts and CDNs: ... --out F.pmtiles
  admin token           make a token for the admin API (/api/v1/admin); its SHA-256 goes to atlas serve --admin-token-sha256
  healthcheck           exit 0 when /healthz of the server at ATLAS_ADDR (--addr) answers 200, else 1: the image's HEALTHCHECK

The database is DATABASE_URL, or the private cluster started by deploy/pg/cluster.sh.
atlas serve reads the maps, tiles and values from DATABASE_READ_URL when set (a read replica).`

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	log := newLogger()
	switch args[0] {
	case "serve":
		return cmdServe(ctx, log, args[1:])
	case "migrate":
		st, err := openMigrated(ctx, log)
		if err == nil {
			st.Close()
		}
		return err
	case "geodata":
		if len(args) < 2 || args[1] != "fetch" {
			return errors.New("usage: atlas geodata fetch [--mirror DIR] [--cache DIR] [--only PREFIX]")
		}
		_, err := cmdFetch(ctx, log, args[2:])
		return err
	case "import":
		if len(args) < 2 {
			return errors.New("usage: atlas import territories|indicators|demo [flags]")
		}
		switch args[1] {
		case "territories":
			return cmdImportTerritories(ctx, log, args[2:])
		case "demo":
			return cmdImportDemo(ctx, log, args[2:])
		case "indicators":
			return cmdImportIndicators(ctx, log, args[2:])
		}
		return fmt.Errorf("unknown import %q (territories, indicators, demo)", args[1])
	case "export":
		return cmdExport(ctx, log, args[1:])
	case "bench":
		if len(args) < 2 {
			return errors.New("usage: atlas bench tiles|choropleth|workshop [flags]")
		}
		switch args[1] {
		case "tiles":
			return cmdBenchTiles(ctx, log, args[2:])
		case "choropleth":
			return cmdBenchChoropleth(ctx, log, args[2:])
		case "workshop":
			return cmdBenchWorkshop(ctx, log, args[2:])
		}
		return fmt.Errorf("unknown bench %q (tiles, choropleth, workshop)", args[1])
	case "admin":
		return cmdAdmin(os.Stdout, args[1:])
	case "healthcheck":
		return cmdHealthcheck(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Println(usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n\n%s", args[0], usage)
}

func newLogger() *slog.Logger {
	level := slog.LevelInfo
	switch strings.ToLower(os.Getenv("ATLAS_LOG_LEVEL")) {
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

// databaseURL is DATABASE_URL, or the private cluster's socket when the
// project's scripts have started one in the working directory.
func databaseURL() (string, error) {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	sock := filepath.Join(wd, ".atlas", "pg", "sock")
	if _, err := os.Stat(filepath.Join(sock, ".s.PGSQL.5432")); err == nil {
		return "postgres:///atlas?host=" + sock + "&user=atlas&sslmode=disable", nil
	}
	return "", errors.New("no database: set DATABASE_URL to a PostGIS database, or start the private cluster with `make run` (deploy/pg/cluster.sh start)")
}

func openStore(ctx context.Context) (*store.Store, error) { return openReplicated(ctx, "") }

// openReplicated opens the store on the primary, with the read replica at
// readURL (DATABASE_READ_URL, which only `atlas serve` reads) unless empty.
func openReplicated(ctx context.Context, readURL string) (*store.Store, error) {
	url, err := databaseURL()
	if err != nil {
		return nil, err
	}
	return store.OpenReplicated(ctx, url, readURL, 10*time.Second)
}

// openMigrated opens the store and brings its schema up to date, as every
// command that writes needs.
func openMigrated(ctx context.Context, log *slog.Logger) (*store.Store, error) {
	st, err := openStore(ctx)
	if err != nil {
		return nil, err
	}
	return migrated(ctx, log, st)
}

// migrated applies st's pending migrations, closing st when they fail.
func migrated(ctx context.Context, log *slog.Logger, st *store.Store) (*store.Store, error) {
	applied, err := st.Migrate(ctx)
	for _, a := range applied {
		log.Info("migration applied", "name", a)
	}
	if err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
