package tiles

import (
	"errors"
	"strconv"
	"testing"
)

// FuzzParseTile: any z/x/y a URL can carry is either a tile of the world
// (0 ≤ x, y < 2^z, z ≤ MaxZoom), which its canonical spelling gives back,
// or a *TileCoordError naming the one coordinate that is wrong, with its
// value and a reason; never a panic, whatever the length of the digits.
func FuzzParseTile(f *testing.F) {
	for _, s := range [][3]string{
		{"0", "0", "0"}, {"5", "16", "11"}, {"22", "4194303", "4194303"}, {"23", "0", "0"}, {"-1", "0", "0"},
		{"5", "32", "0"}, {"5", "0", "-1"}, {"05", "+1", "0x1"}, {"", "", ""}, {"99999999999999999999", "1", "1"},
		{"3", "1e2", "1.5"}, {"3", " 1", "1 "}, {"٣", "1", "1"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, zs, xs, ys string) {
		z, x, y, err := ParseTile(zs, xs, ys)
		if err != nil {
			var te *TileCoordError
			if !errors.As(err, &te) || (te.Param != "z" && te.Param != "x" && te.Param != "y") || te.Reason == "" {
				t.Fatalf("ParseTile(%q, %q, %q): %v (%T), want a *TileCoordError naming z, x or y", zs, xs, ys, err, err)
			}
			if want := map[string]string{"z": zs, "x": xs, "y": ys}[te.Param]; te.Value != want {
				t.Fatalf("ParseTile(%q, %q, %q): error on %s carries %q", zs, xs, ys, te.Param, te.Value)
			}
			if z != 0 || x != 0 || y != 0 {
				t.Fatalf("ParseTile(%q, %q, %q) = %d/%d/%d with an error", zs, xs, ys, z, x, y)
			}
			return
		}
		n := 1 << z
		if z < 0 || z > MaxZoom || x < 0 || x >= n || y < 0 || y >= n {
			t.Fatalf("ParseTile(%q, %q, %q) = %d/%d/%d: outside the world", zs, xs, ys, z, x, y)
		}
		z2, x2, y2, err := ParseTile(strconv.Itoa(z), strconv.Itoa(x), strconv.Itoa(y))
		if err != nil || z2 != z || x2 != x || y2 != y {
			t.Fatalf("canonical %d/%d/%d parses as %d/%d/%d, %v", z, x, y, z2, x2, y2, err)
		}
	})
}
