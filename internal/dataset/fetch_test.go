package dataset

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atlas-sante-travail/atlas/geodata"
	"github.com/atlas-sante-travail/atlas/internal/dataset/datasettest"
)

func embedded(t *testing.T) Manifest {
	t.Helper()
	m, err := ParseManifest(geodata.ManifestJSON)
	if err != nil {
		t.Fatalf("embedded manifest: %v", err)
	}
	return m
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func mustHash(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return sum(b)
}

func TestFetchFromMirror(t *testing.T) {
	m := embedded(t)
	mirror := datasettest.Mirror(t)
	cache := filepath.Join(t.TempDir(), "geodata")
	opt := FetchOptions{CacheDir: cache, Mirror: mirror, Only: []string{"zones-emploi/"}}

	got, err := Fetch(context.Background(), m, opt)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	want := []string{"zones-emploi/ze2020_2022.cpg", "zones-emploi/ze2020_2022.dbf", "zones-emploi/ze2020_2022.prj", "zones-emploi/ze2020_2022.shp", "zones-emploi/ze2020_2022.shx"}
	if len(got) != len(want) {
		t.Fatalf("Fetch returned %d paths, want %d: %v", len(got), len(want), got)
	}
	before := map[string]os.FileInfo{}
	for _, name := range want {
		p, ok := got[name]
		if !ok {
			t.Fatalf("%s not fetched", name)
		}
		if !filepath.IsAbs(p) || p != filepath.Join(cache, filepath.FromSlash(name)) {
			t.Errorf("%s: path %s, want absolute %s", name, p, filepath.Join(cache, filepath.FromSlash(name)))
		}
		e, _ := m.Lookup(name)
		if h := mustHash(t, p); h != e.SHA256 {
			t.Errorf("%s: cached sha256 %s, pinned %s", name, h, e.SHA256)
		}
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		before[name] = st
	}
	if files := datasettest.Files(t, cache); len(files) != len(want) {
		t.Errorf("cache holds %v, want only the %d selected files", files, len(want))
	}

	// Make any rewrite visible in the mtime.
	time.Sleep(20 * time.Millisecond)
	got2, err := Fetch(context.Background(), m, opt)
	if err != nil {
		t.Fatalf("second Fetch: %v", err)
	}
	for _, name := range want {
		if got2[name] != got[name] {
			t.Errorf("%s: second Fetch path %s, first %s", name, got2[name], got[name])
		}
		st, err := os.Stat(got2[name])
		if err != nil {
			t.Fatal(err)
		}
		if !st.ModTime().Equal(before[name].ModTime()) || !os.SameFile(st, before[name]) {
			t.Errorf("%s was rewritten by the second Fetch (mtime %v -> %v)", name, before[name].ModTime(), st.ModTime())
		}
	}
}

func TestFetchTamperedMirror(t *testing.T) {
	m := embedded(t)
	mirror := datasettest.Mirror(t)
	const name = "zones-emploi/ze2020_2022.prj"
	e, ok := m.Lookup(name)
	if !ok {
		t.Fatalf("no entry %s", name)
	}
	good, err := os.ReadFile(filepath.Join(mirror, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	bad := append([]byte(nil), good...)
	bad[len(bad)/2] ^= 0x01

	tests := []struct {
		name     string
		mirrored []byte // mirror content
		cached   []byte // cache content before Fetch; nil = none
		wantErr  bool   // *ChecksumError expected
		wantKeep []byte // cache content after Fetch; nil = no file at all
	}{
		{"empty cache", bad, nil, true, nil},
		{"short corrupt cached copy is not kept", bad, good[:len(good)-1], true, nil},
		{"same-size corrupt cached copy is not kept", bad, bad, true, nil},
		{"good cached copy is kept and the mirror not read", bad, good, false, good},
		{"corrupt cached copy is replaced by the good one", good, bad, false, good},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tampered := t.TempDir()
			src := filepath.Join(tampered, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(src), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(src, tt.mirrored, 0o644); err != nil {
				t.Fatal(err)
			}
			cache := t.TempDir()
			dest := filepath.Join(cache, filepath.FromSlash(name))
			if tt.cached != nil {
				if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(dest, tt.cached, 0o644); err != nil {
					t.Fatal(err)
				}
			}

			got, err := Fetch(context.Background(), m, FetchOptions{CacheDir: cache, Mirror: tampered, Only: []string{name}})
			var ce *ChecksumError
			if tt.wantErr {
				if !errors.As(err, &ce) {
					t.Fatalf("Fetch error %v, want *ChecksumError", err)
				}
				if ce.Name != name || ce.Source != src || ce.Want != e.SHA256 || ce.Got != sum(bad) {
					t.Errorf("ChecksumError %+v, want name %s source %s want %s got %s", ce, name, src, e.SHA256, sum(bad))
				}
				for _, s := range []string{name, src, e.SHA256, sum(bad), "does not match the pinned"} {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not mention %s", err, s)
					}
				}
				if _, ok := got[name]; ok {
					t.Errorf("Fetch returned a path for the bad file")
				}
			} else if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			files := datasettest.Files(t, cache)
			if tt.wantKeep == nil {
				if len(files) != 0 {
					t.Fatalf("cache holds %v after a checksum failure, want nothing", files)
				}
				return
			}
			if len(files) != 1 {
				t.Fatalf("cache holds %v, want only %s", files, name)
			}
			b, err := os.ReadFile(dest)
			if err != nil {
				t.Fatal(err)
			}
			if sum(b) != sum(tt.wantKeep) {
				t.Fatalf("cached file changed")
			}
		})
	}
}

func TestFetchMirrorMissingFile(t *testing.T) {
	m := embedded(t)
	empty := t.TempDir()
	cache := t.TempDir()
	const name = "regions/regions.geojson"
	_, err := Fetch(context.Background(), m, FetchOptions{CacheDir: cache, Mirror: empty, Only: []string{name}})
	if err == nil {
		t.Fatal("Fetch from an empty mirror succeeded")
	}
	if want := filepath.Join(empty, "regions", "regions.geojson"); !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name the missing path %s", err, want)
	}
	if files := datasettest.Files(t, cache); len(files) != 0 {
		t.Errorf("cache holds %v", files)
	}
}

// testManifest is a small manifest of files served by srv, with a derived
// entry made from them.
func testManifest(t *testing.T, base string, content map[string][]byte) Manifest {
	t.Helper()
	m := Manifest{}
	for _, name := range []string{"a/one.txt", "a/two.txt", "b/three.txt"} {
		m.Entries = append(m.Entries, Entry{Name: name, URL: base + "/" + name, SHA256: sum(content[name]), Size: int64(len(content[name]))})
	}
	m.Entries = append(m.Entries, Entry{Name: "derived/joined.txt", SHA256: sum([]byte("x")), Size: 1,
		DerivedFrom: []string{"a/one.txt", "a/two.txt"}, Transformation: "cat a/one.txt a/two.txt"})
	if err := m.validate(); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestFetchHTTP(t *testing.T) {
	content := map[string][]byte{
		"a/one.txt":   []byte("first file\n"),
		"a/two.txt":   []byte("second file\n"),
		"b/three.txt": []byte("third file\n"),
	}
	var hits atomic.Int64
	var serve atomic.Pointer[map[string][]byte] // what the server sends, per path; missing = 404
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		b, ok := (*serve.Load())[strings.TrimPrefix(r.URL.Path, "/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(b)
	}))
	defer srv.Close()
	m := testManifest(t, srv.URL, content)

	tests := []struct {
		name      string
		only      []string
		serve     map[string][]byte
		wantFiles []string
		checksum  bool     // want a *ChecksumError
		wantErr   []string // substrings of the error; nil = no error
	}{
		{name: "ok", only: []string{"a/"}, serve: content, wantFiles: []string{"a/one.txt", "a/two.txt"}},
		{name: "exact name", only: []string{"b/three.txt"}, serve: content, wantFiles: []string{"b/three.txt"}},
		{name: "wrong bytes", only: []string{"a/one.txt"}, serve: map[string][]byte{"a/one.txt": []byte("First file\n")},
			checksum: true, wantErr: []string{"a/one.txt", srv.URL + "/a/one.txt", "does not match the pinned"}},
		{name: "too long", only: []string{"a/one.txt"}, serve: map[string][]byte{"a/one.txt": []byte("first file\nand more\n")},
			checksum: true, wantErr: []string{"more than the pinned 11 bytes"}},
		{name: "truncated", only: []string{"a/one.txt"}, serve: map[string][]byte{"a/one.txt": []byte("first")},
			checksum: true, wantErr: []string{"5 bytes, pinned size 11"}},
		{name: "one bad one good", only: []string{"a/"}, serve: map[string][]byte{"a/one.txt": []byte("nope"), "a/two.txt": content["a/two.txt"]},
			wantFiles: []string{"a/two.txt"}, checksum: true, wantErr: []string{"a/one.txt"}},
		{name: "404", only: []string{"b/"}, serve: map[string][]byte{},
			wantErr: []string{"404", srv.URL + "/b/three.txt", "b/three.txt"}},
		{name: "derived without mirror", only: []string{"derived/"}, serve: content,
			wantErr: []string{"derived/joined.txt", "no download URL", "--mirror"}},
		{name: "derived with its sources", serve: content, wantFiles: []string{"a/one.txt", "a/two.txt", "b/three.txt"},
			wantErr: []string{"derived/joined.txt", "--mirror", "cat a/one.txt a/two.txt"}},
		{name: "unknown prefix", only: []string{"zz/"}, serve: content, wantErr: []string{`"zz/" matches no manifest entry`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			serve.Store(&tt.serve)
			cache := t.TempDir()
			got, err := Fetch(context.Background(), m, FetchOptions{CacheDir: cache, Client: srv.Client(), Only: tt.only})
			if tt.wantErr == nil && err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if tt.wantErr != nil && err == nil {
				t.Fatalf("Fetch succeeded, want an error mentioning %q", tt.wantErr)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			var ce *ChecksumError
			if errors.As(err, &ce) != tt.checksum {
				t.Errorf("error %v: *ChecksumError = %v, want %v", err, !tt.checksum, tt.checksum)
			}
			files := datasettest.Files(t, cache)
			if strings.Join(files, ",") != strings.Join(tt.wantFiles, ",") {
				t.Errorf("cache holds %v, want %v", files, tt.wantFiles)
			}
			if len(got) != len(tt.wantFiles) {
				t.Errorf("Fetch returned %v, want %v", got, tt.wantFiles)
			}
			for _, name := range tt.wantFiles {
				if h := mustHash(t, got[name]); h != sum(content[name]) {
					t.Errorf("%s: sha256 %s, want %s", name, h, sum(content[name]))
				}
			}
		})
	}

	t.Run("cached files are not downloaded again", func(t *testing.T) {
		serve.Store(&content)
		cache := t.TempDir()
		opt := FetchOptions{CacheDir: cache, Client: srv.Client(), Only: []string{"a/", "b/"}}
		if _, err := Fetch(context.Background(), m, opt); err != nil {
			t.Fatal(err)
		}
		n := hits.Load()
		if _, err := Fetch(context.Background(), m, opt); err != nil {
			t.Fatal(err)
		}
		if d := hits.Load() - n; d != 0 {
			t.Errorf("second Fetch made %d requests, want 0", d)
		}
	})
}

func TestFetchCancel(t *testing.T) {
	full := []byte(strings.Repeat("0123456789", 100_000))
	started := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000000")
		_, _ = w.Write(full[:1000])
		w.(http.Flusher).Flush()
		select {
		case started <- struct{}{}:
		default:
		}
		select { // hang until the client gives up
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer srv.Close()
	m := Manifest{Entries: []Entry{
		{Name: "big/slow.bin", URL: srv.URL + "/slow", SHA256: sum(full), Size: int64(len(full))},
		{Name: "big/next.bin", URL: srv.URL + "/next", SHA256: sum(full), Size: int64(len(full))},
	}}

	tests := []struct {
		name   string
		cancel func(*testing.T, context.CancelFunc) // how the context ends
	}{
		{"cancelled before", func(_ *testing.T, cancel context.CancelFunc) { cancel() }},
		{"cancelled while downloading", func(t *testing.T, cancel context.CancelFunc) {
			go func() {
				select {
				case <-started:
				case <-time.After(10 * time.Second):
					t.Error("the download never started")
				}
				cancel()
			}()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cache := t.TempDir()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			tt.cancel(t, cancel)
			done := make(chan struct{})
			var got map[string]string
			var err error
			go func() {
				defer close(done)
				got, err = Fetch(ctx, m, FetchOptions{CacheDir: cache, Client: srv.Client()})
			}()
			select {
			case <-done:
			case <-time.After(15 * time.Second):
				t.Fatal("Fetch did not return after cancellation")
			}
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Fetch error %v, want context.Canceled", err)
			}
			if len(got) != 0 {
				t.Errorf("Fetch returned %v", got)
			}
			if files := datasettest.Files(t, cache); len(files) != 0 {
				t.Errorf("cache holds %v after cancellation (temporary files must be removed)", files)
			}
		})
	}
}

func TestFetchRejectsBadInput(t *testing.T) {
	valid := Entry{Name: "a.txt", URL: "http://127.0.0.1:1/a.txt", SHA256: sum([]byte("a")), Size: 1}
	tests := []struct {
		name    string
		m       Manifest
		opt     FetchOptions
		wantErr string
	}{
		{"no cache dir", Manifest{Entries: []Entry{valid}}, FetchOptions{}, "no cache directory"},
		{"escaping name", Manifest{Entries: []Entry{{Name: "../evil", URL: valid.URL, SHA256: valid.SHA256, Size: 1}}}, FetchOptions{CacheDir: t.TempDir()}, `".."`},
		{"empty manifest", Manifest{}, FetchOptions{CacheDir: t.TempDir()}, "no entries"},
		{"mirror is missing", Manifest{Entries: []Entry{valid}}, FetchOptions{CacheDir: t.TempDir(), Mirror: filepath.Join(t.TempDir(), "nope")}, "mirror directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Fetch(context.Background(), tt.m, tt.opt)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Fetch error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
