package pdf_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/report"
	"github.com/atlas-sante-travail/atlas/internal/report/pdf"
)

// text runs pdftotext on pages from..to of a PDF.
func text(t *testing.T, doc []byte, from, to int) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext not found: install poppler-utils (deploy/deps.sh)")
	}
	f := filepath.Join(t.TempDir(), "d.pdf")
	if err := os.WriteFile(f, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-f", strconv.Itoa(from), "-l", strconv.Itoa(to), f, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

// A table that does not fit below the text moves whole to the next page,
// and the French text comes back out as text.
func TestKeepsBlocksWhole(t *testing.T) {
	var filler []report.Block
	for i := 0; i < 9; i++ {
		filler = append(filler, report.Text{Body: strings.Repeat("Les accidents du travail déclarés « en premier règlement » ; œuvre, façon… ", 8)})
	}
	table := report.Table{Caption: "Tableau à garder entier", Columns: []string{"Secteur", "Valeur"}, Source: "Source : Insee, taux de chômage localisés, 3e trimestre 2023"}
	for i := 0; i < 20; i++ {
		table.Rows = append(table.Rows, []string{"Ligne " + strconv.Itoa(i+1), "secret statistique"})
	}
	d := &report.Document{Title: "Essai", Date: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Pages: []report.Page{{Title: "Page", Sections: []report.Section{{Blocks: append(filler, table)}}}}}
	var b bytes.Buffer
	if err := pdf.Write(&b, d); err != nil {
		t.Fatal(err)
	}
	first, second := text(t, b.Bytes(), 1, 1), text(t, b.Bytes(), 2, 2)
	if strings.Contains(first, "Tableau à garder entier") || strings.Contains(first, "Ligne 1\n") {
		t.Errorf("the table starts on page 1:\n%s", first)
	}
	for _, s := range []string{"Tableau à garder entier", "Ligne 1", "Ligne 20", "3e trimestre 2023"} {
		if !strings.Contains(second, s) {
			t.Errorf("page 2 has no %q:\n%s", s, second)
		}
	}
	if !strings.Contains(first, "« en premier règlement » ; œuvre, façon…") {
		t.Errorf("French text not read back:\n%.400s", first)
	}
}
