package adminapi

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/httpx"
	"github.com/atlas-sante-travail/atlas/internal/importer"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// problemStatus is the status of err when it is a problem, 0 otherwise
// (a plain error is a 500).
func problemStatus(err error) int {
	var p *httpx.Problem
	if !errors.As(err, &p) {
		return 0
	}
	return p.Status
}

// multipartBody is a body of parts with boundary "B": each pair is the
// part's headers and content.
func multipartBody(parts ...string) []byte {
	var b strings.Builder
	for i := 0; i+1 < len(parts); i += 2 {
		b.WriteString("--B\r\n" + parts[i] + "\r\n\r\n" + parts[i+1] + "\r\n")
	}
	b.WriteString("--B--\r\n")
	return []byte(b.String())
}

// FuzzSpool: whatever the multipart body of an upload, it is either spooled
// whole (every required part, each file under the upload's directory with
// its size and an accepted extension) or refused with a 400 or 413
// problem; never a plain error (a 500), whatever the part or file names.
func FuzzSpool(f *testing.F) {
	disp := func(name, file string) string {
		return `Content-Disposition: form-data; name="` + name + `"; filename="` + file + `"`
	}
	for _, s := range []struct {
		body      []byte
		territory bool
	}{
		{multipartBody(disp("meta", "taux.yaml"), "id: x", disp("values", "v.csv"), "a;b\n1;2"), false},
		{multipartBody(disp("meta", "../../etc/passwd.json"), "{}", disp("values", `C:\tmp\v.csv`), ""), false},
		{multipartBody(disp("meta", strings.Repeat("a", 300)+".json"), "{}"), false},
		{multipartBody(disp("meta", ".json"), "{}"), false},
		{multipartBody(disp("file", "d.geojson"), "{}", disp("file", "e.geojson"), "{}"), true},
		{multipartBody(disp("file", "d.zip"), "PK", disp("other", "x.csv"), ""), true},
		{multipartBody(`Content-Disposition: form-data; name="file"`, "no file name"), true},
		{[]byte("--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.json\"\r\n\r\nunterminated"), true},
		{multipartBody(disp("file", "d\x01.json"), ""), true},
		{multipartBody(disp("file", "=?utf-8?q?r=C3=A9gions.geojson?="), "{}"), true},
	} {
		f.Add(s.body, s.territory)
	}
	base := f.TempDir()
	a := &api{cfg: Config{Options: Options{MaxUpload: 1 << 16}}}
	f.Fuzz(func(t *testing.T, body []byte, territories bool) {
		specs := indicatorParts
		if territories {
			specs = territoryParts
		}
		dir, err := os.MkdirTemp(base, "up-*")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(dir)
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		up := &upload{dir: dir, parts: map[string]spooled{}}
		err = a.spool(echo.New().NewContext(req, httptest.NewRecorder()), "B", specs, up)
		if err != nil {
			if s := problemStatus(err); s != http.StatusBadRequest && s != http.StatusRequestEntityTooLarge {
				t.Fatalf("spool: %v (%T): want a 400 or 413 problem", err, err)
			}
			return
		}
		for _, s := range specs {
			p, ok := up.parts[s.name]
			if s.required && !ok {
				t.Fatalf("part %s missing but spooled", s.name)
			}
			if !ok {
				continue
			}
			if p.path != s.name+"/"+p.file || path.Base(p.file) != p.file || !slices.Contains(s.exts, strings.ToLower(path.Ext(p.file))) {
				t.Fatalf("part %s spooled as %+v", s.name, p)
			}
			st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p.path)))
			if err != nil || st.Size() != p.size {
				t.Fatalf("part %s: %v, size %v, want %d", s.name, err, st, p.size)
			}
		}
	})
}

// FuzzUploadOptions: the query of an upload (the flags of `atlas import`)
// and its Idempotency-Key are either 400 problems naming the parameter or
// options the importer can take: a known layout and level, a positive
// SRID, a known encoding, parents at known levels.
func FuzzUploadOptions(f *testing.F) {
	for _, s := range [][2]string{
		{"layout=wide&level=departements&code-column=DEP&value-column=taux", `"k-1"`},
		{"layout=large&level=canton", ""}, {"level=region&level=region", "clé avec espace"},
		{"srid=2154&parent=region=REG&parent=departement=DEP&parent-skip=2&parent-encoding=WINDOWS-1252&parent-key=COM", "x"},
		{"srid=-1&parent-field=region", strings.Repeat("k", 256)}, {"parent-skip=x&parent-encoding=latin1", `""`},
		{"unknown=1", "\x7f"}, {"parent=commune=", "a"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, rawQuery, key string) {
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			return // echo reads what it can; the parsers below see values only
		}
		named := func(err error) {
			t.Helper()
			var p *httpx.Problem
			if !errors.As(err, &p) || p.Status != http.StatusBadRequest || len(p.InvalidParams) != 1 || !q.Has(p.InvalidParams[0].Name) {
				t.Fatalf("%q: %v (%T): want a 400 naming one of the query's parameters", rawQuery, err, err)
			}
		}
		if opt, err := indicatorOptions(q); err != nil {
			named(err)
		} else if (opt.Layout != "" && opt.Layout != importer.LayoutLong && opt.Layout != importer.LayoutWide) ||
			(opt.Level != "" && !slices.Contains(territory.Levels, territory.Level(opt.Level))) {
			t.Fatalf("%q: indicator options %+v", rawQuery, opt)
		}
		if opt, err := territoryOptions(q, territory.Departement); err != nil {
			named(err)
		} else {
			if opt.SRID < 0 || opt.ParentSkip < 0 || (opt.ParentEncoding != "" && opt.ParentEncoding != "utf-8" && opt.ParentEncoding != "windows-1252") {
				t.Fatalf("%q: territory options %+v", rawQuery, opt)
			}
			for l, n := range opt.ParentColumns {
				if !slices.Contains(territory.Levels, l) || n == "" {
					t.Fatalf("%q: parent %q=%q", rawQuery, l, n)
				}
			}
		}
		h := http.Header{"Idempotency-Key": {key}}
		k, err := idempotencyKey(h)
		if err != nil {
			if p := problemStatus(err); p != http.StatusBadRequest {
				t.Fatalf("Idempotency-Key %q: %v", key, err)
			}
		} else if k == "" || len(k) > 255 || strings.ContainsAny(k, " \t\r\n") {
			t.Fatalf("Idempotency-Key %q read as %q", key, k)
		}
	})
}
