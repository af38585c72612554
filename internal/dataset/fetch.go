package dataset

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// FetchOptions configures Fetch.
type FetchOptions struct {
	// CacheDir is where verified files are kept (e.g. .atlas/geodata). It is
	// created if needed. Required.
	CacheDir string
	// Mirror is a local directory holding byte-identical copies of the files
	// under their manifest names. When set, no network is used.
	Mirror string
	// Client is used for downloads when Mirror is empty; nil means
	// http.DefaultClient. Cancel or time out downloads through ctx.
	Client *http.Client
	// Only selects entries whose name starts with one of these strings
	// (a full name, or a prefix such as "communes/occitanie/"). Empty
	// selects every entry. A string that selects nothing is an error.
	Only []string
	// Log receives progress; nil discards it.
	Log *slog.Logger
}

// ChecksumError reports a file whose bytes are not the pinned ones. Nothing
// is written to the cache when it is returned.
type ChecksumError struct {
	Name   string // manifest name
	Source string // mirror path or URL the bytes came from
	Want   string // pinned sha256 (hex)
	Got    string // sha256 (hex) of the bytes received

	// WantSize is the pinned size; GotSize the number of bytes received
	// (reading stops at WantSize+1 bytes, so a longer source reports
	// WantSize+1 and Got is the digest of that prefix).
	WantSize, GotSize int64
}

func (e *ChecksumError) Error() string {
	msg := fmt.Sprintf("geodata: %s from %s: sha256 %s does not match the pinned %s", e.Name, e.Source, e.Got, e.Want)
	switch {
	case e.GotSize > e.WantSize:
		msg += fmt.Sprintf(" (more than the pinned %d bytes)", e.WantSize)
	case e.GotSize != e.WantSize:
		msg += fmt.Sprintf(" (%d bytes, pinned size %d)", e.GotSize, e.WantSize)
	}
	return msg
}

// Fetch makes every selected entry present and verified in CacheDir and
// returns name -> absolute path.
//
// A file already in the cache whose sha256 is the pinned one is kept as is
// (not copied or downloaded again). Otherwise the file is copied from
// Mirror/name, or downloaded from its URL when Mirror is empty, into a
// temporary file beside its final place, hashed while written, and renamed
// into place only when its sha256 matches; on a mismatch the temporary file
// is removed and a *ChecksumError is returned. A cached file that does not
// match its pin is removed before it is fetched again, so the cache only
// ever holds verified files. Derived entries (no URL) can only come from a
// mirror.
//
// Fetch goes on with the other entries after a per-file failure and returns
// all failures joined (use errors.As to find a *ChecksumError); the map then
// holds the entries that were verified. It stops at once when ctx is done.
func Fetch(ctx context.Context, m Manifest, opt FetchOptions) (map[string]string, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	if opt.CacheDir == "" {
		return nil, errors.New("geodata: fetch: no cache directory given")
	}
	cacheDir, err := filepath.Abs(opt.CacheDir)
	if err != nil {
		return nil, fmt.Errorf("geodata: fetch: cache directory: %w", err)
	}
	f := fetcher{cacheDir: cacheDir, client: opt.Client, log: opt.Log}
	if opt.Mirror != "" {
		if f.mirror, err = filepath.Abs(opt.Mirror); err != nil {
			return nil, fmt.Errorf("geodata: fetch: mirror directory: %w", err)
		}
		st, err := os.Stat(f.mirror)
		if err != nil {
			return nil, fmt.Errorf("geodata: fetch: mirror directory: %w", err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("geodata: fetch: mirror %s is not a directory", f.mirror)
		}
	}
	if f.client == nil {
		f.client = http.DefaultClient
	}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}

	selected, err := selectEntries(m, opt.Only)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return nil, fmt.Errorf("geodata: fetch: %w", err)
	}

	got := make(map[string]string, len(selected))
	var errs []error
	var fetched, cached int
	for _, e := range selected {
		if err := ctx.Err(); err != nil {
			errs = append(errs, fmt.Errorf("geodata: fetch interrupted before %s: %w", e.Name, err))
			break
		}
		p, hit, err := f.one(ctx, e, got)
		if err != nil {
			errs = append(errs, err)
			if ctx.Err() != nil {
				break
			}
			continue
		}
		got[e.Name] = p
		if hit {
			cached++
		} else {
			fetched++
		}
	}
	f.log.Info("geodata: fetch done", "cache", cacheDir, "selected", len(selected),
		"already_cached", cached, "fetched", fetched, "failed", len(selected)-cached-fetched)
	if len(errs) > 0 {
		return got, errors.Join(errs...)
	}
	return got, nil
}

// selectEntries returns the entries matching only, sources before derived
// files and otherwise in name order.
func selectEntries(m Manifest, only []string) ([]Entry, error) {
	var sel []Entry
	used := make([]bool, len(only))
	for _, e := range m.Entries {
		keep := len(only) == 0
		for i, o := range only {
			if strings.HasPrefix(e.Name, o) {
				keep, used[i] = true, true
			}
		}
		if keep {
			sel = append(sel, e)
		}
	}
	for i, o := range only {
		if !used[i] {
			return nil, fmt.Errorf("geodata: fetch: %q matches no manifest entry (give a file name or a name prefix such as \"zones-emploi/\")", o)
		}
	}
	slices.SortFunc(sel, func(a, b Entry) int {
		if a.Derived() != b.Derived() {
			if a.Derived() {
				return 1
			}
			return -1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return sel, nil
}

type fetcher struct {
	cacheDir string
	mirror   string
	client   *http.Client
	log      *slog.Logger
}

// one makes e present and verified in the cache. It reports whether the
// file was already there. got holds the entries verified so far.
func (f *fetcher) one(ctx context.Context, e Entry, got map[string]string) (dest string, hit bool, err error) {
	dest = filepath.Join(f.cacheDir, filepath.FromSlash(e.Name))
	ok, err := f.cachedOK(ctx, e, dest)
	if err != nil {
		return "", false, err
	}
	if ok {
		f.log.Debug("geodata: already cached", "name", e.Name, "path", dest)
		return dest, true, nil
	}

	var (
		body   io.ReadCloser
		source string
	)
	switch {
	case f.mirror != "":
		source = filepath.Join(f.mirror, filepath.FromSlash(e.Name))
		body, err = openMirror(source)
		if err != nil {
			return "", false, fmt.Errorf("geodata: %s: mirror copy: %w", e.Name, err)
		}
	case e.URL == "":
		return "", false, derivedError(e, got)
	default:
		source = e.URL
		body, err = f.get(ctx, e.URL)
		if err != nil {
			return "", false, fmt.Errorf("geodata: %s: %w", e.Name, err)
		}
	}
	defer body.Close()

	if err := install(ctx, e, source, body, dest); err != nil {
		return "", false, err
	}
	f.log.Info("geodata: fetched", "name", e.Name, "from", source, "bytes", e.Size)
	return dest, false, nil
}

// cachedOK reports whether dest holds the pinned bytes. A regular file with
// other bytes is removed (it would be replaced anyway, and must not be
// mistaken for a verified one if the new fetch fails).
func (f *fetcher) cachedOK(ctx context.Context, e Entry, dest string) (bool, error) {
	st, err := os.Lstat(dest)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("geodata: %s: cached copy: %w", e.Name, err)
	}
	if !st.Mode().IsRegular() {
		return false, fmt.Errorf("geodata: %s: cached copy %s is not a regular file; remove it", e.Name, dest)
	}
	if st.Size() == e.Size {
		sum, err := hashFile(ctx, dest)
		if err != nil {
			return false, fmt.Errorf("geodata: %s: cached copy: %w", e.Name, err)
		}
		if sum == e.SHA256 {
			return true, nil
		}
	}
	f.log.Warn("geodata: cached copy does not match its pin; fetching it again", "name", e.Name, "path", dest)
	if err := os.Remove(dest); err != nil {
		return false, fmt.Errorf("geodata: %s: remove stale cached copy: %w", e.Name, err)
	}
	return false, nil
}

func openMirror(p string) (io.ReadCloser, error) {
	fh, err := os.Open(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s does not exist in the mirror", p)
		}
		return nil, err
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		fh.Close()
		return nil, fmt.Errorf("%s is not a regular file", p)
	}
	return fh, nil
}

func (f *fetcher) get(ctx context.Context, rawURL string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", rawURL, err)
	}
	req.Header.Set("User-Agent", "atlas-geodata-fetch")
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, err // *url.Error already names the method and URL
	}
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: HTTP status %s", rawURL, resp.Status)
	}
	return resp.Body, nil
}

func derivedError(e Entry, got map[string]string) error {
	var have, missing []string
	for _, src := range e.DerivedFrom {
		if p, ok := got[src]; ok {
			have = append(have, p)
		} else {
			missing = append(missing, src)
		}
	}
	msg := fmt.Sprintf("geodata: %s has no download URL: it was made from %s, not published anywhere; copy it from a mirror of the geodata files with --mirror DIR",
		e.Name, strings.Join(e.DerivedFrom, ", "))
	if len(missing) == 0 {
		msg += fmt.Sprintf(", or derive it from the verified %s with the documented transformation: %s",
			strings.Join(have, ", "), e.Transformation)
	}
	return errors.New(msg)
}

// install copies body into a temporary file beside dest, hashing on the way,
// and renames it to dest only if the bytes are the pinned ones.
func install(ctx context.Context, e Entry, source string, body io.Reader, dest string) (err error) {
	dir := filepath.Dir(dest)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("geodata: %s: %w", e.Name, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dest)+".*.part")
	if err != nil {
		return fmt.Errorf("geodata: %s: %w", e.Name, err)
	}
	tmpName := tmp.Name()
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()

	h := sha256.New()
	// Read at most one byte more than pinned: enough to tell an
	// over-long source, without trusting it to end.
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(ctxReader{ctx, body}, e.Size+1))
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			err = cerr
		}
		return fmt.Errorf("geodata: %s: read %s: %w", e.Name, source, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if n != e.Size || sum != e.SHA256 {
		return &ChecksumError{Name: e.Name, Source: source, Want: e.SHA256, Got: sum, WantSize: e.Size, GotSize: n}
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("geodata: %s: %w", e.Name, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("geodata: %s: %w", e.Name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("geodata: %s: %w", e.Name, err)
	}
	if err := os.Rename(tmpName, dest); err != nil {
		return fmt.Errorf("geodata: %s: %w", e.Name, err)
	}
	return nil
}

func hashFile(ctx context.Context, p string) (string, error) {
	fh, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	h := sha256.New()
	if _, err := io.Copy(h, ctxReader{ctx, fh}); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ctxReader stops reading once ctx is done, so that copying a large mirror
// file or hashing a cached one can be interrupted.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}
