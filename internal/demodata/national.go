package demodata

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// NationalYear is the year of the Assurance Maladie sector files.
const NationalYear = "2024"

// SectorTotals sums two count columns of an Assurance Maladie CTN × NAF
// table (derived/at_2024_ctn_naf.csv or mp_2024_ctn_naf.csv) by sector
// group (NAFGroup), keyed by group code.
func SectorTotals(r io.Reader, employeesCol, countCol string) (employees, counts map[string]int, err error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("demodata: header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, c := range []string{"Code NAF", employeesCol, countCol} {
		if _, ok := col[c]; !ok {
			return nil, nil, fmt.Errorf("demodata: no column %q", c)
		}
	}
	num := func(line int, s string) (int, error) {
		if s == "" {
			return 0, nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 0 {
			return 0, fmt.Errorf("demodata: line %d: %q is not a count", line, s)
		}
		return int(f), nil
	}
	employees, counts = map[string]int{}, map[string]int{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("demodata: %w", err)
		}
		g := NAFGroup(rec[col["Code NAF"]])
		e, err := num(line, rec[col[employeesCol]])
		if err != nil {
			return nil, nil, err
		}
		n, err := num(line, rec[col[countCol]])
		if err != nil {
			return nil, nil, err
		}
		employees[g] += e
		counts[g] += n
	}
	return employees, counts, nil
}

// NationalATCSV turns the Assurance Maladie AT table into the national
// accident frequency by sector group (accidents en 1er règlement per 1 000
// salariés), with its counts, at level france, in the importer's long
// layout; "ensemble" is the sum of the groups. Real published figures.
func NationalATCSV(r io.Reader) ([]byte, error) {
	sal, at, err := SectorTotals(r, "Nombre de salariés", "AT en 1er règlement")
	if err != nil {
		return nil, err
	}
	return nationalCSV(func(code string) []string {
		if sal[code] == 0 {
			return []string{"", "", "", "missing"}
		}
		v := 1000 * float64(at[code]) / float64(sal[code])
		return []string{strconv.FormatFloat(v, 'f', -1, 64), strconv.Itoa(at[code]), strconv.Itoa(sal[code]), "published"}
	}, sal, at)
}

// NationalMPCSV turns the Assurance Maladie MP table into the national
// number of occupational diseases (MP en 1er règlement) by sector group.
func NationalMPCSV(r io.Reader) ([]byte, error) {
	_, mp, err := SectorTotals(r, "Nombre de salariés*", "MP en 1er règlement")
	if err != nil {
		return nil, err
	}
	return nationalCSV(func(code string) []string {
		return []string{strconv.Itoa(mp[code]), "", "", "published"}
	}, mp)
}

// nationalCSV writes one row per sector group and one for "ensemble",
// whose maps are first completed with the sums over the groups.
func nationalCSV(figures func(code string) []string, sums ...map[string]int) ([]byte, error) {
	for _, m := range sums {
		total := 0
		for _, s := range sectors {
			total += m[s.Code]
		}
		m["ensemble"] = total
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(Header); err != nil {
		return nil, err
	}
	codes := []string{"ensemble"}
	for _, s := range sectors {
		codes = append(codes, s.Code)
	}
	for _, c := range codes {
		if err := w.Write(append([]string{"france", "FR", NationalYear, "ensemble", c}, figures(c)...)); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// RatesFromAT returns the national rate per 1 000 salariés of one count
// column of the Assurance Maladie AT table (derived/at_2024_ctn_naf.csv:
// "Manutention manuelle", "Nouvelles IP"...) by sector group: real
// published figures, the magnitudes of the rate indicators of Generate.
func RatesFromAT(r io.Reader, countCol string) (map[string]float64, error) {
	sal, n, err := SectorTotals(r, "Nombre de salariés", countCol)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, s := range sectors {
		if sal[s.Code] <= 0 {
			return nil, fmt.Errorf("demodata: no salariés in sector %s", s.Code)
		}
		out[s.Code] = 1000 * float64(n[s.Code]) / float64(sal[s.Code])
	}
	return out, nil
}
