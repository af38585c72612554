package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/tilebench"
)

// benchFlags are the flags every bench shares: how long and how hard to
// load, the server binary and where to write the figures.
type benchFlags struct {
	duration    *time.Duration
	concurrency *int
	seed        *uint64
	atlas       *string
	jsonOut     *string
}

func addBenchFlags(fs *flag.FlagSet, duration time.Duration) benchFlags {
	return benchFlags{
		duration:    fs.Duration("duration", duration, "length of each warm run"),
		concurrency: fs.Int("concurrency", 16, "concurrent requests of the warm runs"),
		seed:        fs.Uint64("seed", 1, "seed of the warm runs' random choice among the requests"),
		atlas:       fs.String("atlas", "", "atlas binary to run as the server (default: this executable)"),
		jsonOut:     fs.String("json", "", "also write the figures as JSON to this file"),
	}
}

// check validates the shared flags and returns the server binary and the
// database URL.
func (b benchFlags) check(fs *flag.FlagSet) (bin, url string, err error) {
	if fs.NArg() > 0 {
		return "", "", fmt.Errorf("%s: unexpected arguments %q", fs.Name(), fs.Args())
	}
	if *b.duration <= 0 {
		return "", "", fmt.Errorf("--duration %s: must be positive", *b.duration)
	}
	if *b.concurrency < 1 {
		return "", "", fmt.Errorf("--concurrency %d: must be at least 1", *b.concurrency)
	}
	bin = *b.atlas
	if bin == "" {
		if bin, err = os.Executable(); err != nil {
			return "", "", fmt.Errorf("--atlas not given and this executable not found: %w", err)
		}
	}
	url, err = databaseURL()
	return bin, url, err
}

// run is the load configuration of the flags, with the server's logs on
// stderr.
func (b benchFlags) run(bin, url string, log *slog.Logger) tilebench.Run {
	return tilebench.Run{Duration: *b.duration, Concurrency: *b.concurrency, Seed: *b.seed,
		AtlasBin: bin, DatabaseURL: url, ServerOutput: os.Stderr, Log: log}
}

// report prints the table and writes the JSON figures when asked.
func (b benchFlags) report(out io.Writer, rep interface{ Format(io.Writer) error }) error {
	if err := rep.Format(out); err != nil {
		return err
	}
	if *b.jsonOut == "" {
		return nil
	}
	j, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(*b.jsonOut, append(j, '\n'), 0o644)
}
