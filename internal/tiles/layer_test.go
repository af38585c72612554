package tiles

import "testing"

func TestParseTile(t *testing.T) {
	for _, c := range []struct {
		z, x, y string
		param   string
	}{
		{"0", "0", "0", ""},
		{"8", "129", "93", ""},
		{"22", "4194303", "0", ""},
		{"23", "0", "0", "z"},
		{"-1", "0", "0", "z"},
		{"8a", "0", "0", "z"},
		{"2", "4", "0", "x"},
		{"2", "0", "4", "y"},
		{"2", "1", "", "y"},
	} {
		_, _, _, err := ParseTile(c.z, c.x, c.y)
		if c.param == "" {
			if err != nil {
				t.Errorf("%s/%s/%s: %v", c.z, c.x, c.y, err)
			}
			continue
		}
		te, ok := err.(*TileCoordError)
		if !ok || te.Param != c.param {
			t.Errorf("%s/%s/%s: error %v, want one about %s", c.z, c.x, c.y, err, c.param)
		}
	}
}
