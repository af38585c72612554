package adminapi_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/adminapi"
	"github.com/atlas-sante-travail/atlas/internal/auth"
	"github.com/atlas-sante-travail/atlas/internal/dataset/datasettest"
	"github.com/atlas-sante-travail/atlas/internal/server"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/store/storetest"
)

const metaJSON = `{
  "id": "taux-test", "label": "Taux de test", "theme": "sinistralite", "definition": "Indicateur de test", "unit": "%",
  "producer": "Carsat (test)", "source": "fichier de test", "licence": "Licence Ouverte 2.0",
  "vintages": ["2022", "2023"], "levels": ["departement"], "sexes": ["ensemble"], "sectors": ["ensemble"],
  "decimals": 1, "polarity": "higher-is-worse", "aggregation": "ratio", "threshold": 5, "threshold_on": "numerator",
  "scale": 100, "demo": true
}`

// valuesCSV gives 31 a rate of rate31 %; 09's 3 cases are under the
// threshold of 5, so that its figures (0.3 %, 3 of 1000) are secret.
func valuesCSV(rate31 int) string {
	return fmt.Sprintf("level;code;period;numerator;denominator\n"+
		"departement;31;2023;%d;1000\n"+
		"departement;81;2023;30;1000\n"+
		"departement;09;2023;3;1000\n"+
		"departement;11;2023;40;1000\n"+
		"departement;12;2023;60;1000\n", rate31*10)
}

func indicatorForm(values string) (string, []byte) {
	return form(part{"meta", "taux-test.json", metaJSON}, part{"values", "values.csv", values})
}

// snapshot is everything an indicator upload could change: the values,
// the active datasets and the catalogue's version.
func snapshot(t *testing.T, st *store.Store) string {
	t.Helper()
	var s string
	err := storetest.SQL(t, st).QueryRow(context.Background(), `SELECT
		coalesce((SELECT string_agg(concat_ws(':', indicator, level, code, period, value, numerator, status, dataset_id), ',' ORDER BY indicator, level, code, period) FROM indicator_value), '')
		|| '|' || coalesce((SELECT string_agg(concat_ws(':', indicator, id, active, sha256), ',' ORDER BY id) FROM indicator_dataset), '')
		|| '|' || coalesce((SELECT string_agg(concat_ws(':', level, id, active), ',' ORDER BY id) FROM territory_dataset), '')`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	v, err := st.IndicatorVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s + "|" + v
}

// rawUpload sends the head of an upload on a connection of its own and
// the first n bytes of its body, announcing all of it.
func rawUpload(t *testing.T, srvURL, path, token, key, contentType string, body []byte, n int) net.Conn {
	t.Helper()
	u, _ := url.Parse(srvURL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n", path, u.Host, token, contentType, len(body))
	if key != "" {
		head += "Idempotency-Key: " + key + "\r\n"
	}
	if _, err := io.WriteString(conn, head+"\r\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write(body[:n]); err != nil {
		t.Fatal(err)
	}
	return conn
}

// choroplethOf returns the choropleth's territories by code.
func choroplethOf(t *testing.T, srvURL string) (int, map[string]map[string]any, []byte) {
	t.Helper()
	resp, b := call(t, "GET", srvURL+"/api/v1/indicators/taux-test/choropleth?level=departement&period=2023", "", "", nil)
	var m struct{ Territories []map[string]any }
	byCode := map[string]map[string]any{}
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for _, x := range m.Territories {
			byCode[x["code"].(string)] = x
		}
	}
	return resp.StatusCode, byCode, b
}

func TestIndicatorUploads(t *testing.T) {
	f := setup(t)
	srv, tmp := f.serve(t, adminapi.Options{TokenHashes: []auth.Hash{f.hash}})
	small, smallTmp := f.serve(t, adminapi.Options{TokenHashes: []auth.Hash{f.hash}, MaxUpload: 4096})
	post := func(t *testing.T, base, contentType string, body []byte, headers ...string) (*http.Response, []byte) {
		t.Helper()
		return call(t, "POST", base+"/api/v1/admin/indicators", f.token, contentType, bytes.NewReader(body), headers...)
	}

	// A successful upload is in the catalogue and the map at once, its
	// secret value without a figure.
	ct, body := indicatorForm(valuesCSV(5))
	resp, b := post(t, srv.URL, ct, body)
	var res struct {
		Indicator string
		Dataset   int64
		Rows      int
		Unchanged bool
	}
	if resp.StatusCode != 201 || json.Unmarshal(b, &res) != nil || res.Indicator != "taux-test" || res.Rows != 5 || res.Dataset == 0 || res.Unchanged {
		t.Fatalf("upload: %d %s", resp.StatusCode, b)
	}
	if resp, b := call(t, "GET", srv.URL+"/api/v1/indicators", "", "", nil); resp.StatusCode != 200 || !strings.Contains(string(b), `"taux-test"`) {
		t.Fatalf("catalogue after upload: %d %s", resp.StatusCode, b)
	}
	status, terr, raw := choroplethOf(t, srv.URL)
	if status != 200 || terr["31"]["value"] != 5.0 || terr["09"]["status"] != "secret" || terr["09"]["value"] != nil {
		t.Fatalf("choropleth after upload: %d %s", status, raw)
	}
	if strings.Contains(string(raw), "0.3") {
		t.Errorf("the choropleth shows 09's secret rate:\n%s", raw)
	}
	// The same files again (another boundary) change nothing.
	ct, body = indicatorForm(valuesCSV(5))
	before := snapshot(t, f.st)
	if resp, b := post(t, srv.URL, ct, body); resp.StatusCode != 200 || !strings.Contains(string(b), `"unchanged":true`) {
		t.Fatalf("same upload: %d %s", resp.StatusCode, b)
	}
	if after := snapshot(t, f.st); after != before {
		t.Errorf("a repeated upload changed the store")
	}

	t.Run("invalid CSV line", func(t *testing.T) {
		before := snapshot(t, f.st)
		ct, body := indicatorForm(valuesCSV(9) + "departement;32;2019;10;1000\n")
		resp, b := post(t, srv.URL, ct, body)
		p := problemOf(t, resp, b, 422)
		want := `"invalid-params":[{"name":"values","reason":"period 2019 is not a vintage of indicator taux-test (vintages: 2022, 2023; a year covers its quarters)","file":"values.csv","line":7,"column":3,"field":"period"}]`
		if p.Type != "/problems/invalid-file" || !strings.Contains(string(b), want) || !strings.Contains(p.Detail, "values.csv, ligne 7, colonne 3 (period)") {
			t.Errorf("problem %s\nwant %s", b, want)
		}
		if after := snapshot(t, f.st); after != before {
			t.Errorf("a refused upload changed the store:\n%s\n%s", before, after)
		}
		if _, terr, _ := choroplethOf(t, srv.URL); terr["31"]["value"] != 5.0 {
			t.Errorf("31 after a refused upload: %v", terr["31"])
		}
	})

	t.Run("invalid metadata", func(t *testing.T) {
		before := snapshot(t, f.st)
		ct, body := form(part{"meta", "taux.yaml", "id: taux-test\nlabel: [\n"}, part{"values", "values.csv", valuesCSV(9)})
		resp, b := post(t, srv.URL, ct, body)
		p := problemOf(t, resp, b, 422)
		if len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != "meta" || p.InvalidParams[0].File != "taux.yaml" {
			t.Errorf("problem %s", b)
		}
		if after := snapshot(t, f.st); after != before {
			t.Error("a refused upload changed the store")
		}
	})

	t.Run("oversized", func(t *testing.T) {
		before := snapshot(t, f.st)
		big := valuesCSV(9) + strings.Repeat("\n", 5000)
		ct, body := indicatorForm(big)
		// Announced: refused before anything is read.
		resp, b := post(t, small.URL, ct, body)
		p := problemOf(t, resp, b, 413)
		if p.Type != "/problems/too-large" || !strings.Contains(p.Detail, "4096 octets") {
			t.Errorf("problem %s", b)
		}
		// Not announced (chunked): refused once the limit is read.
		req, _ := http.NewRequest("POST", small.URL+"/api/v1/admin/indicators", io.MultiReader(bytes.NewReader(body)))
		req.Header.Set("Authorization", "Bearer "+f.token)
		req.Header.Set("Content-Type", ct)
		req.ContentLength = -1
		r2, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ = io.ReadAll(r2.Body)
		r2.Body.Close()
		problemOf(t, r2, b, 413)
		if after := snapshot(t, f.st); after != before {
			t.Error("an oversized upload changed the store")
		}
		if !empty(t, smallTmp) {
			t.Errorf("upload files left: %v", uploadsIn(t, smallTmp))
		}
		// Under the limit, the small server imports.
		ct, body = indicatorForm(valuesCSV(5))
		if resp, b := post(t, small.URL, ct, body); resp.StatusCode != 200 {
			t.Errorf("small upload on the small server: %d %s", resp.StatusCode, b)
		}
	})

	t.Run("bad requests", func(t *testing.T) {
		before := snapshot(t, f.st)
		ct, body := indicatorForm(valuesCSV(9))
		for _, c := range []struct {
			name, query, contentType string
			body                     []byte
			parts                    []part // when set, the body instead
			headers                  []string
			status                   int
			param                    string
		}{
			{name: "unknown option", query: "?code_column=x", status: 400, param: "code_column"},
			{name: "unknown layout", query: "?layout=diagonal", status: 400, param: "layout"},
			{name: "unknown level", query: "?level=canton", status: 400, param: "level"},
			{name: "option twice", query: "?layout=long&layout=wide", status: 400, param: "layout"},
			{name: "not multipart", contentType: "text/csv", body: []byte(valuesCSV(9)), status: 415},
			{name: "bad key", headers: []string{"Idempotency-Key", "a b"}, status: 400, param: "Idempotency-Key"},
			{name: "missing part", parts: []part{{"meta", "m.json", metaJSON}}, status: 400, param: "values"},
			{name: "unknown part", parts: []part{{"meta", "m.json", metaJSON}, {"extra", "x.csv", "a"}}, status: 400, param: "extra"},
			{name: "part twice", parts: []part{{"meta", "m.json", metaJSON}, {"meta", "n.json", metaJSON}}, status: 400, param: "meta"},
			{name: "wrong extension", parts: []part{{"meta", "m.txt", metaJSON}}, status: 400, param: "meta"},
			{name: "no file name", parts: []part{{"meta", "", metaJSON}}, status: 400, param: "meta"},
			{name: "truncated body", body: body[:len(body)-20], status: 400},
		} {
			t.Run(c.name, func(t *testing.T) {
				cType, b := ct, body
				switch {
				case c.parts != nil:
					cType, b = form(c.parts...)
				case c.body != nil:
					b = c.body
				}
				if c.contentType != "" {
					cType = c.contentType
				}
				resp, b := call(t, "POST", srv.URL+"/api/v1/admin/indicators"+c.query, f.token, cType, bytes.NewReader(b), c.headers...)
				p := problemOf(t, resp, b, c.status)
				if c.param != "" && (len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != c.param) {
					t.Errorf("problem %s, want one naming %s", b, c.param)
				}
			})
		}
		if after := snapshot(t, f.st); after != before {
			t.Error("a bad request changed the store")
		}
		if !empty(t, tmp) {
			t.Errorf("upload files left: %v", uploadsIn(t, tmp))
		}
	})

	t.Run("idempotency key", func(t *testing.T) {
		ct, body := indicatorForm(valuesCSV(7))
		resp, first := post(t, srv.URL, ct, body, "Idempotency-Key", `"k-7"`)
		if resp.StatusCode != 201 {
			t.Fatalf("first: %d %s", resp.StatusCode, first)
		}
		after := snapshot(t, f.st)
		// The same files and options, sent again: the same answer, from
		// the store, and no second import.
		ct, body = indicatorForm(valuesCSV(7))
		resp, again := post(t, srv.URL, ct, body, "Idempotency-Key", "k-7")
		if resp.StatusCode != 201 || !bytes.Equal(again, first) || resp.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("replay: %d %s %q, want 201 %s", resp.StatusCode, again, resp.Header.Get("Idempotent-Replayed"), first)
		}
		if snapshot(t, f.st) != after {
			t.Error("the replay imported again")
		}
		// The key with another payload, or other options: 422.
		for _, q := range []string{"", "?layout=long"} {
			ct, body = indicatorForm(valuesCSV(8))
			if q != "" {
				ct, body = indicatorForm(valuesCSV(7))
			}
			resp, b := call(t, "POST", srv.URL+"/api/v1/admin/indicators"+q, f.token, ct, bytes.NewReader(body), "Idempotency-Key", "k-7")
			if p := problemOf(t, resp, b, 422); p.Type != "/problems/idempotency-key-reused" {
				t.Errorf("%q: %+v", q, p)
			}
		}
		if snapshot(t, f.st) != after {
			t.Error("a reused key imported")
		}
		// A refused file is an answer too: replayed, not imported again.
		ct, body = indicatorForm(valuesCSV(8) + "departement;2B;2023;x;1\n")
		resp, bad := post(t, srv.URL, ct, body, "Idempotency-Key", "k-bad")
		problemOf(t, resp, bad, 422)
		ct, body = indicatorForm(valuesCSV(8) + "departement;2B;2023;x;1\n")
		if resp, b := post(t, srv.URL, ct, body, "Idempotency-Key", "k-bad"); resp.StatusCode != 422 || !bytes.Equal(b, bad) {
			t.Errorf("replayed refusal: %d %s", resp.StatusCode, b)
		}
	})

	t.Run("concurrent duplicate", func(t *testing.T) {
		ct, body := indicatorForm(valuesCSV(6))
		conn := rawUpload(t, srv.URL, "/api/v1/admin/indicators", f.token, "k-6", ct, body, len(body)/2)
		// The key is claimed before the directory is made.
		waitFor(t, "the first upload to start", func() bool { return !empty(t, tmp) })
		resp, b := post(t, srv.URL, ct, body, "Idempotency-Key", "k-6")
		if p := problemOf(t, resp, b, 409); p.Type != "/problems/idempotency-key-in-use" {
			t.Errorf("%+v", p)
		}
		if _, err := conn.Write(body[len(body)/2:]); err != nil {
			t.Fatal(err)
		}
		r, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		first, _ := io.ReadAll(r.Body)
		if r.StatusCode != 201 {
			t.Fatalf("first upload: %d %s", r.StatusCode, first)
		}
		if resp, b := post(t, srv.URL, ct, body, "Idempotency-Key", "k-6"); resp.StatusCode != 201 || !bytes.Equal(b, first) {
			t.Errorf("after the first: %d %s", resp.StatusCode, b)
		}
		if _, terr, _ := choroplethOf(t, srv.URL); terr["31"]["value"] != 6.0 {
			t.Errorf("31 after the upload: %v", terr["31"])
		}
	})

	t.Run("killed upload", func(t *testing.T) {
		before := snapshot(t, f.st)
		ct, body := indicatorForm(valuesCSV(4) + strings.Repeat("\n", 100000))
		conn := rawUpload(t, srv.URL, "/api/v1/admin/indicators", f.token, "k-4", ct, body, len(body)/2)
		waitFor(t, "the values to be written", func() bool {
			for _, u := range uploadsIn(t, tmp) {
				if strings.HasSuffix(u, "values.csv") {
					return true
				}
			}
			return false
		})
		conn.Close()
		waitFor(t, "the upload's files to be removed", func() bool { return empty(t, tmp) })
		if after := snapshot(t, f.st); after != before {
			t.Errorf("a killed upload changed the store:\n%s\n%s", before, after)
		}
		// The key was freed: the whole upload goes through with it.
		resp, b := post(t, srv.URL, ct, body, "Idempotency-Key", "k-4")
		if resp.StatusCode != 201 {
			t.Fatalf("retry: %d %s", resp.StatusCode, b)
		}
		if _, terr, _ := choroplethOf(t, srv.URL); terr["31"]["value"] != 4.0 {
			t.Errorf("31 after the retry: %v", terr["31"])
		}
	})

	t.Run("datasets and delete", func(t *testing.T) {
		resp, b := call(t, "GET", srv.URL+"/api/v1/admin/datasets", f.token, "", nil)
		var ds struct {
			Territories []struct {
				Level    string
				Features int
				Files    []struct {
					Name string
					Size int64
				}
			}
			Indicators []struct {
				ID, Source string
				Rows       int
				Files      []struct {
					Name   string
					Size   int64
					SHA256 string
				}
			}
		}
		if resp.StatusCode != 200 || json.Unmarshal(b, &ds) != nil || len(ds.Indicators) != 1 || len(ds.Territories) != 1 {
			t.Fatalf("%d %s", resp.StatusCode, b)
		}
		values := valuesCSV(4) + strings.Repeat("\n", 100000)
		if ind := ds.Indicators[0]; ind.ID != "taux-test" || ind.Source != "fichier de test" || ind.Rows != 5 || len(ind.Files) != 2 ||
			ind.Files[1].Name != "values.csv" || ind.Files[1].Size != int64(len(values)) || len(ind.Files[1].SHA256) != 64 {
			t.Errorf("indicator %+v", ind)
		}
		if lv := ds.Territories[0]; lv.Level != "departement" || lv.Features < 96 || len(lv.Files) != 1 || lv.Files[0].Size == 0 {
			t.Errorf("level %+v", lv)
		}

		resp, b = call(t, "DELETE", srv.URL+"/api/v1/admin/territories/departements", f.token, "", nil)
		if p := problemOf(t, resp, b, 409); p.Type != "/problems/dataset-in-use" || !strings.Contains(p.Detail, "taux-test") {
			t.Errorf("%+v", p)
		}
		if resp, b := call(t, "DELETE", srv.URL+"/api/v1/admin/indicators/taux-test", f.token, "", nil); resp.StatusCode != 204 {
			t.Fatalf("delete: %d %s", resp.StatusCode, b)
		}
		if resp, b := call(t, "GET", srv.URL+"/api/v1/indicators", "", "", nil); resp.StatusCode != 200 || strings.Contains(string(b), `"taux-test"`) {
			t.Errorf("catalogue after delete: %d %s", resp.StatusCode, b)
		}
		if status, _, b := choroplethOf(t, srv.URL); status != 404 {
			t.Errorf("choropleth after delete: %d %s", status, b)
		}
		resp, b = call(t, "DELETE", srv.URL+"/api/v1/admin/indicators/taux-test", f.token, "", nil)
		problemOf(t, resp, b, 404)
		if resp, b := call(t, "DELETE", srv.URL+"/api/v1/admin/territories/departements", f.token, "", nil); resp.StatusCode != 204 {
			t.Fatalf("delete level: %d %s", resp.StatusCode, b)
		}
		waitFor(t, "the tiles to drop the layer", func() bool {
			resp, _ := call(t, "GET", srv.URL+"/tiles/departements.json", "", "", nil)
			return resp.StatusCode == 404
		})
	})
}

// An upload may take longer than the server's read timeout, which is for
// ordinary requests: the handler moves its own deadlines.
func TestSlowUploadOutlivesReadTimeout(t *testing.T) {
	f := setup(t)
	tmp := t.TempDir()
	ts := httptest.NewUnstartedServer(server.New(server.Config{Store: f.st, Tiles: f.svc,
		Admin: adminapi.Options{TokenHashes: []auth.Hash{f.hash}, TempDir: tmp}}))
	ts.Config.ReadTimeout = 300 * time.Millisecond
	ts.Start()
	t.Cleanup(ts.Close)
	ct, body := indicatorForm(valuesCSV(5))
	conn := rawUpload(t, ts.URL, "/api/v1/admin/indicators", f.token, "", ct, body, len(body)/2)
	waitFor(t, "the upload to start", func() bool { return !empty(t, tmp) })
	time.Sleep(3 * ts.Config.ReadTimeout)
	if _, err := conn.Write(body[len(body)/2:]); err != nil {
		t.Fatal(err)
	}
	r, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	if r.StatusCode != 201 {
		t.Fatalf("slow upload: %d %s", r.StatusCode, b)
	}
}

func TestTerritoryUploads(t *testing.T) {
	f := setup(t)
	srv, tmp := f.serve(t, adminapi.Options{TokenHashes: []auth.Hash{f.hash}, MaxUpload: 8 << 20})
	post := func(t *testing.T, path string, parts ...part) (*http.Response, []byte) {
		t.Helper()
		ct, body := form(parts...)
		return call(t, "POST", srv.URL+path, f.token, ct, bytes.NewReader(body))
	}
	read := func(name string) string {
		b, err := os.ReadFile(datasettest.File(t, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	regions := read("regions/regions-version-simplifiee.geojson")

	if resp, _ := call(t, "GET", srv.URL+"/tiles/regions.json", "", "", nil); resp.StatusCode != 404 {
		t.Fatalf("regions served before their upload: %d", resp.StatusCode)
	}
	resp, b := post(t, "/api/v1/admin/territories/region?vintage=2024&attribution=IGN", part{"file", "regions.geojson", regions})
	if resp.StatusCode != 201 || !strings.Contains(string(b), `"level":"region"`) || !strings.Contains(string(b), `"unchanged":false`) {
		t.Fatalf("upload: %d %s", resp.StatusCode, b)
	}
	waitFor(t, "the regions' tiles", func() bool {
		resp, _ := call(t, "GET", srv.URL+"/tiles/regions.json", "", "", nil)
		return resp.StatusCode == 200
	})
	if resp, b := post(t, "/api/v1/admin/territories/regions?attribution=IGN&vintage=2024", part{"file", "regions.geojson", regions}); resp.StatusCode != 200 || !strings.Contains(string(b), `"unchanged":true`) {
		t.Errorf("same upload: %d %s", resp.StatusCode, b)
	}

	// A zipped shapefile, read in place, with a parent table beside it.
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for _, ext := range []string{".shp", ".shx", ".dbf", ".prj", ".cpg"} {
		w, _ := zw.Create("ze2020/ze2020_2022" + ext)
		io.WriteString(w, read("zones-emploi/ze2020_2022"+ext))
	}
	zw.Close()
	before := snapshot(t, f.st)
	// A parent table naming a column it lacks: nothing imported.
	resp, b = post(t, "/api/v1/admin/territories/zone-emploi?code-field=ze2020&name-field=libze2020&parent-key=ZE&parent=region=REG",
		part{"file", "ze.zip", zb.String()}, part{"parent-table", "ze-parents.csv", "ZE2020;REG\n7601;76\n"})
	p := problemOf(t, resp, b, 422)
	if len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != "parent-table" || p.InvalidParams[0].File != "ze-parents.csv" || p.InvalidParams[0].Line != 1 {
		t.Errorf("problem %s", b)
	}
	if snapshot(t, f.st) != before {
		t.Error("a refused upload changed the store")
	}
	resp, b = post(t, "/api/v1/admin/territories/zone-emploi?code-field=ze2020&name-field=libze2020&vintage=ZE2020&parent-key=ZE2020&parent=region=REG",
		part{"file", "ze.zip", zb.String()}, part{"parent-table", "ze-parents.csv", "ZE2020;REG\n7601;76\n"})
	var tr struct{ Features int }
	if resp.StatusCode != 201 || json.Unmarshal(b, &tr) != nil || tr.Features < 280 {
		t.Fatalf("zip upload: %d %s", resp.StatusCode, b)
	}
	var reg string
	if err := storetest.SQL(t, f.st).QueryRow(context.Background(), `SELECT region FROM territory WHERE level = 'zone-emploi' AND code = '7601'`).Scan(&reg); err != nil || reg != "76" {
		t.Errorf("7601's région %q from the parent table (%v)", reg, err)
	}

	before = snapshot(t, f.st)
	dup := `{"type":"FeatureCollection","features":[` +
		`{"type":"Feature","properties":{"code":"76","nom":"A"},"geometry":{"type":"Polygon","coordinates":[[[1,43],[2,43],[2,44],[1,43]]]}},` +
		`{"type":"Feature","properties":{"code":"76","nom":"B"},"geometry":{"type":"Polygon","coordinates":[[[2,43],[3,43],[3,44],[2,43]]]}}]}`
	for _, c := range []struct {
		name, path string
		parts      []part
		status     int
		param      string
	}{
		{"duplicate code", "/api/v1/admin/territories/region", []part{{"file", "dup.geojson", dup}}, 422, "file"},
		{"not an archive", "/api/v1/admin/territories/region", []part{{"file", "x.zip", "not a zip"}}, 422, "file"},
		{"unknown level", "/api/v1/admin/territories/canton", []part{{"file", "r.geojson", regions}}, 400, "level"},
		{"parent table without its columns", "/api/v1/admin/territories/region", []part{{"file", "r.geojson", regions}, {"parent-table", "p.csv", "a;b\n"}}, 400, "parent-key"},
		{"columns without a parent table", "/api/v1/admin/territories/region?parent-key=a&parent=france=b", []part{{"file", "r.geojson", regions}}, 400, "parent-table"},
		{"bad parent option", "/api/v1/admin/territories/region?parent=nowhere", []part{{"file", "r.geojson", regions}}, 400, "parent"},
		{"bad srid", "/api/v1/admin/territories/region?srid=lambert", []part{{"file", "r.geojson", regions}}, 400, "srid"},
		{"no file", "/api/v1/admin/territories/region", []part{{"parent-table", "p.csv", "a;b\n"}}, 400, "file"},
		{"hidden file name", "/api/v1/admin/territories/region", []part{{"file", ".r.geojson", regions}}, 400, "file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, b := post(t, c.path, c.parts...)
			p := problemOf(t, resp, b, c.status)
			if len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != c.param {
				t.Errorf("problem %s, want one naming %s", b, c.param)
			}
			if c.name == "duplicate code" && (p.InvalidParams[0].Feature == nil || *p.InvalidParams[0].Feature != 1 || p.InvalidParams[0].File != "dup.geojson") {
				t.Errorf("problem %s, want feature 1 of dup.geojson", b)
			}
		})
	}
	if snapshot(t, f.st) != before {
		t.Error("a refused upload changed the store")
	}
	if !empty(t, tmp) {
		t.Errorf("upload files left: %v", uploadsIn(t, tmp))
	}

	if resp, b := call(t, "DELETE", srv.URL+"/api/v1/admin/territories/regions", f.token, "", nil); resp.StatusCode != 204 {
		t.Fatalf("delete: %d %s", resp.StatusCode, b)
	}
	waitFor(t, "the tiles to drop the regions", func() bool {
		resp, _ := call(t, "GET", srv.URL+"/tiles/regions.json", "", "", nil)
		return resp.StatusCode == 404
	})
}
