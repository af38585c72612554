package indicator

import (
	"errors"
	"sort"
	"testing"

	"github.com/atlas-sante-travail/atlas/internal/territory"
)

func TestParseTheme(t *testing.T) {
	tests := []struct {
		in      string
		want    Theme
		label   string
		wantErr bool
	}{
		{"emploi-entreprises", ThemeEmploiEntreprises, "Emploi et entreprises", false},
		{"exposition", ThemeExposition, "Exposition aux risques", false},
		{"sinistralite", ThemeSinistralite, "Sinistralité (AT/MP)", false},
		{"prevention", ThemePrevention, "Prévention", false},
		{"maintien-emploi", ThemeMaintienEmploi, "Maintien dans l'emploi", false},
		{"  Sinistralite ", ThemeSinistralite, "Sinistralité (AT/MP)", false},
		{"sinistralité", "", "", true},
		{"", "", "", true},
	}
	for _, tt := range tests {
		got, err := ParseTheme(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseTheme(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.want || got.Label() != tt.label {
			t.Errorf("ParseTheme(%q) = %q (%q), want %q (%q)", tt.in, got, got.Label(), tt.want, tt.label)
		}
	}
	if n := len(Themes()); n != 5 {
		t.Errorf("Themes() has %d themes, want 5", n)
	}
	for _, th := range Themes() {
		if th.Label() == "" {
			t.Errorf("theme %q has no label", th)
		}
	}
}

func TestParseSex(t *testing.T) {
	tests := []struct {
		in      string
		want    Sex
		wantErr bool
	}{
		{"ensemble", SexEnsemble, false},
		{"Femmes", SexFemmes, false},
		{" hommes", SexHommes, false},
		{"f", "", true},
		{"", "", true},
	}
	for _, tt := range tests {
		got, err := ParseSex(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseSex(%q) = %q, %v; want %q, err %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		year, q int
		wantErr bool
	}{
		{"2021", "2021", 2021, 0, false},
		{"2021-T3", "2021-T3", 2021, 3, false},
		{"T3_2021", "2021-T3", 2021, 3, false},
		{"2021T3", "2021-T3", 2021, 3, false},
		{" 2021-t1 ", "2021-T1", 2021, 1, false},
		{"t4_1999", "1999-T4", 1999, 4, false},
		{"21", "", 0, 0, true},
		{"2021-T5", "", 0, 0, true},
		{"2021-T0", "", 0, 0, true},
		{"2021-Q3", "", 0, 0, true},
		{"T3-2021", "", 0, 0, true},
		{"0999", "", 0, 0, true},
		{"", "", 0, 0, true},
	}
	for _, tt := range tests {
		p, err := ParsePeriod(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParsePeriod(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if tt.wantErr {
			continue
		}
		if p.String() != tt.want || p.Year != tt.year || p.Quarter != tt.q {
			t.Errorf("ParsePeriod(%q) = %+v (%s), want %s", tt.in, p, p, tt.want)
		}
	}
}

func TestPeriodLess(t *testing.T) {
	var ps []Period
	for _, s := range []string{"2022", "2021-T3", "2021", "2021-T1", "2020-T4"} {
		p, err := ParsePeriod(s)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].Less(ps[j]) })
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	want := []string{"2020-T4", "2021", "2021-T1", "2021-T3", "2022"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("sorted = %v, want %v", got, want)
		}
	}
}

func validIndicator() Indicator {
	return Indicator{
		ID:          "tf-at",
		Label:       "Taux de fréquence des accidents du travail",
		Theme:       ThemeSinistralite,
		Definition:  "Accidents du travail avec arrêt pour 1000 salariés.",
		Unit:        "‰",
		Producer:    "Carsat",
		Source:      "Statistiques AT/MP du régime général",
		Licence:     "Licence Ouverte 2.0",
		Vintages:    []string{"2019", "2021"},
		Levels:      []territory.Level{"commune", "zone-emploi", "departement", "region"},
		Sexes:       []Sex{SexEnsemble, SexFemmes, SexHommes},
		Sectors:     []string{"ensemble", "F", "87", "78.20Z", "C1"},
		Decimals:    1,
		Polarity:    HigherIsWorse,
		Aggregation: AggregateRatio,
		Threshold:   5,
		ThresholdOn: ThresholdOnNumerator,
		Scale:       1000,
		Demo:        true,
	}
}

func TestIndicatorValidate(t *testing.T) {
	if err := validIndicator().Validate(); err != nil {
		t.Fatalf("valid indicator: %v", err)
	}
	tests := []struct {
		name  string
		edit  func(*Indicator)
		field string
	}{
		{"empty id", func(i *Indicator) { i.ID = "" }, "id"},
		{"upper-case id", func(i *Indicator) { i.ID = "TF" }, "id"},
		{"no label", func(i *Indicator) { i.Label = " " }, "label"},
		{"no definition", func(i *Indicator) { i.Definition = "" }, "definition"},
		{"no unit", func(i *Indicator) { i.Unit = "" }, "unit"},
		{"no producer", func(i *Indicator) { i.Producer = "" }, "producer"},
		{"no source", func(i *Indicator) { i.Source = "" }, "source"},
		{"no licence", func(i *Indicator) { i.Licence = "" }, "licence"},
		{"bad theme", func(i *Indicator) { i.Theme = "sante" }, "theme"},
		{"no vintage", func(i *Indicator) { i.Vintages = nil }, "vintages"},
		{"bad vintage", func(i *Indicator) { i.Vintages = []string{"2021", "21"} }, "vintages[1]"},
		{"duplicate vintage", func(i *Indicator) { i.Vintages = []string{"2021-T3", "T3_2021"} }, "vintages[1]"},
		{"no level", func(i *Indicator) { i.Levels = nil }, "levels"},
		{"duplicate level", func(i *Indicator) { i.Levels = []territory.Level{"region", "region"} }, "levels[1]"},
		{"no sex", func(i *Indicator) { i.Sexes = nil }, "sexes"},
		{"bad sex", func(i *Indicator) { i.Sexes = []Sex{"autre"} }, "sexes[0]"},
		{"no sector", func(i *Indicator) { i.Sectors = nil }, "sectors"},
		{"bad sector", func(i *Indicator) { i.Sectors = []string{"ensemble", "BTP"} }, "sectors[1]"},
		{"duplicate sector", func(i *Indicator) { i.Sectors = []string{"F", "F"} }, "sectors[1]"},
		{"negative decimals", func(i *Indicator) { i.Decimals = -1 }, "decimals"},
		{"bad polarity", func(i *Indicator) { i.Polarity = "up" }, "polarity"},
		{"bad aggregation", func(i *Indicator) { i.Aggregation = "mean" }, "aggregation"},
		{"negative threshold", func(i *Indicator) { i.Threshold = -1 }, "threshold"},
		{"threshold without target", func(i *Indicator) { i.ThresholdOn = "" }, "threshold_on"},
		{"threshold on a rate", func(i *Indicator) { i.ThresholdOn = ThresholdOnValue }, "threshold_on"},
		{"ratio without scale", func(i *Indicator) { i.Scale = 0 }, "scale"},
		{"negative scale", func(i *Indicator) { i.Scale = -100 }, "scale"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ind := validIndicator()
			tt.edit(&ind)
			err := ind.Validate()
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Validate() = %v, want a *FieldError", err)
			}
			if fe.Field != tt.field {
				t.Errorf("Validate() field = %q (%v), want %q", fe.Field, err, tt.field)
			}
		})
	}
}

func TestIndicatorValidateCount(t *testing.T) {
	ind := validIndicator()
	ind.Aggregation, ind.ThresholdOn, ind.Scale, ind.Unit = AggregateSum, ThresholdOnValue, 0, "salariés"
	if err := ind.Validate(); err != nil {
		t.Errorf("count indicator with threshold on value: %v", err)
	}
	ind.Threshold, ind.ThresholdOn = 0, ""
	if err := ind.Validate(); err != nil {
		t.Errorf("indicator without secret rule: %v", err)
	}
}

func TestValidSector(t *testing.T) {
	for _, s := range []string{"ensemble", "F", "GZ", "C1", "49", "49.4", "49.41", "49.41A"} {
		if !ValidSector(s) {
			t.Errorf("ValidSector(%q) = false", s)
		}
	}
	for _, s := range []string{"", "Ensemble", "V", "4", "49.4.1", "49.41a", "BTP"} {
		if ValidSector(s) {
			t.Errorf("ValidSector(%q) = true", s)
		}
	}
}

func TestThresholdCount(t *testing.T) {
	ind := validIndicator()
	v := Value{Value: ptr(12.5), Numerator: ptr(3), Denominator: ptr(240), Status: StatusSecret}
	tests := []struct {
		on    ThresholdOn
		want  float64
		known bool
	}{
		{ThresholdOnNumerator, 3, true},
		{ThresholdOnDenominator, 240, true},
		{ThresholdOnValue, 12.5, true},
		{"", 0, false},
	}
	for _, tt := range tests {
		ind.ThresholdOn = tt.on
		got, ok := ind.ThresholdCount(v)
		if got != tt.want || ok != tt.known {
			t.Errorf("ThresholdCount(on %q) = %v, %v; want %v, %v", tt.on, got, ok, tt.want, tt.known)
		}
	}
	ind.ThresholdOn = ThresholdOnNumerator
	if _, ok := ind.ThresholdCount(Value{}); ok {
		t.Error("ThresholdCount without numerator should be unknown")
	}
}

// FuzzParsePeriod checks the promise of ParsePeriod's doc: whatever form was
// accepted, String gives the canonical spelling, which parses back to the
// same period.
func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"2021", "2021-T3", "T3_2021", "2021T3", " 2021-t1 ", "t4_1999", "0999", "2021-T5", "9999-T4", "1000", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePeriod(s)
		if err != nil {
			return
		}
		if p.Year < 1000 || p.Year > 9999 || p.Quarter < 0 || p.Quarter > 4 {
			t.Fatalf("ParsePeriod(%q) = %+v, out of range", s, p)
		}
		q, err := ParsePeriod(p.String())
		if err != nil {
			t.Fatalf("ParsePeriod(%q) = %+v, whose String %q does not parse: %v", s, p, p.String(), err)
		}
		if q != p || q.String() != p.String() {
			t.Fatalf("ParsePeriod(%q) = %+v, but its String %q parses to %+v", s, p, p.String(), q)
		}
	})
}
