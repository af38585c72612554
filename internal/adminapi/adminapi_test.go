package adminapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/adminapi"
	"github.com/atlas-sante-travail/atlas/internal/auth"
	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/dataset/datasettest"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
	"github.com/atlas-sante-travail/atlas/internal/importer"
	"github.com/atlas-sante-travail/atlas/internal/server"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/store/storetest"
	"github.com/atlas-sante-travail/atlas/internal/territory"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

type fixture struct {
	st    *store.Store
	svc   *tiles.Service
	token string
	hash  auth.Hash
}

// setup imports the départements (the simplified IGN file, enough for
// indicators to be checked against) into a throwaway database, and keeps
// the tiles listening for imports as `atlas serve` does.
func setup(t *testing.T) fixture {
	t.Helper()
	st := storetest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	deps := datasettest.File(t, "departements/departements-version-simplifiee.geojson")
	if _, err := importer.ImportTerritories(ctx, st, importer.TerritoryOptions{Level: territory.Departement, Files: []string{deps},
		CodeField: "code", NameField: "nom"}); err != nil {
		t.Fatal(err)
	}
	svc := tiles.NewService(st, blob.NewLRU(16<<20), tiles.Options{PrewarmMaxZoom: -1})
	if err := svc.LoadAll(ctx); err != nil {
		t.Fatal(err)
	}
	go svc.Watch(ctx)
	tok, hash, err := auth.New("admin")
	if err != nil {
		t.Fatal(err)
	}
	return fixture{st: st, svc: svc, token: tok.Secret(), hash: hash}
}

// serve starts a server over the fixture's store with these admin
// options; its uploads go to a temporary directory of their own, returned.
func (f fixture) serve(t *testing.T, opt adminapi.Options) (*httptest.Server, string) {
	t.Helper()
	if opt.TempDir == "" {
		opt.TempDir = t.TempDir()
	}
	srv := httptest.NewServer(server.New(server.Config{Store: f.st, Tiles: f.svc, Admin: opt}))
	t.Cleanup(srv.Close)
	return srv, opt.TempDir
}

// part is one file of a multipart body.
type part struct{ name, file, data string }

// form encodes parts as multipart/form-data, with a new boundary each
// time as every client does.
func form(parts ...part) (string, []byte) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, p := range parts {
		fw, _ := w.CreateFormFile(p.name, p.file)
		io.WriteString(fw, p.data)
	}
	w.Close()
	return w.FormDataContentType(), b.Bytes()
}

// call sends a request and returns the answer with its body read.
func call(t *testing.T, method, url, token, contentType string, body io.Reader, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// problemOf decodes a problem answer, failing unless it is one of status.
func problemOf(t *testing.T, resp *http.Response, b []byte, status int) httpx.Problem {
	t.Helper()
	var p httpx.Problem
	if resp.StatusCode != status || resp.Header.Get("Content-Type") != "application/problem+json" || json.Unmarshal(b, &p) != nil || p.Status != status {
		t.Fatalf("want a %d problem, got %d %s: %s", status, resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	return p
}

func TestAuthorization(t *testing.T) {
	f := setup(t)
	srv, _ := f.serve(t, adminapi.Options{TokenHashes: []auth.Hash{auth.HashOf("admin_other"), f.hash}})
	off, _ := f.serve(t, adminapi.Options{})
	other, _, _ := auth.New("admin")
	for _, c := range []struct {
		name   string
		url    string
		header string
		status int
		auth   string // WWW-Authenticate wanted
	}{
		{"no token", srv.URL, "", 401, `Bearer realm="atlas"`},
		{"another scheme", srv.URL, "Basic YWRtaW46YWRtaW4=", 401, `Bearer realm="atlas"`},
		{"empty bearer", srv.URL, "Bearer ", 401, `Bearer realm="atlas"`},
		{"wrong token", srv.URL, "Bearer " + other.Secret(), 401, `Bearer realm="atlas", error="invalid_token"`},
		{"token with a suffix", srv.URL, "Bearer " + f.token + "x", 401, `Bearer realm="atlas", error="invalid_token"`},
		{"the second configured token", srv.URL, "Bearer admin_other", 200, ""},
		{"the right token", srv.URL, "Bearer " + f.token, 200, ""},
		{"lower-case scheme", srv.URL, "bearer " + f.token, 200, ""},
		{"a valid token, none configured", off.URL, "Bearer " + f.token, 403, ""},
		{"no token, none configured", off.URL, "", 403, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, b := call(t, "GET", c.url+"/api/v1/admin/datasets", "", "", nil, "Authorization", c.header)
			if c.status == 200 {
				var ds struct{ Territories []map[string]any }
				if resp.StatusCode != 200 || json.Unmarshal(b, &ds) != nil || len(ds.Territories) != 1 || resp.Header.Get("Cache-Control") != "no-store" {
					t.Fatalf("%d %s", resp.StatusCode, b)
				}
				return
			}
			p := problemOf(t, resp, b, c.status)
			if got := resp.Header.Get("WWW-Authenticate"); got != c.auth {
				t.Errorf("WWW-Authenticate %q, want %q", got, c.auth)
			}
			if c.status == 403 && (p.Type != "/problems/admin-disabled" || !strings.Contains(p.Detail, "--admin-token-sha256")) {
				t.Errorf("disabled: %+v", p)
			}
			if c.status == 401 && (p.Title != "Authentification requise" || !strings.Contains(p.Detail, "Jeton")) {
				t.Errorf("unauthorized: %+v", p)
			}
			if strings.Contains(string(b), f.token) {
				t.Error("the answer repeats the token")
			}
		})
	}
	// Every route is behind the token, uploads before their body is read.
	for _, r := range [][2]string{{"POST", "/api/v1/admin/indicators"}, {"DELETE", "/api/v1/admin/indicators/x"},
		{"POST", "/api/v1/admin/territories/region"}, {"DELETE", "/api/v1/admin/territories/region"}} {
		resp, b := call(t, r[0], srv.URL+r[1], "", "", strings.NewReader("x"))
		problemOf(t, resp, b, 401)
		resp, b = call(t, r[0], off.URL+r[1], f.token, "", strings.NewReader("x"))
		problemOf(t, resp, b, 403)
	}
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// empty tells whether dir has no entry left.
func empty(t *testing.T, dir string) bool {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return len(es) == 0
}

// uploadsIn lists the upload directories in dir and the files in them.
func uploadsIn(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

func TestDeleteRefusals(t *testing.T) {
	f := setup(t)
	srv, _ := f.serve(t, adminapi.Options{TokenHashes: []auth.Hash{f.hash}})
	for _, c := range []struct {
		path   string
		status int
		param  string
	}{
		{"/api/v1/admin/indicators/nothing", 404, ""},
		{"/api/v1/admin/territories/region", 404, ""},
		{"/api/v1/admin/territories/canton", 400, "level"},
	} {
		resp, b := call(t, "DELETE", srv.URL+c.path, f.token, "", nil)
		p := problemOf(t, resp, b, c.status)
		if c.param != "" && (len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != c.param) {
			t.Errorf("%s: %+v", c.path, p)
		}
	}
}
