package svg

import (
	"bufio"
	"fmt"
	"io"

	"github.com/atlas-sante-travail/atlas/internal/report"
)

// Chart geometry, shared with the PDF renderer's proportions.
const (
	chartLeft   = 48
	chartBottom = 34
	chartTop    = 10
	chartRight  = 12
)

// WriteChart draws a time series width × height units: the value axis with
// its ticks, one line per series (broken where a figure is secret or
// missing), a point at each figure, the first, middle and last periods.
func WriteChart(w io.Writer, c report.Chart, width, height float64) error {
	bw := bufio.NewWriter(w)
	ax := c.Axis()
	pw, ph := width-chartLeft-chartRight, height-chartTop-chartBottom
	n := len(c.Periods)
	x, y := c.Place(ax, chartLeft, chartTop, pw, ph)
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" role="img" aria-label="%s">`, num(width), num(height), esc(c.Title))
	bw.WriteString(`<style>text{font-family:"Go","DejaVu Sans",Arial,sans-serif;font-size:10px;fill:#444}</style>`)
	dec := 0
	if len(c.Series) > 0 {
		dec = c.Series[0].Decimals
	}
	for _, t := range ax.Ticks {
		fmt.Fprintf(bw, `<line x1="%d" x2="%s" y1="%s" y2="%s" stroke="#dddddd" stroke-width="0.6"/>`, chartLeft, num(chartLeft+pw), num(y(t)), num(y(t)))
		fmt.Fprintf(bw, `<text x="%d" y="%s" text-anchor="end">%s</text>`, chartLeft-4, num(y(t)+3), esc(report.Number(t, dec)))
	}
	for _, i := range labelled(n) {
		fmt.Fprintf(bw, `<text x="%s" y="%s" text-anchor="middle">%s</text>`, num(x(i)), num(height-chartBottom+14), esc(c.Periods[i]))
	}
	for si, s := range c.Series {
		d := ""
		for i, p := range s.Points {
			if p == nil {
				continue
			}
			cmd := "L"
			if i == 0 || s.Points[i-1] == nil {
				cmd = "M"
			}
			d += cmd + num(x(i)) + " " + num(y(*p))
		}
		if d != "" {
			fmt.Fprintf(bw, `<path d="%s" fill="none" stroke="%s" stroke-width="2"/>`, d, esc(s.Color))
		}
		for i, p := range s.Points {
			if p != nil {
				fmt.Fprintf(bw, `<circle cx="%s" cy="%s" r="2.5" fill="%s"/>`, num(x(i)), num(y(*p)), esc(s.Color))
			}
		}
		if len(c.Series) > 1 {
			lx := chartLeft + float64(si)*110
			fmt.Fprintf(bw, `<rect x="%s" y="%s" width="12" height="3" fill="%s"/><text x="%s" y="%s">%s</text>`,
				num(lx), num(height-9), esc(s.Color), num(lx+16), num(height-5), esc(s.Name))
		}
	}
	bw.WriteString("</svg>")
	return bw.Flush()
}

// labelled are the periods whose labels fit: the first, the last and a
// few between.
func labelled(n int) []int {
	switch {
	case n == 0:
		return nil
	case n <= 6:
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	return []int{0, n / 3, 2 * n / 3, n - 1}
}

// Labelled is labelled for the other renderers, so that every format
// names the same periods.
func Labelled(n int) []int { return labelled(n) }
