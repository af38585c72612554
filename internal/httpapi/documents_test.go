package httpapi_test

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/demodata"
	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/importer"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/server"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/store/storetest"
	"github.com/atlas-sante-travail/atlas/internal/territory"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

// docFixture is a server over the régions and départements with the
// fictive AT data, whose small counts the importer made secret.
type docFixture struct {
	st  *store.Store
	srv *httptest.Server
}

func setupDocuments(tb testing.TB, cache blob.Cache, keep func(demodata.Recipe) bool) docFixture {
	tb.Helper()
	st := storetest.New(tb)
	ctx := context.Background()
	for _, o := range []importer.TerritoryOptions{
		{Level: territory.Region, Files: []string{mirrorFile(tb, "regions/regions-avec-outre-mer.geojson")}, CodeField: "code", NameField: "nom"},
		{Level: territory.Departement, Files: []string{mirrorFile(tb, "departements/departements-avec-outre-mer.geojson")}, CodeField: "code", NameField: "nom",
			ParentTable: mirrorFile(tb, "derived/ze2020_composition_communale_geo2023.csv"), ParentKey: "DEP", ParentColumns: map[territory.Level]string{territory.Region: "REG"}},
	} {
		if _, err := importer.ImportTerritories(ctx, st, o); err != nil {
			tb.Fatal(err)
		}
	}
	importDemo(tb, st, keep)
	svc := tiles.NewService(st, blob.NewLRU(64<<20), tiles.Options{PrewarmMaxZoom: 0})
	if err := svc.LoadAll(ctx); err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(server.New(server.Config{Store: st, Tiles: svc, Cache: cache}))
	tb.Cleanup(srv.Close)
	return docFixture{st: st, srv: srv}
}

// importDemoAT imports the fictive AT frequency of the départements
// stored (aggregated to their régions), with its secret cells, and
// returns those départements.
func importDemoAT(tb testing.TB, st *store.Store) []territory.Territory {
	return importDemo(tb, st, func(r demodata.Recipe) bool { return r.Indicator == demodata.IndicatorAT })
}

// importDemo imports the demo's indicators that keep says, from the
// mirror, at the levels stored; it returns the départements.
func importDemo(tb testing.TB, st *store.Store, keep func(demodata.Recipe) bool) []territory.Territory {
	tb.Helper()
	ctx := context.Background()
	deps, _, err := st.LoadLevel(ctx, territory.Departement)
	if err != nil {
		tb.Fatal(err)
	}
	known := territory.NewRegistry(territory.NewSet(territory.Departement, deps.Territories))
	recipes, err := demodata.Recipes()
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range recipes {
		if _, ok := known.Level(r.Level); !keep(r) || !ok {
			continue
		}
		source := map[string]string{}
		for _, name := range r.Sources() {
			source[name] = mirrorFile(tb, name)
		}
		opt, err := r.Prepare(tb.TempDir(), source, known)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := importer.ImportIndicator(ctx, st, opt); err != nil {
			tb.Fatal(err)
		}
	}
	return deps.Territories
}

// poppler runs a poppler-utils command on a PDF and returns its output.
func poppler(t *testing.T, tool string, pdf []byte, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Fatalf("%s not found: install poppler-utils (deploy/deps.sh)", tool)
	}
	f := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(f, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, append(args, f, "-")...).CombinedOutput()
	if tool != "pdftotext" {
		out, err = exec.Command(tool, append(args, f)...).CombinedOutput()
	}
	if err != nil {
		t.Fatalf("%s: %v\n%s", tool, err, out)
	}
	return string(out)
}

// plain folds the spaces a renderer may write (no-break, line breaks)
// into one, so that figures compare as text.
func plain(s string) string {
	s = strings.ReplaceAll(s, "\u00a0", " ")
	return strings.Join(strings.Fields(s), " ")
}

func TestDocuments(t *testing.T) {
	f := setupDocuments(t, blob.NewLRU(64<<20), func(r demodata.Recipe) bool { return r.Indicator == demodata.IndicatorAT })
	base := f.srv.URL + "/api/v1"
	const id = demodata.IndicatorAT
	var ind diagnostic.IndicatorInfo
	getJSON(t, base+"/indicators/"+id, &ind)

	// The same figures as the API: Occitanie's value, and a département's.
	var regions, deps diagnostic.Map
	getJSON(t, base+"/indicators/"+id+"/choropleth?level=region", &regions)
	getJSON(t, base+"/indicators/"+id+"/choropleth?level=departement&within=region:76", &deps)
	want := func(m diagnostic.Map, code string) string {
		for _, tr := range m.Territories {
			if tr.Code == code && tr.Value != nil {
				return plain(indicator.FormatValue(*tr.Value, ind.Decimals, ind.Unit))
			}
		}
		t.Fatalf("no published value for %s in the %s map", code, m.Level)
		return ""
	}

	// In tables, figures go without their unit (it heads the column).
	number := func(m diagnostic.Map, code string) string {
		return strings.Fields(want(m, code))[0]
	}

	start := time.Now()
	r := get(t, base+"/documents/chiffres-cles?territory=region:76&format=pdf")
	pdf := body(t, r)
	t.Logf("chiffres clés of Occitanie, PDF, cold: %v, %d bytes", time.Since(start), len(pdf))
	if r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("chiffres clés PDF: %d %s\n%.300s", r.StatusCode, r.Header.Get("Content-Type"), pdf)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="chiffres-cles-occitanie.pdf"`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	if et := r.Header.Get("ETag"); et == "" {
		t.Error("no ETag")
	} else if r2 := get(t, base+"/documents/chiffres-cles?territory=region:76&format=pdf", "If-None-Match", et); r2.StatusCode != 304 {
		t.Errorf("If-None-Match: %d, want 304", r2.StatusCode)
	}
	save(t, "chiffres-cles-occitanie.pdf", pdf)
	text := plain(poppler(t, "pdftotext", pdf, "-layout"))
	for _, s := range []string{"Chiffres clés de la santé au travail – Occitanie", want(regions, "76"),
		"Source : ", indicator.DemoNotice, "Focus secteurs", "Travail temporaire"} {
		if !strings.Contains(text, plain(s)) {
			t.Errorf("the PDF has no %q", s)
		}
	}
	info := poppler(t, "pdfinfo", pdf)
	if !regexp.MustCompile(`Page size:\s+595\.28 x 841\.89 pts \(A4\)`).MatchString(info) {
		t.Errorf("not A4:\n%s", info)
	}
	if m := regexp.MustCompile(`Pages:\s+(\d+)`).FindStringSubmatch(info); m == nil || m[1] == "1" {
		t.Errorf("pages:\n%s", info)
	} else {
		t.Logf("Occitanie: %s pages", m[1])
	}
	for _, s := range []string{"Title:           Chiffres clés", "Keywords:", "Assurance Maladie"} {
		if !strings.Contains(info, s) {
			t.Errorf("pdfinfo has no %q:\n%s", s, info)
		}
	}
	fonts := poppler(t, "pdffonts", pdf)
	lines := strings.Split(strings.TrimSpace(fonts), "\n")
	if len(lines) < 3 {
		t.Fatalf("pdffonts:\n%s", fonts)
	}
	for _, l := range lines[2:] {
		if fs := strings.Fields(l); len(fs) < 5 || fs[len(fs)-5] != "yes" {
			t.Errorf("font not embedded: %s", l)
		}
	}

	// A département: its figure and its rank in the région.
	dpdf := body(t, get(t, base+"/documents/chiffres-cles?territory=departement:31&format=pdf"))
	dtext := plain(poppler(t, "pdftotext", dpdf, "-layout"))
	for _, s := range []string{want(deps, "31"), "Rang : ", "Occitanie : "} {
		if !strings.Contains(dtext, plain(s)) {
			t.Errorf("the PDF of 31 has no %q", s)
		}
	}

	// HTML: the same figures, print styles, a strict CSP.
	hr := get(t, base+"/documents/chiffres-cles?territory=region:76")
	html := string(body(t, hr))
	save(t, "chiffres-cles-occitanie.html", []byte(html))
	if hr.StatusCode != 200 || !strings.HasPrefix(hr.Header.Get("Content-Type"), "text/html") || hr.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("HTML: %d %s %q", hr.StatusCode, hr.Header.Get("Content-Type"), hr.Header.Get("Content-Security-Policy"))
	}
	for _, s := range []string{"size: A4", "break-inside: avoid", want(regions, "76"), "<svg"} {
		if !strings.Contains(plain(html), plain(s)) {
			t.Errorf("the HTML has no %q", s)
		}
	}

	// Static map: one path per territory of the choropleth.
	sr := get(t, base+"/indicators/"+id+"/map.svg?level=departement&within=region:76")
	svg := body(t, sr)
	save(t, "carte-occitanie.svg", svg)
	if sr.StatusCode != 200 || sr.Header.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("map.svg: %d %s", sr.StatusCode, sr.Header.Get("Content-Type"))
	}
	if n := countPaths(t, svg); n != len(deps.Territories) {
		t.Errorf("map.svg: %d paths, %d territories", n, len(deps.Territories))
	}
	if et := sr.Header.Get("ETag"); get(t, base+"/indicators/"+id+"/map.svg?level=departement&within=region:76", "If-None-Match", et).StatusCode != 304 {
		t.Error("map.svg: no 304")
	}

	// No secret figure in any document: every secret cell of Occitanie and
	// its départements, unless the same figure is published elsewhere in
	// the same scope.
	docs := map[string]string{"PDF 76": text, "PDF 31": dtext, "HTML 76": plain(html), "SVG": plain(string(svg))}
	// The demo's secret cells are sectors of the first year, some of one
	// sex: the documents of 2020, and the population focus, show them.
	for _, code := range []string{"12", "48", "09"} {
		for _, q := range []string{"/documents/chiffres-cles?period=2020&territory=departement:" + code,
			"/documents/focus/population?sex=femmes&period=2020&territory=departement:" + code} {
			docs["PDF "+q] = plain(poppler(t, "pdftotext", body(t, get(t, base+q+"&format=pdf")), "-layout"))
			docs["HTML "+q] = plain(string(body(t, get(t, base+q))))
		}
	}
	// Focus sheets: a theme and a sector across the région, a portrait.
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"/documents/focus/theme?theme=sinistralite&territory=region:76", []string{"Focus thématique : Sinistralité", "Haute-Garonne", "Lozère", number(deps, "31")}},
		{"/documents/focus/secteur?sector=38&period=2020&territory=region:76", []string{"Focus secteur : Collecte, traitement", "Aveyron", "Femmes"}},
		{"/documents/focus/territoire?territory=departement:31", []string{"Portrait de territoire : Haute-Garonne (31)", "Occitanie", "France", number(deps, "31")}},
	} {
		r := get(t, base+c.query+"&format=pdf")
		b := body(t, r)
		if r.StatusCode != 200 {
			t.Errorf("%s: %d\n%s", c.query, r.StatusCode, b)
			continue
		}
		name := regexp.MustCompile(`filename="([^"]+)"`).FindStringSubmatch(r.Header.Get("Content-Disposition"))
		if name == nil {
			t.Fatalf("%s: Content-Disposition %q", c.query, r.Header.Get("Content-Disposition"))
		}
		ft := plain(poppler(t, "pdftotext", save(t, name[1], b), "-layout"))
		for _, w := range c.want {
			if !strings.Contains(ft, plain(w)) {
				t.Errorf("%s has no %q", c.query, w)
			}
		}
		docs["PDF "+c.query] = ft
		docs["HTML "+c.query] = plain(string(body(t, get(t, base+c.query))))
	}
	docs["SVG femmes 38"] = plain(string(body(t, get(t, base+"/indicators/"+id+"/map.svg?level=departement&within=region:76&sex=femmes&sector=38&period=2020"))))
	stored, err := f.st.IndicatorValues(context.Background(), store.ValueQuery{Indicator: id})
	if err != nil {
		t.Fatal(err)
	}
	published := map[string]bool{}
	inScope := map[string]bool{"76": true}
	for _, tr := range deps.Territories {
		inScope[tr.Code] = true
	}
	var secret []store.IndicatorValueRow
	for _, v := range stored {
		if v.Value == nil {
			continue
		}
		if v.Status == "secret" && inScope[v.Code] {
			secret = append(secret, v)
		} else if v.Status != "secret" {
			published[plain(indicator.FormatNumber(*v.Value, ind.Decimals))] = true
		}
	}
	if len(secret) == 0 {
		t.Fatal("no secret cell: the check would prove nothing")
	}
	checked := 0
	for _, v := range secret {
		s := plain(indicator.FormatNumber(*v.Value, ind.Decimals))
		if published[s] {
			continue
		}
		checked++
		for name, d := range docs {
			if regexp.MustCompile(`(^|[^0-9,])` + regexp.QuoteMeta(s) + `([^0-9,]|$)`).MatchString(d) {
				t.Errorf("%s shows %s, the figure of secret cell %s %s %s %s %s", name, s, v.Level, v.Code, v.Period, v.Sex, v.Sector)
			}
		}
	}
	secretShown := false
	for _, d := range docs {
		secretShown = secretShown || strings.Contains(d, indicator.SecretLabel)
	}
	if !secretShown {
		t.Error("no document says « secret statistique »: the secret cells were not in them")
	}
	t.Logf("%d secret figures looked for in %d documents", checked, len(docs))

	// Bad parameters are named.
	for _, c := range []struct{ query, param string }{
		{"territory=", "territory"},
		{"territory=commune:31555", "territory"},
		{"territory=region:76&format=docx", "format"},
		{"territory=region:76&sections=annexes", "sections"},
		{"territory=region:76&themes=loisirs", "themes"},
		{"territory=region:76&period=demain", "period"},
		{"focus/theme?territory=region:76&theme=loisirs", "theme"},
		{"focus/theme?territory=departement:31&theme=sinistralite", "territory"},
		{"focus/secteur?territory=region:76&sector=99", "sector"},
		{"focus/secteur?territory=region:76&sector=F&level=commune", "level"},
		{"focus/territoire?territory=region:76", "territory"},
		{"focus/population?territory=region:76", "sex"},
	} {
		path := "/documents/chiffres-cles?" + c.query
		if strings.HasPrefix(c.query, "focus/") {
			path = "/documents/" + c.query
		}
		r := get(t, base+path)
		b := body(t, r)
		if name, _ := problemParam(t, c.query, b); r.StatusCode != 400 || name != c.param {
			t.Errorf("%s: %d naming %q, want 400 naming %s", c.query, r.StatusCode, name, c.param)
		}
	}
	if r := get(t, base+"/documents/chiffres-cles?territory=region:99"); r.StatusCode != 404 {
		t.Errorf("unknown région: %d", r.StatusCode)
	}
	if r := get(t, base+"/documents/focus/population?territory=region:76&sex=femmes&format=pdf"); r.StatusCode != 200 {
		t.Errorf("population focus: %d", r.StatusCode)
	} else if fb := body(t, r); !strings.Contains(plain(poppler(t, "pdftotext", save(t, "focus-femmes-occitanie.pdf", fb), "-layout")), "Focus population : femmes") {
		t.Error("population focus: no title")
	}
}

// save keeps a document in test-artifacts/documents, to be looked at.
func save(t testing.TB, name string, b []byte) []byte {
	t.Helper()
	dir := filepath.Join("..", "..", "test-artifacts", "documents")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return b
}

// countPaths parses an SVG and counts its <path> elements.
func countPaths(t *testing.T, b []byte) int {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(string(b)))
	n := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return n
		}
		if err != nil {
			t.Fatalf("map.svg is not XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "path" {
			n++
		}
	}
}

// BenchmarkChiffresCles generates the chiffres clés of Occitanie, with
// every indicator of the demo at the départements and régions (real
// unemployment and population, fictive AT/MP), as a PDF through the API with no cache of encoded answers (every request
// assembles and renders the document; the read side's last maps stay in
// memory, as in a server), and reports the time per document.
func BenchmarkChiffresCles(b *testing.B) {
	f := setupDocuments(b, blob.NewLRU(0), func(demodata.Recipe) bool { return true })
	u := f.srv.URL + "/api/v1/documents/chiffres-cles?territory=region:76&format=pdf"
	for b.Loop() {
		r, err := http.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		doc, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil || r.StatusCode != 200 {
			b.Fatalf("status %d, %v", r.StatusCode, err)
		}
		save(b, "chiffres-cles-occitanie-demo.pdf", doc)
	}
	b.StopTimer()
	if r, err := http.Get(strings.Replace(u, "format=pdf", "format=html", 1)); err == nil {
		html, _ := io.ReadAll(r.Body)
		r.Body.Close()
		save(b, "chiffres-cles-occitanie-demo.html", html)
	}
	per := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(per.Milliseconds()), "ms/document")
	if per > 2*time.Second {
		b.Errorf("chiffres clés of Occitanie in %v, over 2 s", per)
	}
}
