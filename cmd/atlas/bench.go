package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/tilebench"
	"github.com/atlas-sante-travail/atlas/internal/workshopbench"
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
	serveLimit := fs.String("serve-limit", "", "run as the bench's own limit server on the tiles of this file (the bench starts it)")
	bf := addBenchFlags(fs, 20*time.Second)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *serveLimit != "" {
		return tilebench.ServeLimit(ctx, *serveLimit, out)
	}
	bin, url, err := bf.check(fs)
	if err != nil {
		return err
	}
	ls, err := tilebench.ParseLayers(*layers)
	if err != nil {
		return fmt.Errorf("--layers: %w", err)
	}
	b, err := tilebench.ParseBBox(*bbox)
	if err != nil {
		return fmt.Errorf("--bbox: %w", err)
	}
	rep, err := tilebench.RunTiles(ctx, tilebench.Config{
		Layers: ls, MinZoom: *minZoom, MaxZoom: *maxZoom, BBox: b, Run: bf.run(bin, url, log),
	})
	if err != nil {
		return fmt.Errorf("bench tiles: %w", err)
	}
	return bf.report(out, rep)
}

func cmdBenchWorkshop(ctx context.Context, log *slog.Logger, args []string) error {
	return benchWorkshop(ctx, log, args, os.Stdout)
}

// benchWorkshop runs `atlas bench workshop`, the table to out.
func benchWorkshop(ctx context.Context, log *slog.Logger, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench workshop", flag.ContinueOnError)
	rate := fs.Float64("rate", 10, "views the facilitator sends per second")
	every := fs.Duration("action-every", 10*time.Second, "how often each participant contributes or votes (0: never)")
	clients := fs.String("clients", "", "comma-separated runs as CLIENTSxSERVERS, with ! for a server stopped halfway (default 200x1,1000x1,1000x2,1000x2!)")
	bf := addBenchFlags(fs, 30*time.Second)
	if err := fs.Parse(args); err != nil {
		return err
	}
	bin, url, err := bf.check(fs)
	if err != nil {
		return err
	}
	specs := workshopbench.DefaultSpecs()
	if *clients != "" {
		if specs, err = workshopbench.ParseSpecs(*clients); err != nil {
			return fmt.Errorf("--clients: %w", err)
		}
	}
	if *rate <= 0 || *rate > 25 {
		return fmt.Errorf("--rate %g: between 0 and 25 (the facilitator's allowance is 30 a second)", *rate)
	}
	if *every < 0 || (*every > 0 && *every < 200*time.Millisecond) {
		return fmt.Errorf("--action-every %s: 0, or 200ms and more (a participant's allowance is 5 a second)", *every)
	}
	rep, err := workshopbench.Run(ctx, workshopbench.Config{Specs: specs, Duration: *bf.duration, Rate: *rate, ActionEvery: *every,
		AtlasBin: bin, DatabaseURL: url, ServerOutput: os.Stderr, Log: log})
	if err != nil {
		return fmt.Errorf("bench workshop: %w", err)
	}
	return bf.report(out, rep)
}
