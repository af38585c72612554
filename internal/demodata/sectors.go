package demodata

import "github.com/atlas-sante-travail/atlas/internal/indicator"

// Sector is one sector group of the demonstration data, with the real
// national magnitudes it is drawn from and the (assumed) sex structure.
type Sector struct {
	// Code is a NAF rév. 2 code (division, group, sub-class, section or
	// A38 aggregate), or SectorOther for the residual group.
	Code string
	// National figures for 2024, régime général, summed over the CTN × NAF
	// rows of the Assurance Maladie files whose NAF sub-class falls in the
	// group (see NAFGroup): salariés, AT en 1er règlement, MP en 1er
	// règlement. They are real; the tests recompute them from the mirror.
	NationalEmployees int
	NationalAT        int
	NationalMP        int
	// FemaleShare is the assumed share of women among the group's
	// salariés; FemaleATRisk and FemaleMPRisk the assumed ratio of women's
	// to men's rates. ASSUMPTIONS for plausible demo figures, not data.
	FemaleShare  float64
	FemaleATRisk float64
	FemaleMPRisk float64
}

// ATRate is the national frequency: AT en 1er règlement per 1 000 salariés.
func (s Sector) ATRate() float64 {
	return 1000 * float64(s.NationalAT) / float64(s.NationalEmployees)
}

// MPRate is the national number of MP en 1er règlement per 1 000 salariés.
func (s Sector) MPRate() float64 {
	return 1000 * float64(s.NationalMP) / float64(s.NationalEmployees)
}

// SectorOther is the code of the residual group, so that the groups
// partition all salariés.
const SectorOther = indicator.SectorOther

// sectors holds the national 2024 figures computed from
// derived/at_2024_ctn_naf.csv (salariés, "AT en 1er règlement") and
// derived/mp_2024_ctn_naf.csv ("MP en 1er règlement", all rows). Totals:
// 20 799 568 salariés, 549 614 AT (26.4 per 1 000), 50 598 MP (2.4 per
// 1 000). Frequencies per 1 000 salariés computed from them:
//
//	87 66.4 · 49 52.4 · 88 49.7 · 78.20Z 47.9 · 38 45.8 · 52.10 45.7 ·
//	F 41.2 · 81 36.2 · CH 32.5 · 56 26.3 · autres 18.9
//
// and MP per 1 000: CH 4.72 · 81 4.29 · F 4.23 · 52.10 3.91 · 87 3.72 ·
// 88 3.43 · 38 2.99 · autres 2.11 · 56 1.88 · 49 1.82 · 78.20Z 1.47.
var sectors = []Sector{
	{Code: "87", NationalEmployees: 547158, NationalAT: 36312, NationalMP: 2034, FemaleShare: 0.85, FemaleATRisk: 1.0, FemaleMPRisk: 1.2},
	{Code: "88", NationalEmployees: 710202, NationalAT: 35305, NationalMP: 2437, FemaleShare: 0.85, FemaleATRisk: 1.0, FemaleMPRisk: 1.2},
	{Code: "78.20Z", NationalEmployees: 778256, NationalAT: 37241, NationalMP: 1147, FemaleShare: 0.30, FemaleATRisk: 0.6, FemaleMPRisk: 1.3},
	{Code: "52.10", NationalEmployees: 130190, NationalAT: 5946, NationalMP: 509, FemaleShare: 0.30, FemaleATRisk: 0.7, FemaleMPRisk: 1.4},
	{Code: "49", NationalEmployees: 678566, NationalAT: 35527, NationalMP: 1238, FemaleShare: 0.18, FemaleATRisk: 0.6, FemaleMPRisk: 1.2},
	{Code: "81", NationalEmployees: 443689, NationalAT: 16068, NationalMP: 1904, FemaleShare: 0.55, FemaleATRisk: 1.0, FemaleMPRisk: 1.4},
	{Code: "56", NationalEmployees: 982055, NationalAT: 25782, NationalMP: 1848, FemaleShare: 0.50, FemaleATRisk: 0.9, FemaleMPRisk: 1.4},
	{Code: "F", NationalEmployees: 1661831, NationalAT: 68430, NationalMP: 7022, FemaleShare: 0.12, FemaleATRisk: 0.4, FemaleMPRisk: 0.8},
	{Code: "38", NationalEmployees: 107874, NationalAT: 4945, NationalMP: 322, FemaleShare: 0.20, FemaleATRisk: 0.6, FemaleMPRisk: 1.2},
	{Code: "CH", NationalEmployees: 370025, NationalAT: 12018, NationalMP: 1746, FemaleShare: 0.18, FemaleATRisk: 0.5, FemaleMPRisk: 1.3},
	{Code: SectorOther, NationalEmployees: 14389722, NationalAT: 272040, NationalMP: 30391, FemaleShare: 0.50, FemaleATRisk: 0.7, FemaleMPRisk: 1.4},
}

// Label is the group's French label (indicator.SectorLabel).
func (s Sector) Label() string { return indicator.SectorLabel(s.Code) }

// Sectors returns the 11 sector groups in output order, the residual group
// last (with code SectorOther): the ten of indicator.FocusSectors, then
// the others.
func Sectors() []Sector { return append([]Sector(nil), sectors...) }

// NAFGroup returns the code of the sector group of a 5-character NAF
// rév. 2 sub-class as written in the Assurance Maladie files ("8710A",
// "7820Z"); any other value, including their "xxxxx" (valeur manquante),
// falls in SectorOther.
func NAFGroup(naf string) string {
	if len(naf) < 4 {
		return SectorOther
	}
	switch naf[:4] {
	case "7820":
		return "78.20Z"
	case "5210":
		return "52.10"
	}
	switch d := naf[:2]; d {
	case "87", "88", "49", "81", "56", "38":
		return d
	case "41", "42", "43":
		return "F"
	case "24", "25":
		return "CH"
	}
	return SectorOther
}
