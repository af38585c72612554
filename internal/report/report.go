// Package report is the layout model of the diagnostic's documents (chiffres
// clés, focus sheets, synthesis): pages of sections of blocks, in plain
// values, so that the HTML, SVG and PDF renderers (report/html, report/svg,
// report/pdf) say the same thing and each can be tested without a
// database. Every figure arrives here already written out in words by the
// assembly (internal/document), after indicator.Gate: a renderer never
// formats a number it could leak, it prints strings; the only numbers it
// reads are the chart points and the map's coordinates, both of values
// Gate let through.
package report

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Document is one deliverable.
type Document struct {
	Title    string
	Subtitle string
	// Date is when the document was generated, printed and in the PDF's
	// metadata.
	Date time.Time
	// Subject and Keywords go to the metadata (Keywords holds the sources).
	Subject  string
	Keywords []string
	// Notice is printed in every page's footer when set: some figures
	// are fictive.
	Notice string
	// FileName is the download's name without its extension.
	FileName string
	Pages    []Page
}

// Page starts on a new sheet.
type Page struct {
	Title string
	// Notice heads the page when its own figures are fictive.
	Notice   string
	Intro    string
	Sections []Section
}

// Section is a titled group of blocks; renderers keep a block on one page
// (a map or a table is never cut).
type Section struct {
	Title  string
	Blocks []Block
}

// Block is one of KeyFigures, Table, Map, Chart, Text.
type Block interface{ block() }

// KeyFigure is an indicator's headline: its value as written ("12,5 %",
// "secret statistique") and the lines that qualify it.
type KeyFigure struct {
	Label string
	Value string
	// Secret is set when Value is the secret statistique, for styling.
	Secret bool
	// Period is the vintage in words.
	Period string
	// Details: evolution, rank, reference, women and men.
	Details []string
	Source  string
}

// KeyFigures are key figures set side by side.
type KeyFigures struct {
	Figures []KeyFigure
}

// Table is a small table; Cells are written out.
type Table struct {
	Caption string
	Columns []string
	Rows    [][]string
	Source  string
}

// Map is a small choropleth: the territories as rings in a box of Width ×
// Height units (y down), each with its fill; the legend and the source.
type Map struct {
	Title         string
	Width, Height float64
	Areas         []Area
	Legend        []LegendItem
	Source        string
	Note          string
}

// Area is one territory on a Map.
type Area struct {
	Code, Name string
	// Label is the territory's value as written, for the SVG's title.
	Label string
	Fill  string
	// Highlight outlines the territory the document is about.
	Highlight bool
	// Polygons: each a list of rings (the first the exterior), each ring
	// a list of points.
	Polygons [][][][2]float64
}

// LegendItem is one class of a map's legend.
type LegendItem struct {
	Color string
	Label string
}

// Chart is a time series, one or more lines sharing the periods.
type Chart struct {
	Title   string
	Unit    string
	Periods []string
	Series  []Series
	Source  string
}

// Series is one line of a chart; a nil point is a period with no figure
// (secret or missing), which breaks the line.
type Series struct {
	Name   string
	Color  string
	Points []*float64
	// Decimals the axis labels are written with.
	Decimals int
}

// Text is a paragraph, or a list when Items is set.
type Text struct {
	Heading string
	Body    string
	Items   []string
}

func (KeyFigures) block() {}
func (Table) block()      {}
func (Map) block()        {}
func (Chart) block()      {}
func (Text) block()       {}

// Sources lists the distinct source lines of a document, in order of
// appearance, for the metadata and the last page.
func (d *Document) Sources() []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, p := range d.Pages {
		for _, s := range p.Sections {
			for _, b := range s.Blocks {
				switch b := b.(type) {
				case KeyFigures:
					for _, f := range b.Figures {
						add(f.Source)
					}
				case Table:
					add(b.Source)
				case Map:
					add(b.Source)
				case Chart:
					add(b.Source)
				}
			}
		}
	}
	return out
}

// Axis is a chart's value axis: its bounds and the ticks to label.
type Axis struct {
	Min, Max float64
	Ticks    []float64
}

// Axis spans every point of the chart with round ticks (1, 2 or 5 times a
// power of ten), from zero when every value is positive and zero is near.
func (c Chart) Axis() Axis {
	lo, hi, any := 0.0, 0.0, false
	for _, s := range c.Series {
		for _, p := range s.Points {
			if p == nil {
				continue
			}
			if !any || *p < lo {
				lo = *p
			}
			if !any || *p > hi {
				hi = *p
			}
			any = true
		}
	}
	if !any {
		return Axis{Min: 0, Max: 1, Ticks: []float64{0, 1}}
	}
	if lo > 0 && lo < hi/2 {
		lo = 0
	}
	if hi == lo {
		hi, lo = hi+1, lo-1
	}
	step := niceStep((hi - lo) / 4)
	a := Axis{Min: math.Floor(lo/step) * step, Max: math.Ceil(hi/step) * step}
	for t := a.Min; t <= a.Max+step/2; t += step {
		a.Ticks = append(a.Ticks, math.Round(t/step)*step)
	}
	return a
}

// Place maps the chart into a plot of w × h at (x0, y0), y down: x of the
// i-th period, y of a value on the axis.
func (c Chart) Place(ax Axis, x0, y0, w, h float64) (x func(int) float64, y func(float64) float64) {
	n := len(c.Periods)
	x = func(i int) float64 {
		if n <= 1 {
			return x0 + w/2
		}
		return x0 + w*float64(i)/float64(n-1)
	}
	y = func(v float64) float64 { return y0 + h*(1-(v-ax.Min)/(ax.Max-ax.Min)) }
	return x, y
}

func niceStep(x float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

// Number writes a chart's tick in French (decimal comma, no unit).
func Number(x float64, decimals int) string {
	s := strconv.FormatFloat(x, 'f', decimals, 64)
	return strings.Replace(s, ".", ",", 1)
}

var months = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// DateLabel is a date in French words: "2 décembre 2026" ("1er" for the first).
func DateLabel(t time.Time) string {
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return day + " " + months[t.Month()-1] + " " + strconv.Itoa(t.Year())
}
