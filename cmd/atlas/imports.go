package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/atlas-sante-travail/atlas/geodata"
	"github.com/atlas-sante-travail/atlas/internal/dataset"
	"github.com/atlas-sante-travail/atlas/internal/demodata"
	"github.com/atlas-sante-travail/atlas/internal/importer"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// kvFlag collects repeated LEVEL=NAME flags.
type kvFlag map[territory.Level]string

func (k kvFlag) String() string { return fmt.Sprint(map[territory.Level]string(k)) }

func (k kvFlag) Set(s string) error {
	l, v, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("%q: expected LEVEL=NAME", s)
	}
	lv, err := territory.ParseLevel(l)
	if err != nil {
		return err
	}
	k[lv] = v
	return nil
}

func cmdImportTerritories(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("import territories", flag.ContinueOnError)
	level := fs.String("level", "", "region, departement, zone-emploi or commune")
	code := fs.String("code-field", "code", "property holding the INSEE code")
	name := fs.String("name-field", "nom", "property holding the name")
	srid := fs.Int("srid", 0, "EPSG code of the coordinates, overriding the .prj / GeoJSON")
	vintage := fs.String("vintage", "", "vintage of the geography (e.g. COG 2024)")
	attribution := fs.String("attribution", "", "producers to credit")
	ptable := fs.String("parent-table", "", "CSV mapping codes to parent codes")
	pkey := fs.String("parent-key", "", "column of --parent-table holding this level's code")
	pcols := kvFlag{}
	fs.Var(pcols, "parent", "LEVEL=COLUMN of --parent-table giving a parent code (repeatable)")
	pfields := kvFlag{}
	fs.Var(pfields, "parent-field", "LEVEL=PROPERTY of the features giving a parent code (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	lv, err := territory.ParseLevel(*level)
	if err != nil {
		return fmt.Errorf("--level: %w", err)
	}
	if fs.NArg() == 0 {
		return errors.New("import territories: give the GeoJSON or .shp files to import")
	}
	if *ptable != "" && (*pkey == "" || len(pcols) == 0) {
		return errors.New("--parent-table needs --parent-key and at least one --parent LEVEL=COLUMN")
	}
	st, err := openMigrated(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	opt := importer.TerritoryOptions{
		Level: lv, Files: fs.Args(), CodeField: *code, NameField: *name, SRID: *srid,
		Vintage: *vintage, Attribution: *attribution, ParentFields: pfields,
		ParentTable: *ptable, ParentKey: *pkey, ParentColumns: pcols, Log: log,
	}
	return importOne(ctx, log, st, opt)
}

func importOne(ctx context.Context, log *slog.Logger, st *store.Store, opt importer.TerritoryOptions) error {
	start := time.Now()
	res, err := importer.ImportTerritories(ctx, st, opt)
	if err != nil {
		return err
	}
	if res.NoOp {
		log.Info("territories unchanged", "level", opt.Level)
		return nil
	}
	log.Info("territories imported", "level", opt.Level, "features", res.Features, "repaired", len(res.Repaired),
		"generalised", res.Generalised, "dataset", res.DatasetID, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

func cmdFetch(ctx context.Context, log *slog.Logger, args []string) (map[string]string, error) {
	fs := flag.NewFlagSet("geodata fetch", flag.ContinueOnError)
	mirror := fs.String("mirror", envOr("ATLAS_GEODATA_MIRROR", ""), "local directory with byte-identical copies (ATLAS_GEODATA_MIRROR)")
	cache := fs.String("cache", envOr("ATLAS_GEODATA_CACHE", ".atlas/geodata"), "where verified files are kept")
	var only []string
	fs.Func("only", "name or prefix to fetch (repeatable; default all)", func(s string) error { only = append(only, s); return nil })
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return fetch(ctx, log, *mirror, *cache, only)
}

func fetch(ctx context.Context, log *slog.Logger, mirror, cache string, only []string) (map[string]string, error) {
	m, err := dataset.ParseManifest(geodata.ManifestJSON)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	paths, err := dataset.Fetch(ctx, m, dataset.FetchOptions{CacheDir: cache, Mirror: mirror, Only: only, Log: log})
	if err != nil {
		return nil, err
	}
	log.Info("geodata verified", "files", len(paths), "cache", cache, "took", time.Since(start).Round(time.Millisecond))
	return paths, nil
}

func cmdImportDemo(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("import demo", flag.ContinueOnError)
	mirror := fs.String("mirror", envOr("ATLAS_GEODATA_MIRROR", ""), "local directory with byte-identical copies (ATLAS_GEODATA_MIRROR)")
	cache := fs.String("cache", envOr("ATLAS_GEODATA_CACHE", ".atlas/geodata"), "where verified files are kept")
	levels := fs.String("levels", "france,region,departement,zone-emploi,commune", "levels to import")
	indicators := fs.Bool("indicators", true, "also import the demo indicators (real INSEE figures and fictive AT/MP data)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	recipes, err := importer.ParseRecipes(geodata.RecipesJSON)
	if err != nil {
		return err
	}
	want := map[territory.Level]bool{}
	for _, l := range strings.Split(*levels, ",") {
		lv, err := territory.ParseLevel(strings.TrimSpace(l))
		if err != nil {
			return fmt.Errorf("--levels: %w", err)
		}
		want[lv] = true
	}
	var only []string
	for _, r := range recipes {
		if want[r.Level] {
			only = append(only, r.Prefixes()...)
		}
	}
	paths, err := fetch(ctx, log, *mirror, *cache, only)
	if err != nil {
		return err
	}
	st, err := openMigrated(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, r := range recipes {
		if !want[r.Level] {
			continue
		}
		opt, err := r.Options(paths)
		if err != nil {
			return err
		}
		opt.Log = log
		if err := importOne(ctx, log, st, opt); err != nil {
			return err
		}
	}
	if !*indicators {
		return nil
	}
	return importDemoIndicators(ctx, log, st, *mirror, *cache)
}

// importDemoIndicators imports every indicator of geodata/indicators whose
// source can be had; one that cannot (a derived file without a mirror) is
// skipped with a warning, since the territories are useful without it.
func importDemoIndicators(ctx context.Context, log *slog.Logger, st *store.Store, mirror, cache string) error {
	recipes, err := demodata.Recipes()
	if err != nil {
		return err
	}
	var only []string
	for _, r := range recipes {
		only = append(only, r.Sources()...)
	}
	paths, err := fetch(ctx, log, mirror, cache, only)
	if err != nil {
		log.Warn("some indicator sources could not be fetched; those indicators are skipped", "err", err)
	}
	var sets []*territory.Set
	for _, lv := range territory.Levels {
		d, ok, err := st.LoadLevel(ctx, lv)
		if err != nil {
			return err
		}
		if ok {
			sets = append(sets, territory.NewSet(lv, d.Territories))
		}
	}
	known := territory.NewRegistry(sets...)
	dir, err := os.MkdirTemp("", "atlas-indicators-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for _, r := range recipes {
		if missing := missingSource(r, paths); missing != "" {
			log.Warn("indicator skipped: its source is not available", "indicator", r.Indicator, "source", missing)
			continue
		}
		if _, ok := known.Level(r.Level); !ok {
			log.Warn("indicator skipped: its level is not imported", "indicator", r.Indicator, "level", r.Level)
			continue
		}
		opt, err := r.Prepare(dir, paths, known)
		if err != nil {
			return err
		}
		if err := importIndicator(ctx, log, st, opt); err != nil {
			return err
		}
	}
	return nil
}

// missingSource is the first pinned file of r that could not be had, "" if
// none.
func missingSource(r demodata.Recipe, paths map[string]string) string {
	for _, p := range r.Sources() {
		if paths[p] == "" {
			return p
		}
	}
	return ""
}
