package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/export/mbtiles"
	"github.com/atlas-sante-travail/atlas/internal/export/pmtiles"
	"github.com/atlas-sante-travail/atlas/internal/export/tileset"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

// tileWriter is what both tile file formats offer the export.
type tileWriter interface {
	Put(z, x, y int, data []byte) error
	Close(md tileset.Metadata) (tileset.Stats, error)
	Abort()
}

// tileFormats are the tile files `atlas export` writes, by subcommand.
var tileFormats = map[string]func(path string) (tileWriter, error){
	"mbtiles": func(p string) (tileWriter, error) { return mbtiles.Create(p) },
	"pmtiles": func(p string) (tileWriter, error) { return pmtiles.Create(p) },
}

// tileOptions are the flags of `atlas export mbtiles|pmtiles`.
type tileOptions struct {
	Format                         string
	Layer                          string
	Indicator, Period, Sex, Sector string
	MinZoom, MaxZoom               int
	Out                            string
}

func cmdExportMBTiles(ctx context.Context, log *slog.Logger, args []string) error {
	return cmdExportTiles(ctx, log, "mbtiles", args)
}

func cmdExportPMTiles(ctx context.Context, log *slog.Logger, args []string) error {
	return cmdExportTiles(ctx, log, "pmtiles", args)
}

func cmdExportTiles(ctx context.Context, log *slog.Logger, format string, args []string) error {
	fs := flag.NewFlagSet("export "+format, flag.ContinueOnError)
	o := tileOptions{Format: format}
	fs.StringVar(&o.Layer, "layer", "", "tile layer, as in /tiles: regions, departements, zones-emploi, communes or france (required)")
	fs.StringVar(&o.Indicator, "indicator", "", "indicator whose values the tiles carry (value, status, class), as /tiles/...?indicator= serves them; none: the territories alone")
	fs.StringVar(&o.Period, "period", "", "period of the values (2022, 2023-T3); default the latest")
	fs.StringVar(&o.Sex, "sex", "", "sex of the values: ensemble (default), femmes or hommes")
	fs.StringVar(&o.Sector, "sector", "", "sector of the values (default ensemble)")
	fs.IntVar(&o.MinZoom, "minzoom", -1, "first zoom written (default the layer's first)")
	fs.IntVar(&o.MaxZoom, "maxzoom", -1, "last zoom written (default the layer's last generalised zoom; clients overzoom beyond)")
	fs.StringVar(&o.Out, "out", "", "file to write (required); replaced only once the export is complete")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("export %s: unexpected argument %q", format, fs.Arg(0))
	}
	// The flags that need no database are checked before opening it.
	if err := o.check(); err != nil {
		return err
	}
	st, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := tiles.NewService(st, blob.NewLRU(64<<20), tiles.Options{PrewarmMaxZoom: -1, Log: log})
	if err := svc.LoadAll(ctx); err != nil {
		return err
	}
	diag := diagnostic.New(diagnostic.Config{Store: st, Tiles: svc, Cache: blob.NewLRU(64 << 20)})
	return exportTiles(ctx, log, svc, diag, o)
}

func (o tileOptions) check() error {
	if o.Out == "" {
		return fmt.Errorf("--out : chemin du fichier .%s à écrire requis", o.Format)
	}
	if o.Layer == "" {
		return errors.New("--layer : couche requise (regions, departements, zones-emploi, communes ou france)")
	}
	if o.Indicator == "" {
		for name, v := range map[string]string{"period": o.Period, "sex": o.Sex, "sector": o.Sector} {
			if v != "" {
				return fmt.Errorf("--%s : sans --indicator, les tuiles ne portent aucune valeur", name)
			}
		}
	}
	return nil
}

// exportTiles writes the tiles of one layer, with an indicator's values
// when o names one, from zoom MinZoom to MaxZoom: the very bytes the live
// server sends for /tiles/{layer}/{z}/{x}/{y}.mvt(?indicator=...), gzipped
// as it sends them. Every check is made before the file is created, and a
// failure after that leaves nothing behind.
func exportTiles(ctx context.Context, log *slog.Logger, svc *tiles.Service, diag *diagnostic.Service, o tileOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	create, ok := tileFormats[o.Format]
	if !ok {
		return fmt.Errorf("export: unknown tile format %q", o.Format)
	}
	l, ok := svc.Layer(o.Layer)
	if !ok {
		var names []string
		for _, l := range svc.Layers() {
			names = append(names, l.Name)
		}
		return fmt.Errorf("--layer : couche inconnue ou non importée %q (couches : %s)", o.Layer, strings.Join(names, ", "))
	}
	minZ, maxZ, err := zoomRange(l, o.MinZoom, o.MaxZoom)
	if err != nil {
		return err
	}
	md, err := tileMetadata(ctx, diag, l, o, minZ, maxZ)
	if err != nil {
		return err
	}
	tile := func(z, x, y int) (*blob.Body, error) { return svc.Tile(ctx, l, z, x, y) }
	if o.Indicator != "" {
		q := diagnostic.TileQuery{Indicator: o.Indicator, Period: o.Period, Sex: o.Sex, Sector: o.Sector}
		tile = func(z, x, y int) (*blob.Body, error) { return diag.ValueTile(ctx, l, z, x, y, q) }
	}
	start := time.Now()
	w, err := create(o.Out)
	if err != nil {
		return err
	}
	defer w.Abort()
	for z := minZ; z <= maxZ; z++ {
		for _, t := range tiles.Cover(l, z) {
			b, err := tile(z, int(t.X), int(t.Y))
			if err != nil {
				return fmt.Errorf("export %s: tile %d/%d/%d: %w", o.Format, z, t.X, t.Y, err)
			}
			if b.Raw == nil {
				continue // an empty tile: the live server answers 204, the file holds none
			}
			if err := w.Put(z, int(t.X), int(t.Y), b.Gzip); err != nil {
				return err
			}
		}
	}
	st, err := w.Close(md)
	if err != nil {
		return err
	}
	log.Info("exported", "file", st.Path, "format", o.Format, "layer", l.Name, "indicator", o.Indicator,
		"zooms", fmt.Sprintf("%d-%d", minZ, maxZ), "tiles", st.Tiles, "bytes", st.Bytes, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// zoomRange checks --minzoom and --maxzoom against the layer's generalised
// zooms (-1: the layer's own).
func zoomRange(l *tiles.Layer, minZ, maxZ int) (int, int, error) {
	if minZ == -1 {
		minZ = l.MinZoom
	}
	if maxZ == -1 {
		maxZ = l.MaxZoom
	}
	if minZ < l.MinZoom || minZ > l.MaxZoom {
		return 0, 0, fmt.Errorf("--minzoom : %d hors des zooms de la couche %s (%d à %d)", minZ, l.Name, l.MinZoom, l.MaxZoom)
	}
	if maxZ < minZ || maxZ > l.MaxZoom {
		return 0, 0, fmt.Errorf("--maxzoom : %d hors de %d à %d (au-delà, les clients agrandissent le dernier zoom)", maxZ, minZ, l.MaxZoom)
	}
	return minZ, maxZ, nil
}

// tileMetadata describes the file, validating the indicator's options
// through the read side: the same checks as /tiles/...?indicator=.
func tileMetadata(ctx context.Context, diag *diagnostic.Service, l *tiles.Layer, o tileOptions, minZ, maxZ int) (tileset.Metadata, error) {
	fields := map[string]string{}
	for name, desc := range l.Fields {
		// TileJSON says "String: code INSEE"; MBTiles wants the type alone.
		typ, _, _ := strings.Cut(desc, ":")
		fields[name] = strings.TrimSpace(typ)
	}
	label := l.Level.Plural()
	md := tileset.Metadata{
		Name:        "Atlas Santé-Travail : " + label,
		Description: "Territoires : " + l.Level.Label() + " (" + l.Vintage + ")",
		Attribution: l.Attribution,
		Version:     "1.0.0",
		Type:        "overlay",
		Bounds:      l.Bounds,
		Center:      l.Center(),
		MinZoom:     minZ,
		MaxZoom:     maxZ,
		Extra:       map[string]string{"atlas:layer": l.Name, "atlas:level": string(l.Level), "atlas:vintage": l.Vintage},
	}
	md.Center[2] = math.Max(float64(minZ), math.Min(md.Center[2], float64(maxZ)))
	if o.Indicator != "" {
		sel, err := diag.Select(ctx, diagnostic.Query{Indicator: o.Indicator, Level: string(l.Level), Period: o.Period, Sex: o.Sex, Sector: o.Sector}, true)
		if err != nil {
			return md, tileFlagError(err)
		}
		m, err := diag.Map(ctx, diagnostic.MapSelection{Selection: sel, Options: indicator.DefaultChoroplethOptions()})
		if err != nil {
			return md, tileFlagError(err)
		}
		if len(m.Territories) == 0 {
			return md, fmt.Errorf("--period, --sex, --sector : aucune valeur de %s au niveau %s pour %s, sexe %s, secteur %s (périodes : %s)",
				m.Indicator, l.Level, m.Period, m.Sex, m.Sector, strings.Join(sel.Entry.Indicator.Vintages, ", "))
		}
		about := m.Label + ", " + m.Period
		if m.Sex != "ensemble" {
			about += ", " + m.Sex
		}
		if m.Sector != "ensemble" {
			about += ", secteur " + m.Sector
		}
		unit := ""
		if m.Unit != "" {
			unit = " (" + m.Unit + ")"
		}
		md.Name = "Atlas Santé-Travail : " + about + " – " + label
		md.Description = fmt.Sprintf("%s%s par %s. %s. Chaque territoire porte son statut et sa classe ; la valeur est absente sous le secret statistique ou quand elle manque.",
			about, unit, l.Level.Label(), m.Source)
		if m.Notice != "" {
			md.Description += " " + m.Notice
			fields["notice"] = "String"
		}
		// The producer is what a map's corner names; the full source is in
		// the description.
		md.Attribution = strings.TrimPrefix(l.Attribution+" ; "+sel.Entry.Indicator.Producer, " ; ")
		fields["value"], fields["status"], fields["class"] = "Number", "String", "Number"
		legend, err := json.Marshal(struct {
			Colors []string                `json:"colors"`
			Legend []indicator.LegendEntry `json:"legend"`
		}{m.Colors, m.Legend})
		if err != nil {
			return md, err
		}
		for k, v := range map[string]string{"atlas:indicator": m.Indicator, "atlas:period": m.Period, "atlas:sex": m.Sex,
			"atlas:sector": m.Sector, "atlas:unit": m.Unit, "atlas:label": m.Label, "atlas:legend": string(legend)} {
			md.Extra[k] = v
		}
	}
	md.VectorLayers = []tileset.VectorLayer{{ID: l.Name, Description: md.Description, MinZoom: minZ, MaxZoom: maxZ, Fields: fields}}
	return md, nil
}

// tileFlagError names the flag at fault in an error of the read side,
// whose parameters are named as the flags are (the layer's level is
// --layer here).
func tileFlagError(err error) error {
	var pe *diagnostic.ParamError
	if errors.As(err, &pe) {
		name := pe.Name
		if name == "level" {
			name = "layer"
		}
		msg := "--" + name + " : " + pe.Reason
		if len(pe.Allowed) > 0 {
			msg += " (" + strings.Join(pe.Allowed, ", ") + ")"
		}
		return errors.New(msg)
	}
	var nf *diagnostic.NotFoundError
	if errors.As(err, &nf) {
		if strings.Contains(nf.What, "indicateur") {
			return fmt.Errorf("--indicator : %s", nf.Error())
		}
		return fmt.Errorf("--period, --sex, --sector : %s", nf.Error())
	}
	return err
}
