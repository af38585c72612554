package indicator

import (
	"errors"
	"math"
	"regexp"
	"strconv"
	"testing"
)

// luminance is the WCAG relative luminance of a #rrggbb colour.
func luminance(t *testing.T, hex string) float64 {
	t.Helper()
	var lin [3]float64
	for i := range lin {
		v, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		if err != nil {
			t.Fatalf("bad colour %q", hex)
		}
		c := float64(v) / 255
		if c <= 0.04045 {
			lin[i] = c / 12.92
		} else {
			lin[i] = math.Pow((c+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*lin[0] + 0.7152*lin[1] + 0.0722*lin[2]
}

var hexColour = regexp.MustCompile(`^#[0-9a-f]{6}$`)

func TestPalettesWellFormed(t *testing.T) {
	want := []string{"blues", "greens", "oranges", "purples", "reds", "viridis", "ylgnbu", "ylorrd"}
	names := Palettes()
	if len(names) != len(want) {
		t.Fatalf("Palettes() = %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("Palettes() = %v, want %v", names, want)
		}
	}
	for _, name := range names {
		for k := MinClasses; k <= MaxClasses; k++ {
			cs, err := Colors(name, k, HigherIsWorse)
			if err != nil {
				t.Fatalf("Colors(%s, %d): %v", name, k, err)
			}
			if len(cs) != k {
				t.Fatalf("Colors(%s, %d) has %d colours", name, k, len(cs))
			}
			seen := map[string]bool{}
			for i, c := range cs {
				if !hexColour.MatchString(c) {
					t.Errorf("%s/%d: %q is not #rrggbb", name, k, c)
				}
				if seen[c] {
					t.Errorf("%s/%d: %q repeated", name, k, c)
				}
				seen[c] = true
				// Light to dark, strictly: the darkest colour must be last.
				if i > 0 && luminance(t, c) >= luminance(t, cs[i-1]) {
					t.Errorf("%s/%d: %s is not darker than %s", name, k, c, cs[i-1])
				}
			}
		}
		two, _ := Colors(name, 2, HigherIsWorse)
		three, _ := Colors(name, 3, HigherIsWorse)
		if two[0] != three[0] || two[1] != three[2] {
			t.Errorf("%s/2 = %v, want the ends of %v", name, two, three)
		}
	}
}

func TestPublishedColorBrewerValues(t *testing.T) {
	// Spot checks against colorbrewer2.org.
	tests := []struct {
		palette string
		classes int
		want    []string
	}{
		{"blues", 3, []string{"#deebf7", "#9ecae1", "#3182bd"}},
		{"ylorrd", 5, []string{"#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"}},
		{"ylgnbu", 9, []string{"#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#253494", "#081d58"}},
		{"viridis", 3, []string{"#fde724", "#208f8c", "#440154"}},
	}
	for _, tt := range tests {
		got, err := Colors(tt.palette, tt.classes, Neutral)
		if err != nil {
			t.Fatal(err)
		}
		for i := range tt.want {
			if got[i] != tt.want[i] {
				t.Errorf("%s/%d = %v, want %v", tt.palette, tt.classes, got, tt.want)
				break
			}
		}
	}
}

func TestColorsPolarity(t *testing.T) {
	worse, _ := Colors("reds", 5, HigherIsWorse)
	neutral, _ := Colors("reds", 5, Neutral)
	better, err := Colors("reds", 5, HigherIsBetter)
	if err != nil {
		t.Fatal(err)
	}
	darkest := "#a50f15"
	if worse[4] != darkest || neutral[4] != darkest {
		t.Errorf("higher-is-worse/neutral: darkest should be the highest class: %v, %v", worse, neutral)
	}
	if better[0] != darkest {
		t.Errorf("higher-is-better: darkest should be the lowest class (worst): %v", better)
	}
	for i := range worse {
		if better[i] != worse[len(worse)-1-i] {
			t.Errorf("higher-is-better is not the reverse: %v vs %v", better, worse)
		}
	}
	// The result is a copy: editing it cannot corrupt the palette.
	better[0] = "#000000"
	if again, _ := Colors("reds", 5, HigherIsBetter); again[0] != darkest {
		t.Error("Colors returned the palette's own slice")
	}
	one, err := Colors("blues", 1, HigherIsWorse)
	if err != nil || len(one) != 1 || one[0] != "#9ecae1" {
		t.Errorf("Colors(blues, 1) = %v, %v; want the middle colour", one, err)
	}
}

func TestColorsErrors(t *testing.T) {
	tests := []struct {
		palette string
		classes int
		pol     Polarity
		field   string
	}{
		{"rainbow", 5, Neutral, "palette"},
		{"blues", 10, Neutral, "classes"},
		{"blues", 0, Neutral, "classes"},
		{"blues", 5, "up", "polarity"},
	}
	for _, tt := range tests {
		_, err := Colors(tt.palette, tt.classes, tt.pol)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field {
			t.Errorf("Colors(%q, %d, %q) error = %v, want field %q", tt.palette, tt.classes, tt.pol, err, tt.field)
		}
	}
}

func TestSecretAndMissingColours(t *testing.T) {
	if SecretColor == MissingColor {
		t.Fatal("secret and missing share a colour")
	}
	for _, c := range []string{SecretColor, MissingColor} {
		if !hexColour.MatchString(c) {
			t.Errorf("%q is not #rrggbb", c)
		}
		if c[1:3] != c[3:5] || c[3:5] != c[5:7] {
			t.Errorf("%q is not a neutral grey", c)
		}
	}
	if luminance(t, MissingColor) <= luminance(t, SecretColor) {
		t.Error("missing should be lighter than secret")
	}
	for name, sizes := range palettes {
		for k, cs := range sizes {
			for _, c := range cs {
				if c == SecretColor || c == MissingColor {
					t.Errorf("%s/%d uses %s", name, k, c)
				}
			}
		}
	}
}
