package indicator

import (
	"math"
	"strconv"
	"strings"

	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// DemoNotice labels fictive demonstration figures wherever they appear.
const DemoNotice = "données de démonstration (fictives)"

// Legend labels of the two classes that are not values.
const (
	SecretLabel  = "secret statistique"
	MissingLabel = "donnée manquante"
)

// Legend entry kinds.
const (
	KindValue   = "value"
	KindSecret  = "secret"
	KindMissing = "missing"
)

// ChoroplethOptions are the user's choices for a map.
type ChoroplethOptions struct {
	Method  Method
	Classes int
	Manual  []float64 // inner breaks, method manual only
	Palette string
}

// DefaultChoroplethOptions is what a map gets when the user chooses nothing.
func DefaultChoroplethOptions() ChoroplethOptions {
	return ChoroplethOptions{Method: MethodQuantiles, Classes: 5, Palette: DefaultPalette}
}

// LegendEntry is one line of a map legend. Class is the index that
// territories carry; value classes come first, then secret, then missing.
type LegendEntry struct {
	Class int      `json:"class"`
	Kind  string   `json:"kind"`
	Min   *float64 `json:"min,omitempty"`
	Max   *float64 `json:"max,omitempty"`
	Color string   `json:"color"`
	Label string   `json:"label"`
	Count int      `json:"count"`
}

// Choropleth is the computed map: breaks, colours, legend and one class per
// input value (index into Legend). Values are redacted by Gate.
type Choropleth struct {
	Breaks *Breaks        `json:"breaks"`
	Colors []string       `json:"colors"`
	Legend []LegendEntry  `json:"legend"`
	Items  []ClassedValue `json:"-"`
	Note   string         `json:"note,omitempty"`
}

// ClassedValue is one territory's redacted value and its legend class.
type ClassedValue struct {
	Value Value
	Class int
}

// SecretClass returns the legend index of the secret class: right after
// the value classes, so that value class i is legend entry i whatever the
// number of classes.
func (c Choropleth) SecretClass() int { return len(c.Colors) }

// MissingClass returns the legend index of the missing class, the last
// entry.
func (c Choropleth) MissingClass() int { return len(c.Colors) + 1 }

// BuildChoropleth classifies the publishable values (secret and missing
// ones never enter the computation), colours the classes according to the
// indicator's polarity and builds the legend with French labels. Errors are
// *FieldError naming the parameter at fault (method, classes, manual,
// palette).
func BuildChoropleth(ind Indicator, values []Value, opt ChoroplethOptions) (Choropleth, error) {
	if err := checkClassification(opt.Method, opt.Classes, opt.Manual); err != nil {
		return Choropleth{}, err
	}
	pol := ind.Polarity
	if !pol.Valid() {
		pol = Neutral
	}
	if _, err := Colors(opt.Palette, opt.Classes, pol); err != nil {
		return Choropleth{}, err
	}

	items := make([]ClassedValue, len(values))
	// The figure Gate lets through, per item (NaN when none), so that the
	// classes below need not pass the values through Gate a second time.
	figures := make([]float64, len(values))
	var nums []float64
	for i, v := range values {
		rv, x, ok := Gate(v)
		items[i].Value = rv
		figures[i] = math.NaN()
		if ok {
			figures[i] = x
			nums = append(nums, x)
		}
	}
	var c Choropleth
	if len(nums) > 0 {
		b, err := Classify(nums, opt.Method, opt.Classes, opt.Manual)
		if err != nil {
			return Choropleth{}, err
		}
		c.Breaks = &b
		c.Colors, err = Colors(opt.Palette, b.Classes, pol)
		if err != nil {
			return Choropleth{}, err
		}
	} else {
		c.Colors = []string{}
		c.Note = "aucune valeur publiable : pas de classes"
	}
	c.place(items, figures, ind.Decimals, ind.Unit)
	return c, nil
}

// place puts each item in its class (a value's, or the secret or missing
// class) and writes the legend: one entry per value class with its range
// and count, then the secret and missing entries with theirs.
func (c *Choropleth) place(items []ClassedValue, figures []float64, decimals int, unit string) {
	secretCount, missingCount := 0, 0
	for i := range items {
		switch {
		case !math.IsNaN(figures[i]):
			items[i].Class = c.Breaks.ClassOf(figures[i])
		case items[i].Value.Status == StatusSecret:
			items[i].Class = c.SecretClass()
			secretCount++
		default:
			items[i].Class = c.MissingClass()
			missingCount++
		}
	}
	c.Items = items
	for i, col := range c.Colors {
		b := c.Breaks
		lo := b.Min
		if i > 0 {
			lo = b.Upper[i-1]
		}
		hi := b.Upper[i]
		c.Legend = append(c.Legend, LegendEntry{
			Class: i, Kind: KindValue, Min: ptr(lo), Max: ptr(hi), Color: col,
			Label: RangeLabel(lo, hi, decimals, unit), Count: b.Counts[i],
		})
	}
	c.Legend = append(c.Legend,
		LegendEntry{Class: c.SecretClass(), Kind: KindSecret, Color: SecretColor, Label: SecretLabel, Count: secretCount},
		LegendEntry{Class: c.MissingClass(), Kind: KindMissing, Color: MissingColor, Label: MissingLabel, Count: missingCount},
	)
}

// FormatNumber writes v with the given decimals in French style: decimal
// comma and a non-breaking space between thousands, because labels are
// read by French workshop participants, not parsed. NaN and ±Inf keep
// strconv's spelling ("NaN", "+Inf"): they are not figures to group, and
// Gate keeps them out of this package's labels anyway. Negative decimals
// count as 0.
func FormatNumber(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	if decimals < 0 {
		decimals = 0
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var sb strings.Builder
	if neg && strings.Trim(s, "0.") != "" {
		sb.WriteByte('-')
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			sb.WriteString("\u00a0")
		}
		sb.WriteRune(r)
	}
	if frac != "" {
		sb.WriteByte(',')
		sb.WriteString(frac)
	}
	return sb.String()
}

// FormatValue is FormatNumber followed by the unit ("12,5 %").
func FormatValue(v float64, decimals int, unit string) string {
	s := FormatNumber(v, decimals)
	if u := strings.TrimSpace(unit); u != "" {
		s += "\u00a0" + u
	}
	return s
}

// RangeLabel is a legend label: "de 5,2 à 7,8 %".
func RangeLabel(lo, hi float64, decimals int, unit string) string {
	if FormatNumber(lo, decimals) == FormatNumber(hi, decimals) {
		return FormatValue(hi, decimals, unit)
	}
	return "de " + FormatNumber(lo, decimals) + " à " + FormatValue(hi, decimals, unit)
}

// Reference is a value a map is compared with (a région, France). Value is
// nil when it cannot be shown, Reason then says why.
type Reference struct {
	Level    territory.Level `json:"level"`
	Code     string          `json:"code"`
	Name     string          `json:"name,omitempty"`
	Value    *float64        `json:"value"`
	Status   Status          `json:"status"`
	Computed bool            `json:"computed"`
	Label    string          `json:"label,omitempty"`
	Reason   string          `json:"reason,omitempty"`
}

// RegionReference turns a stored région value into a reference, through Gate.
func RegionReference(ind Indicator, v Value, name string) Reference {
	rv, x, ok := Gate(v)
	r := Reference{Level: rv.Level, Code: rv.Code, Name: name, Status: rv.Status, Computed: rv.Computed}
	if ok {
		r.Value = ptr(x)
		r.Label = FormatValue(x, ind.Decimals, ind.Unit)
	} else if rv.Status == StatusSecret {
		r.Reason = SecretLabel
	} else {
		r.Reason = MissingLabel
	}
	return r
}

// FranceReference computes the France value from the values of every
// région (expected lists their codes). It refuses, with a reason, when the
// indicator is not additive, when a région is absent or not publishable (a
// France total including a secret région would let anyone recover it by
// subtraction), when a count is lacking, or when France itself falls under
// the secret threshold. The France figure is computed here but, like every
// other, only shown if Gate lets it through.
func FranceReference(ind Indicator, regions []Value, expected []string) Reference {
	r := Reference{Level: territory.France, Code: territory.FranceCode, Name: "France", Status: StatusMissing, Computed: true}
	if ind.Aggregation != AggregateSum && ind.Aggregation != AggregateRatio {
		r.Reason = "indicateur non additif : la valeur France ne peut pas être calculée à partir des régions"
		return r
	}
	if len(expected) == 0 {
		r.Reason = "liste des régions inconnue"
		return r
	}
	byCode := map[string]Value{}
	for _, v := range regions {
		byCode[v.Code] = v
	}
	var sumV, sumN, sumD float64
	status := StatusPublished
	for _, code := range expected {
		v, ok := byCode[code]
		if !ok {
			r.Reason = "valeur absente pour la région " + code
			return r
		}
		if v.Status == StatusSecret {
			r.Reason = "une valeur régionale est couverte par le secret statistique : la valeur France permettrait de la retrouver"
			r.Status = StatusSecret
			return r
		}
		if !Publishable(v.Status) {
			r.Reason = "valeur manquante pour la région " + code
			return r
		}
		status = weakerStatus(status, v.Status)
		switch ind.Aggregation {
		case AggregateSum:
			if v.Value == nil {
				r.Reason = "valeur absente pour la région " + code
				return r
			}
			sumV += *v.Value
			if v.Numerator != nil {
				sumN += *v.Numerator
			}
			if v.Denominator != nil {
				sumD += *v.Denominator
			}
		case AggregateRatio:
			if v.Numerator == nil || v.Denominator == nil {
				r.Reason = "numérateur ou dénominateur absent pour la région " + code
				return r
			}
			sumN += *v.Numerator
			sumD += *v.Denominator
		}
	}
	fr := Value{Key: Key{Indicator: ind.ID, Level: territory.France, Code: territory.FranceCode}, Status: status, Computed: true}
	switch ind.Aggregation {
	case AggregateSum:
		fr.Value, fr.Numerator, fr.Denominator = ptr(sumV), ptr(sumN), ptr(sumD)
	case AggregateRatio:
		if sumD == 0 {
			r.Reason = "dénominateur nul"
			return r
		}
		fr.Value, fr.Numerator, fr.Denominator = ptr(sumN/sumD*ind.Scale), ptr(sumN), ptr(sumD)
	}
	if ind.Threshold > 0 {
		n, ok := ind.ThresholdCount(fr)
		if !ok || BelowThreshold(n, float64(ind.Threshold)) {
			r.Status = StatusSecret
			r.Reason = SecretLabel
			return r
		}
	}
	// The France figure leaves the program like any other: through Gate,
	// which also refuses a sum that overflowed to infinity.
	rv, x, ok := Gate(fr)
	r.Status = rv.Status
	if !ok {
		r.Reason = MissingLabel
		return r
	}
	r.Value = ptr(x)
	r.Label = FormatValue(x, ind.Decimals, ind.Unit)
	return r
}

// Rank returns the rank of code among values (1 = highest value) and the
// number of ranked values; only publishable values are ranked, so a secret
// territory has no rank and does not count. ok is false when code has no
// publishable value.
func Rank(values []Value, code string) (rank, of int, ok bool) {
	ranks, of := Ranks(values)
	rank, ok = ranks[code]
	return rank, of, ok
}

// LatestPeriod returns the latest of the given period strings, "" if none
// parses.
func LatestPeriod(periods []string) string {
	var best Period
	out := ""
	for _, s := range periods {
		p, err := ParsePeriod(s)
		if err != nil {
			continue
		}
		if out == "" || best.Less(p) {
			best, out = p, p.String()
		}
	}
	return out
}
