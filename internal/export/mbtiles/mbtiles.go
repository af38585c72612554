// Package mbtiles writes and reads MBTiles 1.3 files of vector tiles: one
// SQLite file (through modernc.org/sqlite, pure Go) with a `tiles` table
// of gzip-compressed MVT in TMS rows under a UNIQUE index, and a
// `metadata` table complete enough for GDAL, tippecanoe's tile-join and
// Martin (whose `mbtiles validate` also wants agg_tiles_hash).
//
// A Writer builds the file beside its destination and renames it into
// place at the end, so that a failed export leaves no half-written file;
// a Reader opens one read-only, for serving with no database.
package mbtiles

import (
	"context"
	"crypto/md5"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	_ "modernc.org/sqlite" // the "sqlite" driver of database/sql

	"github.com/atlas-sante-travail/atlas/internal/export/tileset"
)

// schema is the flat MBTiles schema: exactly four columns with tile_data a
// BLOB, and the unique index Martin looks for to call the file "flat".
const schema = `
CREATE TABLE metadata (name TEXT NOT NULL, value TEXT);
CREATE UNIQUE INDEX metadata_index ON metadata (name);
CREATE TABLE tiles (zoom_level INTEGER NOT NULL, tile_column INTEGER NOT NULL, tile_row INTEGER NOT NULL, tile_data BLOB);
CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);
`

// Writer writes one MBTiles file. Put the tiles, then Close with the
// metadata; Abort (or a failed Close) removes everything written.
type Writer struct {
	path, tmp string
	db        *sql.DB
	tx        *sql.Tx
	put       *sql.Stmt
	tiles     int
}

// Create starts an MBTiles file that Close will put at path (replacing a
// file there). Nothing appears at path before Close succeeds.
func Create(path string) (*Writer, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("mbtiles: %w", err)
	}
	tmp := f.Name()
	f.Close()
	w := &Writer{path: path, tmp: tmp}
	if err := w.open(); err != nil {
		w.Abort()
		return nil, err
	}
	return w, nil
}

func (w *Writer) open() error {
	db, err := sql.Open("sqlite", w.tmp)
	if err != nil {
		return fmt.Errorf("mbtiles: open %s: %w", w.tmp, err)
	}
	// One connection: the transaction and the pragmas must be on the same.
	db.SetMaxOpenConns(1)
	w.db = db
	// The file is renamed into place only when complete: no journal needed
	// while it is built.
	for _, q := range []string{"PRAGMA journal_mode = OFF", "PRAGMA synchronous = OFF", "PRAGMA page_size = 4096", "PRAGMA application_id = 0x4d504258"} {
		if _, err := db.Exec(q); err != nil {
			return fmt.Errorf("mbtiles: %s: %w", q, err)
		}
	}
	if _, err := db.Exec(schema); err != nil {
		return fmt.Errorf("mbtiles: schema: %w", err)
	}
	if w.tx, err = db.Begin(); err != nil {
		return fmt.Errorf("mbtiles: %w", err)
	}
	if w.put, err = w.tx.Prepare("INSERT INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?, ?, ?, ?)"); err != nil {
		return fmt.Errorf("mbtiles: %w", err)
	}
	return nil
}

// Put stores tile z/x/y (XYZ scheme, as served; the file gets the TMS row)
// whose data is gzip-compressed MVT. A tile put twice is an error.
func (w *Writer) Put(z, x, y int, data []byte) error {
	if err := tileset.CheckTile(z, x, y, data); err != nil {
		return fmt.Errorf("mbtiles: %w", err)
	}
	// A []byte argument is stored as a BLOB (a string would make TEXT,
	// which Martin refuses).
	if _, err := w.put.Exec(z, x, TMSRow(z, y), data); err != nil {
		return fmt.Errorf("mbtiles: tile %d/%d/%d: %w", z, x, y, err)
	}
	w.tiles++
	return nil
}

// TMSRow is the row of tile row y of zoom z in the TMS scheme MBTiles uses
// (row 0 at the south); the same formula goes both ways.
func TMSRow(z, y int) int { return 1<<z - 1 - y }

// Close writes the metadata and agg_tiles_hash, and moves the file into
// place. On error nothing is left at the destination.
func (w *Writer) Close(md tileset.Metadata) (tileset.Stats, error) {
	st, err := w.finish(md)
	if err != nil {
		w.Abort()
		return tileset.Stats{}, err
	}
	return st, nil
}

func (w *Writer) finish(md tileset.Metadata) (tileset.Stats, error) {
	if err := md.Check(); err != nil {
		return tileset.Stats{}, fmt.Errorf("mbtiles: %w", err)
	}
	rows, err := metadataRows(md)
	if err != nil {
		return tileset.Stats{}, err
	}
	hash, err := aggTilesHash(w.tx)
	if err != nil {
		return tileset.Stats{}, err
	}
	rows = append(rows, [2]string{"agg_tiles_hash", hash})
	for _, r := range rows {
		if _, err := w.tx.Exec("INSERT INTO metadata (name, value) VALUES (?, ?)", r[0], r[1]); err != nil {
			return tileset.Stats{}, fmt.Errorf("mbtiles: metadata %s: %w", r[0], err)
		}
	}
	w.put.Close()
	err = w.tx.Commit()
	w.tx = nil
	if err != nil {
		return tileset.Stats{}, fmt.Errorf("mbtiles: commit: %w", err)
	}
	// Back to the default journal, so that readers and tools that write
	// (Martin's --agg-hash update) find an ordinary database.
	if _, err := w.db.Exec("PRAGMA journal_mode = DELETE"); err != nil {
		return tileset.Stats{}, fmt.Errorf("mbtiles: %w", err)
	}
	err = w.db.Close()
	w.db = nil
	if err != nil {
		return tileset.Stats{}, fmt.Errorf("mbtiles: close: %w", err)
	}
	// CreateTemp made it private; an export is for others to read.
	if err := os.Chmod(w.tmp, 0o644); err != nil {
		return tileset.Stats{}, fmt.Errorf("mbtiles: %w", err)
	}
	if err := os.Rename(w.tmp, w.path); err != nil {
		return tileset.Stats{}, fmt.Errorf("mbtiles: %w", err)
	}
	fi, err := os.Stat(w.path)
	if err != nil {
		return tileset.Stats{}, fmt.Errorf("mbtiles: %w", err)
	}
	return tileset.Stats{Path: w.path, Tiles: w.tiles, Bytes: fi.Size()}, nil
}

// Abort drops the file being written. It is safe after Close.
func (w *Writer) Abort() {
	if w.tx != nil {
		w.tx.Rollback()
		w.tx = nil
	}
	if w.db != nil {
		w.db.Close()
		w.db = nil
	}
	os.Remove(w.tmp)
}

// jsonMetadata is the `json` row: what GDAL needs to see any layer at all
// (without it a file opens "successfully" with none).
type jsonMetadata struct {
	VectorLayers []tileset.VectorLayer `json:"vector_layers"`
}

// metadataRows are the metadata table's rows, in a stable order: numbers
// as text, bounds "W,S,E,N" and center "lon,lat,zoom" as the spec says.
func metadataRows(md tileset.Metadata) ([][2]string, error) {
	js, err := json.Marshal(jsonMetadata{VectorLayers: md.VectorLayers})
	if err != nil {
		return nil, fmt.Errorf("mbtiles: json metadata: %w", err)
	}
	typ := md.Type
	if typ == "" {
		typ = "overlay"
	}
	version := md.Version
	if version == "" {
		version = "1.0.0"
	}
	rows := [][2]string{
		{"name", md.Name},
		{"format", "pbf"},
		{"bounds", joinFloats(md.Bounds[:])},
		{"center", joinFloats(md.Center[:2]) + "," + strconv.Itoa(int(md.Center[2]))},
		{"minzoom", strconv.Itoa(md.MinZoom)},
		{"maxzoom", strconv.Itoa(md.MaxZoom)},
		{"type", typ},
		{"version", version},
		{"description", md.Description},
		{"attribution", md.Attribution},
		{"scheme", "tms"},
		{"json", string(js)},
	}
	for _, k := range slices.Sorted(maps.Keys(md.Extra)) {
		if reserved[k] {
			return nil, fmt.Errorf("mbtiles: metadata %s is written from the tile set's own fields", k)
		}
		rows = append(rows, [2]string{k, md.Extra[k]})
	}
	return rows, nil
}

var reserved = map[string]bool{"name": true, "format": true, "bounds": true, "center": true, "minzoom": true, "maxzoom": true,
	"type": true, "version": true, "description": true, "attribution": true, "scheme": true, "json": true, "agg_tiles_hash": true}

func joinFloats(fs []float64) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strings.Join(parts, ",")
}

// querier is what aggTilesHash reads through: the writer's transaction or
// a reader's database.
type querier interface {
	Query(query string, args ...any) (*sql.Rows, error)
}

// aggTilesHash is Martin's agg_tiles_hash: the MD5, in upper-case hex, of
// every tile's zoom, column and row as decimal text followed by its data,
// in the order of zoom, column and row (md5_concat_hex over the table).
// An empty table hashes the empty string.
func aggTilesHash(q querier) (string, error) {
	rows, err := q.Query("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles ORDER BY zoom_level, tile_column, tile_row")
	if err != nil {
		return "", fmt.Errorf("mbtiles: agg_tiles_hash: %w", err)
	}
	defer rows.Close()
	h := md5.New()
	var buf []byte
	for rows.Next() {
		var z, x, y int64
		var data []byte
		if err := rows.Scan(&z, &x, &y, &data); err != nil {
			return "", fmt.Errorf("mbtiles: agg_tiles_hash: %w", err)
		}
		buf = strconv.AppendInt(buf[:0], z, 10)
		buf = strconv.AppendInt(buf, x, 10)
		buf = strconv.AppendInt(buf, y, 10)
		h.Write(buf)
		h.Write(data)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("mbtiles: agg_tiles_hash: %w", err)
	}
	return strings.ToUpper(hex.EncodeToString(h.Sum(nil))), nil
}

// Reader reads an MBTiles file, read-only, through one shared *sql.DB:
// safe for concurrent use by every request of a server.
type Reader struct {
	path string
	db   *sql.DB
	get  *sql.Stmt
	md   tileset.Metadata
}

// Open opens an MBTiles file of vector tiles read-only and reads its
// metadata; a file that is not one (no tiles table, format not pbf, no
// vector_layers) is an error naming what is missing.
func Open(path string) (*Reader, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("mbtiles: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("mbtiles: %w", err)
	}
	// mode=ro: never written, even by accident; immutable would skip
	// locking, but a file replaced under a running server must not be
	// read half-old.
	db, err := sql.Open("sqlite", "file:"+abs+"?mode=ro&_pragma=query_only(1)")
	if err != nil {
		return nil, fmt.Errorf("mbtiles: open %s: %w", path, err)
	}
	r := &Reader{path: path, db: db}
	if err := r.load(); err != nil {
		db.Close()
		return nil, fmt.Errorf("mbtiles: %s: %w", path, err)
	}
	return r, nil
}

func (r *Reader) load() error {
	rows, err := r.db.Query("SELECT name, value FROM metadata")
	if err != nil {
		return fmt.Errorf("not an MBTiles file: %w", err)
	}
	defer rows.Close()
	kv := map[string]string{}
	for rows.Next() {
		var k string
		var v sql.NullString
		if err := rows.Scan(&k, &v); err != nil {
			return err
		}
		kv[k] = v.String
	}
	if err := rows.Err(); err != nil {
		return err
	}
	md, err := parseMetadata(kv)
	if err != nil {
		return err
	}
	r.md = md
	if r.get, err = r.db.Prepare("SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?"); err != nil {
		return fmt.Errorf("not an MBTiles file: %w", err)
	}
	return nil
}

// parseMetadata reads the metadata rows back into a tile set description.
func parseMetadata(kv map[string]string) (tileset.Metadata, error) {
	if f := kv["format"]; f != "pbf" {
		return tileset.Metadata{}, fmt.Errorf("metadata format is %q: only vector tiles (pbf) are served", f)
	}
	md := tileset.Metadata{Name: kv["name"], Description: kv["description"], Attribution: kv["attribution"],
		Version: kv["version"], Type: kv["type"], Extra: map[string]string{}}
	var err error
	if md.MinZoom, err = strconv.Atoi(kv["minzoom"]); err != nil {
		return md, fmt.Errorf("metadata minzoom %q: %w", kv["minzoom"], err)
	}
	if md.MaxZoom, err = strconv.Atoi(kv["maxzoom"]); err != nil {
		return md, fmt.Errorf("metadata maxzoom %q: %w", kv["maxzoom"], err)
	}
	if err := parseFloats(kv["bounds"], md.Bounds[:]); err != nil {
		return md, fmt.Errorf("metadata bounds %q: %w", kv["bounds"], err)
	}
	if err := parseFloats(kv["center"], md.Center[:]); err != nil {
		return md, fmt.Errorf("metadata center %q: %w", kv["center"], err)
	}
	var js jsonMetadata
	if err := json.Unmarshal([]byte(kv["json"]), &js); err != nil {
		return md, fmt.Errorf("metadata json: %w", err)
	}
	md.VectorLayers = js.VectorLayers
	for k, v := range kv {
		if !reserved[k] {
			md.Extra[k] = v
		}
	}
	if err := md.Check(); err != nil {
		return md, err
	}
	return md, nil
}

func parseFloats(s string, out []float64) error {
	parts := strings.Split(s, ",")
	if len(parts) != len(out) {
		return fmt.Errorf("%d numbers, want %d", len(parts), len(out))
	}
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return err
		}
		out[i] = f
	}
	return nil
}

// Path is the file read.
func (r *Reader) Path() string { return r.path }

// Metadata is the file's description of its tiles.
func (r *Reader) Metadata() tileset.Metadata { return r.md }

// Tile returns tile z/x/y (XYZ scheme) as stored, gzip-compressed; nil
// when the file holds no such tile.
func (r *Reader) Tile(ctx context.Context, z, x, y int) ([]byte, error) {
	if z < 0 || z > 30 || y < 0 || y >= 1<<z {
		return nil, nil
	}
	var data []byte
	err := r.get.QueryRowContext(ctx, z, x, TMSRow(z, y)).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("mbtiles: %s: tile %d/%d/%d: %w", r.path, z, x, y, err)
	}
	return data, nil
}

// AggTilesHash recomputes agg_tiles_hash over the stored tiles, to compare
// with the metadata's (what `martin mbtiles validate` does).
func (r *Reader) AggTilesHash() (string, error) { return aggTilesHash(r.db) }

// Each calls fn for every stored tile in the order of zoom, column and
// row, with XYZ coordinates.
func (r *Reader) Each(ctx context.Context, fn func(z, x, y int, data []byte) error) error {
	rows, err := r.db.QueryContext(ctx, "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles ORDER BY zoom_level, tile_column, tile_row")
	if err != nil {
		return fmt.Errorf("mbtiles: %s: %w", r.path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var z, x, row int
		var data []byte
		if err := rows.Scan(&z, &x, &row, &data); err != nil {
			return fmt.Errorf("mbtiles: %s: %w", r.path, err)
		}
		if err := fn(z, x, TMSRow(z, row), data); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Close closes the file.
func (r *Reader) Close() error { return r.db.Close() }
