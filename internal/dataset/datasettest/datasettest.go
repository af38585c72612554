// Package datasettest locates the local mirror of the pinned geodata for
// tests: ATLAS_GEODATA_MIRROR, or the shared folder beside the repository.
package datasettest

import (
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
