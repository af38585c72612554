// Package html renders a report.Document as one print-ready HTML page: A4
// pages (@page), each document page starting a sheet, no block (a table, a
// map, a chart, a key figure) cut by a page break (break-inside: avoid),
// maps and charts as inline SVG (report/svg), so that the text stays text
// for screen readers and search. No script, no external resource: the
// styles are inline, for a strict Content-Security-Policy.
package html

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"

	"github.com/atlas-sante-travail/atlas/internal/report"
	"github.com/atlas-sante-travail/atlas/internal/report/svg"
)

//go:embed document.html.tmpl
var pageTemplate string

// CSP is the Content-Security-Policy the page works under: its only style
// is inline, it loads nothing.
const CSP = "default-src 'none'; style-src 'unsafe-inline'"

var tmpl = template.Must(template.New("document").Funcs(template.FuncMap{
	"kind":  kind,
	"map":   mapSVG,
	"chart": chartSVG,
	"date":  func(d report.Document) string { return report.DateLabel(d.Date) },
}).Parse(pageTemplate))

// Write renders d.
func Write(w io.Writer, d *report.Document) error {
	if err := tmpl.Execute(w, d); err != nil {
		return fmt.Errorf("html document: %w", err)
	}
	return nil
}

// kind names a block's type for the template's switch.
func kind(b report.Block) string {
	switch b.(type) {
	case report.KeyFigures:
		return "figures"
	case report.Table:
		return "table"
	case report.Map:
		return "map"
	case report.Chart:
		return "chart"
	case report.Text:
		return "text"
	}
	return ""
}

// mapSVG is the map drawn inline; svg escapes every text it writes.
func mapSVG(m report.Map) (template.HTML, error) {
	var b bytes.Buffer
	if err := svg.Write(&b, m, svg.Options{NoLegend: true}); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil //nolint:gosec // escaped by svg.Write
}

func chartSVG(c report.Chart) (template.HTML, error) {
	var b bytes.Buffer
	if err := svg.WriteChart(&b, c, 520, 180); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil //nolint:gosec // escaped by svg.WriteChart
}
