// Package gpkg writes GeoPackage 1.3 files (OGC 12-128r17): one feature
// table of polygons with its spatial reference system, contents bounds,
// geometry column, an R*Tree spatial index and the attribute columns the
// caller names. It takes plain values (go-geom geometries, numbers and
// strings), so that the format is testable without a database; the file is
// SQLite, written with modernc.org/sqlite (pure Go).
//
// A file is written under a temporary name beside its destination and
// renamed into place by Close: a failed or abandoned export leaves nothing,
// and a reader never sees half a file.
package gpkg

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/wkb"

	// The SQLite driver, registered as "sqlite".
	_ "modernc.org/sqlite"
)

const (
	// applicationID is "GPKG" in ASCII, as PRAGMA application_id.
	applicationID = 0x47504B47
	// userVersion is GeoPackage 1.3.0, as PRAGMA user_version.
	userVersion = 10300
)

// SRS is a spatial reference system, as a row of gpkg_spatial_ref_sys.
type SRS struct {
	ID           int    // srs_id, the value geometries carry: the EPSG code for EPSG systems
	Name         string // "RGF93 v1 / Lambert-93"
	Organization string // "EPSG"
	OrgID        int    // the organisation's code
	Definition   string // OGC WKT (WKT1), as PostGIS's spatial_ref_sys.srtext
	Description  string
}

// WGS84 is EPSG:4326, a row every GeoPackage holds.
var WGS84 = SRS{ID: 4326, Name: "WGS 84 geodetic", Organization: "EPSG", OrgID: 4326,
	Definition:  `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]`,
	Description: "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"}

// Lambert93 is EPSG:2154 (RGF93 / Lambert-93), the projection French GIS
// users work in for metropolitan France, as PostGIS's spatial_ref_sys
// defines it.
var Lambert93 = SRS{ID: 2154, Name: "RGF93 / Lambert-93", Organization: "EPSG", OrgID: 2154,
	Definition:  `PROJCS["RGF93 / Lambert-93",GEOGCS["RGF93",DATUM["Reseau_Geodesique_Francais_1993",SPHEROID["GRS 1980",6378137,298.257222101,AUTHORITY["EPSG","7019"]],TOWGS84[0,0,0,0,0,0,0],AUTHORITY["EPSG","6171"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4171"]],PROJECTION["Lambert_Conformal_Conic_2SP"],PARAMETER["standard_parallel_1",49],PARAMETER["standard_parallel_2",44],PARAMETER["latitude_of_origin",46.5],PARAMETER["central_meridian",3],PARAMETER["false_easting",700000],PARAMETER["false_northing",6600000],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["X",EAST],AXIS["Y",NORTH],AUTHORITY["EPSG","2154"]]`,
	Description: "Lambert conformal conic projection of metropolitan France, in metres"}

// ColumnType is the SQLite type of an attribute column, one of those the
// GeoPackage specification allows.
type ColumnType string

// The column types used here.
const (
	Text    ColumnType = "TEXT"
	Real    ColumnType = "REAL"
	Integer ColumnType = "INTEGER"
)

// Column is an attribute column of the feature table.
type Column struct {
	Name    string
	Type    ColumnType
	NotNull bool
	// Title and Description go to gpkg_data_columns, which QGIS shows as
	// the field's alias and comment; empty ones are not written.
	Title       string
	Description string
}

// Layer describes the feature table.
type Layer struct {
	// Table is the table's name: a letter then letters, digits or "_".
	Table       string
	Identifier  string // a human-readable name, gpkg_contents.identifier
	Description string
	SRS         SRS
	Columns     []Column
}

// Feature is one row: its feature id (unique, positive), a polygon or
// multipolygon in the layer's SRS (nil for no geometry) and one value per
// column, in the columns' order: string, float64, int64, int, bool, nil,
// or a pointer to one of those (nil pointer: NULL).
type Feature struct {
	ID       int64
	Geometry geom.T
	Values   []any
}

// Writer writes one GeoPackage. Create it, Add features, then Close to put
// the file in place; Abort (safe after Close) drops everything otherwise.
type Writer struct {
	path, tmp string
	layer     Layer
	db        *sql.DB
	tx        *sql.Tx
	insert    *sql.Stmt
	rtree     *sql.Stmt
	bounds    [4]float64 // min x, min y, max x, max y
	count     int
	done      bool
}

var identRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// quoteIdent quotes a checked identifier for SQL.
func quoteIdent(s string) string { return `"` + s + `"` }

// geometryColumn is the name of the feature table's geometry column, and
// fidColumn of its primary key, as GDAL names them.
const (
	geometryColumn = "geom"
	fidColumn      = "fid"
)

// check tells what is wrong with a layer's description.
func (l Layer) check() error {
	if !identRe.MatchString(l.Table) || strings.HasPrefix(strings.ToLower(l.Table), "gpkg_") || strings.HasPrefix(strings.ToLower(l.Table), "rtree_") {
		return fmt.Errorf("table name %q: a letter then letters, digits or _, not gpkg_ or rtree_", l.Table)
	}
	if l.SRS.ID == 0 || l.SRS.Organization == "" || l.SRS.Definition == "" {
		return fmt.Errorf("srs %d: id, organization and definition are required", l.SRS.ID)
	}
	seen := map[string]bool{fidColumn: true, geometryColumn: true}
	for _, c := range l.Columns {
		if !identRe.MatchString(c.Name) || seen[strings.ToLower(c.Name)] {
			return fmt.Errorf("column name %q: invalid or repeated", c.Name)
		}
		seen[strings.ToLower(c.Name)] = true
		switch c.Type {
		case Text, Real, Integer:
		default:
			return fmt.Errorf("column %s: type %q (TEXT, REAL or INTEGER)", c.Name, c.Type)
		}
	}
	return nil
}

// Create starts a GeoPackage that Close will put at path, replacing any
// file there. Nothing appears at path before Close succeeds.
func Create(ctx context.Context, path string, layer Layer) (*Writer, error) {
	if err := layer.check(); err != nil {
		return nil, fmt.Errorf("gpkg: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("gpkg: %w", err)
	}
	tmp := f.Name()
	f.Close()
	w := &Writer{path: path, tmp: tmp, layer: layer,
		bounds: [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}}
	if err := w.open(ctx); err != nil {
		w.Abort()
		return nil, fmt.Errorf("gpkg %s: %w", path, err)
	}
	return w, nil
}

func (w *Writer) open(ctx context.Context) error {
	// One connection: the pragmas and the transaction must share it.
	db, err := sql.Open("sqlite", "file:"+w.tmp+"?_pragma=journal_mode(OFF)&_pragma=synchronous(OFF)")
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(1)
	w.db = db
	for _, q := range []string{
		fmt.Sprintf("PRAGMA application_id = %d", applicationID),
		fmt.Sprintf("PRAGMA user_version = %d", userVersion),
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	if w.tx, err = db.BeginTx(ctx, nil); err != nil {
		return err
	}
	if err := w.schema(ctx); err != nil {
		return err
	}
	cols := []string{fidColumn, geometryColumn}
	marks := []string{"?", "?"}
	for _, c := range w.layer.Columns {
		cols = append(cols, quoteIdent(c.Name))
		marks = append(marks, "?")
	}
	w.insert, err = w.tx.PrepareContext(ctx, fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)",
		quoteIdent(w.layer.Table), strings.Join(cols, ", "), strings.Join(marks, ", ")))
	if err != nil {
		return fmt.Errorf("prepare insert: %w", err)
	}
	w.rtree, err = w.tx.PrepareContext(ctx, fmt.Sprintf("INSERT INTO %s VALUES (?, ?, ?, ?, ?)", quoteIdent(w.rtreeTable())))
	if err != nil {
		return fmt.Errorf("prepare rtree insert: %w", err)
	}
	return nil
}

func (w *Writer) rtreeTable() string { return "rtree_" + w.layer.Table + "_" + geometryColumn }

// schema creates the GeoPackage's tables (clause 1.1) and the layer's.
func (w *Writer) schema(ctx context.Context) error {
	l := w.layer
	stmts := []string{
		`CREATE TABLE gpkg_spatial_ref_sys (
			srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
			organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)`,
		`CREATE TABLE gpkg_contents (
			table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '',
			last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
			min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
			CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))`,
		`CREATE TABLE gpkg_geometry_columns (
			table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
			srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
			CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
			CONSTRAINT uk_gc_table_name UNIQUE (table_name),
			CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
			CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))`,
		`CREATE TABLE gpkg_extensions (
			table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL,
			CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))`,
		`CREATE TABLE gpkg_data_columns (
			table_name TEXT NOT NULL, column_name TEXT NOT NULL, name TEXT, title TEXT, description TEXT,
			mime_type TEXT, constraint_name TEXT,
			CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name),
			CONSTRAINT gdc_tn UNIQUE (table_name, name))`,
	}
	cols := []string{fidColumn + " INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL", geometryColumn + " MULTIPOLYGON"}
	for _, c := range l.Columns {
		d := quoteIdent(c.Name) + " " + string(c.Type)
		if c.NotNull {
			d += " NOT NULL"
		}
		cols = append(cols, d)
	}
	stmts = append(stmts,
		fmt.Sprintf("CREATE TABLE %s (%s)", quoteIdent(l.Table), strings.Join(cols, ", ")),
		fmt.Sprintf("CREATE VIRTUAL TABLE %s USING rtree(id, minx, maxx, miny, maxy)", quoteIdent(w.rtreeTable())))
	for _, q := range stmts {
		if _, err := w.tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("create tables: %w", err)
		}
	}
	// The rows every GeoPackage has (clause 1.1.2.1.2), then the layer's
	// system unless it is one of them.
	srs := []SRS{
		WGS84,
		{ID: -1, Name: "Undefined cartesian SRS", Organization: "NONE", OrgID: -1, Definition: "undefined", Description: "undefined cartesian coordinate reference system"},
		{ID: 0, Name: "Undefined geographic SRS", Organization: "NONE", OrgID: 0, Definition: "undefined", Description: "undefined geographic coordinate reference system"},
	}
	if l.SRS.ID != WGS84.ID {
		srs = append(srs, l.SRS)
	}
	for _, s := range srs {
		if _, err := w.tx.ExecContext(ctx, `INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, organization_coordsys_id, definition, description)
			VALUES (?, ?, ?, ?, ?, ?)`, s.Name, s.ID, s.Organization, s.OrgID, s.Definition, s.Description); err != nil {
			return fmt.Errorf("spatial reference system %d: %w", s.ID, err)
		}
	}
	identifier := l.Identifier
	if identifier == "" {
		identifier = l.Table
	}
	if _, err := w.tx.ExecContext(ctx, `INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES (?, 'features', ?, ?, ?)`,
		l.Table, identifier, l.Description, l.SRS.ID); err != nil {
		return fmt.Errorf("contents: %w", err)
	}
	if _, err := w.tx.ExecContext(ctx, `INSERT INTO gpkg_geometry_columns VALUES (?, ?, 'MULTIPOLYGON', ?, 0, 0)`, l.Table, geometryColumn, l.SRS.ID); err != nil {
		return fmt.Errorf("geometry column: %w", err)
	}
	if _, err := w.tx.ExecContext(ctx, `INSERT INTO gpkg_extensions VALUES (?, ?, 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')`,
		l.Table, geometryColumn); err != nil {
		return fmt.Errorf("extensions: %w", err)
	}
	for _, c := range l.Columns {
		if c.Title == "" && c.Description == "" {
			continue
		}
		if _, err := w.tx.ExecContext(ctx, `INSERT INTO gpkg_data_columns (table_name, column_name, name, title, description) VALUES (?, ?, ?, ?, ?)`,
			l.Table, c.Name, c.Name, nullIfEmpty(c.Title), nullIfEmpty(c.Description)); err != nil {
			return fmt.Errorf("data columns: %w", err)
		}
	}
	if len(l.Columns) > 0 {
		// Declared here, as clause 2.3 (schema extension) requires.
		if _, err := w.tx.ExecContext(ctx, `INSERT INTO gpkg_extensions VALUES ('gpkg_data_columns', NULL, 'gpkg_schema', 'http://www.geopackage.org/spec/#extension_schema', 'read-write')`); err != nil {
			return fmt.Errorf("extensions: %w", err)
		}
	}
	return nil
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Add writes one feature.
func (w *Writer) Add(ctx context.Context, f Feature) error {
	if w.done {
		return errors.New("gpkg: Add after Close or Abort")
	}
	if len(f.Values) != len(w.layer.Columns) {
		return fmt.Errorf("gpkg: feature %d: %d values for %d columns", f.ID, len(f.Values), len(w.layer.Columns))
	}
	if f.ID <= 0 {
		return fmt.Errorf("gpkg: feature id %d: must be positive", f.ID)
	}
	args := make([]any, 0, 2+len(f.Values))
	var env *[4]float64
	if f.Geometry == nil {
		args = append(args, nil)
	} else {
		mp, err := multiPolygon(f.Geometry)
		if err != nil {
			return fmt.Errorf("gpkg: feature %d: %w", f.ID, err)
		}
		blob, e, err := encode(mp, w.layer.SRS.ID)
		if err != nil {
			return fmt.Errorf("gpkg: feature %d: %w", f.ID, err)
		}
		args = append(args, blob)
		env = e
	}
	args = append([]any{f.ID}, args...)
	for i, v := range f.Values {
		a, err := sqlValue(v)
		if err != nil {
			return fmt.Errorf("gpkg: feature %d, column %s: %w", f.ID, w.layer.Columns[i].Name, err)
		}
		args = append(args, a)
	}
	if _, err := w.insert.ExecContext(ctx, args...); err != nil {
		return fmt.Errorf("gpkg: feature %d: %w", f.ID, err)
	}
	if env != nil {
		// The index is filled as GDAL fills it, without triggers, which
		// would need its ST_ functions (SQLite has none).
		if _, err := w.rtree.ExecContext(ctx, f.ID, env[0], env[2], env[1], env[3]); err != nil {
			return fmt.Errorf("gpkg: feature %d: spatial index: %w", f.ID, err)
		}
		w.bounds[0] = math.Min(w.bounds[0], env[0])
		w.bounds[1] = math.Min(w.bounds[1], env[1])
		w.bounds[2] = math.Max(w.bounds[2], env[2])
		w.bounds[3] = math.Max(w.bounds[3], env[3])
	}
	w.count++
	return nil
}

// Count is the number of features added so far.
func (w *Writer) Count() int { return w.count }

// Bounds is the extent of the features added so far (min x, min y, max x,
// max y in the layer's SRS); ok is false while none has a geometry.
func (w *Writer) Bounds() (b [4]float64, ok bool) { return w.bounds, w.bounds[0] <= w.bounds[2] }

// multiPolygon is g as a MultiPolygon: the one geometry type of the layer.
func multiPolygon(g geom.T) (*geom.MultiPolygon, error) {
	if g.Layout() != geom.XY {
		return nil, fmt.Errorf("geometry layout %v: only XY is written", g.Layout())
	}
	switch g := g.(type) {
	case *geom.MultiPolygon:
		return g, nil
	case *geom.Polygon:
		mp := geom.NewMultiPolygon(geom.XY)
		if err := mp.Push(g); err != nil {
			return nil, err
		}
		return mp, nil
	}
	return nil, fmt.Errorf("geometry %T: a polygon or multipolygon is expected", g)
}

// encode is a GeoPackage binary geometry (clause 2.1.3): the "GP" header
// with the srs id and the XY envelope, then standard little-endian WKB.
// The envelope is nil for an empty geometry, which the header flags.
func encode(g *geom.MultiPolygon, srsID int) ([]byte, *[4]float64, error) {
	raw, err := wkb.Marshal(g, binary.LittleEndian)
	if err != nil {
		return nil, nil, fmt.Errorf("wkb: %w", err)
	}
	const littleEndian, envelopeXY, empty = 0x01, 0x01 << 1, 0x01 << 4
	if g.Empty() {
		out := make([]byte, 0, 8+len(raw))
		out = append(out, 'G', 'P', 0, littleEndian|empty)
		out = binary.LittleEndian.AppendUint32(out, uint32(int32(srsID)))
		return append(out, raw...), nil, nil
	}
	b := g.Bounds()
	env := [4]float64{b.Min(0), b.Min(1), b.Max(0), b.Max(1)}
	out := make([]byte, 0, 40+len(raw))
	out = append(out, 'G', 'P', 0, littleEndian|envelopeXY)
	out = binary.LittleEndian.AppendUint32(out, uint32(int32(srsID)))
	// The header's envelope is min x, max x, min y, max y.
	for _, v := range []float64{env[0], env[2], env[1], env[3]} {
		out = binary.LittleEndian.AppendUint64(out, math.Float64bits(v))
	}
	return append(out, raw...), &env, nil
}

// sqlValue is a column value as the driver binds it.
func sqlValue(v any) (any, error) {
	switch v := v.(type) {
	case nil, string, float64, int64, int, bool:
		return v, nil
	case *string:
		if v == nil {
			return nil, nil
		}
		return *v, nil
	case *float64:
		if v == nil {
			return nil, nil
		}
		return *v, nil
	case *int64:
		if v == nil {
			return nil, nil
		}
		return *v, nil
	case *int:
		if v == nil {
			return nil, nil
		}
		return *v, nil
	case *bool:
		if v == nil {
			return nil, nil
		}
		return *v, nil
	}
	return nil, fmt.Errorf("value of type %T", v)
}

// Close writes the layer's bounds, commits, and puts the file at its path.
// On an error the temporary file is removed and nothing is at the path.
func (w *Writer) Close(ctx context.Context) error {
	if w.done {
		return errors.New("gpkg: Close after Close or Abort")
	}
	err := w.finish(ctx)
	if err != nil {
		w.Abort()
		return fmt.Errorf("gpkg %s: %w", w.path, err)
	}
	return nil
}

func (w *Writer) finish(ctx context.Context) error {
	if b, ok := w.Bounds(); ok {
		if _, err := w.tx.ExecContext(ctx, `UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE table_name = ?`,
			b[0], b[1], b[2], b[3], w.layer.Table); err != nil {
			return fmt.Errorf("contents bounds: %w", err)
		}
	}
	if err := w.triggers(ctx); err != nil {
		return err
	}
	w.insert.Close()
	w.rtree.Close()
	if err := w.tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	w.tx = nil
	if _, err := w.db.ExecContext(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	if err := w.db.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	w.db = nil
	if err := syncFile(w.tmp); err != nil {
		return err
	}
	// CreateTemp made it private; an export is for others to read.
	if err := os.Chmod(w.tmp, 0o644); err != nil {
		return err
	}
	if err := os.Rename(w.tmp, w.path); err != nil {
		return err
	}
	w.done = true
	return nil
}

// triggers keep the spatial index in step with later edits (clause F.3,
// as GeoPackage 1.3 words them), for the desktop tools that edit the file
// and provide the ST_ functions. They are created after the rows are in,
// so that they never fire here.
func (w *Writer) triggers(ctx context.Context) error {
	t, c, r := w.layer.Table, geometryColumn, w.rtreeTable()
	qt, qr := quoteIdent(t), quoteIdent(r)
	rtreeRow := "(NEW." + fidColumn + ", ST_MinX(NEW." + c + "), ST_MaxX(NEW." + c + "), ST_MinY(NEW." + c + "), ST_MaxY(NEW." + c + "))"
	stmts := []string{
		fmt.Sprintf(`CREATE TRIGGER "%[1]s_insert" AFTER INSERT ON %[2]s WHEN (new.%[3]s NOT NULL AND NOT ST_IsEmpty(NEW.%[3]s))
			BEGIN INSERT OR REPLACE INTO %[4]s VALUES %[5]s; END`, r, qt, c, qr, rtreeRow),
		fmt.Sprintf(`CREATE TRIGGER "%[1]s_update1" AFTER UPDATE OF %[3]s ON %[2]s WHEN OLD.%[6]s = NEW.%[6]s AND (NEW.%[3]s NOTNULL AND NOT ST_IsEmpty(NEW.%[3]s))
			BEGIN INSERT OR REPLACE INTO %[4]s VALUES %[5]s; END`, r, qt, c, qr, rtreeRow, fidColumn),
		fmt.Sprintf(`CREATE TRIGGER "%[1]s_update2" AFTER UPDATE OF %[3]s ON %[2]s WHEN OLD.%[5]s = NEW.%[5]s AND (NEW.%[3]s ISNULL OR ST_IsEmpty(NEW.%[3]s))
			BEGIN DELETE FROM %[4]s WHERE id = OLD.%[5]s; END`, r, qt, c, qr, fidColumn),
		fmt.Sprintf(`CREATE TRIGGER "%[1]s_update3" AFTER UPDATE ON %[2]s WHEN OLD.%[6]s != NEW.%[6]s AND (NEW.%[3]s NOTNULL AND NOT ST_IsEmpty(NEW.%[3]s))
			BEGIN DELETE FROM %[4]s WHERE id = OLD.%[6]s; INSERT OR REPLACE INTO %[4]s VALUES %[5]s; END`, r, qt, c, qr, rtreeRow, fidColumn),
		fmt.Sprintf(`CREATE TRIGGER "%[1]s_update4" AFTER UPDATE ON %[2]s WHEN OLD.%[5]s != NEW.%[5]s AND (NEW.%[3]s ISNULL OR ST_IsEmpty(NEW.%[3]s))
			BEGIN DELETE FROM %[4]s WHERE id IN (OLD.%[5]s, NEW.%[5]s); END`, r, qt, c, qr, fidColumn),
		fmt.Sprintf(`CREATE TRIGGER "%[1]s_delete" AFTER DELETE ON %[2]s WHEN old.%[3]s NOT NULL
			BEGIN DELETE FROM %[4]s WHERE id = OLD.%[5]s; END`, r, qt, c, qr, fidColumn),
	}
	for _, q := range stmts {
		if _, err := w.tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("spatial index triggers: %w", err)
		}
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Abort drops the file being written; after Close it does nothing.
func (w *Writer) Abort() {
	if w.done {
		return
	}
	w.done = true
	if w.tx != nil {
		w.tx.Rollback() //nolint:errcheck // the file is removed below
	}
	if w.db != nil {
		w.db.Close()
	}
	os.Remove(w.tmp)
}
