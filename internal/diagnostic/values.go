package diagnostic

import (
	"context"

	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// ValueItem is one published value. The figures are those left by
// indicator.Gate: absent for secret and missing values.
type ValueItem struct {
	Level       territory.Level  `json:"level"`
	Code        string           `json:"code"`
	Name        string           `json:"name"`
	Period      string           `json:"period"`
	Sex         string           `json:"sex"`
	Sector      string           `json:"sector"`
	Value       *float64         `json:"value"`
	Numerator   *float64         `json:"numerator"`
	Denominator *float64         `json:"denominator"`
	Status      indicator.Status `json:"status"`
	Computed    bool             `json:"computed"`
	Dataset     int64            `json:"dataset"`
}

// Values are the values of a selection, as they are published.
type Values struct {
	Indicator string      `json:"indicator"`
	Notice    string      `json:"notice,omitempty"`
	Source    string      `json:"source"`
	Values    []ValueItem `json:"values"`

	entry Entry
}

// Entry is the catalogue entry of the values' indicator.
func (v *Values) Entry() Entry { return v.entry }

// Values reads the values of a selection (see Select; without defaults, an
// empty field selects everything), ordered by level, period, sex, sector
// and code.
func (s *Service) Values(ctx context.Context, sel Selection) (*Values, error) {
	rows, err := s.st.IndicatorValues(ctx, sel.query())
	if err != nil {
		return nil, err
	}
	reg := s.tiles.Territories()
	out := &Values{Indicator: sel.Entry.ID(), Notice: sel.Entry.Notice(), Source: sel.Entry.Source(""),
		Values: make([]ValueItem, 0, len(rows)), entry: sel.Entry}
	for _, r := range rows {
		v, _, _ := indicator.Gate(value(r))
		name, _ := reg.Ref(v.Level, v.Code)
		out.Values = append(out.Values, ValueItem{Level: v.Level, Code: v.Code, Name: name, Period: v.Period, Sex: v.Sex, Sector: v.Sector,
			Value: v.Value, Numerator: v.Numerator, Denominator: v.Denominator, Status: v.Status, Computed: v.Computed, Dataset: r.DatasetID})
	}
	return out, nil
}
