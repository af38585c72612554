package html_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/report"
	"github.com/atlas-sante-travail/atlas/internal/report/html"
)

// The page prints on A4 without cutting a block, escapes every text, and
// writes the notice on the pages whose figures are fictive only.
func TestPrintPage(t *testing.T) {
	d := &report.Document{Title: "Chiffres clés <script>", Date: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Notice: "fictives",
		Pages: []report.Page{
			{Title: "Réel", Sections: []report.Section{{Title: "Chiffres", Blocks: []report.Block{
				report.KeyFigures{Figures: []report.KeyFigure{{Label: "Taux", Value: "secret statistique", Secret: true, Source: "Source : Insee, 2023"}}},
				report.Table{Caption: "T", Columns: []string{"A", "B"}, Rows: [][]string{{"x & y", "1"}}},
			}}}},
			{Title: "Démo", Notice: "Données de démonstration (fictives)", Sections: []report.Section{{Blocks: []report.Block{
				report.Chart{Title: "Série", Periods: []string{"2021", "2022"}, Series: []report.Series{{Name: "Ensemble", Color: "#1d4f73", Points: []*float64{nil, ptr(3)}}}},
			}}}},
		}}
	var b bytes.Buffer
	if err := html.Write(&b, d); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	for _, want := range []string{"size: A4", "break-inside: avoid", "Chiffres clés &lt;script&gt;", "x &amp; y", `class="valeur secret"`,
		"1er décembre 2026", "<svg", "Source : Insee, 2023"} {
		if !strings.Contains(s, want) {
			t.Errorf("no %q in the page", want)
		}
	}
	if n := strings.Count(s, `class="avertissement"`); n != 1 {
		t.Errorf("%d page notices, want 1 (the demo page)", n)
	}
}

func ptr(x float64) *float64 { return &x }
