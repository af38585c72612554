package demodata

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// PopulationVintage is the period written by PopulationCSV. The vintage of
// stats/donnees_departements.csv is not stated by its source: millésime
// 2023 of the INSEE populations de référence is INFERRED (SOURCES.md), and
// geodata/indicators/population-departement.json says so.
const PopulationVintage = "2023"

// PopulationCSV converts INSEE's donnees_departements.csv (";"-separated,
// columns DEP and PMUN among others; mirror stats/donnees_departements.csv)
// to the importer's long layout: one row per département, level
// "departement", period PopulationVintage, sex and sector "ensemble",
// value = population municipale, status "published" (or "missing" with no
// value for an empty cell). Rows keep the file's order. It is a pure
// function of its input.
func PopulationCSV(r io.Reader) ([]byte, error) {
	return convertLong(r, ';', "DEP", "PMUN", "", "departement", PopulationVintage, nil)
}

// PopulationCommuneCSV converts INSEE's donnees_communes.csv (";"-separated,
// columns COM and PMUN; mirror stats/donnees_communes.csv) like
// PopulationCSV, at level "commune", keeping only the communes for which
// keep is true: the file covers all of France in the 2025 geography, while
// the demo imports the 2018 communes of two régions, and the importer
// rejects unknown codes rather than guessing.
func PopulationCommuneCSV(r io.Reader, keep func(code string) bool) ([]byte, error) {
	return convertLong(r, ';', "COM", "PMUN", "", "commune", PopulationVintage, keep)
}

// PopulationZECSV converts the ANCT population history by zone d'emploi
// (","-separated, columns codgeo, an, pop; mirror
// derived/population_ze2020_1876-2020.csv) to the importer's long layout:
// level "zone-emploi", code = codgeo, period = an, value = pop, sex and
// sector "ensemble", status "published". An empty pop (overseas zones
// before their first census in the series: 330 rows) gives status
// "missing" and no value. Rows keep the file's order.
func PopulationZECSV(r io.Reader) ([]byte, error) {
	return convertLong(r, ',', "codgeo", "pop", "an", "zone-emploi", "", nil)
}

// convertLong reads a table with a header line and writes the long layout.
// periodCol names the column holding the year; when empty, period is used
// for every row. Rows whose code keep refuses are left out (nil keeps all).
func convertLong(r io.Reader, sep rune, codeCol, valueCol, periodCol, level, period string, keep func(string) bool) ([]byte, error) {
	cr := csv.NewReader(r)
	cr.Comma = sep
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("demodata: reading header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		col[h] = i
	}
	need := []string{codeCol, valueCol}
	if periodCol != "" {
		need = append(need, periodCol)
	}
	for _, c := range need {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("demodata: column %q not found in header %q (separator %q)", c, head, sep)
		}
	}

	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(Header); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("demodata: %w", err)
		}
		code := strings.TrimSpace(rec[col[codeCol]])
		if code == "" {
			return nil, fmt.Errorf("demodata: line %d: empty %s", line, codeCol)
		}
		if keep != nil && !keep(code) {
			continue
		}
		p := period
		if periodCol != "" {
			p = strings.TrimSpace(rec[col[periodCol]])
			if y, err := strconv.Atoi(p); err != nil || y < 1000 || y > 9999 {
				return nil, fmt.Errorf("demodata: line %d: %s %q is not a year", line, periodCol, p)
			}
		}
		v, status := strings.TrimSpace(rec[col[valueCol]]), "published"
		if v == "" {
			// Not enumerated (overseas zones before their first census in
			// the series): a blank, never a zero.
			status = "missing"
		} else if n, err := strconv.ParseInt(v, 10, 64); err != nil || n < 0 {
			return nil, fmt.Errorf("demodata: line %d: %s %q is not a population", line, valueCol, v)
		}
		k := code + "|" + p
		if seen[k] {
			return nil, fmt.Errorf("demodata: line %d: duplicate %s %s", line, code, p)
		}
		seen[k] = true
		if err := w.Write([]string{level, code, p, "ensemble", "ensemble", v, "", "", status}); err != nil {
			return nil, err
		}
	}
	if len(seen) == 0 {
		return nil, fmt.Errorf("demodata: no data row")
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// CommuneEmployees sizes the fictive salariés of each commune from the
// INSEE municipal population (columns COM and PMUN, ';'-separated; mirror
// stats/donnees_communes.csv): PMUN × the national ratio of salariés
// (Σ Sector.NationalEmployees, Assurance Maladie 2024) to inhabitants
// (Σ PMUN of the file). ASSUMPTION: salariés counted where they live, at
// the national rate everywhere; a commune missing from the file (merged
// since) draws its size instead.
func CommuneEmployees(r io.Reader) (map[string]int, error) {
	// Through the population converter, for its checks of the table.
	b, err := PopulationCommuneCSV(r, nil)
	if err != nil {
		return nil, err
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("demodata: %w", err)
	}
	people := map[string]int{}
	total := 0
	for _, rec := range rows[1:] { // code, value of the long layout
		n, _ := strconv.Atoi(rec[5]) // checked by the converter; blank is 0
		people[rec[1]] = n
		total += n
	}
	if total == 0 {
		return nil, fmt.Errorf("demodata: no inhabitant in the table")
	}
	salaried := 0
	for _, s := range sectors {
		salaried += s.NationalEmployees
	}
	out := make(map[string]int, len(people))
	for c, n := range people {
		out[c] = int(math.Round(float64(n)*float64(salaried)/float64(total))) + 1
	}
	return out, nil
}
