package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/tilebench"
)

func cmdBenchTiles(ctx context.Context, log *slog.Logger, args []string) error {
	return benchTiles(ctx, log, args, os.Stdout)
}

// benchTiles runs `atlas bench tiles`: the table goes to out, progress and
// the server's logs to stderr. A missed target is a measurement, not an
// error: only a run that could not measure fails.
func benchTiles(ctx context.Context, log *slog.Logger, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench tiles", flag.ContinueOnError)
	layers := fs.String("layers", "departements,zones-emploi", "comma-separated tile layers to request")
	minZoom := fs.Int("minzoom", 5, "lowest zoom of the tile list")
	maxZoom := fs.Int("maxzoom", 8, "highest zoom of the tile list")
	bbox := fs.String("bbox", "-5.2,41.3,9.6,51.1", "west,south,east,north of the tile list (default: metropolitan France)")
	duration := fs.Duration("duration", 20*time.Second, "length of each server's warm run")
	concurrency := fs.Int("concurrency", 16, "concurrent requests of the warm runs")
	seed := fs.Uint64("seed", 1, "seed of the warm runs' random tile choice")
	atlas := fs.String("atlas", "", "atlas binary to run as the server (default: this executable)")
	jsonOut := fs.String("json", "", "also write the figures as JSON to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench tiles: unexpected arguments %q", fs.Args())
	}
	ls, err := tilebench.ParseLayers(*layers)
	if err != nil {
		return fmt.Errorf("--layers: %w", err)
	}
	b, err := tilebench.ParseBBox(*bbox)
	if err != nil {
		return fmt.Errorf("--bbox: %w", err)
	}
	if *duration <= 0 {
		return fmt.Errorf("--duration %s: must be positive", *duration)
	}
	bin := *atlas
	if bin == "" {
		if bin, err = os.Executable(); err != nil {
			return fmt.Errorf("--atlas not given and this executable not found: %w", err)
		}
	}
	url, err := databaseURL()
	if err != nil {
		return err
	}
	rep, err := tilebench.Run(ctx, tilebench.Config{
		Layers: ls, MinZoom: *minZoom, MaxZoom: *maxZoom, BBox: b,
		Duration: *duration, Concurrency: *concurrency, Seed: *seed,
		AtlasBin: bin, DatabaseURL: url, ServerOutput: os.Stderr, Log: log,
	})
	if err != nil {
		return fmt.Errorf("bench tiles: %w", err)
	}
	if err := rep.Format(out); err != nil {
		return err
	}
	if *jsonOut != "" {
		j, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*jsonOut, append(j, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}
