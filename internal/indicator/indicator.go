package indicator

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// Theme is one of the five chapters of a diagnostic régional santé-travail.
// The identifiers are stable slugs used in URLs and the database; the
// French label is what participants read in a workshop.
type Theme string

// The five themes of the ARA / Occitanie diagnostic structure.
const (
	ThemeEmploiEntreprises Theme = "emploi-entreprises"
	ThemeExposition        Theme = "exposition"
	ThemeSinistralite      Theme = "sinistralite"
	ThemePrevention        Theme = "prevention"
	ThemeMaintienEmploi    Theme = "maintien-emploi"
)

// themeLabels keeps the label next to the constant list so that a new theme
// cannot be added without its label (ParseTheme relies on this map).
var themeLabels = map[Theme]string{
	ThemeEmploiEntreprises: "Emploi et entreprises",
	ThemeExposition:        "Exposition aux risques",
	ThemeSinistralite:      "Sinistralité (AT/MP)",
	ThemePrevention:        "Prévention",
	ThemeMaintienEmploi:    "Maintien dans l'emploi",
}

// Themes returns the themes in the order of the diagnostic documents, so
// menus and key-figure sheets list them the way participants expect.
func Themes() []Theme {
	return []Theme{ThemeEmploiEntreprises, ThemeExposition, ThemeSinistralite, ThemePrevention, ThemeMaintienEmploi}
}

// Label returns the French label, or "" for an unknown theme so that a bad
// value shows up as blank rather than as a misleading slug.
func (t Theme) Label() string { return themeLabels[t] }

// Valid reports whether t is one of the five themes.
func (t Theme) Valid() bool { _, ok := themeLabels[t]; return ok }

// ParseTheme accepts a theme identifier, case-insensitively and with
// surrounding spaces trimmed, because identifiers arrive from CSV files and
// query strings typed by hand.
func ParseTheme(s string) (Theme, error) {
	t := Theme(strings.ToLower(strings.TrimSpace(s)))
	if !t.Valid() {
		return "", fmt.Errorf("unknown theme %q (want one of %s)", s, joinStrings(Themes()))
	}
	return t, nil
}

// Sex is the breakdown required by the "approche sexuée" of the PRST: every
// indicator is expected for women, men and both.
type Sex string

// The three sex breakdowns; SexEnsemble is the total of the other two.
const (
	SexEnsemble Sex = "ensemble"
	SexFemmes   Sex = "femmes"
	SexHommes   Sex = "hommes"
)

// Valid reports whether s is one of the three breakdowns.
func (s Sex) Valid() bool { return s == SexEnsemble || s == SexFemmes || s == SexHommes }

// ParseSex accepts a sex breakdown identifier (case-insensitive, trimmed).
func ParseSex(s string) (Sex, error) {
	x := Sex(strings.ToLower(strings.TrimSpace(s)))
	if !x.Valid() {
		return "", fmt.Errorf("unknown sex %q (want ensemble, femmes or hommes)", s)
	}
	return x, nil
}

// Polarity says which direction is the bad one, so that the map can give
// the darkest colour to the worst situation whatever the indicator.
type Polarity string

// Polarities. Neutral indicators (e.g. a number of employees) keep the
// usual "darker is more" reading.
const (
	HigherIsWorse  Polarity = "higher-is-worse"
	HigherIsBetter Polarity = "higher-is-better"
	Neutral        Polarity = "neutral"
)

// Valid reports whether p is a known polarity.
func (p Polarity) Valid() bool { return p == HigherIsWorse || p == HigherIsBetter || p == Neutral }

// Aggregation says how values of finer territories combine into a coarser
// one. It is part of the metadata because only the producer's definition
// tells whether a value is additive.
type Aggregation string

// Aggregations. AggregateNone is for values that cannot be recombined
// (survey estimates, medians, indices): they must be imported per level.
const (
	AggregateSum   Aggregation = "sum"
	AggregateRatio Aggregation = "ratio"
	AggregateNone  Aggregation = "none"
)

// Valid reports whether a is a known aggregation.
func (a Aggregation) Valid() bool {
	return a == AggregateSum || a == AggregateRatio || a == AggregateNone
}

// Status qualifies a value. Only published, provisional and estimated
// values may carry a number to the outside world (Publishable, enforced by
// Gate); secret and missing ones are rendered as classes of their own.
type Status string

// Value statuses.
const (
	StatusPublished   Status = "published"
	StatusSecret      Status = "secret"
	StatusMissing     Status = "missing"
	StatusProvisional Status = "provisional"
	StatusEstimated   Status = "estimated"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusPublished, StatusSecret, StatusMissing, StatusProvisional, StatusEstimated:
		return true
	}
	return false
}

// ThresholdOn names the count that the secret statistique threshold is
// compared with: for a rate of accidents per employee it is usually the
// number of accidents (numerator) or of employees (denominator), depending
// on the producer's rule; for a plain count it is the value itself.
type ThresholdOn string

// Threshold targets.
const (
	ThresholdOnNumerator   ThresholdOn = "numerator"
	ThresholdOnDenominator ThresholdOn = "denominator"
	ThresholdOnValue       ThresholdOn = "value"
)

// Valid reports whether t is a known threshold target.
func (t ThresholdOn) Valid() bool {
	return t == ThresholdOnNumerator || t == ThresholdOnDenominator || t == ThresholdOnValue
}

// SectorAll is the sector code for "all sectors together".
const SectorAll = "ensemble"

// Indicator is the catalogue entry of one indicator: what it measures, who
// produces it, under which licence, and the rules (aggregation, secret
// threshold, polarity) that the rest of the service applies to its values.
type Indicator struct {
	ID         string `json:"id"`
	Label      string `json:"label"`
	Theme      Theme  `json:"theme"`
	Definition string `json:"definition"`
	Unit       string `json:"unit"`
	Producer   string `json:"producer"`
	// Source is the provenance in full: the file, the sheet, the copy it
	// came through. It stays in the metadata and the API.
	Source string `json:"source"`
	// Publication is the dataset as the producer names it when citing it
	// ("taux de chômage localisés"): what a printed source line says,
	// with the producer and the vintage. Empty: the source's first clause.
	Publication string   `json:"publication,omitempty"`
	Licence     string   `json:"licence"`
	Vintages    []string `json:"vintages"`
	// Levels in the order a reader meets them: the map opens on the first
	// (départements for the demo's AT, whose communes are mostly secret).
	Levels      []territory.Level `json:"levels"`
	Sexes       []Sex             `json:"sexes"`
	Sectors     []string          `json:"sectors"`
	Decimals    int               `json:"decimals"`
	Polarity    Polarity          `json:"polarity"`
	Aggregation Aggregation       `json:"aggregation"`
	// Threshold is the minimum count for a value to be published; 0 means
	// the producer applies no secret rule to this indicator.
	Threshold   int         `json:"threshold"`
	ThresholdOn ThresholdOn `json:"threshold_on,omitempty"`
	// Scale multiplies a ratio of sums: 100 for a percentage, 1000 for a
	// rate per thousand (taux de fréquence AT per 1000 employees, ...).
	Scale float64 `json:"scale,omitempty"`
	// Demo marks fictive demonstration figures, which must be labelled as
	// such wherever they appear.
	Demo bool `json:"demo"`
}

// FieldError names the offending field so that the API can build a
// problem+json error pointing at it instead of a bare message.
type FieldError struct {
	Field   string
	Message string
}

// Error formats the error as "field: message" for logs; the API reads the
// fields separately.
func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

var (
	idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)
	// NAF rév. 2 codes at every level (section, division, group, class,
	// sub-class) and the two-character A17/A38 aggregated codes (C1, GZ,
	// MN, ...), which is how SESE and Carsat publish sector breakdowns.
	nafPatterns = []*regexp.Regexp{
		regexp.MustCompile(`^[A-U]$`),
		regexp.MustCompile(`^[A-U][A-Z0-9]$`),
		regexp.MustCompile(`^[0-9]{2}$`),
		regexp.MustCompile(`^[0-9]{2}\.[0-9]$`),
		regexp.MustCompile(`^[0-9]{2}\.[0-9]{2}$`),
		regexp.MustCompile(`^[0-9]{2}\.[0-9]{2}[A-Z]$`),
	}
)

// SectorOther groups every sector not listed separately, so that a sector
// focus (the 10 sectors with the most accidents) still partitions the
// total, which secondary suppression needs.
const SectorOther = "autres"

// ValidSector reports whether s is SectorAll, SectorOther, a NAF rév. 2
// code (any level) or an A17/A38 aggregate code.
func ValidSector(s string) bool {
	if s == SectorAll || s == SectorOther {
		return true
	}
	for _, p := range nafPatterns {
		if p.MatchString(s) {
			return true
		}
	}
	return false
}

// Validate checks the metadata that the diagnostic documents require every
// indicator to carry, and the consistency of the computation rules. It
// stops at the first problem and returns it as a *FieldError.
func (ind Indicator) Validate() error {
	fail := func(field, format string, a ...any) error {
		return &FieldError{Field: field, Message: fmt.Sprintf(format, a...)}
	}
	if !idPattern.MatchString(ind.ID) {
		return fail("id", "must be a lower-case slug (letters, digits, '-', '_', '.'), got %q", ind.ID)
	}
	for _, f := range []struct{ name, value string }{
		{"label", ind.Label}, {"definition", ind.Definition}, {"unit", ind.Unit},
		{"producer", ind.Producer}, {"source", ind.Source}, {"licence", ind.Licence},
	} {
		if strings.TrimSpace(f.value) == "" {
			return fail(f.name, "is required")
		}
	}
	if !ind.Theme.Valid() {
		return fail("theme", "unknown theme %q (want one of %s)", ind.Theme, joinStrings(Themes()))
	}
	if len(ind.Vintages) == 0 {
		return fail("vintages", "at least one vintage is required")
	}
	seen := map[string]bool{}
	for i, v := range ind.Vintages {
		p, err := ParsePeriod(v)
		if err != nil {
			return fail(fmt.Sprintf("vintages[%d]", i), "%v", err)
		}
		if seen[p.String()] {
			return fail(fmt.Sprintf("vintages[%d]", i), "duplicate vintage %q", v)
		}
		seen[p.String()] = true
	}
	if len(ind.Levels) == 0 {
		return fail("levels", "at least one territorial level is required")
	}
	seen = map[string]bool{}
	for i, l := range ind.Levels {
		if strings.TrimSpace(string(l)) == "" {
			return fail(fmt.Sprintf("levels[%d]", i), "is empty")
		}
		if seen[string(l)] {
			return fail(fmt.Sprintf("levels[%d]", i), "duplicate level %q", l)
		}
		seen[string(l)] = true
	}
	if len(ind.Sexes) == 0 {
		return fail("sexes", "at least one sex breakdown is required")
	}
	seen = map[string]bool{}
	for i, s := range ind.Sexes {
		if !s.Valid() {
			return fail(fmt.Sprintf("sexes[%d]", i), "unknown sex %q (want ensemble, femmes or hommes)", s)
		}
		if seen[string(s)] {
			return fail(fmt.Sprintf("sexes[%d]", i), "duplicate sex %q", s)
		}
		seen[string(s)] = true
	}
	if len(ind.Sectors) == 0 {
		return fail("sectors", "at least one sector is required (%q for all sectors)", SectorAll)
	}
	seen = map[string]bool{}
	for i, s := range ind.Sectors {
		if !ValidSector(s) {
			return fail(fmt.Sprintf("sectors[%d]", i), "%q is neither %q nor a NAF rév. 2 code", s, SectorAll)
		}
		if seen[s] {
			return fail(fmt.Sprintf("sectors[%d]", i), "duplicate sector %q", s)
		}
		seen[s] = true
	}
	if ind.Decimals < 0 || ind.Decimals > 6 {
		return fail("decimals", "must be between 0 and 6, got %d", ind.Decimals)
	}
	if !ind.Polarity.Valid() {
		return fail("polarity", "unknown polarity %q (want higher-is-worse, higher-is-better or neutral)", ind.Polarity)
	}
	if !ind.Aggregation.Valid() {
		return fail("aggregation", "unknown aggregation %q (want sum, ratio or none)", ind.Aggregation)
	}
	if ind.Threshold < 0 {
		return fail("threshold", "must not be negative, got %d", ind.Threshold)
	}
	if ind.Threshold > 0 && !ind.ThresholdOn.Valid() {
		return fail("threshold_on", "must be numerator, denominator or value when a threshold is set, got %q", ind.ThresholdOn)
	}
	if ind.ThresholdOn != "" && !ind.ThresholdOn.Valid() {
		return fail("threshold_on", "unknown target %q (want numerator, denominator or value)", ind.ThresholdOn)
	}
	// A threshold is a minimum number of people or events; comparing it
	// with a rate would silently publish small counts.
	if ind.Aggregation == AggregateRatio && ind.ThresholdOn == ThresholdOnValue {
		return fail("threshold_on", "a ratio's value is a rate, not a count: apply the threshold to the numerator or the denominator")
	}
	if math.IsNaN(ind.Scale) || math.IsInf(ind.Scale, 0) || ind.Scale < 0 {
		return fail("scale", "must be a finite non-negative number, got %v", ind.Scale)
	}
	if ind.Aggregation == AggregateRatio && ind.Scale == 0 {
		return fail("scale", "is required for a ratio (1, 100 for %%, 1000 for ‰, ...)")
	}
	return nil
}

// HasLevel reports whether the indicator is declared at the given
// territorial level.
func (ind Indicator) HasLevel(level territory.Level) bool {
	for _, l := range ind.Levels {
		if l == level {
			return true
		}
	}
	return false
}

// Key identifies one value: an indicator for one territory, period, sex and
// sector. Period is the normalised string form of a Period.
type Key struct {
	Indicator string          `json:"indicator"`
	Level     territory.Level `json:"level"`
	Code      string          `json:"code"`
	Period    string          `json:"period"`
	Sex       string          `json:"sex"`
	Sector    string          `json:"sector"`
}

// Value is one figure with the counts it was computed from. The counts are
// kept so that coarser territories can be recomputed (ratio of sums) and so
// that the secret statistique can be checked; they are never output for a
// secret value.
type Value struct {
	Key
	Value       *float64 `json:"value"`
	Numerator   *float64 `json:"numerator,omitempty"`
	Denominator *float64 `json:"denominator,omitempty"`
	Status      Status   `json:"status"`
	// Computed is true for values derived by this service (aggregation)
	// rather than published by the producer, so that exports can say so.
	Computed bool   `json:"computed"`
	Dataset  string `json:"dataset"`
}

// ThresholdCount returns the count that the indicator's secret threshold
// applies to, and false when that count is not known (in which case the
// value cannot be shown to be safe and must be treated as secret).
func (ind Indicator) ThresholdCount(v Value) (float64, bool) {
	var p *float64
	switch ind.ThresholdOn {
	case ThresholdOnNumerator:
		p = v.Numerator
	case ThresholdOnDenominator:
		p = v.Denominator
	case ThresholdOnValue:
		p = v.Value
	}
	if p == nil || math.IsNaN(*p) || math.IsInf(*p, 0) {
		return 0, false
	}
	return *p, true
}

// Period is a year (Quarter 0) or a quarter of a year. Indicators are
// annual or quarterly (employment, temporary work); a single type lets
// them share one time axis.
type Period struct {
	Year    int
	Quarter int
}

var (
	yearRe        = regexp.MustCompile(`^([0-9]{4})$`)
	quarterYearRe = regexp.MustCompile(`^([0-9]{4})-?T([1-4])$`)
	inseeRe       = regexp.MustCompile(`^T([1-4])_([0-9]{4})$`)
)

// ParsePeriod accepts "2021", "2021-T3", and the forms found in INSEE and
// DARES files, "T3_2021" and "2021T3", so that imports need no
// pre-processing; String always gives back the canonical "2021-T3".
func ParsePeriod(s string) (Period, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	atoi := func(x string) int { n, _ := strconv.Atoi(x); return n }
	var p Period
	switch {
	case yearRe.MatchString(t):
		p = Period{Year: atoi(t)}
	case quarterYearRe.MatchString(t):
		m := quarterYearRe.FindStringSubmatch(t)
		p = Period{Year: atoi(m[1]), Quarter: atoi(m[2])}
	case inseeRe.MatchString(t):
		m := inseeRe.FindStringSubmatch(t)
		p = Period{Year: atoi(m[2]), Quarter: atoi(m[1])}
	default:
		return Period{}, fmt.Errorf("invalid period %q (want a year such as 2021 or a quarter such as 2021-T3)", s)
	}
	if p.Year < 1000 {
		return Period{}, fmt.Errorf("invalid period %q: year out of range", s)
	}
	return p, nil
}

// String returns the canonical form: "2021" or "2021-T3".
func (p Period) String() string {
	if p.Quarter == 0 {
		return fmt.Sprintf("%04d", p.Year)
	}
	return fmt.Sprintf("%04d-T%d", p.Year, p.Quarter)
}

// Label is the period as a sentence reads it: "2021", "3e trimestre 2021"
// ("1er" for the first).
func (p Period) Label() string {
	switch p.Quarter {
	case 0:
		return fmt.Sprintf("%04d", p.Year)
	case 1:
		return fmt.Sprintf("1er trimestre %04d", p.Year)
	}
	return fmt.Sprintf("%de trimestre %04d", p.Quarter, p.Year)
}

// PeriodLabel is Label of a period string, the string itself when it does
// not parse.
func PeriodLabel(s string) string {
	p, err := ParsePeriod(s)
	if err != nil {
		return s
	}
	return p.Label()
}

// ComparePeriods orders period strings in time (see Period.Less), for
// sorting; a string that does not parse sorts as the zero period.
func ComparePeriods(a, b string) int {
	pa, _ := ParsePeriod(a)
	pb, _ := ParsePeriod(b)
	switch {
	case pa.Less(pb):
		return -1
	case pb.Less(pa):
		return 1
	}
	return 0
}

// Citation is the producer's name of the dataset: Publication, else the
// source up to its first clause (before " ; " or " (").
func (ind Indicator) Citation() string {
	if ind.Publication != "" {
		return ind.Publication
	}
	s := ind.Source
	for _, sep := range []string{" ; ", " (", ", fichier", ". "} {
		if i := strings.Index(s, sep); i > 0 {
			s = s[:i]
		}
	}
	return strings.TrimSpace(strings.TrimSuffix(s, "."))
}

// Less orders periods in time; a year sorts before its own quarters, so
// that an annual figure heads the quarterly ones of the same year.
func (p Period) Less(q Period) bool {
	if p.Year != q.Year {
		return p.Year < q.Year
	}
	return p.Quarter < q.Quarter
}

func joinStrings[T ~string](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = string(x)
	}
	return strings.Join(s, ", ")
}
