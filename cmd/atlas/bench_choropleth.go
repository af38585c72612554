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

func cmdBenchChoropleth(ctx context.Context, log *slog.Logger, args []string) error {
	return benchChoropleth(ctx, log, args, os.Stdout)
}

// benchChoropleth runs `atlas bench choropleth`: the table goes to out,
// progress and the server's logs to stderr. The demo indicators must have
// been imported (`atlas import demo`); the bench does not import. A missed
// target is a measurement, not an error: only a run that could not measure
// fails.
func benchChoropleth(ctx context.Context, log *slog.Logger, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench choropleth", flag.ContinueOnError)
	duration := fs.Duration("duration", 10*time.Second, "length of each scenario's warm run and of its conditional run")
	concurrency := fs.Int("concurrency", 16, "concurrent requests of the warm and conditional runs")
	seed := fs.Uint64("seed", 1, "seed of the runs' random choice among a scenario's URLs")
	atlas := fs.String("atlas", "", "atlas binary to run as the server (default: this executable)")
	jsonOut := fs.String("json", "", "also write the figures as JSON to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench choropleth: unexpected arguments %q", fs.Args())
	}
	if *duration <= 0 {
		return fmt.Errorf("--duration %s: must be positive", *duration)
	}
	if *concurrency < 1 {
		return fmt.Errorf("--concurrency %d: must be at least 1", *concurrency)
	}
	bin := *atlas
	if bin == "" {
		var err error
		if bin, err = os.Executable(); err != nil {
			return fmt.Errorf("--atlas not given and this executable not found: %w", err)
		}
	}
	url, err := databaseURL()
	if err != nil {
		return err
	}
	rep, err := tilebench.RunChoropleth(ctx, tilebench.ChoroplethConfig{
		Duration: *duration, Concurrency: *concurrency, Seed: *seed,
		AtlasBin: bin, DatabaseURL: url, ServerOutput: os.Stderr, Log: log,
	})
	if err != nil {
		return fmt.Errorf("bench choropleth: %w", err)
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
