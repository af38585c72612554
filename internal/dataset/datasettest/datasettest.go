// Package datasettest locates the local mirror of the pinned geodata for
// tests: ATLAS_GEODATA_MIRROR, or the shared folder beside the repository.
package datasettest

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Mirror returns the mirror directory or fails the test: tests on real data
// must not pass silently without it.
func Mirror(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("ATLAS_GEODATA_MIRROR"); d != "" {
		return d
	}
	_, self, _, _ := runtime.Caller(0)
	d := filepath.Join(filepath.Dir(self), "..", "..", "..", "..", "shared", "geodata")
	if _, err := os.Stat(d); err != nil {
		t.Fatalf("geodata mirror not found: set ATLAS_GEODATA_MIRROR (tried %s)", d)
	}
	return d
}

// File returns the path of a mirror file, failing the test when it is absent.
func File(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(Mirror(t), name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("geodata mirror file missing: %v", err)
	}
	return p
}

// Files lists the slash names of the data files under a mirror directory,
// without its README.md and SOURCES.md.
func Files(t testing.TB, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel != "README.md" && rel != "SOURCES.md" {
			names = append(names, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}
