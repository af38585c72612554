package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"regexp"
	"strings"

	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/export/gpkg"
	"github.com/atlas-sante-travail/atlas/internal/territory"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

// gpkgPage is how many territories are read from PostGIS at a time: a page
// of communes at full resolution is a few megabytes.
const gpkgPage = 500

// gpkgCRS are the coordinate systems of an export. EPSG:4326 is the
// default: it is how PostGIS keeps the territories (no reprojection) and
// it is right everywhere, overseas départements included, which Lambert-93
// is not; a GIS reprojects on the fly, and --crs 2154 writes Lambert-93
// for work on metropolitan France.
var gpkgCRS = map[int]gpkg.SRS{4326: gpkg.WGS84, 2154: gpkg.Lambert93}

// lambert93Bounds is EPSG:2154's area of use (metropolitan France and
// Corsica, with their waters) in its own coordinates (min x, min y, max x,
// max y), as the EPSG registry gives it: beyond it, Lambert-93 distorts so
// much that the shapes are meaningless.
var lambert93Bounds = [4]float64{-357823.24, 6037008.69, 1313632.36, 7230727.38}

type gpkgOptions struct {
	Level, Indicator, Period, Sex, Sector string
	CRS                                   string
	Out                                   string
}

func cmdExportGpkg(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("export gpkg", flag.ContinueOnError)
	var o gpkgOptions
	fs.StringVar(&o.Level, "level", "", "territory level: region, departement, zone-emploi, commune or france (required)")
	fs.StringVar(&o.Indicator, "indicator", "", "indicator whose values become columns (value, status); none: the territories alone")
	fs.StringVar(&o.Period, "period", "", "period of the values (2022, 2023-T3); default the latest")
	fs.StringVar(&o.Sex, "sex", "", "sex of the values: ensemble (default), femmes or hommes")
	fs.StringVar(&o.Sector, "sector", "", "sector of the values (default ensemble)")
	fs.StringVar(&o.CRS, "crs", "4326", "coordinate system: 4326 (WGS 84 longitude/latitude, everywhere) or 2154 (Lambert-93, metropolitan France)")
	fs.StringVar(&o.Out, "out", "", "GeoPackage file to write (required); replaced only once the export is complete")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("export gpkg: unexpected argument %q", fs.Arg(0))
	}
	st, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := tiles.NewService(st, nil, tiles.Options{PrewarmMaxZoom: -1, Log: log})
	if err := svc.LoadAll(ctx); err != nil {
		return err
	}
	diag := diagnostic.New(diagnostic.Config{Store: st, Tiles: svc})
	return exportGpkg(ctx, log, diag, o)
}

// exportGpkg writes the GeoPackage o describes: every check is made before
// the file is created, and a failure after that leaves nothing behind.
func exportGpkg(ctx context.Context, log *slog.Logger, diag *diagnostic.Service, o gpkgOptions) error {
	if o.Out == "" {
		return errors.New("--out : chemin du fichier .gpkg à écrire requis")
	}
	if o.Level == "" {
		return fmt.Errorf("--level : niveau requis (%s)", strings.Join(levelNames(), ", "))
	}
	level, err := territory.ParseLevel(o.Level)
	if err != nil {
		return fmt.Errorf("--level : niveau inconnu %q (%s)", o.Level, strings.Join(levelNames(), ", "))
	}
	srs, err := parseCRS(o.CRS)
	if err != nil {
		return err
	}
	q := diagnostic.FeatureQuery{Level: level, Indicator: o.Indicator, Period: o.Period, Sex: o.Sex, Sector: o.Sector, SRID: srs.ID}
	// A first page of none validates the level and the indicator's
	// options, and computes the values once, before any file exists.
	first, err := diag.Features(ctx, q)
	if err != nil {
		return flagError(err, o)
	}
	layer := gpkg.Layer{Table: tableName(level, o.Indicator), Identifier: strings.ToUpper(level.Plural()[:1]) + level.Plural()[1:], SRS: srs,
		Description: "Atlas Santé-Travail : " + level.Plural()}
	layer.Columns = []gpkg.Column{
		{Name: "code", Type: gpkg.Text, NotNull: true, Title: "Code INSEE"},
		{Name: "name", Type: gpkg.Text, NotNull: true, Title: "Nom"},
	}
	parents := level.Parents()
	for _, pl := range parents {
		layer.Columns = append(layer.Columns, gpkg.Column{Name: pl.Field(), Type: gpkg.Text, Title: "Code " + pl.Label()})
	}
	if v := first.Values; v != nil {
		cat, err := diag.Catalogue(ctx)
		if err != nil {
			return err
		}
		e, _ := cat.Get(v.Indicator)
		ind := e.Indicator
		// A period, sex or sector with no value at all would give a file
		// of missing values that looks like data: refuse it instead.
		sel, err := diag.Select(ctx, diagnostic.Query{Indicator: v.Indicator, Level: string(level), Period: v.Period, Sex: v.Sex, Sector: v.Sector}, true)
		if err != nil {
			return flagError(err, o)
		}
		stored, err := diag.Values(ctx, sel)
		if err != nil {
			return err
		}
		if len(stored.Values) == 0 {
			return fmt.Errorf("--period, --sex, --sector : aucune valeur de %s au niveau %s pour %s, sexe %s, secteur %s (périodes : %s)",
				v.Indicator, level, v.Period, v.Sex, v.Sector, strings.Join(ind.Vintages, ", "))
		}
		unit := ""
		if ind.Unit != "" {
			unit = " (" + ind.Unit + ")"
		}
		about := ind.Label + ", " + v.Period
		if v.Sex != "ensemble" {
			about += ", " + v.Sex
		}
		if v.Sector != "ensemble" {
			about += ", secteur " + v.Sector
		}
		layer.Identifier += " – " + about
		layer.Description = fmt.Sprintf("%s%s, %s, sexe %s, secteur %s. %s. Valeur absente (NULL) sous le secret statistique ou quand elle manque : le statut le dit.",
			ind.Label, unit, v.Period, v.Sex, v.Sector, e.Source(v.Period))
		if v.Notice != "" && !strings.Contains(layer.Description, v.Notice) {
			layer.Description += " " + v.Notice
		}
		layer.Columns = append(layer.Columns,
			gpkg.Column{Name: "value", Type: gpkg.Real, Title: ind.Label + unit, Description: "absente sous le secret statistique ou quand elle manque"},
			gpkg.Column{Name: "status", Type: gpkg.Text, NotNull: true, Title: "Statut", Description: "published, provisional, estimated, secret ou missing"})
	}
	w, err := gpkg.Create(ctx, o.Out, layer)
	if err != nil {
		return err
	}
	defer w.Abort()
	var outside []string
	for offset := 0; offset < first.Matched; offset += gpkgPage {
		q.Limit, q.Offset = gpkgPage, offset
		page, err := diag.Features(ctx, q)
		if err != nil {
			return err
		}
		for _, f := range page.Features {
			vals := []any{f.Code, f.Name}
			for _, pl := range parents {
				vals = append(vals, nullable(f.Parent(pl)))
			}
			if page.Values != nil {
				vals = append(vals, f.Value, string(f.Status))
			}
			if err := w.Add(ctx, gpkg.Feature{ID: int64(f.FID), Geometry: f.Geometry, Values: vals}); err != nil {
				return err
			}
			if b := f.Geometry.Bounds(); srs.ID == gpkg.Lambert93.ID && !inLambert93(b.Min(0), b.Min(1), b.Max(0), b.Max(1)) {
				outside = append(outside, f.Code)
			}
		}
	}
	if w.Count() != first.Matched {
		return fmt.Errorf("export gpkg: %d territories read, %d expected (an import ran meanwhile?)", w.Count(), first.Matched)
	}
	if err := w.Close(ctx); err != nil {
		return err
	}
	if len(outside) > 0 {
		log.Warn("territories outside Lambert-93's area of use, drawn distorted: use --crs 4326 for them", "codes", strings.Join(outside, ","))
	}
	log.Info("exported", "file", o.Out, "layer", layer.Table, "features", w.Count(), "crs", fmt.Sprintf("EPSG:%d", srs.ID))
	return nil
}

func inLambert93(minX, minY, maxX, maxY float64) bool {
	b := lambert93Bounds
	return minX >= b[0] && minY >= b[1] && maxX <= b[2] && maxY <= b[3]
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func levelNames() []string {
	out := make([]string, len(territory.Levels))
	for i, l := range territory.Levels {
		out[i] = string(l)
	}
	return out
}

// parseCRS reads --crs: an EPSG code, with or without "EPSG:".
func parseCRS(s string) (gpkg.SRS, error) {
	code := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "EPSG:")
	for id, srs := range gpkgCRS {
		if code == fmt.Sprint(id) {
			return srs, nil
		}
	}
	return gpkg.SRS{}, fmt.Errorf("--crs : système inconnu %q (4326 ou 2154)", s)
}

var nonIdent = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// tableName is the layer's table: the tiles' layer name, after the
// indicator's id when there is one, as an SQL identifier
// ("taux_at_departements").
func tableName(level territory.Level, indicator string) string {
	name := level.Layer()
	if indicator != "" {
		name = indicator + "_" + name
	}
	name = strings.ToLower(nonIdent.ReplaceAllString(name, "_"))
	if name[0] < 'a' || name[0] > 'z' {
		name = "t_" + name
	}
	return name
}

// flagError names the flag at fault in an error of the read side, whose
// parameters are named as the flags are.
func flagError(err error, o gpkgOptions) error {
	var pe *diagnostic.ParamError
	if errors.As(err, &pe) {
		msg := "--" + pe.Name + " : " + pe.Reason
		if len(pe.Allowed) > 0 {
			msg += " (" + strings.Join(pe.Allowed, ", ") + ")"
		}
		return errors.New(msg)
	}
	var nf *diagnostic.NotFoundError
	if errors.As(err, &nf) {
		if strings.HasPrefix(nf.What, "niveau") {
			return fmt.Errorf("--level : %s (niveau non importé)", nf.Error())
		}
		if o.Indicator != "" && strings.Contains(nf.What, "indicateur") {
			return fmt.Errorf("--indicator : %s", nf.Error())
		}
		// No value for this choice of period, sex and sector.
		return fmt.Errorf("--period, --sex, --sector : %s", nf.Error())
	}
	return err
}
