package admin

import (
	"archive/zip"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/atlas-sante-travail/atlas/internal/importer"
	"github.com/atlas-sante-travail/atlas/internal/importer/geofile"
	"github.com/atlas-sante-travail/atlas/internal/store"
)

// InputError is a problem in an uploaded file that its author can fix,
// located as the importer located it: the part of the upload ("meta",
// "values", "file", "parent-table"), the file, and the line and column
// (CSV), the field (metadata) or the feature (geometry) at fault.
type InputError struct {
	Part   string
	File   string
	Line   int    // 1-based; 0: not tied to a line
	Column int    // 1-based column number; 0: the whole line
	Field  string // the CSV column's header, or the metadata field
	// Feature is the index of the feature in its file; -1: not tied to
	// one.
	Feature int
	Err     error
}

func (e *InputError) Error() string {
	return fmt.Sprintf("%s (%s): %v", e.Part, e.File, e.Err)
}

// Unwrap gives the importer's error.
func (e *InputError) Unwrap() error { return e.Err }

// Reason is the cause alone, without the location the other fields give.
func (e *InputError) Reason() string {
	var ve *importer.ValueError
	var me *importer.MetaError
	var fe *geofile.FileError
	var se *store.FeatureError
	switch {
	case errors.As(e.Err, &ve):
		return ve.Err.Error()
	case errors.As(e.Err, &me):
		return me.Err.Error()
	case errors.As(e.Err, &se):
		if se.Code != "" {
			return fmt.Sprintf("code %s: %v", se.Code, se.Err)
		}
		return se.Err.Error()
	case errors.As(e.Err, &fe):
		return fe.Err.Error()
	case errors.As(e.Err, new(*fs.PathError)):
		return "file missing (a shapefile needs its .shp, .shx and .dbf side by side)"
	}
	return e.Err.Error()
}

// classify turns the importer's located errors into an *InputError, the
// part named by partOf from the file's name; other errors (the database,
// a cancelled request) are returned as they are.
func classify(err error, partOf func(file string) string) error {
	ie := &InputError{Feature: -1, Err: err}
	var ve *importer.ValueError
	var me *importer.MetaError
	var fe *geofile.FileError
	var se *store.FeatureError
	var pe *fs.PathError
	switch {
	case errors.As(err, &ve):
		ie.File, ie.Line, ie.Column, ie.Field = ve.File, ve.Line, ve.Col, ve.Column
	case errors.As(err, &me):
		ie.File, ie.Field = me.File, me.Field
	case errors.As(err, &se):
		// After the geometry reached PostGIS: the importer names the
		// files in its message, the feature by its index over them.
		ie.Feature = se.Index
	case errors.As(err, &fe):
		ie.File, ie.Feature = fe.File, fe.Feature
	case errors.As(err, &pe):
		ie.File = pe.Path
	default:
		return err
	}
	ie.File = baseName(ie.File)
	ie.Part = partOf(ie.File)
	return ie
}

// baseName is a file's name without directories, as the importer names
// files in its records and messages.
func baseName(name string) string {
	if name == "" {
		return ""
	}
	return path.Base(filepath.ToSlash(name))
}

// Archive is an uploaded territory file opened for the importer: FS holds
// Files, the GeoJSON or shapefiles to import.
type Archive struct {
	FS    fs.FS
	Files []string
	close func() error
}

// Close releases the archive.
func (a *Archive) Close() error {
	if a.close == nil {
		return nil
	}
	return a.close()
}

// OpenTerritoryFile opens an uploaded territory file, name (slash
// separated) in the upload's directory dir: a GeoJSON (.geojson, .json)
// as it is, or a zip archive of shapefiles (with their .shx, .dbf, .prj,
// .cpg) or GeoJSON files, read in place through zip's fs.FS with nothing
// extracted. The archive's FS also serves the other files of dir (a
// parent table) under their names there. maxUnpacked bounds what the
// entries may expand to, so that a small archive cannot make the importer
// read gigabytes (archive/zip refuses an entry holding more than it
// declares).
func OpenTerritoryFile(dir, name string, maxUnpacked int64) (*Archive, error) {
	fail := func(err error) error { return &InputError{Part: "file", File: baseName(name), Feature: -1, Err: err} }
	switch strings.ToLower(path.Ext(name)) {
	case ".geojson", ".json":
		return &Archive{FS: os.DirFS(dir), Files: []string{name}}, nil
	case ".zip":
	default:
		return nil, fail(errors.New("unsupported file type: expected .geojson, .json or a .zip of shapefiles"))
	}
	zr, err := zip.OpenReader(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		return nil, fail(fmt.Errorf("not a readable zip archive: %w", err))
	}
	var total uint64
	var found []string
	for _, f := range zr.File {
		total += f.UncompressedSize64
		n := f.Name
		if strings.HasPrefix(n, "__MACOSX/") || strings.HasPrefix(path.Base(n), ".") || f.FileInfo().IsDir() {
			continue
		}
		switch strings.ToLower(path.Ext(n)) {
		case ".shp", ".geojson", ".json":
			found = append(found, n)
		}
	}
	switch {
	case total > uint64(maxUnpacked):
		zr.Close()
		return nil, fail(fmt.Errorf("the archive expands to %d bytes, more than the %d allowed", total, maxUnpacked))
	case len(found) == 0:
		zr.Close()
		return nil, fail(errors.New("the archive holds no .shp, .geojson or .json file"))
	}
	// Names the zip's fs.FS refuses (absolute, "..") would fail later
	// with a less helpful message.
	for _, n := range found {
		if !fs.ValidPath(n) {
			zr.Close()
			return nil, fail(fmt.Errorf("invalid name %q in the archive", n))
		}
	}
	return &Archive{FS: overlay{zr, os.DirFS(dir)}, Files: found, close: zr.Close}, nil
}

// overlay serves a name from its first FS, else from its second.
type overlay [2]fs.FS

func (o overlay) Open(name string) (fs.File, error) {
	f, err := o[0].Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return o[1].Open(name)
	}
	return f, err
}
