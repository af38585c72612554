package demodata

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// ApprenticeshipCSV converts the Baromètre des résultats' apprenticeship
// rows (columns id_indicateur, code_departement, date, valeur; mirror
// derived/apprentissage_contrats_departements_2017-2022.csv) to the long
// layout: new apprenticeship contracts per département and calendar year.
// A year is the row dated 31 December; the last row (31 October 2022) is a
// year to date and is left out, since a partial year next to full ones
// reads as a fall.
func ApprenticeshipCSV(r io.Reader) ([]byte, error) {
	type key struct{ code, year string }
	values := map[key]string{}
	err := eachRow(r, ',', []string{"id_indicateur", "code_departement", "date", "valeur"}, func(line int, get func(string) string) error {
		if get("id_indicateur") != "nombre-contrats-apprentissage" {
			return nil
		}
		date, code := get("date"), get("code_departement")
		if !strings.HasSuffix(date, "-12-31") {
			return nil
		}
		v, err := strconv.ParseFloat(get("valeur"), 64)
		if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("line %d: valeur %q is not a number of contracts", line, get("valeur"))
		}
		k := key{code, date[:4]}
		if _, dup := values[k]; dup {
			return fmt.Errorf("line %d: duplicate %s %s", line, code, date)
		}
		values[k] = strconv.FormatFloat(v, 'f', -1, 64)
		return nil
	})
	if err != nil {
		return nil, err
	}
	rows := make([][]string, 0, len(values))
	for k, v := range values {
		rows = append(rows, []string{"departement", k.code, k.year, "ensemble", "ensemble", v, "", "", "published"})
	}
	return writeLong(rows)
}

// InterimCSV converts the Dares monthly temporary work series by région
// (columns feuille, bloc, REG, mois, valeur; mirror
// derived/interim_dares_regions_mensuel_2000-01_2022-07.csv) to the long
// layout: the yearly mean of the seasonally adjusted number of temporary
// workers in the région where they work (sheet "Intérimaires par région
// ETU", current régions), for the years with all twelve months. Overseas
// codes 1–4 get their leading zero; the aggregate rows (no code) are left
// out.
func InterimCSV(r io.Reader) ([]byte, error) {
	type key struct{ code, year string }
	sum := map[key]float64{}
	months := map[key]map[string]bool{}
	err := eachRow(r, ',', []string{"feuille", "bloc", "REG", "mois", "valeur"}, func(line int, get func(string) string) error {
		if get("feuille") != "Intérimaires par région ETU" || get("bloc") != "regions_2016" {
			return nil
		}
		code := get("REG")
		if code == "" {
			return nil // "Total DOM", "France metropolitaine", "France entière"
		}
		if len(code) == 1 {
			code = "0" + code
		}
		mois := get("mois")
		if len(mois) != 7 || mois[4] != '-' {
			return fmt.Errorf("line %d: mois %q is not YYYY-MM", line, mois)
		}
		v, err := strconv.ParseFloat(get("valeur"), 64)
		if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("line %d: valeur %q is not a number of workers", line, get("valeur"))
		}
		k := key{code, mois[:4]}
		if months[k] == nil {
			months[k] = map[string]bool{}
		}
		if months[k][mois] {
			return fmt.Errorf("line %d: duplicate %s %s", line, code, mois)
		}
		months[k][mois] = true
		sum[k] += v
		return nil
	})
	if err != nil {
		return nil, err
	}
	var rows [][]string
	for k, ms := range months {
		if len(ms) != 12 {
			continue // a year in progress
		}
		mean := math.Round(sum[k]/12*10) / 10
		rows = append(rows, []string{"region", k.code, k.year, "ensemble", "ensemble", strconv.FormatFloat(mean, 'f', -1, 64), "", "", "published"})
	}
	return writeLong(rows)
}

// eachRow reads a CSV with a header, checks that the named columns exist
// and calls row for each data line with a getter of trimmed cells.
func eachRow(r io.Reader, sep rune, need []string, row func(line int, get func(string) string) error) error {
	cr := csv.NewReader(r)
	cr.Comma = sep
	head, err := cr.Read()
	if err != nil {
		return fmt.Errorf("demodata: reading header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	for _, c := range need {
		if _, ok := col[c]; !ok {
			return fmt.Errorf("demodata: column %q not found in header %q", c, head)
		}
	}
	n := 0
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("demodata: %w", err)
		}
		get := func(c string) string { return strings.TrimSpace(rec[col[c]]) }
		if err := row(line, get); err != nil {
			return fmt.Errorf("demodata: %w", err)
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("demodata: no data row")
	}
	return nil
}

// writeLong writes rows in the long layout, sorted by code then period.
func writeLong(rows [][]string) ([]byte, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("demodata: nothing to convert")
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i][1] != rows[j][1] {
			return rows[i][1] < rows[j][1]
		}
		return rows[i][2] < rows[j][2]
	})
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(Header); err != nil {
		return nil, err
	}
	if err := w.WriteAll(rows); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
