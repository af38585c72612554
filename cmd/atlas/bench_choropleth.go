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
	bf := addBenchFlags(fs, 10*time.Second)
	if err := fs.Parse(args); err != nil {
		return err
	}
	bin, url, err := bf.check(fs)
	if err != nil {
		return err
	}
	rep, err := tilebench.RunChoropleth(ctx, tilebench.ChoroplethConfig{
		Run: bf.run(bin, url, log)})
	if err != nil {
		return fmt.Errorf("bench choropleth: %w", err)
	}
	return bf.report(out, rep)
}
