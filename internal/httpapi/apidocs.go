package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
	"gopkg.in/yaml.v3"

	"github.com/atlas-sante-travail/atlas/api"
	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
)

// The HTTP contract, api/openapi.yaml, is embedded in the binary (package
// api) and served three ways: as written (YAML), as JSON for the GIS
// clients that read an OGC API's service-desc (QGIS requires
// application/vnd.oai.openapi+json;version=3.0), and as a page a person
// reads, rendered here from the same document with no script and nothing
// from the internet. All three are computed once, with their gzip form and
// strong ETags, and revalidated like the map's index.

const (
	// OpenAPIJSONType is the media type of the JSON document, as OGC API
	// landing pages announce it in their service-desc link.
	OpenAPIJSONType = "application/vnd.oai.openapi+json;version=3.0"
	openAPIYAMLType = "application/yaml"
	apiDocsCache    = "no-cache"
)

type apiDocs struct {
	once             sync.Once
	yaml, json, page *blob.Body
	csp              string
	err              error
}

var openAPIDocs apiDocs

func (d *apiDocs) load() {
	d.once.Do(func() {
		raw := api.OpenAPI()
		var doc yaml.Node
		if err := yaml.Unmarshal(raw, &doc); err != nil {
			d.err = fmt.Errorf("api/openapi.yaml: %w", err)
			return
		}
		js, err := api.NodeJSON(&doc)
		if err != nil {
			d.err = fmt.Errorf("api/openapi.yaml as JSON: %w", err)
			return
		}
		page, err := renderAPIDocs(&doc)
		if err != nil {
			d.err = fmt.Errorf("api/openapi.yaml as HTML: %w", err)
			return
		}
		style := sha256.Sum256([]byte(apiDocsStyle))
		d.csp = "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(style[:]) + "'; " +
			"img-src 'self' data:; base-uri 'none'; form-action 'none'"
		for _, b := range []struct {
			to  **blob.Body
			raw []byte
		}{{&d.yaml, raw}, {&d.json, js}, {&d.page, page}} {
			if *b.to, err = blob.New(b.raw); err != nil {
				d.err = err
				return
			}
		}
	})
}

// mountAPIDocs adds the routes of the document and its page.
func mountAPIDocs(e *echo.Echo) {
	send := func(pick func(*apiDocs) *blob.Body, contentType string) echo.HandlerFunc {
		return func(c echo.Context) error {
			openAPIDocs.load()
			if openAPIDocs.err != nil {
				return openAPIDocs.err // logged, answered as a 500 problem
			}
			hd := c.Response().Header()
			hd.Set("X-Content-Type-Options", "nosniff")
			if contentType == "text/html; charset=utf-8" {
				hd.Set("Content-Security-Policy", openAPIDocs.csp)
				hd.Set("Referrer-Policy", "no-referrer")
			}
			return httpx.SendEncoded(c, pick(&openAPIDocs), contentType, apiDocsCache)
		}
	}
	e.GET("/api/openapi.yaml", send(func(d *apiDocs) *blob.Body { return d.yaml }, openAPIYAMLType), problems)
	e.GET("/api/openapi.json", send(func(d *apiDocs) *blob.Body { return d.json }, OpenAPIJSONType), problems)
	e.GET("/api/docs", send(func(d *apiDocs) *blob.Body { return d.page }, "text/html; charset=utf-8"), problems)
}

// ---- The page ----

// key returns the value of a mapping's key, or nil.
func key(n *yaml.Node, k string) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == k {
			return n.Content[i+1]
		}
	}
	return nil
}

func str(n *yaml.Node, k string) string {
	if v := key(n, k); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

// pairs are a mapping's entries, in order.
func pairs(n *yaml.Node) [][2]*yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := make([][2]*yaml.Node, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, [2]*yaml.Node{n.Content[i], n.Content[i+1]})
	}
	return out
}

// docsRenderer renders a document's parts, resolving local $refs.
type docsRenderer struct {
	root *yaml.Node
}

// resolve follows a $ref ("#/components/parameters/X") to what it names;
// ref is the component's name, "" for an inline object.
func (r docsRenderer) resolve(n *yaml.Node) (target *yaml.Node, ref string) {
	for range 8 { // a chain of references, never a loop
		p := str(n, "$ref")
		if p == "" {
			return n, ref
		}
		parts := strings.Split(strings.TrimPrefix(p, "#/"), "/")
		t := r.root
		for _, part := range parts {
			t = key(t, strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~"))
		}
		if t == nil {
			return n, p
		}
		n, ref = t, parts[len(parts)-1]
	}
	return n, ref
}

var codeSpan = regexp.MustCompile("`([^`]+)`")

// prose renders a description: paragraphs at blank lines, `code` spans,
// everything else as text.
func prose(s string) template.HTML {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	var b strings.Builder
	for _, para := range regexp.MustCompile(`\n\s*\n`).Split(s, -1) {
		esc := template.HTMLEscapeString(strings.TrimSpace(para))
		esc = codeSpan.ReplaceAllString(esc, "<code>$1</code>")
		b.WriteString("<p>" + esc + "</p>")
	}
	return template.HTML(b.String())
}

func schemaAnchor(name string) string { return "schema-" + name }

// schemaType is a one-line summary of a schema: its type, format, enum,
// bounds, default; a reference is a link to the component.
func (r docsRenderer) schemaType(n *yaml.Node) template.HTML {
	if n == nil {
		return ""
	}
	if ref := str(n, "$ref"); ref != "" {
		name := ref[strings.LastIndex(ref, "/")+1:]
		return template.HTML(`<a href="#` + template.HTMLEscapeString(schemaAnchor(name)) + `">` + template.HTMLEscapeString(name) + `</a>`)
	}
	var parts []string
	for _, comb := range []string{"oneOf", "anyOf", "allOf"} {
		if alts := key(n, comb); alts != nil {
			var each []string
			for _, a := range alts.Content {
				each = append(each, string(r.schemaType(a)))
			}
			word := map[string]string{"oneOf": "un parmi", "anyOf": "au moins un parmi", "allOf": "tous"}[comb]
			parts = append(parts, word+" ("+strings.Join(each, " | ")+")")
		}
	}
	t := str(n, "type")
	switch {
	case t == "array":
		parts = append(parts, "tableau de "+string(r.schemaType(key(n, "items"))))
	case t == "object" && key(n, "additionalProperties") != nil && key(n, "properties") == nil:
		ap := key(n, "additionalProperties")
		if ap.Kind == yaml.ScalarNode {
			parts = append(parts, "objet")
		} else {
			parts = append(parts, "objet de "+string(r.schemaType(ap)))
		}
	case t != "":
		parts = append(parts, template.HTMLEscapeString(t))
	}
	if f := str(n, "format"); f != "" {
		parts = append(parts, "("+template.HTMLEscapeString(f)+")")
	}
	if e := key(n, "enum"); e != nil {
		vals := make([]string, len(e.Content))
		for i, v := range e.Content {
			vals[i] = "<code>" + template.HTMLEscapeString(v.Value) + "</code>"
		}
		parts = append(parts, "∈ {"+strings.Join(vals, ", ")+"}")
	}
	for _, b := range []struct{ k, sym string }{{"minimum", "≥"}, {"maximum", "≤"}, {"minLength", "longueur ≥"}, {"maxLength", "longueur ≤"}, {"minItems", "éléments ≥"}, {"maxItems", "éléments ≤"}} {
		if v := str(n, b.k); v != "" {
			parts = append(parts, b.sym+" "+template.HTMLEscapeString(v))
		}
	}
	if p := str(n, "pattern"); p != "" {
		parts = append(parts, "motif <code>"+template.HTMLEscapeString(p)+"</code>")
	}
	if d := key(n, "default"); d != nil {
		js, _ := api.NodeJSON(d)
		parts = append(parts, "défaut <code>"+template.HTMLEscapeString(string(js))+"</code>")
	}
	if str(n, "nullable") == "true" {
		parts = append(parts, "ou null")
	}
	if len(parts) == 0 {
		return "quelconque"
	}
	return template.HTML(strings.Join(parts, " "))
}

// schemaBody renders a schema with its properties (and theirs, a few
// levels down): the type line, the description, a list of properties.
func (r docsRenderer) schemaBody(n *yaml.Node, depth int) template.HTML {
	if n == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(`<div class="type">` + string(r.schemaType(n)) + `</div>`)
	b.WriteString(string(prose(str(n, "description"))))
	target := n
	if t := str(n, "type"); t == "array" {
		target = key(n, "items")
	}
	if str(target, "$ref") != "" || depth > 4 {
		return template.HTML(b.String())
	}
	for _, comb := range []string{"allOf", "oneOf", "anyOf"} {
		for _, part := range contentOf(key(target, comb)) {
			if str(part, "$ref") == "" {
				b.WriteString(string(r.schemaBody(part, depth+1)))
			}
		}
	}
	props := pairs(key(target, "properties"))
	if len(props) == 0 {
		return template.HTML(b.String())
	}
	required := map[string]bool{}
	for _, q := range contentOf(key(target, "required")) {
		required[q.Value] = true
	}
	b.WriteString(`<ul class="props">`)
	for _, p := range props {
		b.WriteString(`<li><code class="name">` + template.HTMLEscapeString(p[0].Value) + `</code>`)
		if required[p[0].Value] {
			b.WriteString(` <span class="req">obligatoire</span>`)
		}
		b.WriteString(string(r.schemaBody(p[1], depth+1)))
		b.WriteString(`</li>`)
	}
	b.WriteString(`</ul>`)
	return template.HTML(b.String())
}

func contentOf(n *yaml.Node) []*yaml.Node {
	if n == nil {
		return nil
	}
	return n.Content
}

type docsParam struct {
	Name, In    string
	Required    bool
	Description template.HTML
	Schema      template.HTML
}

type docsContent struct {
	Type   string
	Schema template.HTML
}

type docsResponse struct {
	Status      string
	Description template.HTML
	Content     []docsContent
	Ref         string // the component it comes from
}

type docsOperation struct {
	Method, Path, ID, Anchor string
	Summary, Description     template.HTML
	Deprecated               bool
	Params                   []docsParam
	Body                     *docsBody
	Responses                []docsResponse
	Security                 bool
}

type docsBody struct {
	Required    bool
	Description template.HTML
	Content     []docsContent
}

type docsTag struct {
	Name, Anchor string
	Description  template.HTML
	Operations   []docsOperation
}

type docsSchema struct {
	Name, Anchor string
	Body         template.HTML
}

type docsPage struct {
	Title, Version string
	Description    template.HTML
	Tags           []docsTag
	Schemas        []docsSchema
	Paths          int
	Operations     int
}

var methodOrder = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func (r docsRenderer) contents(n *yaml.Node) []docsContent {
	var out []docsContent
	for _, c := range pairs(n) {
		out = append(out, docsContent{Type: c[0].Value, Schema: r.schemaBody(key(c[1], "schema"), 0)})
	}
	return out
}

func (r docsRenderer) params(nodes ...*yaml.Node) []docsParam {
	var out []docsParam
	seen := map[string]bool{}
	// An operation's parameters override its path's of the same name and
	// place: they come first here.
	for _, list := range nodes {
		for _, pn := range contentOf(list) {
			p, _ := r.resolve(pn)
			id := str(p, "in") + ":" + str(p, "name")
			if seen[id] {
				continue
			}
			seen[id] = true
			schema := key(p, "schema")
			if schema == nil {
				if c := pairs(key(p, "content")); len(c) > 0 {
					schema = key(c[0][1], "schema")
				}
			}
			out = append(out, docsParam{Name: str(p, "name"), In: str(p, "in"), Required: str(p, "required") == "true",
				Description: prose(str(p, "description")), Schema: r.schemaBody(schema, 1)})
		}
	}
	return out
}

func anchorOf(parts ...string) string {
	s := strings.ToLower(strings.Join(parts, "-"))
	return regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(s, "-")
}

func (r docsRenderer) page() (docsPage, error) {
	root := r.root
	info := key(root, "info")
	p := docsPage{Title: str(info, "title"), Version: str(info, "version"), Description: prose(str(info, "description"))}
	tags := map[string]*docsTag{}
	var order []string
	addTag := func(name string) *docsTag {
		if t, ok := tags[name]; ok {
			return t
		}
		t := &docsTag{Name: name, Anchor: anchorOf("tag", name)}
		tags[name] = t
		order = append(order, name)
		return t
	}
	for _, t := range contentOf(key(root, "tags")) {
		addTag(str(t, "name")).Description = prose(str(t, "description"))
	}
	paths := pairs(key(root, "paths"))
	if len(paths) == 0 {
		return p, fmt.Errorf("no paths")
	}
	p.Paths = len(paths)
	for _, pp := range paths {
		path, item := pp[0].Value, pp[1]
		for _, m := range methodOrder {
			opn := key(item, m)
			if opn == nil {
				continue
			}
			op := docsOperation{Method: strings.ToUpper(m), Path: path, ID: str(opn, "operationId"),
				Summary: template.HTML(template.HTMLEscapeString(str(opn, "summary"))), Description: prose(str(opn, "description")),
				Deprecated: str(opn, "deprecated") == "true", Params: r.params(key(opn, "parameters"), key(item, "parameters")),
				Security: key(opn, "security") != nil}
			op.Anchor = anchorOf("op", m, path)
			if rb := key(opn, "requestBody"); rb != nil {
				rb, _ = r.resolve(rb)
				op.Body = &docsBody{Required: str(rb, "required") == "true", Description: prose(str(rb, "description")), Content: r.contents(key(rb, "content"))}
			}
			for _, rp := range pairs(key(opn, "responses")) {
				resp, ref := r.resolve(rp[1])
				op.Responses = append(op.Responses, docsResponse{Status: rp[0].Value, Description: prose(str(resp, "description")),
					Content: r.contents(key(resp, "content")), Ref: ref})
			}
			tag := "autres"
			if ts := contentOf(key(opn, "tags")); len(ts) > 0 {
				tag = ts[0].Value
			}
			t := addTag(tag)
			t.Operations = append(t.Operations, op)
			p.Operations++
		}
	}
	for _, name := range order {
		if t := tags[name]; len(t.Operations) > 0 {
			p.Tags = append(p.Tags, *t)
		}
	}
	schemas := pairs(key(key(root, "components"), "schemas"))
	for _, s := range schemas {
		p.Schemas = append(p.Schemas, docsSchema{Name: s[0].Value, Anchor: schemaAnchor(s[0].Value), Body: r.schemaBody(s[1], 0)})
	}
	sort.SliceStable(p.Schemas, func(i, j int) bool { return p.Schemas[i].Name < p.Schemas[j].Name })
	return p, nil
}

func renderAPIDocs(doc *yaml.Node) ([]byte, error) {
	p, err := docsRenderer{root: doc}.page()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := apiDocsTemplate.Execute(&b, p); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// apiDocsStyle is the page's only style, inline (its hash is in the
// page's CSP): one column on a phone, the contents beside on a wide screen.
const apiDocsStyle = `
:root{--ink:#1d2433;--muted:#5b6475;--line:#d9dde5;--bg:#f6f7f9;--accent:#1f5fa8;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#fff}
*{box-sizing:border-box}body{margin:0;line-height:1.45;font-size:15px}
header{padding:1.2rem 1rem;border-bottom:1px solid var(--line);background:var(--bg)}
header h1{margin:0 0 .3rem;font-size:1.5rem}header .meta{color:var(--muted);font-size:.9rem}
header .meta a{color:var(--accent)}
.layout{display:block}
nav{padding:.8rem 1rem;border-bottom:1px solid var(--line);font-size:.9rem}
nav h2{font-size:1rem;margin:.2rem 0 .4rem}nav ul{list-style:none;margin:0;padding:0}
nav li{margin:.15rem 0}nav a{color:var(--accent);text-decoration:none}nav>ul>li>a{font-weight:600}nav a:hover{text-decoration:underline}
nav details{margin:.2rem 0}nav summary{cursor:pointer;font-weight:600}
nav .op{display:flex;gap:.4rem;align-items:baseline;overflow-wrap:anywhere}
main{padding:0 1rem 3rem;min-width:0}
h2.tag{margin:2rem 0 .5rem;padding-bottom:.3rem;border-bottom:2px solid var(--line);font-size:1.3rem}
section.op{border:1px solid var(--line);border-radius:6px;margin:1rem 0;padding:.8rem;background:#fff}
section.op h3{margin:0;font-size:1rem;display:flex;flex-wrap:wrap;gap:.5rem;align-items:baseline}
.path{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.95rem;overflow-wrap:anywhere}
.method{display:inline-block;min-width:4.2em;text-align:center;font:600 .75rem ui-monospace,monospace;padding:.15rem .35rem;border-radius:4px;color:#fff;background:#56607a}
.m-GET{background:#1f6f43}.m-POST{background:#1f5fa8}.m-PUT{background:#8a5a00}.m-PATCH{background:#6b3fa0}.m-DELETE{background:#a32020}
.summary{margin:.35rem 0 0;font-weight:500}
h4{margin:1rem 0 .3rem;font-size:.9rem;text-transform:uppercase;letter-spacing:.03em;color:var(--muted)}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;vertical-align:top;padding:.35rem .4rem;border-top:1px solid var(--line)}
th{font-weight:600;color:var(--muted);font-size:.8rem}
td p,li p{margin:.2rem 0}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em;background:var(--bg);padding:0 .2em;border-radius:3px;overflow-wrap:anywhere}
.type{color:var(--muted);font-size:.88rem}.type a{color:var(--accent)}
.req{font-size:.72rem;color:#a32020;font-weight:600}
.props{margin:.2rem 0 .2rem 0;padding-left:1.1rem}
.props li{margin:.25rem 0}.props>li>.type{display:inline;margin-left:.4em}
.ctype{font-family:ui-monospace,monospace;font-size:.8rem;color:var(--muted)}
.status{font-family:ui-monospace,monospace;font-weight:600}
.s2{color:#1f6f43}.s3{color:#56607a}.s4{color:#8a5a00}.s5{color:#a32020}
section.schema{border-top:1px solid var(--line);padding:.6rem 0}
section.schema h3{margin:.2rem 0;font-size:1rem;font-family:ui-monospace,monospace}
@media (max-width:999px){
 nav details>ul{display:none}
 nav details>summary{list-style:none}
 nav>ul{display:flex;flex-wrap:wrap;gap:.2rem 1rem}
}
@media (max-width:640px){
 table.params thead{display:none}
 table.params tr{display:block;border-top:1px solid var(--line);padding:.3rem 0}
 table.params td{display:block;border:0;padding:.1rem .2rem}
 table.params td.in::before{content:"dans : ";color:var(--muted)}
}
@media (min-width:1000px){
 .layout{display:grid;grid-template-columns:22rem minmax(0,1fr)}
 nav{position:sticky;top:0;align-self:start;max-height:100vh;overflow:auto;border-bottom:0;border-right:1px solid var(--line)}
 main{padding:0 2rem 3rem;max-width:70rem}
}
`

var apiDocsTemplate = template.Must(template.New("docs").Funcs(template.FuncMap{
	"statusClass": func(s string) string {
		if s == "" {
			return ""
		}
		return "s" + s[:1]
	},
	"where": func(in string) string {
		return map[string]string{"path": "chemin", "query": "requête", "header": "en-tête", "cookie": "cookie"}[in]
	},
	"count": strconv.Itoa,
	// A long path breaks after its slashes, not inside a name.
	"path": func(p string) template.HTML {
		return template.HTML(strings.ReplaceAll(template.HTMLEscapeString(p), "/", "/<wbr>"))
	},
	"style": func() template.CSS { return template.CSS(apiDocsStyle) },
}).Parse(`<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} — documentation de l'API</title>
<style>{{style}}</style>
</head>
<body>
<header>
<h1>{{.Title}} — documentation de l'API</h1>
<div class="meta">Version {{.Version}} · OpenAPI 3.0 · {{count .Paths}} chemins, {{count .Operations}} opérations ·
document : <a href="/api/openapi.yaml">openapi.yaml</a>, <a href="/api/openapi.json">openapi.json</a></div>
{{.Description}}
</header>
<div class="layout">
<nav aria-label="Sommaire">
<h2>Sommaire</h2>
<ul>
{{range .Tags}}<li><details open><summary><a href="#{{.Anchor}}">{{.Name}}</a></summary><ul>
{{range .Operations}}<li class="op"><span class="method m-{{.Method}}">{{.Method}}</span><a class="path" href="#{{.Anchor}}">{{path .Path}}</a></li>
{{end}}</ul></details></li>
{{end}}<li><a href="#schemas">Schémas</a></li>
</ul>
</nav>
<main>
{{range .Tags}}
<h2 class="tag" id="{{.Anchor}}">{{.Name}}</h2>
{{.Description}}
{{range .Operations}}
<section class="op" id="{{.Anchor}}">
<h3><span class="method m-{{.Method}}">{{.Method}}</span><span class="path">{{path .Path}}</span></h3>
{{if .Summary}}<p class="summary">{{.Summary}}{{if .Deprecated}} (obsolète){{end}}</p>{{end}}
{{.Description}}
{{if .ID}}<div class="type">operationId <code>{{.ID}}</code></div>{{end}}
{{if .Params}}<h4>Paramètres</h4>
<table class="params"><thead><tr><th>Nom</th><th>Dans</th><th>Schéma</th><th>Description</th></tr></thead><tbody>
{{range .Params}}<tr><td><code class="name">{{.Name}}</code>{{if .Required}} <span class="req">obligatoire</span>{{end}}</td><td class="in">{{where .In}}</td><td>{{.Schema}}</td><td>{{.Description}}</td></tr>
{{end}}</tbody></table>{{end}}
{{with .Body}}<h4>Corps de la requête{{if .Required}} <span class="req">obligatoire</span>{{end}}</h4>
{{.Description}}
{{range .Content}}<div class="ctype">{{.Type}}</div>{{.Schema}}{{end}}{{end}}
<h4>Réponses</h4>
<table><tbody>
{{range .Responses}}<tr><td><span class="status {{statusClass .Status}}">{{.Status}}</span></td><td>{{.Description}}{{if .Ref}}<div class="type">réponse commune <code>{{.Ref}}</code></div>{{end}}
{{range .Content}}<div class="ctype">{{.Type}}</div>{{.Schema}}{{end}}</td></tr>
{{end}}</tbody></table>
</section>
{{end}}{{end}}
<h2 class="tag" id="schemas">Schémas</h2>
{{range .Schemas}}<section class="schema" id="{{.Anchor}}"><h3>{{.Name}}</h3>{{.Body}}</section>
{{end}}
</main>
</div>
</body>
</html>
`))
