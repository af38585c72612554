package indicator

import (
	"errors"
	"testing"
)

func TestChoroplethOptionsCheck(t *testing.T) {
	for _, c := range []struct {
		name  string
		opt   ChoroplethOptions
		field string // "" when valid
	}{
		{"defaults", DefaultChoroplethOptions(), ""},
		{"manual", ChoroplethOptions{Method: MethodManual, Classes: 3, Manual: []float64{1, 2}, Palette: DefaultPalette}, ""},
		{"unknown method", ChoroplethOptions{Method: "au-hasard", Classes: 5, Palette: DefaultPalette}, "method"},
		{"one class", ChoroplethOptions{Method: MethodQuantiles, Classes: 1, Palette: DefaultPalette}, "classes"},
		{"ten classes", ChoroplethOptions{Method: MethodQuantiles, Classes: 10, Palette: DefaultPalette}, "classes"},
		{"breaks without manual", ChoroplethOptions{Method: MethodQuantiles, Classes: 3, Manual: []float64{1, 2}, Palette: DefaultPalette}, "manual"},
		{"too few breaks", ChoroplethOptions{Method: MethodManual, Classes: 3, Manual: []float64{1}, Palette: DefaultPalette}, "manual"},
		{"decreasing breaks", ChoroplethOptions{Method: MethodManual, Classes: 3, Manual: []float64{2, 1}, Palette: DefaultPalette}, "manual[1]"},
		{"unknown palette", ChoroplethOptions{Method: MethodQuantiles, Classes: 5, Palette: "arc-en-ciel"}, "palette"},
	} {
		err := c.opt.Check()
		var fe *FieldError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.field != "" && (!errors.As(err, &fe) || fe.Field != c.field):
			t.Errorf("%s: error %v, want one about %s", c.name, err, c.field)
		}
	}
}
