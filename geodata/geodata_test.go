package geodata_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atlas-sante-travail/atlas/geodata"
	"github.com/atlas-sante-travail/atlas/internal/dataset"
	"github.com/atlas-sante-travail/atlas/internal/dataset/datasettest"
)

func TestEmbeddedManifestCoversMirror(t *testing.T) {
	m, err := dataset.ParseManifest(geodata.ManifestJSON)
	if err != nil {
		t.Fatalf("embedded manifest: %v", err)
	}
	dir := datasettest.Mirror(t)
	files := datasettest.Files(t, dir)
	if len(files) == 0 {
		t.Fatalf("no data files in mirror %s", dir)
	}
	if len(m.Entries) != len(files) {
		t.Errorf("manifest has %d entries, mirror %s has %d data files", len(m.Entries), dir, len(files))
	}
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			e, ok := m.Lookup(name)
			if !ok {
				t.Fatalf("mirror file %s has no manifest entry", name)
			}
			f, err := os.Open(filepath.Join(dir, filepath.FromSlash(name)))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			h := sha256.New()
			n, err := io.Copy(h, f)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(h.Sum(nil)); got != e.SHA256 || n != e.Size {
				t.Errorf("mirror bytes: sha256 %s, %d bytes; manifest pins %s, %d bytes", got, n, e.SHA256, e.Size)
			}
		})
	}
}

func TestEmbeddedManifestEntries(t *testing.T) {
	m, err := dataset.ParseManifest(geodata.ManifestJSON)
	if err != nil {
		t.Fatalf("embedded manifest: %v", err)
	}
	for _, e := range m.Entries {
		t.Run(e.Name, func(t *testing.T) {
			if e.Producer == "" || e.Licence == "" || e.Vintage == "" {
				t.Errorf("producer %q, licence %q, vintage %q: all must be set", e.Producer, e.Licence, e.Vintage)
			}
			if strings.HasPrefix(e.Name, "derived/") {
				if e.URL != "" || e.Repo != "" || e.Commit != "" || e.RepoPath != "" {
					t.Errorf("derived file has a source repo/url: %+v", e)
				}
				if len(e.DerivedFrom) == 0 || e.Transformation == "" {
					t.Errorf("derived file lacks derived_from/transformation")
				}
				return
			}
			if len(e.DerivedFrom) != 0 {
				t.Errorf("non-derived file has derived_from %v", e.DerivedFrom)
			}
			if len(e.Commit) != 40 {
				t.Errorf("commit %q is not a full 40-hex commit id", e.Commit)
			}
			segs := strings.Split(e.RepoPath, "/")
			for i, s := range segs {
				segs[i] = url.PathEscape(s)
			}
			want := "https://raw.githubusercontent.com/" + e.Repo + "/" + e.Commit + "/" + strings.Join(segs, "/")
			if e.URL != want {
				t.Errorf("url %q, want the raw URL pinned by commit %q", e.URL, want)
			}
		})
	}
}
