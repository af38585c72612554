package importer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strings"

	"github.com/paulmach/orb/encoding/wkb"
	"golang.org/x/text/encoding/charmap"

	"github.com/atlas-sante-travail/atlas/internal/importer/geofile"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// TerritoryOptions describes one import of a level's geometry.
type TerritoryOptions struct {
	// FS holds the files when not nil, Files and ParentTable then being
	// names in it (an uploaded zip archive, say); nil: the names are paths
	// of the OS filesystem.
	FS        fs.FS
	Level     territory.Level
	Files     []string // GeoJSON or shapefiles, merged (e.g. one commune file per département)
	CodeField string
	NameField string
	SRID      int // overrides the files' CRS when not 0
	Vintage   string
	// Attribution credits the producers (e.g. "INSEE, IGN ADMIN EXPRESS").
	Attribution string
	// ParentFields names, per parent level, the feature property holding its code.
	ParentFields map[territory.Level]string
	// ParentTable is a CSV (',' or ';') mapping this level's codes to parents:
	// ParentKey is the column holding this level's code, ParentColumns the
	// column per parent level.
	ParentTable   string
	ParentKey     string
	ParentColumns map[territory.Level]string
	// ParentSkip lines of preamble come before the header (INSEE files
	// have titles there); ParentEncoding is "" for UTF-8 or "windows-1252".
	ParentSkip     int
	ParentEncoding string
	// Dissolve merges every feature into one territory with this code and
	// name (France from its régions); CodeField and NameField are unused.
	Dissolve *Dissolve
	Log      *slog.Logger
}

// Dissolve names the one territory that all features are merged into.
type Dissolve struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// ImportTerritories reads the files, validates every feature, and replaces
// the level in the store in one transaction with its per-zoom
// generalisation. Re-importing the same bytes with the same options is a
// no-op detected before the files are parsed.
func ImportTerritories(ctx context.Context, st *store.Store, opt TerritoryOptions) (store.ImportResult, error) {
	log := opt.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if len(opt.Files) == 0 {
		return store.ImportResult{}, errors.New("import territories: no input file")
	}
	if opt.Dissolve != nil {
		if err := territory.ValidateCode(opt.Level, opt.Dissolve.Code); err != nil {
			return store.ImportResult{}, fmt.Errorf("import territories: %w", err)
		}
	} else if opt.CodeField == "" || opt.NameField == "" {
		return store.ImportResult{}, errors.New("import territories: the code and name fields must be named")
	}
	sum, sources, err := fingerprint(opt)
	if err != nil {
		return store.ImportResult{}, err
	}
	if cur, err := st.ActiveTerritorySHA(ctx, opt.Level); err != nil {
		return store.ImportResult{}, err
	} else if cur == sum {
		return store.ImportResult{NoOp: true}, nil
	}
	parents, err := readParentTable(opt)
	if err != nil {
		return store.ImportResult{}, err
	}
	var rows []store.TerritoryRow
	srid := 0
	seen := map[string]string{}
	index := 0
	for _, f := range opt.Files {
		in := newInput(opt.FS, f)
		src, err := geofile.Read(in.fsys, in.name)
		if err != nil {
			return store.ImportResult{}, in.located(err)
		}
		if opt.Dissolve == nil {
			if err := checkFields(src, opt); err != nil {
				return store.ImportResult{}, err
			}
		}
		fsrid := src.SRID
		if opt.SRID != 0 {
			fsrid = opt.SRID
		}
		if fsrid == 0 {
			return store.ImportResult{}, &geofile.FileError{File: in.shown, Feature: -1, Err: errors.New("no coordinate system (.prj missing): give one with --srid")}
		}
		if srid != 0 && fsrid != srid {
			return store.ImportResult{}, &geofile.FileError{File: in.shown, Feature: -1, Err: fmt.Errorf("coordinates in EPSG:%d but the previous files are in EPSG:%d", fsrid, srid)}
		}
		srid = fsrid
		for _, ft := range src.Features {
			if opt.Dissolve != nil {
				b, err := wkb.Marshal(ft.Geometry)
				if ft.Geometry == nil || err != nil {
					return store.ImportResult{}, &geofile.FileError{File: in.base(), Feature: ft.Index, Err: fmt.Errorf("no usable geometry: %v", err)}
				}
				rows = append(rows, store.TerritoryRow{Index: index, WKB: b, Territory: territory.Territory{Level: opt.Level,
					Code: opt.Dissolve.Code, Name: opt.Dissolve.Name, FID: territory.FeatureID(opt.Level, opt.Dissolve.Code)}})
				index++
				continue
			}
			row, err := territoryRow(opt, ft, parents)
			if err != nil {
				return store.ImportResult{}, &geofile.FileError{File: in.base(), Feature: ft.Index, Err: err}
			}
			where := fmt.Sprintf("%s feature %d", in.base(), ft.Index)
			if prev, dup := seen[row.Code]; dup {
				return store.ImportResult{}, &geofile.FileError{File: in.base(), Feature: ft.Index, Err: fmt.Errorf("duplicate code %s (already at %s)", row.Code, prev)}
			}
			seen[row.Code] = where
			row.Index = index
			index++
			rows = append(rows, row)
		}
	}
	lv := opt.Level
	zmin, zmax := lv.Zooms()
	files := make([]string, len(opt.Files))
	for i, f := range opt.Files {
		files[i] = newInput(opt.FS, f).base()
	}
	res, err := st.ReplaceTerritories(ctx, store.TerritoryImport{
		Level:       lv,
		Files:       files,
		SHA256:      sum,
		Sources:     sources,
		Options:     optionsRecord(opt),
		Dissolve:    opt.Dissolve != nil,
		Vintage:     opt.Vintage,
		Attribution: opt.Attribution,
		SRID:        srid,
		Rows:        rows,
		Generalise: func(ctx context.Context, merc []store.GeneralisedRow) ([]store.GeneralisedRow, error) {
			return Generalise(ctx, merc, zmin, zmax)
		},
	})
	if err != nil {
		var fe *store.FeatureError
		if errors.As(err, &fe) {
			return res, fmt.Errorf("import %s from %s: %w", lv, strings.Join(files, ", "), err)
		}
		return res, fmt.Errorf("import %s: %w", lv, err)
	}
	for _, r := range res.Repaired {
		log.Warn("invalid geometry repaired", "level", lv, "feature", r.Index, "code", r.Code, "reason", r.Reason)
	}
	return res, nil
}

// Tolerance is the Douglas-Peucker tolerance, in tile units at each zoom.
// MapLibre draws a 4096-unit tile on 512 pixels, 8 units a pixel: a
// 4-unit tolerance moves no border by more than half a pixel.
const Tolerance = 4.0

// Generalise builds the topology of all territories once and simplifies its
// shared arcs for every zoom from zmin to zmax.
func Generalise(ctx context.Context, merc []store.GeneralisedRow, zmin, zmax int) ([]store.GeneralisedRow, error) {
	shapes := make([]territory.Shape, 0, len(merc))
	for _, m := range merc {
		g, err := wkb.Unmarshal(m.WKB)
		if err != nil {
			return nil, fmt.Errorf("territory %s: %w", m.Code, err)
		}
		shapes = append(shapes, territory.Shape{Code: m.Code, Geom: territory.MultiPolygon(g)})
	}
	topo := territory.NewTopology(shapes)
	var out []store.GeneralisedRow
	for z := zmin; z <= zmax; z++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		unit := territory.TileUnit(z, territory.TileExtent)
		for _, s := range topo.Simplify(Tolerance*unit, Tolerance*Tolerance*unit*unit) {
			if len(s.Geom) == 0 {
				continue
			}
			b, err := wkb.Marshal(s.Geom)
			if err != nil {
				return nil, err
			}
			out = append(out, store.GeneralisedRow{Code: s.Code, Zoom: z, WKB: b})
		}
	}
	return out, nil
}

func checkFields(src *geofile.Source, opt TerritoryOptions) error {
	need := []string{opt.CodeField, opt.NameField}
	for _, f := range opt.ParentFields {
		need = append(need, f)
	}
	for _, n := range need {
		found := false
		for _, f := range src.Fields {
			if f == n {
				found = true
				break
			}
		}
		if !found && len(src.Features) > 0 {
			if _, ok := src.Features[0].Properties[n]; ok {
				found = true
			}
		}
		if !found {
			return &geofile.FileError{File: path.Base(src.Path), Feature: -1,
				Err: fmt.Errorf("no property %q (the file has: %s)", n, strings.Join(src.Fields, ", "))}
		}
	}
	return nil
}

func territoryRow(opt TerritoryOptions, ft geofile.Feature, parents map[string]map[territory.Level]string) (store.TerritoryRow, error) {
	code := territory.NormaliseCode(opt.Level, ft.Properties[opt.CodeField])
	if err := territory.ValidateCode(opt.Level, code); err != nil {
		return store.TerritoryRow{}, fmt.Errorf("property %s: %w", opt.CodeField, err)
	}
	name := strings.TrimSpace(ft.Properties[opt.NameField])
	if name == "" {
		return store.TerritoryRow{}, fmt.Errorf("code %s: property %s is empty", code, opt.NameField)
	}
	if ft.Geometry == nil {
		return store.TerritoryRow{}, fmt.Errorf("code %s: no geometry", code)
	}
	b, err := wkb.Marshal(ft.Geometry)
	if err != nil {
		return store.TerritoryRow{}, fmt.Errorf("code %s: %w", code, err)
	}
	row := store.TerritoryRow{Index: ft.Index, WKB: b,
		Territory: territory.Territory{Level: opt.Level, Code: code, Name: name, FID: territory.FeatureID(opt.Level, code)}}
	for _, pl := range opt.Level.Parents() {
		var pc string
		if f, ok := opt.ParentFields[pl]; ok {
			pc = territory.NormaliseCode(pl, ft.Properties[f])
		} else if p, ok := parents[code]; ok && p[pl] != "" {
			pc = p[pl]
		} else if c, ok := territory.ParentFromCode(opt.Level, code, pl); ok {
			pc = c
		}
		if pc == "" {
			continue
		}
		if err := territory.ValidateCode(pl, pc); err != nil {
			return store.TerritoryRow{}, fmt.Errorf("code %s: parent %s: %w", code, pl, err)
		}
		row.SetParent(pl, pc)
	}
	return row, nil
}

// readParentTable maps codes to parent codes from a CSV; a code listed
// several times (one row per commune, say) must always have the same parents.
// Its problems are ValueErrors, located by line like those of values.
func readParentTable(opt TerritoryOptions) (map[string]map[territory.Level]string, error) {
	if opt.ParentTable == "" {
		return nil, nil
	}
	in := newInput(opt.FS, opt.ParentTable)
	b, err := in.read()
	if err != nil {
		return nil, err
	}
	name := in.base()
	switch strings.ToLower(opt.ParentEncoding) {
	case "", "utf-8", "utf8":
	case "windows-1252", "cp1252", "1252":
		if b, err = charmap.Windows1252.NewDecoder().Bytes(b); err != nil {
			return nil, &ValueError{File: name, Err: err}
		}
	default:
		return nil, &ValueError{File: name, Err: fmt.Errorf("unknown encoding %q (utf-8 or windows-1252)", opt.ParentEncoding)}
	}
	for i := 0; i < opt.ParentSkip; i++ {
		nl := bytes.IndexByte(b, '\n')
		if nl < 0 {
			return nil, &ValueError{File: name, Err: fmt.Errorf("fewer than %d preamble lines", opt.ParentSkip)}
		}
		b = b[nl+1:]
	}
	r, err := newCSVReader(bytes.NewReader(b))
	if err != nil {
		return nil, &ValueError{File: name, Err: err}
	}
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, &ValueError{File: name, Line: 1 + opt.ParentSkip, Err: fmt.Errorf("header: %w", err)}
	}
	col := func(n string) (int, error) {
		for i, h := range header {
			if strings.TrimSpace(h) == n {
				return i, nil
			}
		}
		return 0, &ValueError{File: name, Line: 1 + opt.ParentSkip, Err: fmt.Errorf("no column %q (columns: %s)", n, strings.Join(header, ", "))}
	}
	key, err := col(opt.ParentKey)
	if err != nil {
		return nil, err
	}
	cols := map[territory.Level]int{}
	for l, c := range opt.ParentColumns {
		if cols[l], err = col(c); err != nil {
			return nil, err
		}
	}
	out := map[string]map[territory.Level]string{}
	line := 1 + opt.ParentSkip
	for {
		rec, err := r.Read()
		line++
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &ValueError{File: name, Line: line, Err: err}
		}
		if key >= len(rec) || strings.Trim(strings.Join(rec, ""), " ") == "" {
			continue // trailing empty lines such as INSEE's ";;;"
		}
		for _, i := range cols {
			if i >= len(rec) {
				return nil, &ValueError{File: name, Line: line, Err: fmt.Errorf("%d columns, expected at least %d", len(rec), i+1)}
			}
		}
		code := territory.NormaliseCode(opt.Level, rec[key])
		m := map[territory.Level]string{}
		for l, i := range cols {
			v := territory.NormaliseCode(l, rec[i])
			if l == territory.Region && v == "00" {
				v = "" // INSEE's "inter-regional": no single région
			}
			m[l] = v
		}
		if prev, ok := out[code]; ok {
			for l, v := range m {
				if prev[l] != v {
					return nil, &ValueError{File: name, Line: line, Err: fmt.Errorf("%s %s has %s %s here but %s earlier", opt.Level, code, l, v, prev[l])}
				}
			}
			continue
		}
		out[code] = m
	}
	return out, nil
}

// fingerprint hashes the input bytes (with a shapefile's companions) and the
// options, so that the same import is recognised without parsing. Each file
// is hashed after its base name, whether it is read from the OS filesystem
// or from opt.FS, so that the same files give the same fingerprint. The
// files' own sizes and hashes come with it, the dataset's provenance.
func fingerprint(opt TerritoryOptions) (string, []store.SourceFile, error) {
	h := sha256.New()
	type file struct {
		in   input
		name string // in.name or a companion in in.fsys
	}
	var files []file
	for _, f := range opt.Files {
		in := newInput(opt.FS, f)
		files = append(files, file{in, in.name})
		if strings.EqualFold(path.Ext(in.name), ".shp") {
			// The companions geofile.ReadShapefile reads, found the same
			// way; not the .shx, which only checks the .shp.
			for _, ext := range []string{".dbf", ".prj", ".cpg"} {
				if n := geofile.Sibling(in.fsys, in.name, ext); n != "" {
					files = append(files, file{in, n})
				}
			}
		}
	}
	if opt.ParentTable != "" {
		in := newInput(opt.FS, opt.ParentTable)
		files = append(files, file{in, in.name})
	}
	sources := make([]store.SourceFile, 0, len(files))
	for _, f := range files {
		r, err := f.in.fsys.Open(f.name)
		if err != nil {
			return "", nil, f.in.located(err)
		}
		fmt.Fprintf(h, "%s\x00", path.Base(f.name))
		fh := sha256.New()
		n, err := io.Copy(io.MultiWriter(h, fh), r)
		r.Close()
		if err != nil {
			return "", nil, fmt.Errorf("%s: %w", f.in.path(f.name), f.in.located(err))
		}
		sources = append(sources, store.SourceFile{Name: path.Base(f.name), Size: n, SHA256: hex.EncodeToString(fh.Sum(nil))})
	}
	rec, _ := json.Marshal(optionsRecord(opt))
	h.Write(rec)
	// Generalisation settings are part of what the rows mean.
	fmt.Fprintf(h, "tol=%g extent=%d algorithm=%d", Tolerance, territory.TileExtent, territory.GeneraliseVersion)
	return hex.EncodeToString(h.Sum(nil)), sources, nil
}

func optionsRecord(opt TerritoryOptions) map[string]any {
	pf := map[string]string{}
	for l, f := range opt.ParentFields {
		pf[string(l)] = f
	}
	pc := map[string]string{}
	for l, c := range opt.ParentColumns {
		pc[string(l)] = c
	}
	files := make([]string, len(opt.Files))
	for i, f := range opt.Files {
		files[i] = newInput(opt.FS, f).base()
	}
	sort.Strings(files)
	return map[string]any{
		"level": opt.Level, "files": files, "code_field": opt.CodeField, "name_field": opt.NameField,
		"srid": opt.SRID, "vintage": opt.Vintage, "attribution": opt.Attribution, "parent_fields": pf,
		"parent_table": newInput(opt.FS, opt.ParentTable).base(), "parent_key": opt.ParentKey, "parent_columns": pc,
		"parent_skip": opt.ParentSkip, "parent_encoding": opt.ParentEncoding, "dissolve": opt.Dissolve,
	}
}
