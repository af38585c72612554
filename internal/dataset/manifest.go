// Package dataset reads the pinned geodata manifest (see the top-level
// geodata package) and fetches the files it lists into a local cache,
// verifying every byte against the pinned sha256 before a file is used.
package dataset

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"
)

// Entry is one file of the geodata manifest.
//
// Files copied unchanged from a public repository have Repo, Commit,
// RepoPath and URL (the raw URL pinned by commit). Files made locally from
// other entries have an empty URL and list their inputs in DerivedFrom and
// the exact conversion in Transformation.
type Entry struct {
	// Name is the slash-separated path of the file in the mirror and in the
	// cache, e.g. "zones-emploi/ze2020_2022.shp".
	Name     string `json:"name"`
	Producer string `json:"producer"`
	Licence  string `json:"licence"`
	Vintage  string `json:"vintage"`
	Repo     string `json:"repo"`
	Commit   string `json:"commit"`
	RepoPath string `json:"repo_path"`
	URL      string `json:"url"`
	// SHA256 is the lowercase hex sha256 of the file's bytes.
	SHA256 string `json:"sha256"`
	// Size is the file size in bytes.
	Size           int64    `json:"size"`
	DerivedFrom    []string `json:"derived_from,omitempty"`
	Transformation string   `json:"transformation,omitempty"`
}

// Derived reports whether the entry was made locally from other entries.
func (e Entry) Derived() bool { return len(e.DerivedFrom) > 0 }

// Manifest is the list of pinned files.
type Manifest struct {
	Entries []Entry `json:"entries"`
}

// ParseManifest decodes and validates a manifest. Unknown JSON fields are
// rejected so that a misspelt field cannot silently drop a pin. It checks
// that names are unique, relative, clean slash paths without ".."; that
// every sha256 is 64 lowercase hex digits and every size is positive; that
// every entry has either a URL (http or https) or a derived_from list; and
// that derived_from only names other entries of the manifest. All problems
// found are reported together.
func ParseManifest(b []byte) (Manifest, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return Manifest{}, fmt.Errorf("geodata: parse manifest: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Manifest{}, errors.New("geodata: parse manifest: trailing data after the JSON object")
	}
	if err := m.validate(); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

// Lookup returns the entry with exactly this name.
func (m Manifest) Lookup(name string) (Entry, bool) {
	for _, e := range m.Entries {
		if e.Name == name {
			return e, true
		}
	}
	return Entry{}, false
}

func (m Manifest) validate() error {
	if len(m.Entries) == 0 {
		return errors.New("geodata: invalid manifest: no entries")
	}
	var errs []error
	bad := func(i int, e Entry, format string, args ...any) {
		errs = append(errs, fmt.Errorf("entry %d (%q): %s", i, e.Name, fmt.Sprintf(format, args...)))
	}
	names := make(map[string]int, len(m.Entries))
	for i, e := range m.Entries {
		if err := checkName(e.Name); err != nil {
			bad(i, e, "%v", err)
		} else if j, dup := names[e.Name]; dup {
			bad(i, e, "duplicate name (also entry %d)", j)
		} else {
			names[e.Name] = i
		}
		if !isSHA256Hex(e.SHA256) {
			bad(i, e, "sha256 %q is not 64 lowercase hex digits", e.SHA256)
		}
		if e.Size <= 0 {
			bad(i, e, "size %d is not positive", e.Size)
		}
		switch {
		case e.URL == "" && len(e.DerivedFrom) == 0:
			bad(i, e, "neither url nor derived_from is set")
		case e.URL != "":
			if u, err := url.Parse(e.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				bad(i, e, "url %q is not an absolute http(s) URL", e.URL)
			}
		}
		if len(e.DerivedFrom) > 0 && strings.TrimSpace(e.Transformation) == "" {
			bad(i, e, "derived_from is set but transformation is empty")
		}
	}
	for i, e := range m.Entries {
		for _, src := range e.DerivedFrom {
			if src == e.Name {
				bad(i, e, "derived_from names the entry itself")
			} else if _, ok := names[src]; !ok {
				bad(i, e, "derived_from %q is not an entry of the manifest", src)
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("geodata: invalid manifest: %w", errors.Join(errs...))
	}
	return nil
}

// checkName accepts only clean, relative, slash-separated paths that stay
// inside the directory they are joined to.
func checkName(name string) error {
	switch {
	case name == "":
		return errors.New("empty name")
	case strings.HasPrefix(name, "/"):
		return errors.New("name must be relative")
	case strings.ContainsAny(name, "\\\x00") || strings.Contains(name, ":"):
		return errors.New(`name must be a slash-separated path without '\', ':' or NUL`)
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == ".." {
			return errors.New(`name must not contain ".."`)
		}
	}
	if path.Clean(name) != name || name == "." {
		return errors.New("name is not a clean path")
	}
	return nil
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
