package dataset

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/atlas-sante-travail/atlas/geodata"
	"github.com/atlas-sante-travail/atlas/internal/dataset/datasettest"
)

const (
	hashA = "48d698bf0c05f2483283790af7f80660787a12175f46ced4bf75be4739900510"
	hashB = "3e1af094465799d33865ef53f1fb58d0957e13f1154b2eba00db4862c0298646"
)

func entryJSON(e Entry) map[string]any {
	b, _ := json.Marshal(e)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

func manifestJSON(t *testing.T, entries ...map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"entries": entries})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseManifest(t *testing.T) {
	src := Entry{Name: "zones-emploi/a.shp", SHA256: hashA, Size: 10, URL: "https://example.org/a.shp"}
	der := Entry{Name: "derived/a.geojson", SHA256: hashB, Size: 5, DerivedFrom: []string{"zones-emploi/a.shp"}, Transformation: "ogr2ogr"}
	with := func(e Entry, f func(*Entry)) map[string]any { f(&e); return entryJSON(e) }

	tests := []struct {
		name    string
		json    []byte
		wantErr string // "" = valid
	}{
		{"valid", manifestJSON(t, entryJSON(src), entryJSON(der)), ""},
		{"not json", []byte("{"), "parse manifest"},
		{"trailing data", append(manifestJSON(t, entryJSON(src)), []byte(" {}")...), "trailing data"},
		{"unknown field", []byte(`{"entries":[{"name":"a","sha265":"x"}]}`), "unknown field"},
		{"no entries", []byte(`{"entries":[]}`), "no entries"},
		{"duplicate name", manifestJSON(t, entryJSON(src), with(src, func(e *Entry) { e.SHA256 = hashB })), "duplicate name"},
		{"empty name", manifestJSON(t, with(src, func(e *Entry) { e.Name = "" })), "empty name"},
		{"dot-dot", manifestJSON(t, with(src, func(e *Entry) { e.Name = "communes/../../etc/passwd" })), `".."`},
		{"leading dot-dot", manifestJSON(t, with(src, func(e *Entry) { e.Name = "../a" })), `".."`},
		{"absolute", manifestJSON(t, with(src, func(e *Entry) { e.Name = "/etc/passwd" })), "relative"},
		{"backslash", manifestJSON(t, with(src, func(e *Entry) { e.Name = `a\b` })), `'\'`},
		{"unclean", manifestJSON(t, with(src, func(e *Entry) { e.Name = "a//b" })), "clean"},
		{"short sha", manifestJSON(t, with(src, func(e *Entry) { e.SHA256 = "abc" })), "64 lowercase hex"},
		{"upper sha", manifestJSON(t, with(src, func(e *Entry) { e.SHA256 = strings.ToUpper(hashA) })), "64 lowercase hex"},
		{"non-hex sha", manifestJSON(t, with(src, func(e *Entry) { e.SHA256 = "g" + hashA[1:] })), "64 lowercase hex"},
		{"zero size", manifestJSON(t, with(src, func(e *Entry) { e.Size = 0 })), "size 0"},
		{"negative size", manifestJSON(t, with(src, func(e *Entry) { e.Size = -1 })), "size -1"},
		{"no url nor derived_from", manifestJSON(t, with(src, func(e *Entry) { e.URL = "" })), "neither url nor derived_from"},
		{"relative url", manifestJSON(t, with(src, func(e *Entry) { e.URL = "a.shp" })), "absolute http(s) URL"},
		{"ftp url", manifestJSON(t, with(src, func(e *Entry) { e.URL = "ftp://example.org/a" })), "absolute http(s) URL"},
		{"derived from unknown", manifestJSON(t, entryJSON(src), with(der, func(e *Entry) { e.DerivedFrom = []string{"nope.shp"} })), `derived_from "nope.shp"`},
		{"derived from itself", manifestJSON(t, entryJSON(src), with(der, func(e *Entry) { e.DerivedFrom = []string{e.Name} })), "itself"},
		{"derived without transformation", manifestJSON(t, entryJSON(src), with(der, func(e *Entry) { e.Transformation = "" })), "transformation is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseManifest(tt.json)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ParseManifest: %v", err)
				}
				if len(m.Entries) != 2 {
					t.Fatalf("got %d entries, want 2", len(m.Entries))
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseManifest accepted it, want an error containing %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %q does not contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestParseManifestReportsAllProblems(t *testing.T) {
	b := manifestJSON(t,
		entryJSON(Entry{Name: "a", SHA256: "x", Size: 1, URL: "https://example.org/a"}),
		entryJSON(Entry{Name: "b", SHA256: hashA, Size: 0, URL: "https://example.org/b"}),
	)
	_, err := ParseManifest(b)
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{`"a"`, "64 lowercase hex", `"b"`, "size 0"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

func TestLookup(t *testing.T) {
	m, err := ParseManifest(geodata.ManifestJSON)
	if err != nil {
		t.Fatalf("embedded manifest: %v", err)
	}
	tests := []struct {
		name   string
		ok     bool
		sha256 string
	}{
		{"zones-emploi/ze2020_2022.shp", true, "48d698bf0c05f2483283790af7f80660787a12175f46ced4bf75be4739900510"},
		{"derived/ze2020_2022.geojson", true, "42396228e9ed167efcf8d39d4ec7959b63024fed9625a776b323efb682f06e9e"},
		{"communes/occitanie/communes-31-haute-garonne.geojson", true, "e7b30423e637a5545413cf82d0e00644c5e74dbf8a9834b84e5891a72be74a0d"},
		{"zones-emploi/", false, ""},
		{"README.md", false, ""},
		{"", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ok := m.Lookup(tt.name)
			if ok != tt.ok || e.SHA256 != tt.sha256 {
				t.Fatalf("Lookup(%q) = %q, %v; want %q, %v", tt.name, e.SHA256, ok, tt.sha256, tt.ok)
			}
			if ok && e.Name != tt.name {
				t.Fatalf("Lookup(%q) returned entry %q", tt.name, e.Name)
			}
		})
	}
}

func TestEmbeddedManifest(t *testing.T) {
	m, err := ParseManifest(geodata.ManifestJSON)
	if err != nil {
		t.Fatalf("embedded manifest: %v", err)
	}
	// Every file of the mirror has its entry (the byte-level check is in
	// the geodata package's tests).
	dir := datasettest.Mirror(t)
	n := 0
	for _, name := range datasettest.Files(t, dir) {
		n++
		if _, ok := m.Lookup(name); !ok {
			t.Errorf("mirror file %s has no manifest entry", name)
		}
	}
	if n != len(m.Entries) {
		t.Errorf("mirror %s has %d data files, manifest %d entries", dir, n, len(m.Entries))
	}
	e, _ := m.Lookup("derived/ze2020_2022.geojson")
	if e.URL != "" || len(e.DerivedFrom) == 0 || e.Transformation == "" {
		t.Errorf("derived entry: url %q, derived_from %v, transformation %q", e.URL, e.DerivedFrom, e.Transformation)
	}
}
