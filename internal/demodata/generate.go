package demodata

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// Identifiers of the demonstration indicators; their metadata is in
// geodata/indicators/<id>.json.
const (
	// IndicatorAT is the fictive frequency of work accidents with time off
	// per 1 000 salariés (ratio, threshold 5 on the numerator).
	IndicatorAT = "demo-at-frequence"
	// IndicatorMP is the fictive number of recognised occupational
	// diseases (count, threshold 5).
	IndicatorMP = "demo-mp-nombre"
)

// Demonstration indicators of the exposition and maintien dans l'emploi
// themes: fictive rates per 1 000 salariés of a column of the Assurance
// Maladie AT table (Options.Rates gives its national rate per sector).
// The map gives each its stream name, so that their draws are
// independent of each other and of IndicatorAT.
var rateIndicators = map[string]string{
	"demo-at-manutention": "manutention",
	"demo-at-routier":     "routier",
	"demo-ip-nouvelles":   "ip",
	"demo-ip-graves":      "ipgrave",
	"demo-prev-actions":   "prevactions",
	"demo-prev-aides":     "prevaides",
}

// preventionIndicators grow (prevention programmes widen, +4 % a year)
// and do not depend on sex: they reach establishments, not people.
var preventionIndicators = map[string]bool{"demo-prev-actions": true, "demo-prev-aides": true}

// LabelSuffix ends the label of every demonstration indicator.
const LabelSuffix = " (données de démonstration, fictives)"

// Header is the first line of every CSV this package writes: the long
// layout of the indicator importer.
var Header = []string{"level", "code", "period", "sex", "sector", "value", "numerator", "denominator", "status"}

// ReferenceYear is the year of the national figures the magnitudes come
// from, and of Options.Employees.
const ReferenceYear = 2024

// Options selects what Generate produces.
type Options struct {
	// Indicator is IndicatorAT, IndicatorMP or one of the rate indicators
	// (demo-at-manutention, demo-at-routier, demo-ip-nouvelles,
	// demo-ip-graves), which need Rates.
	Indicator string
	// Rates are the national rates per 1 000 salariés by sector code of a
	// rate indicator (RatesFromAT computes them from the AT table).
	Rates map[string]float64
	Seed  int64
	// Years to generate; nil means 2020, 2021, 2022, 2023.
	Years []int
	// Territories, all of one level (the service aggregates upward). Only
	// their level, code and région are read: the région gives a shared
	// région effect, none when empty.
	Territories []territory.Territory
	// Employees are optional salaried headcounts of ReferenceYear by code
	// (for a realistic size); a territory without one draws it from the
	// seed.
	Employees map[string]int
}

// DefaultYears are the years generated when Options.Years is nil.
func DefaultYears() []int { return []int{2020, 2021, 2022, 2023} }

var sexes = []string{"ensemble", "femmes", "hommes"}

// cell is one count with its headcount, for one territory, year, sector
// and sex.
type cell struct{ num, den int }

func (c cell) add(d cell) cell { return cell{c.num + d.num, c.den + d.den} }

// Generate returns the long CSV (Header, then one row per territory, year,
// sector and sex, sector "ensemble" and sex "ensemble" included) of the
// fictive indicator opt.Indicator. See the package documentation for the
// method. All rows have status "published": the secret statistique is
// applied by the service from the indicator's threshold.
func Generate(opt Options) ([]byte, error) {
	if _, ok := rateIndicators[opt.Indicator]; ok {
		for _, s := range sectors {
			if r, ok := opt.Rates[s.Code]; !ok || r < 0 || math.IsNaN(r) || math.IsInf(r, 0) {
				return nil, fmt.Errorf("demodata: indicator %s: no valid national rate for sector %s", opt.Indicator, s.Code)
			}
		}
	} else if opt.Indicator != IndicatorAT && opt.Indicator != IndicatorMP {
		return nil, fmt.Errorf("demodata: unknown indicator %q (want %s, %s or a rate indicator)", opt.Indicator, IndicatorAT, IndicatorMP)
	}
	years := opt.Years
	if years == nil {
		years = DefaultYears()
	}
	if len(years) == 0 {
		return nil, fmt.Errorf("demodata: no year to generate")
	}
	years = append([]int(nil), years...)
	sort.Ints(years)
	for i, y := range years {
		if y < 1000 || y > 9999 {
			return nil, fmt.Errorf("demodata: year %d out of range", y)
		}
		if i > 0 && years[i-1] == y {
			return nil, fmt.Errorf("demodata: duplicate year %d", y)
		}
	}
	if len(opt.Territories) == 0 {
		return nil, fmt.Errorf("demodata: no territory to generate")
	}
	terrs := append([]territory.Territory(nil), opt.Territories...)
	sort.Slice(terrs, func(i, j int) bool {
		if terrs[i].Level != terrs[j].Level {
			return terrs[i].Level < terrs[j].Level
		}
		return terrs[i].Code < terrs[j].Code
	})
	for i, t := range terrs {
		if strings.TrimSpace(string(t.Level)) == "" || strings.TrimSpace(t.Code) == "" {
			return nil, fmt.Errorf("demodata: territory %+v needs a level and a code", t)
		}
		if opt.Employees[t.Code] < 0 {
			return nil, fmt.Errorf("demodata: territory %s %s: negative headcount", t.Level, t.Code)
		}
		if i > 0 && terrs[i-1].Level == t.Level && terrs[i-1].Code == t.Code {
			return nil, fmt.Errorf("demodata: duplicate territory %s %s", t.Level, t.Code)
		}
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(Header); err != nil {
		return nil, err
	}
	for _, t := range terrs {
		for _, y := range years {
			cells := territoryYear(opt.Seed, opt.Indicator, opt.Rates, t, opt.Employees[t.Code], y)
			// Totals by summation, so that ensemble = femmes + hommes and
			// the "ensemble" sector = Σ groups hold exactly.
			var all [3]cell
			rows := make([][3]cell, len(sectors))
			for i, c := range cells {
				rows[i] = [3]cell{c[0].add(c[1]), c[0], c[1]}
				for k := range all {
					all[k] = all[k].add(rows[i][k])
				}
			}
			write := func(sector string, cs [3]cell) error {
				for k, sex := range sexes {
					if err := w.Write(formatRow(opt.Indicator, t, y, sex, sector, cs[k])); err != nil {
						return err
					}
				}
				return nil
			}
			if err := write("ensemble", all); err != nil {
				return nil, err
			}
			for i, s := range sectors {
				if err := write(s.Code, rows[i]); err != nil {
					return nil, err
				}
			}
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func formatRow(ind string, t territory.Territory, year int, sex, sector string, c cell) []string {
	row := []string{string(t.Level), t.Code, strconv.Itoa(year), sex, sector}
	if ind == IndicatorMP {
		return append(row, strconv.Itoa(c.num), "", "", "published")
	}
	v := math.Round(1000*float64(c.num)/float64(c.den)*1000) / 1000
	return append(row, strconv.FormatFloat(v, 'f', -1, 64), strconv.Itoa(c.num), strconv.Itoa(c.den), "published")
}

// Minimum headcounts, so that no rate is undefined (0/0) in a tiny
// territory: a missing child would make every parent missing. Communes
// keep the smallest possible floor (a village is mostly empty cells), the
// coarser levels a floor that a real territory always exceeds.
func minEmployees(l territory.Level) (sector, sex int) {
	if l == territory.Commune {
		return 2, 1
	}
	return 40, 5
}

// drawEmployees is the headcount of a territory whose size is not given:
// a log-normal draw whose median suits its level (a département's, or a
// commune's: most communes are villages).
func drawEmployees(l territory.Level, z float64) float64 {
	if l == territory.Commune {
		return math.Min(500000, math.Max(3, math.Exp(math.Log(60)+1.3*z)))
	}
	return math.Min(3e6, math.Max(12000, math.Exp(math.Log(180000)+0.85*z)))
}

// territoryYear returns, for each sector group in order, the women's and
// men's cells of one territory and year.
func territoryYear(seed int64, ind string, rates map[string]float64, t territory.Territory, employees, year int) [][2]cell {
	key := func(parts ...string) []string { return append([]string{string(t.Level), t.Code}, parts...) }

	// Headcount of the territory: given, or drawn once per territory.
	ts := newStream(seed, key("territory")...)
	total := float64(employees)
	drawn := drawEmployees(t.Level, ts.norm())
	if total == 0 {
		total = drawn
	}
	growth := 0.006 + 0.004*ts.norm()
	total *= math.Pow(1+growth, float64(year-ReferenceYear))

	// Sector shares: national share × territorial noise, renormalised.
	nat := 0
	for _, s := range sectors {
		nat += s.NationalEmployees
	}
	shares := make([]float64, len(sectors))
	sum := 0.0
	for i, s := range sectors {
		shares[i] = float64(s.NationalEmployees) / float64(nat) * newStream(seed, key("share", s.Code)...).lognorm(0.35)
		sum += shares[i]
	}

	// Rate effects, fixed over the years of a territory.
	name := "at"
	trend := math.Pow(0.98, float64(year-ReferenceYear))
	if ind == IndicatorMP {
		name = "mp"
		trend = math.Pow(1.03, float64(year-ReferenceYear))
	}
	if n, ok := rateIndicators[ind]; ok {
		name = n // the AT trend and the AT sex risks
	}
	if preventionIndicators[ind] {
		trend = math.Pow(1.04, float64(year-ReferenceYear))
	}
	eff := newStream(seed, key(name, "effect")...).lognorm(0.12)
	if t.Level == territory.Commune && t.Departement != "" {
		// The département's own effect (the one it would draw at its own
		// level), so that communes of a département resemble each other.
		eff *= newStream(seed, string(territory.Departement), t.Departement, name, "effect").lognorm(0.12)
	}
	if t.Region != "" {
		eff *= newStream(seed, "region", t.Region, name).lognorm(0.10)
	}

	minSector, minSex := minEmployees(t.Level)
	out := make([][2]cell, len(sectors))
	for i, s := range sectors {
		n := int(math.Max(float64(minSector), math.Round(total*shares[i]/sum)))
		fs := s.FemaleShare + 0.05*newStream(seed, key("women", s.Code)...).norm()
		fs = math.Min(0.98, math.Max(0.02, fs))
		f := int(math.Round(float64(n) * fs))
		f = min(max(f, minSex), n-minSex)
		m := n - f

		rate, risk := s.ATRate(), s.FemaleATRisk
		if ind == IndicatorMP {
			rate, risk = s.MPRate(), s.FemaleMPRisk
		}
		if _, ok := rateIndicators[ind]; ok {
			rate = rates[s.Code]
		}
		if preventionIndicators[ind] {
			risk = 1
		}
		rate *= eff * trend * newStream(seed, key(name, "sector", s.Code)...).lognorm(0.15)
		// Split the sector's rate so that the mix of women and men gives it
		// back on average: rate = fs·rf + (1−fs)·rm with rf = risk·rm.
		rm := rate / (fs*risk + (1 - fs))
		rf := risk * rm
		y := strconv.Itoa(year)
		draw := func(sex string, den int, r float64) cell {
			k := newStream(seed, key(name, "count", y, s.Code, sex)...).poisson(float64(den) * r / 1000)
			return cell{num: min(k, den), den: den}
		}
		out[i] = [2]cell{draw("femmes", f, rf), draw("hommes", m, rm)}
	}
	return out
}
