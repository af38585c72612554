package workshop

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/atlas-sante-travail/atlas/internal/indicator"
)

// Formats of a synthesis.
const (
	FormatJSON     = "json"
	FormatMarkdown = "md"
	FormatCSV      = "csv"
	FormatHTML     = "html"
)

// Formats lists the formats a synthesis is rendered in.
func Formats() []string { return []string{FormatMarkdown, FormatCSV, FormatJSON, FormatHTML} }

// Render writes a synthesis in a format, with its media type. The
// renderers take the synthesis as it is (plain values): none reads a
// figure that the read side did not give it.
func Render(syn Synthesis, format string) ([]byte, string, error) {
	switch format {
	case FormatJSON:
		b, err := json.MarshalIndent(syn, "", "  ")
		return b, "application/json", err
	case FormatMarkdown:
		return renderMarkdown(syn), "text/markdown; charset=utf-8", nil
	case FormatCSV:
		b, err := renderCSV(syn)
		return b, "text/csv; charset=utf-8", err
	case FormatHTML:
		b, err := renderHTML(syn)
		return b, "text/html; charset=utf-8", err
	}
	return nil, "", invalid("format", "attendu %s", strings.Join(Formats(), ", "))
}

func dateFR(syn Synthesis) string { return syn.GeneratedAt.Format("02/01/2006 15:04") + " UTC" }

// mdEscape keeps what people typed from being read as Markdown.
var mdEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "#", `\#`, "[", `\[`, "]", `\]`, "<", "&lt;", ">", "&gt;", "|", `\|`)

func md(s string) string { return mdEscaper.Replace(strings.ReplaceAll(s, "\n", " ")) }

func lineMD(b *strings.Builder, l ContributionLine, withTerritory bool) {
	fmt.Fprintf(b, "- **%s**", md(l.KindLabel))
	if withTerritory {
		fmt.Fprintf(b, " (%s)", md(l.Territory.Name))
	}
	fmt.Fprintf(b, " : %s", md(l.Text))
	var extra []string
	if l.Figure != "" {
		extra = append(extra, md(l.Figure))
	}
	if l.Author != "" {
		extra = append(extra, "par "+md(l.Author))
	}
	if l.Votes > 0 {
		extra = append(extra, plural(l.Votes, "vote", "votes"))
	}
	if len(extra) > 0 {
		b.WriteString(" — " + strings.Join(extra, " · "))
	}
	b.WriteString("\n")
}

// plural counts in French: 0 and 1 take the singular.
func plural(n int, one, many string) string {
	if n <= 1 {
		return strconv.Itoa(n) + " " + one
	}
	return strconv.Itoa(n) + " " + many
}

func renderMarkdown(syn Synthesis) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# Synthèse de l'atelier « %s »\n\n", md(syn.Title))
	if syn.RegionName != "" {
		fmt.Fprintf(&b, "Territoire d'étude : %s. ", md(syn.RegionName))
	}
	fmt.Fprintf(&b, "Atelier %s, %s ; établie le %s.\n\n", syn.Code, plural(syn.Participants, "participant", "participants"), dateFR(syn))
	for _, n := range syn.Notices {
		fmt.Fprintf(&b, "> %s\n\n", md(n))
	}
	b.WriteString("## Constats retenus\n\n")
	if len(syn.Constats) == 0 {
		b.WriteString("Aucun constat retenu.\n")
	}
	for _, l := range syn.Constats {
		lineMD(&b, l, true)
	}
	b.WriteString("\n## Pistes d'action retenues\n\n")
	if len(syn.Pistes) == 0 {
		b.WriteString("Aucune piste d'action retenue.\n")
	}
	for _, l := range syn.Pistes {
		lineMD(&b, l, true)
	}
	b.WriteString("\n## Territoires à prioriser\n\n")
	if len(syn.Priorities) == 0 {
		b.WriteString("Pas de vote (ou résultats non révélés).\n")
	}
	for _, p := range syn.Priorities {
		fmt.Fprintf(&b, "- %s (%s) : %s\n", md(p.Territory.Name), p.Territory.Code, plural(p.Votes, "vote", "votes"))
	}
	b.WriteString("\n## Étapes de l'atelier et chiffres présentés\n\n")
	if len(syn.Steps) == 0 {
		b.WriteString("Aucune étape enregistrée.\n\n")
	}
	for _, s := range syn.Steps {
		fmt.Fprintf(&b, "### %s\n\n", md(s.Title))
		if s.Error != "" {
			fmt.Fprintf(&b, "%s\n\n", md(s.Error))
			continue
		}
		fmt.Fprintf(&b, "%s, %s, %s", md(s.Label), s.Period, s.Sex)
		if s.Sector != "" && s.Sector != indicator.SectorAll {
			fmt.Fprintf(&b, ", %s", md(indicator.SectorLabel(s.Sector)))
		}
		if s.Within != "" {
			fmt.Fprintf(&b, " ; classes calculées sur %s", md(s.Within))
		}
		b.WriteString(".\n\n")
		if s.Selected != nil {
			fmt.Fprintf(&b, "%s : %s.\n\n", md(s.Selected.Name), md(s.Selected.Label))
		}
		for _, e := range s.Legend {
			fmt.Fprintf(&b, "- %s : %s\n", md(e.Label), plural(e.Count, "territoire", "territoires"))
		}
		fmt.Fprintf(&b, "\n%s\n\n", md(s.Source))
	}
	b.WriteString("## Contributions par territoire\n\n")
	if len(syn.ByTerritory) == 0 {
		b.WriteString("Aucune contribution.\n\n")
	}
	for _, t := range syn.ByTerritory {
		fmt.Fprintf(&b, "### %s (%s %s)\n\n", md(t.Territory.Name), t.Territory.Level.Label(), t.Territory.Code)
		for _, l := range t.Contributions {
			lineMD(&b, l, false)
		}
		b.WriteString("\n")
	}
	b.WriteString("## Sondages\n\n")
	if len(syn.Polls) == 0 {
		b.WriteString("Aucun sondage.\n\n")
	}
	for _, p := range syn.Polls {
		fmt.Fprintf(&b, "### %s\n\n%s.\n\n", md(p.Question), plural(p.Respondents, "réponse", "réponses"))
		for i, r := range p.Results {
			if r.Score != nil {
				fmt.Fprintf(&b, "%d. %s : %s (Borda)\n", i+1, md(r.Choice), plural(*r.Score, "point", "points"))
			} else {
				fmt.Fprintf(&b, "%d. %s : %s\n", i+1, md(r.Choice), plural(r.Count, "choix", "choix"))
			}
		}
		b.WriteString("\n")
	}
	return []byte(b.String())
}

// renderCSV writes one row per item, the section first: what a
// spreadsheet filters on. ';' and a BOM, for French Excel.
func renderCSV(syn Synthesis) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	w.Write([]string{"section", "id", "type", "niveau", "code", "territoire", "texte", "chiffre", "auteur", "votes", "retenu", "source"}) //nolint:errcheck // bytes.Buffer
	row := func(section string, l ContributionLine) {
		w.Write([]string{section, strconv.Itoa(l.ID), l.KindLabel, string(l.Territory.Level), l.Territory.Code, l.Territory.Name, //nolint:errcheck // bytes.Buffer
			l.Text, l.Figure, l.Author, strconv.Itoa(l.Votes), strconv.FormatBool(l.Retained), ""})
	}
	for _, t := range syn.ByTerritory {
		for _, l := range t.Contributions {
			row("contribution", l)
		}
	}
	for _, p := range syn.Priorities {
		w.Write([]string{"priorite", "", "", string(p.Territory.Level), p.Territory.Code, p.Territory.Name, "", "", "", strconv.Itoa(p.Votes), "", ""}) //nolint:errcheck // bytes.Buffer
	}
	for _, s := range syn.Steps {
		fig, level, code, name := s.Error, s.Level, "", ""
		if s.Selected != nil {
			fig, code, name = s.Selected.Label, s.Selected.Code, s.Selected.Name
		}
		text := strings.TrimSpace(s.Label + " " + s.Period + " " + s.Sex)
		w.Write([]string{"etape", strconv.Itoa(s.ID), s.Title, level, code, name, text, fig, "", "", "", s.Source}) //nolint:errcheck // bytes.Buffer
	}
	for _, p := range syn.Polls {
		for _, r := range p.Results {
			n := r.Count
			if r.Score != nil {
				n = *r.Score
			}
			w.Write([]string{"sondage", "", p.Kind, "", "", "", p.Question, r.Choice, "", strconv.Itoa(n), "", ""}) //nolint:errcheck // bytes.Buffer
		}
	}
	for _, n := range syn.Notices {
		w.Write([]string{"avertissement", "", "", "", "", "", n, "", "", "", "", ""}) //nolint:errcheck // bytes.Buffer
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// synthesisPage is the printable synthesis: html/template escapes every
// text, so what people typed stays text.
var synthesisPage = template.Must(template.New("synthese").Funcs(template.FuncMap{
	"plural": plural,
	"sector": indicator.SectorLabel,
	"date":   dateFR,
	"notAll": func(s string) bool { return s != "" && s != indicator.SectorAll },
}).Parse(`<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Synthèse – {{.Title}}</title>
<style>
  body { font: 11pt/1.45 system-ui, sans-serif; color: #1a1a1a; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; }
  h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { font-size: 1.25em; border-bottom: 1px solid #999; margin-top: 1.6em; }
  h3 { font-size: 1.05em; margin-bottom: .3em; }
  .meta, .src { color: #555; font-size: .9em; } .notice { border-left: 4px solid #b35806; padding: .3em .8em; background: #fff3e6; }
  li { margin: .25em 0; } .kind { font-weight: 600; } .extra { color: #555; font-size: .9em; }
  table { border-collapse: collapse; margin: .4em 0; } td, th { border: 1px solid #ccc; padding: .2em .5em; text-align: left; }
  @media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } li, tr, table, section { break-inside: avoid; } a { color: inherit; } }
  @page { size: A4; margin: 18mm 16mm; }
</style>
</head>
<body>
<h1>Synthèse de l'atelier « {{.Title}} »</h1>
<p class="meta">{{if .RegionName}}Territoire d'étude : {{.RegionName}} · {{end}}Atelier {{.Code}} · {{plural .Participants "participant" "participants"}} · établie le {{date .}}</p>
{{range .Notices}}<p class="notice">{{.}}</p>{{end}}
<section><h2>Constats retenus</h2>
{{if not .Constats}}<p>Aucun constat retenu.</p>{{end}}<ul>{{range .Constats}}{{template "line" .}}{{end}}</ul></section>
<section><h2>Pistes d'action retenues</h2>
{{if not .Pistes}}<p>Aucune piste d'action retenue.</p>{{end}}<ul>{{range .Pistes}}{{template "line" .}}{{end}}</ul></section>
<section><h2>Territoires à prioriser</h2>
{{if not .Priorities}}<p>Pas de vote (ou résultats non révélés).</p>{{else}}<table><tr><th>Territoire</th><th>Votes</th></tr>
{{range .Priorities}}<tr><td>{{.Territory.Name}} ({{.Territory.Code}})</td><td>{{.Votes}}</td></tr>{{end}}</table>{{end}}</section>
<section><h2>Étapes de l'atelier et chiffres présentés</h2>
{{if not .Steps}}<p>Aucune étape enregistrée.</p>{{end}}
{{range .Steps}}<section><h3>{{.Title}}</h3>{{if .Error}}<p>{{.Error}}</p>{{else}}
<p>{{.Label}}, {{.Period}}, {{.Sex}}{{if notAll .Sector}}, {{sector .Sector}}{{end}}{{if .Within}} ; classes calculées sur {{.Within}}{{end}}.</p>
{{with .Selected}}<p><strong>{{.Name}}</strong> : {{.Label}}.</p>{{end}}
<table><tr><th>Classe</th><th>Territoires</th></tr>{{range .Legend}}<tr><td>{{.Label}}</td><td>{{.Count}}</td></tr>{{end}}</table>
<p class="src">{{.Source}}</p>{{end}}</section>{{end}}</section>
<section><h2>Contributions par territoire</h2>
{{if not .ByTerritory}}<p>Aucune contribution.</p>{{end}}
{{range .ByTerritory}}<section><h3>{{.Territory.Name}} ({{.Territory.Code}})</h3><ul>{{range .Contributions}}{{template "line" .}}{{end}}</ul></section>{{end}}</section>
<section><h2>Sondages</h2>
{{if not .Polls}}<p>Aucun sondage.</p>{{end}}
{{range .Polls}}<section><h3>{{.Question}}</h3><p class="meta">{{plural .Respondents "réponse" "réponses"}}</p><ol>
{{range .Results}}<li>{{.Choice}} : {{with .Score}}{{plural . "point" "points"}} (Borda){{else}}{{plural .Count "choix" "choix"}}{{end}}</li>{{end}}</ol></section>{{end}}</section>
</body>
</html>
{{define "line"}}<li><span class="kind">{{.KindLabel}}</span>{{if .Territory.Name}} ({{.Territory.Name}}){{end}} : {{.Text}}{{if or .Figure .Author .Votes}} <span class="extra">—{{if .Figure}} {{.Figure}}{{end}}{{if .Author}} · par {{.Author}}{{end}}{{if .Votes}} · {{plural .Votes "vote" "votes"}}{{end}}</span>{{end}}</li>{{end}}
`))

func renderHTML(syn Synthesis) ([]byte, error) {
	var buf bytes.Buffer
	err := synthesisPage.Execute(&buf, syn)
	return buf.Bytes(), err
}
