// Package pdf renders a report.Document as an A4 PDF with
// github.com/go-pdf/fpdf, with no browser: text is real text in embedded
// TrueType fonts (searchable, readable by screen readers and pdftotext),
// maps are vector paths from the generalised geometry, charts are lines.
// Each block is measured before it is drawn and moved whole to the next
// page when it would not fit, so a page break never cuts a table, a map,
// a chart or a key figure.
//
// Fonts: the Go fonts (Go Regular, Bold, Italic) of
// golang.org/x/image/font/gofont, under the BSD-3-Clause licence of the Go
// project, which allows embedding and redistribution; they cover Latin-1
// and WGL4 (é è à ç œ « » ’ … –), not U+202F, so figures group thousands
// with a no-break space (indicator.FormatNumber does).
package pdf

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/atlas-sante-travail/atlas/internal/report"
	"github.com/atlas-sante-travail/atlas/internal/report/svg"
)

// Page geometry in millimetres (A4 portrait).
const (
	pageW, pageH      = 210.0, 297.0
	marginX, marginT  = 14.0, 14.0
	marginB           = 18.0 // the footer sits in it
	contentW          = pageW - 2*marginX
	bottom            = pageH - marginB
	gap               = 4.0
	family            = "Go"
	figureColumns     = 3
	mapMaxW, mapMaxH  = 110.0, 95.0
	chartW, chartH    = contentW, 52.0
	legendSwatch      = 3.6
	ptToMM            = 0.3528
	tableRowH         = 5.0
	lineFactor        = 1.3
	blue, grey, black = "#1d4f73", "#555555", "#1a1a1a"
	noticeColor       = "#8a1c00"
)

// Write renders d as a PDF.
func Write(w io.Writer, d *report.Document) error {
	r := &renderer{pdf: fpdf.New("P", "mm", "A4", ""), doc: d}
	r.setup()
	r.cover()
	for i, p := range d.Pages {
		if i > 0 {
			r.pdf.AddPage()
		}
		r.page(p)
	}
	if srcs := d.Sources(); len(srcs) > 0 {
		r.sources(srcs)
	}
	if err := r.pdf.Error(); err != nil {
		return fmt.Errorf("pdf document: %w", err)
	}
	if err := r.pdf.Output(w); err != nil {
		return fmt.Errorf("pdf document: %w", err)
	}
	return nil
}

type renderer struct {
	pdf *fpdf.Fpdf
	doc *report.Document
}

func (r *renderer) setup() {
	p, d := r.pdf, r.doc
	p.AddUTF8FontFromBytes(family, "", goregular.TTF)
	p.AddUTF8FontFromBytes(family, "B", gobold.TTF)
	p.AddUTF8FontFromBytes(family, "I", goitalic.TTF)
	p.SetMargins(marginX, marginT, marginX)
	// Blocks are placed by measure (fits); fpdf's own break would cut them.
	p.SetAutoPageBreak(false, marginB)
	p.SetTitle(d.Title, true)
	p.SetSubject(d.Subject, true)
	p.SetKeywords(strings.Join(append(append([]string{}, d.Keywords...), d.Sources()...), " ; "), true)
	p.SetAuthor("Atlas Santé-Travail", true)
	p.SetCreator("Atlas Santé-Travail", true)
	p.SetLang("fr-FR")
	p.SetCreationDate(d.Date)
	p.SetModificationDate(d.Date)
	p.SetCatalogSort(true)
	p.AliasNbPages("{nb}")
	p.SetFooterFunc(func() {
		p.SetY(pageH - marginB + 6)
		if d.Notice != "" {
			r.font("B", 7.5, noticeColor)
			p.CellFormat(contentW, 3.5, "Attention : "+d.Notice, "", 1, "L", false, 0, "")
		}
		r.font("", 7.5, grey)
		p.CellFormat(contentW/2, 3.5, d.Title, "", 0, "L", false, 0, "")
		p.CellFormat(contentW/2, 3.5, "page "+strconv.Itoa(p.PageNo())+" / {nb}", "", 0, "R", false, 0, "")
	})
	p.AddPage()
}

func (r *renderer) font(style string, size float64, color string) {
	r.pdf.SetFont(family, style, size)
	cr, cg, cb := rgb(color)
	r.pdf.SetTextColor(cr, cg, cb)
}

// lineH is the line height of a font size, in mm.
func lineH(size float64) float64 { return size * ptToMM * lineFactor }

// text writes wrapped lines at the current position, width w.
func (r *renderer) text(x, w float64, s, style string, size float64, color string) {
	if s == "" {
		return
	}
	r.font(style, size, color)
	for _, line := range r.pdf.SplitText(s, w) {
		r.pdf.SetX(x)
		r.pdf.CellFormat(w, lineH(size), line, "", 1, "L", false, 0, "")
	}
}

// textH measures text as text writes it.
func (r *renderer) textH(w float64, s, style string, size float64) float64 {
	if s == "" {
		return 0
	}
	r.pdf.SetFont(family, style, size)
	return float64(len(r.pdf.SplitText(s, w))) * lineH(size)
}

// fits moves to a new page when h more millimetres would cross the bottom.
func (r *renderer) fits(h float64) {
	if r.pdf.GetY()+h > bottom && r.pdf.GetY() > marginT+1 {
		r.pdf.AddPage()
	}
}

func (r *renderer) cover() {
	d, p := r.doc, r.pdf
	r.text(marginX, contentW, d.Title, "B", 20, blue)
	r.text(marginX, contentW, d.Subtitle, "", 11, grey)
	r.text(marginX, contentW, "Document généré le "+report.DateLabel(d.Date)+" par Atlas Santé-Travail.", "", 9, grey)
	cr, cg, cb := rgb(blue)
	p.SetDrawColor(cr, cg, cb)
	p.SetLineWidth(0.8)
	y := p.GetY() + 1.5
	p.Line(marginX, y, pageW-marginX, y)
	p.SetY(y + 3)
}

func (r *renderer) page(pg report.Page) {
	p := r.pdf
	r.fits(30)
	p.Bookmark(pg.Title, 0, -1)
	r.text(marginX, contentW, pg.Title, "B", 15, blue)
	if pg.Notice != "" {
		r.notice(pg.Notice)
	}
	if pg.Intro != "" {
		r.text(marginX, contentW, pg.Intro, "", 9.5, black)
	}
	p.SetY(p.GetY() + 1)
	for _, s := range pg.Sections {
		r.section(s)
	}
}

func (r *renderer) notice(s string) {
	p := r.pdf
	h := r.textH(contentW-4, s, "B", 9) + 2
	y := p.GetY() + 1
	fr, fg, fb := rgb("#fff3e0")
	p.SetFillColor(fr, fg, fb)
	p.Rect(marginX, y, contentW, h, "F")
	nr, ng, nb := rgb(noticeColor)
	p.SetFillColor(nr, ng, nb)
	p.Rect(marginX, y, 1.2, h, "F")
	p.SetY(y + 1)
	r.text(marginX+3, contentW-4, s, "B", 9, noticeColor)
	p.SetY(y + h + 1.5)
}

func (r *renderer) section(s report.Section) {
	if s.Title != "" {
		// The heading goes with the start of its first block.
		first := 20.0
		if len(s.Blocks) > 0 {
			first = min(r.blockH(s.Blocks[0]), 60)
		}
		r.fits(lineH(11.5) + 2 + first)
		r.pdf.SetY(r.pdf.GetY() + 2)
		r.text(marginX, contentW, s.Title, "B", 11.5, black)
	}
	for _, b := range s.Blocks {
		switch b := b.(type) {
		case report.KeyFigures:
			r.figures(b)
		default:
			r.fits(r.blockH(b))
			r.block(b)
		}
		r.pdf.SetY(r.pdf.GetY() + gap)
	}
}

// blockH is the height a block takes (a key figures block: its first row).
func (r *renderer) blockH(b report.Block) float64 {
	switch b := b.(type) {
	case report.KeyFigures:
		if len(b.Figures) == 0 {
			return 0
		}
		return r.rowH(b.Figures[:min(len(b.Figures), figureColumns)])
	case report.Table:
		first, other := columnWidths(len(b.Columns))
		width := func(i int) float64 {
			if i == 0 {
				return first
			}
			return other
		}
		h := r.textH(contentW, b.Caption, "B", 9.5) + r.headerH(b) + r.textH(contentW, b.Source, "", 7.5) + 1
		for _, row := range b.Rows {
			h += r.rowLinesH(row, width)
		}
		return h
	case report.Map:
		w, h := mapSize(b)
		legend := 0.0
		for _, li := range b.Legend {
			legend += max(r.textH(legendWidth(w), li.Label, "", 8), legendSwatch) + 1.6
		}
		return r.textH(contentW, b.Title, "B", 9.5) + max(h, legend) + 1.5 +
			r.textH(contentW, b.Note, "", 7.5) + r.textH(contentW, b.Source, "", 7.5)
	case report.Chart:
		return r.textH(contentW, chartTitle(b), "B", 9.5) + chartH + r.textH(contentW, b.Source, "", 7.5)
	case report.Text:
		h := r.textH(contentW, b.Heading, "B", 10.5) + r.textH(contentW, b.Body, "", 9.5)
		for _, it := range b.Items {
			h += r.textH(contentW-5, it, "", 9.5) + 0.8
		}
		return h
	}
	return 0
}

func (r *renderer) block(b report.Block) {
	switch b := b.(type) {
	case report.Table:
		r.table(b)
	case report.Map:
		r.drawMap(b)
	case report.Chart:
		r.chart(b)
	case report.Text:
		r.text(marginX, contentW, b.Heading, "B", 10.5, black)
		r.text(marginX, contentW, b.Body, "", 9.5, black)
		for _, it := range b.Items {
			y := r.pdf.GetY()
			r.font("", 9.5, black)
			r.pdf.SetXY(marginX+1, y)
			r.pdf.CellFormat(4, lineH(9.5), "•", "", 0, "L", false, 0, "")
			r.pdf.SetY(y)
			r.text(marginX+5, contentW-5, it, "", 9.5, black)
			r.pdf.SetY(r.pdf.GetY() + 0.8)
		}
	}
}

const figureW = (contentW - float64(figureColumns-1)*gap) / figureColumns

func (r *renderer) figureH(f report.KeyFigure) float64 {
	inner := figureW - 4
	valueSize := 15.0
	if f.Secret {
		valueSize = 11
	}
	h := 2 + r.textH(inner, f.Label, "B", 8.5) + r.textH(inner, f.Value, "B", valueSize) + r.textH(inner, f.Period, "", 7.5) + 0.8
	for _, d := range f.Details {
		h += r.textH(inner-2.5, d, "", 7.5)
	}
	return h + r.textH(inner, f.Source, "", 6.5) + 2
}

func (r *renderer) rowH(row []report.KeyFigure) float64 {
	h := 0.0
	for _, f := range row {
		h = max(h, r.figureH(f))
	}
	return h
}

// figures lays key figures out in rows of three cards, each row kept on
// one page.
func (r *renderer) figures(b report.KeyFigures) {
	p := r.pdf
	for i := 0; i < len(b.Figures); i += figureColumns {
		row := b.Figures[i:min(i+figureColumns, len(b.Figures))]
		h := r.rowH(row)
		r.fits(h)
		y := p.GetY()
		for j, f := range row {
			x := marginX + float64(j)*(figureW+gap)
			dr, dg, db := rgb("#c8d6e0")
			p.SetDrawColor(dr, dg, db)
			p.SetLineWidth(0.3)
			p.RoundedRect(x, y, figureW, h, 1.2, "1234", "D")
			p.SetY(y + 2)
			inner := figureW - 4
			r.text(x+2, inner, f.Label, "B", 8.5, black)
			if f.Secret {
				r.text(x+2, inner, f.Value, "I", 11, grey)
			} else {
				r.text(x+2, inner, f.Value, "B", 15, blue)
			}
			r.text(x+2, inner, f.Period, "", 7.5, grey)
			p.SetY(p.GetY() + 0.8)
			for _, d := range f.Details {
				ly := p.GetY()
				r.font("", 7.5, black)
				p.SetXY(x+2, ly)
				p.CellFormat(2.5, lineH(7.5), "•", "", 0, "L", false, 0, "")
				p.SetY(ly)
				r.text(x+4.5, inner-2.5, d, "", 7.5, black)
			}
			r.text(x+2, inner, f.Source, "", 6.5, grey)
		}
		p.SetY(y + h + gap)
	}
	p.SetY(p.GetY() - gap)
}

func (r *renderer) table(t report.Table) {
	p := r.pdf
	r.text(marginX, contentW, t.Caption, "B", 9.5, black)
	n := len(t.Columns)
	if n == 0 {
		return
	}
	first, other := columnWidths(n)
	width := func(i int) float64 {
		if i == 0 {
			return first
		}
		return other
	}
	fr, fg, fb := rgb("#eef3f7")
	p.SetFillColor(fr, fg, fb)
	lr, lg, lb := rgb("#dde4ea")
	p.SetDrawColor(lr, lg, lb)
	p.SetLineWidth(0.2)
	// Headers wrap (an indicator's label is long); the row is as tall as
	// the tallest.
	hh := r.headerH(t)
	y := p.GetY()
	x := marginX
	for i, c := range t.Columns {
		align := "R"
		if i == 0 {
			align = "L"
		}
		p.Rect(x, y, width(i), hh, "F")
		p.Line(x, y+hh, x+width(i), y+hh)
		r.font("B", 7.5, black)
		lines := p.SplitText(c, width(i)-1)
		for j, line := range lines {
			p.SetXY(x, y+0.6+float64(j)*lineH(7.5))
			p.CellFormat(width(i), lineH(7.5), line, "", 0, align, false, 0, "")
		}
		x += width(i)
	}
	p.SetXY(marginX, y+hh)
	for _, row := range t.Rows {
		// A row is as tall as its most wrapped cell.
		h := r.rowLinesH(row, width)
		y := p.GetY()
		x := marginX
		for i, c := range row {
			align, style, size, color := "R", "", 8.0, black
			if i == 0 {
				align, style = "L", "B"
			}
			if c == secretLabel {
				style, size, color = "I", 7.5, grey
			}
			r.font(style, size, color)
			for j, line := range p.SplitText(c, width(i)-1) {
				p.SetXY(x, y+0.5+float64(j)*lineH(8))
				p.CellFormat(width(i), lineH(8), line, "", 0, align, false, 0, "")
			}
			x += width(i)
		}
		p.Line(marginX, y+h, marginX+contentW, y+h)
		p.SetXY(marginX, y+h)
	}
	p.SetY(p.GetY() + 1)
	r.text(marginX, contentW, t.Source, "", 7.5, grey)
}

// rowLinesH is the height of a table row whose cells wrap.
func (r *renderer) rowLinesH(row []string, width func(int) float64) float64 {
	lines := 1
	for i, c := range row {
		style := ""
		if i == 0 {
			style = "B"
		}
		r.pdf.SetFont(family, style, 8)
		lines = max(lines, len(r.pdf.SplitText(c, width(i)-1)))
	}
	return max(tableRowH, float64(lines)*lineH(8)+1)
}

// columnWidths are a table's: the first column wider, for names.
func columnWidths(n int) (first, other float64) {
	first = contentW * 0.34
	if n <= 1 {
		return contentW, 0
	}
	return first, (contentW - first) / float64(n-1)
}

// headerH is the height of a table's wrapped header row.
func (r *renderer) headerH(t report.Table) float64 {
	first, other := columnWidths(len(t.Columns))
	lines := 1
	r.pdf.SetFont(family, "B", 7.5)
	for i, c := range t.Columns {
		w := other
		if i == 0 {
			w = first
		}
		lines = max(lines, len(r.pdf.SplitText(c, w-1)))
	}
	return float64(lines)*lineH(7.5) + 1.2
}

// secretLabel is how the assembly writes a secret figure (set in italics).
const secretLabel = "secret statistique"

// legendWidth is the width of a legend's labels beside a map w wide.
func legendWidth(w float64) float64 { return contentW - w - 6 - legendSwatch*1.4 - 2 }

// mapSize is the size the map is drawn at, in mm, its proportions kept.
func mapSize(m report.Map) (float64, float64) {
	if m.Width <= 0 || m.Height <= 0 {
		return 0, 0
	}
	s := min(mapMaxW/m.Width, mapMaxH/m.Height)
	return m.Width * s, m.Height * s
}

func (r *renderer) drawMap(m report.Map) {
	p := r.pdf
	r.text(marginX, contentW, m.Title, "B", 9.5, black)
	w, h := mapSize(m)
	x0, y0 := marginX, p.GetY()+1
	s := w / m.Width
	p.SetLineWidth(0.15)
	p.SetDrawColor(255, 255, 255)
	p.SetLineJoinStyle("round")
	for _, a := range m.Areas {
		r.area(a, x0, y0, s, "B*")
	}
	for _, a := range m.Areas {
		if a.Highlight {
			p.SetLineWidth(0.6)
			p.SetDrawColor(26, 26, 26)
			r.area(a, x0, y0, s, "S")
		}
	}
	// Legend at the right of the map, each label wrapped in its column.
	lx, ly := x0+w+6, y0
	lw := legendWidth(w)
	for _, li := range m.Legend {
		cr, cg, cb := rgb(li.Color)
		p.SetFillColor(cr, cg, cb)
		p.SetDrawColor(119, 119, 119)
		p.SetLineWidth(0.15)
		p.Rect(lx, ly, legendSwatch*1.4, legendSwatch, "FD")
		p.SetY(ly - 0.2)
		r.text(lx+legendSwatch*1.4+2, lw, li.Label, "", 8, black)
		ly = max(p.GetY(), ly+legendSwatch) + 1.6
	}
	p.SetY(max(y0+h, ly) + 1.5)
	r.text(marginX, contentW, m.Note, "", 7.5, grey)
	r.text(marginX, contentW, m.Source, "", 7.5, grey)
}

// area draws one territory's rings as one path (even-odd, so holes stay
// holes).
func (r *renderer) area(a report.Area, x0, y0, s float64, op string) {
	p := r.pdf
	if op != "S" {
		cr, cg, cb := rgb(a.Fill)
		p.SetFillColor(cr, cg, cb)
	}
	for _, poly := range a.Polygons {
		for _, ring := range poly {
			for i, pt := range ring {
				if i == 0 {
					p.MoveTo(x0+pt[0]*s, y0+pt[1]*s)
				} else {
					p.LineTo(x0+pt[0]*s, y0+pt[1]*s)
				}
			}
			p.ClosePath()
		}
	}
	p.DrawPath(op)
}

func chartTitle(c report.Chart) string {
	if c.Unit != "" {
		return c.Title + " (" + c.Unit + ")"
	}
	return c.Title
}

func (r *renderer) chart(c report.Chart) {
	p := r.pdf
	r.text(marginX, contentW, chartTitle(c), "B", 9.5, black)
	ax := c.Axis()
	const left, right, top, bottomGap = 14.0, 4.0, 2.0, 12.0
	x0, y0 := marginX+left, p.GetY()+top
	pw, ph := chartW-left-right, chartH-top-bottomGap
	n := len(c.Periods)
	x, y := c.Place(ax, x0, y0, pw, ph)
	dec := 0
	if len(c.Series) > 0 {
		dec = c.Series[0].Decimals
	}
	p.SetLineWidth(0.15)
	p.SetDrawColor(221, 221, 221)
	for _, t := range ax.Ticks {
		p.Line(x0, y(t), x0+pw, y(t))
		r.font("", 7, grey)
		p.SetXY(marginX, y(t)-1.6)
		p.CellFormat(left-1.5, 3.2, report.Number(t, dec), "", 0, "R", false, 0, "")
	}
	for _, i := range svg.Labelled(n) {
		r.font("", 7, grey)
		p.SetXY(x(i)-12, y0+ph+1)
		p.CellFormat(24, 3.2, c.Periods[i], "", 0, "C", false, 0, "")
	}
	for si, s := range c.Series {
		cr, cg, cb := rgb(s.Color)
		p.SetDrawColor(cr, cg, cb)
		p.SetFillColor(cr, cg, cb)
		p.SetLineWidth(0.6)
		for i := 1; i < len(s.Points); i++ {
			if s.Points[i] != nil && s.Points[i-1] != nil {
				p.Line(x(i-1), y(*s.Points[i-1]), x(i), y(*s.Points[i]))
			}
		}
		for i, v := range s.Points {
			if v != nil {
				p.Circle(x(i), y(*v), 0.7, "F")
			}
		}
		if len(c.Series) > 1 {
			lx := x0 + float64(si)*40
			p.Rect(lx, y0+ph+6, 4, 1, "F")
			r.font("", 7.5, black)
			p.SetXY(lx+5, y0+ph+4.9)
			p.CellFormat(34, 3.2, s.Name, "", 0, "L", false, 0, "")
		}
	}
	p.SetY(y0 + chartH - top)
	r.text(marginX, contentW, c.Source, "", 7.5, grey)
}

func (r *renderer) sources(srcs []string) {
	r.fits(lineH(15) + 12)
	r.pdf.SetY(r.pdf.GetY() + 4)
	r.text(marginX, contentW, "Sources", "B", 15, blue)
	r.pdf.SetY(r.pdf.GetY() + 1)
	for _, s := range srcs {
		r.fits(r.textH(contentW-5, s, "", 9) + 1)
		r.block(report.Text{Items: []string{s}})
	}
}

// rgb reads "#rrggbb" (black for anything else).
func rgb(hex string) (int, int, int) {
	if len(hex) != 7 || hex[0] != '#' {
		return 0, 0, 0
	}
	v, err := strconv.ParseUint(hex[1:], 16, 32)
	if err != nil {
		return 0, 0, 0
	}
	return int(v >> 16 & 0xff), int(v >> 8 & 0xff), int(v & 0xff)
}
