// Package svg draws a report.Map as SVG: one <path> per territory (its
// name and value in a <title>, for screen readers and tooltips), the
// legend as swatches and text, the title and the source line as real text.
// The same drawing is a standalone file (/api/v1/indicators/{id}/map.svg,
// for slides) and inline in the HTML documents.
package svg

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"

	"github.com/atlas-sante-travail/atlas/internal/report"
)

// Layout of the drawing, in SVG units (1 unit = 1 CSS px).
const (
	legendWidth = 230
	titleHeight = 34
	lineHeight  = 18
	swatch      = 14
	margin      = 12
)

// Options choose what surrounds the map.
type Options struct {
	// Standalone writes the XML declaration and the namespace, for a
	// file; inline SVG in HTML needs neither.
	Standalone bool
	// Frame draws the title and the source line; a document prints them
	// itself around the map.
	Frame bool
	// NoLegend leaves the legend out, for a page that writes it as text
	// beside or below the map (it then reflows on a phone).
	NoLegend bool
}

// Write draws m.
func Write(w io.Writer, m report.Map, opt Options) error {
	bw := bufio.NewWriter(w)
	top, bottom := 0.0, 0.0
	if opt.Frame {
		top = titleHeight
		bottom = float64(lineHeight*len(wrap(m.Source, 110))+lineHeight*len(wrap(m.Note, 110))) + margin
	}
	legendH, legendW := float64(len(m.Legend)*(lineHeight+4))+margin, float64(legendWidth)
	if opt.NoLegend {
		legendH, legendW = 0, 0
	}
	bodyH := m.Height
	if legendH > bodyH {
		bodyH = legendH
	}
	width := m.Width + legendW + 2*margin
	height := top + bodyH + bottom + margin
	if opt.Standalone {
		bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	}
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-labelledby="t">`,
		num(width), num(height), num(width), num(height))
	fmt.Fprintf(bw, `<title id="t">%s</title>`, esc(m.Title))
	bw.WriteString(`<style>text{font-family:"Go","DejaVu Sans",Arial,sans-serif;fill:#1a1a1a}.s{font-size:11px;fill:#444}.l{font-size:12px}.h{font-size:15px;font-weight:bold}</style>`)
	if opt.Frame {
		fmt.Fprintf(bw, `<text class="h" x="%d" y="22">%s</text>`, margin, esc(m.Title))
	}
	fmt.Fprintf(bw, `<g transform="translate(%d %s)" stroke="#ffffff" stroke-width="0.6" stroke-linejoin="round">`, margin, num(top))
	var highlighted []report.Area
	for _, a := range m.Areas {
		writeArea(bw, a, "")
		if a.Highlight {
			highlighted = append(highlighted, a)
		}
	}
	bw.WriteString(`</g>`)
	if len(highlighted) > 0 {
		// Outlines drawn over every fill, so that no neighbour covers them.
		fmt.Fprintf(bw, `<g transform="translate(%d %s)" fill="none" stroke="#1a1a1a" stroke-width="2" aria-hidden="true">`, margin, num(top))
		for _, a := range highlighted {
			fmt.Fprintf(bw, `<use href="#a-%s"/>`, esc(a.Code))
		}
		bw.WriteString(`</g>`)
	}
	lx, ly := m.Width+2*margin, top+4
	fmt.Fprintf(bw, `<g class="legende" transform="translate(%s %s)">`, num(lx), num(ly))
	for i, li := range m.Legend {
		if opt.NoLegend {
			break
		}
		y := float64(i * (lineHeight + 4))
		fmt.Fprintf(bw, `<rect x="0" y="%s" width="%d" height="%d" fill="%s" stroke="#777" stroke-width="0.5"/>`, num(y), swatch, swatch, esc(li.Color))
		fmt.Fprintf(bw, `<text class="l" x="%d" y="%s">%s</text>`, swatch+8, num(y+swatch-2), esc(li.Label))
	}
	bw.WriteString(`</g>`)
	if opt.Frame {
		y := top + bodyH + margin + 4
		for _, line := range append(wrap(m.Note, 110), wrap(m.Source, 110)...) {
			fmt.Fprintf(bw, `<text class="s" x="%d" y="%s">%s</text>`, margin, num(y), esc(line))
			y += lineHeight
		}
	}
	bw.WriteString("</svg>\n")
	return bw.Flush()
}

// writeArea writes a territory as one path, its rings even-odd filled.
func writeArea(w *bufio.Writer, a report.Area, extra string) {
	fmt.Fprintf(w, `<path id="a-%s" fill="%s" fill-rule="evenodd" d="`, esc(a.Code), esc(a.Fill))
	w.WriteString(PathData(a.Polygons))
	w.WriteString(`"` + extra + `>`)
	title := a.Name
	if a.Label != "" {
		title += " : " + a.Label
	}
	fmt.Fprintf(w, `<title>%s</title></path>`, esc(title))
}

// PathData is the SVG path of polygons: each ring a closed subpath.
func PathData(polygons [][][][2]float64) string {
	var sb strings.Builder
	for _, p := range polygons {
		for _, ring := range p {
			for i, pt := range ring {
				if i == 0 {
					sb.WriteByte('M')
				} else {
					sb.WriteByte('L')
				}
				sb.WriteString(num(pt[0]))
				sb.WriteByte(' ')
				sb.WriteString(num(pt[1]))
			}
			sb.WriteByte('Z')
		}
	}
	return sb.String()
}

// num writes a coordinate to a tenth of a unit, enough at print sizes.
func num(x float64) string {
	return strconv.FormatFloat(float64(int64(x*10+0.5*sign(x)))/10, 'f', -1, 64)
}

func sign(x float64) float64 {
	if x < 0 {
		return -1
	}
	return 1
}

func esc(s string) string { return html.EscapeString(s) }

// wrap cuts s into lines of at most n characters at spaces.
func wrap(s string, n int) []string {
	if s == "" {
		return nil
	}
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		if line != "" && len([]rune(line))+1+len([]rune(word)) > n {
			lines = append(lines, line)
			line = word
			continue
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	return append(lines, line)
}
