package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/importer"
	"github.com/atlas-sante-travail/atlas/internal/store"
)

// cmdImportIndicators is `atlas import indicators --meta FILE --values FILE`.
func cmdImportIndicators(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("import indicators", flag.ContinueOnError)
	var opt importer.IndicatorOptions
	fs.StringVar(&opt.Meta, "meta", "", "metadata file (.json, .yaml or .yml)")
	fs.StringVar(&opt.Values, "values", "", "CSV of values (',' or ';' separated, UTF-8)")
	fs.StringVar(&opt.Layout, "layout", importer.LayoutLong, "long (one row per value) or wide (one column per period)")
	fs.StringVar(&opt.Level, "level", "", "territorial level of every row, when the file has no level column")
	for _, c := range importer.DefaultColumns() {
		fs.StringVar(c.Field(&opt), c.Flag, c.Default, "column holding the "+c.Default+" (case-insensitive)")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if opt.Meta == "" || opt.Values == "" {
		return errors.New("import indicators: --meta and --values are required")
	}
	if fs.NArg() > 0 {
		return errors.New("import indicators: unexpected arguments; give the files with --meta and --values")
	}
	st, err := openMigrated(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	return importIndicator(ctx, log, st, opt)
}

// importIndicator imports one indicator and logs what happened.
func importIndicator(ctx context.Context, log *slog.Logger, st *store.Store, opt importer.IndicatorOptions) error {
	opt.Log = log
	start := time.Now()
	res, err := importer.ImportIndicator(ctx, st, opt)
	if err != nil {
		return err
	}
	if res.NoOp {
		log.Info("indicator unchanged", "meta", opt.Meta, "values", opt.Values)
		return nil
	}
	log.Info("indicator imported", "meta", opt.Meta, "values", opt.Values, "rows", res.Rows,
		"dataset", res.DatasetID, "took", time.Since(start).Round(time.Millisecond))
	return nil
}
