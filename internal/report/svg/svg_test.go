package svg_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/atlas-sante-travail/atlas/internal/report"
	"github.com/atlas-sante-travail/atlas/internal/report/svg"
)

// One path per territory, names escaped, valid XML whatever the options.
func TestMapIsOnePathPerTerritory(t *testing.T) {
	sq := func(x float64) [][][][2]float64 {
		return [][][][2]float64{{{{x, 0}, {x + 10, 0}, {x + 10, 10}, {x, 10}}}}
	}
	m := report.Map{Title: "Taux <test> & co", Width: 40, Height: 10, Source: "Source : Insee, 2023",
		Areas: []report.Area{
			{Code: "31", Name: "Haute-Garonne", Label: "5,2 %", Fill: "#fecc5c", Polygons: sq(0), Highlight: true},
			{Code: "09", Name: "Ariège & <Pyrénées>", Label: "secret statistique", Fill: "#bdbdbd", Polygons: sq(20)},
		},
		Legend: []report.LegendItem{{Color: "#fecc5c", Label: "de 5 à 6 %"}, {Color: "#bdbdbd", Label: "secret statistique"}}}
	for _, opt := range []svg.Options{{Standalone: true, Frame: true}, {}, {NoLegend: true}} {
		var b bytes.Buffer
		if err := svg.Write(&b, m, opt); err != nil {
			t.Fatal(err)
		}
		d := xml.NewDecoder(strings.NewReader(b.String()))
		paths, titles := 0, []string{}
		inTitle := false
		for {
			tok, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%+v: not XML: %v\n%s", opt, err, b.String())
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				paths += map[bool]int{true: 1}[tok.Name.Local == "path"]
				inTitle = tok.Name.Local == "title"
			case xml.CharData:
				if inTitle {
					titles = append(titles, string(tok))
				}
			case xml.EndElement:
				inTitle = false
			}
		}
		if paths != len(m.Areas) {
			t.Errorf("%+v: %d paths for %d territories", opt, paths, len(m.Areas))
		}
		if !strings.Contains(strings.Join(titles, "|"), "Ariège & <Pyrénées> : secret statistique") {
			t.Errorf("%+v: titles %q", opt, titles)
		}
		if hasLegend := strings.Contains(b.String(), "de 5 à 6 %"); hasLegend == opt.NoLegend {
			t.Errorf("%+v: legend drawn %v", opt, hasLegend)
		}
	}
}
