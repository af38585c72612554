package importer

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/atlas-sante-travail/atlas/internal/importer/geofile"
)

// input is one file named in the options: a path of the OS filesystem when
// the options have no FS, else a name in their FS. An OS path is read as its
// base name in os.DirFS of its directory, so that the command line and
// uploads (zip.Reader, fstest.MapFS) go through the same fs.FS readers.
type input struct {
	fsys fs.FS
	name string // in fsys
	// shown is the file as the user named it; prefix turns the name of a
	// file beside it in fsys (a shapefile's .dbf) into a path in the same
	// form. Both are the fsys names when the options have an FS.
	shown, prefix string
}

func newInput(fsys fs.FS, p string) input {
	if fsys != nil {
		return input{fsys: fsys, name: p, shown: p}
	}
	base := filepath.Base(p)
	prefix, ok := strings.CutSuffix(p, base)
	if !ok { // a trailing separator
		prefix = filepath.Dir(p) + string(filepath.Separator)
	}
	return input{fsys: os.DirFS(filepath.Dir(p)), name: filepath.ToSlash(base), shown: p, prefix: prefix}
}

// base is the file's name without its directories, as fingerprints and
// dataset records keep it.
func (in input) base() string { return path.Base(in.name) }

// path names the file name of fsys (in.name or a file beside it) for
// messages, in the form the user gave in.
func (in input) path(name string) string {
	if name == in.name {
		return in.shown
	}
	return in.prefix + filepath.FromSlash(name)
}

// located rewrites the file names in err, which the fs.FS readers give as
// names in fsys, into the paths the user gave, so that reading through
// os.DirFS leaves messages naming files as they were typed
// ("/data/ze.dbf: ...", not "ze.dbf: ...").
func (in input) located(err error) error {
	var fe *geofile.FileError
	if errors.As(err, &fe) {
		fe.File = in.path(fe.File)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		pe.Path = in.path(pe.Path)
	}
	return err
}

// read returns the content of the file.
func (in input) read() ([]byte, error) {
	b, err := fs.ReadFile(in.fsys, in.name)
	return b, in.located(err)
}
