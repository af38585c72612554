package indicator

import (
	"fmt"
	"sort"
)

// Colours of the two classes that are not values. Secret is a neutral
// mid-grey (the map draws it hatched, so "hidden on purpose" reads
// differently from "no data"); missing is a light grey, darker than the
// white-ish first class of every palette so that "no data" is never taken
// for "lowest value". Neither appears in any palette (checked by a test).
const (
	SecretColor  = "#8c8c8c"
	MissingColor = "#e3e3e3"
)

// DefaultPalette is used when an indicator or a request names none.
const DefaultPalette = "ylorrd"

// palettes holds sequential schemes ordered light → dark, indexed by the
// number of classes. The ColorBrewer values (Cynthia Brewer, Penn State,
// colorbrewer2.org, Apache-2.0) for 3..9 classes are the published ones;
// ColorBrewer rates all its sequential schemes colour-blind safe. Viridis
// (Smith, van der Walt & Firing, matplotlib, CC0) is sampled as in the
// matplotlib/Bokeh small palettes and stored reversed (yellow → purple) so
// that, as everywhere else, the last colour is the darkest. Two-class
// schemes are not published: they are the ends of the three-class ones.
var palettes = map[string]map[int][]string{
	"blues": {
		3: {"#deebf7", "#9ecae1", "#3182bd"},
		4: {"#eff3ff", "#bdd7e7", "#6baed6", "#2171b5"},
		5: {"#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"},
		6: {"#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"},
		7: {"#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"},
		8: {"#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"},
		9: {"#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"},
	},
	"greens": {
		3: {"#e5f5e0", "#a1d99b", "#31a354"},
		4: {"#edf8e9", "#bae4b3", "#74c476", "#238b45"},
		5: {"#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"},
		6: {"#edf8e9", "#c7e9c0", "#a1d99b", "#74c476", "#31a354", "#006d2c"},
		7: {"#edf8e9", "#c7e9c0", "#a1d99b", "#74c476", "#41ab5d", "#238b45", "#005a32"},
		8: {"#f7fcf5", "#e5f5e0", "#c7e9c0", "#a1d99b", "#74c476", "#41ab5d", "#238b45", "#005a32"},
		9: {"#f7fcf5", "#e5f5e0", "#c7e9c0", "#a1d99b", "#74c476", "#41ab5d", "#238b45", "#006d2c", "#00441b"},
	},
	"oranges": {
		3: {"#fee6ce", "#fdae6b", "#e6550d"},
		4: {"#feedde", "#fdbe85", "#fd8d3c", "#d94701"},
		5: {"#feedde", "#fdbe85", "#fd8d3c", "#e6550d", "#a63603"},
		6: {"#feedde", "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603"},
		7: {"#feedde", "#fdd0a2", "#fdae6b", "#fd8d3c", "#f16913", "#d94801", "#8c2d04"},
		8: {"#fff5eb", "#fee6ce", "#fdd0a2", "#fdae6b", "#fd8d3c", "#f16913", "#d94801", "#8c2d04"},
		9: {"#fff5eb", "#fee6ce", "#fdd0a2", "#fdae6b", "#fd8d3c", "#f16913", "#d94801", "#a63603", "#7f2704"},
	},
	"purples": {
		3: {"#efedf5", "#bcbddc", "#756bb1"},
		4: {"#f2f0f7", "#cbc9e2", "#9e9ac8", "#6a51a3"},
		5: {"#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"},
		6: {"#f2f0f7", "#dadaeb", "#bcbddc", "#9e9ac8", "#756bb1", "#54278f"},
		7: {"#f2f0f7", "#dadaeb", "#bcbddc", "#9e9ac8", "#807dba", "#6a51a3", "#4a1486"},
		8: {"#fcfbfd", "#efedf5", "#dadaeb", "#bcbddc", "#9e9ac8", "#807dba", "#6a51a3", "#4a1486"},
		9: {"#fcfbfd", "#efedf5", "#dadaeb", "#bcbddc", "#9e9ac8", "#807dba", "#6a51a3", "#54278f", "#3f007d"},
	},
	"reds": {
		3: {"#fee0d2", "#fc9272", "#de2d26"},
		4: {"#fee5d9", "#fcae91", "#fb6a4a", "#cb181d"},
		5: {"#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"},
		6: {"#fee5d9", "#fcbba1", "#fc9272", "#fb6a4a", "#de2d26", "#a50f15"},
		7: {"#fee5d9", "#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d", "#99000d"},
		8: {"#fff5f0", "#fee0d2", "#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d", "#99000d"},
		9: {"#fff5f0", "#fee0d2", "#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d", "#a50f15", "#67000d"},
	},
	"ylorrd": {
		3: {"#ffeda0", "#feb24c", "#f03b20"},
		4: {"#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"},
		5: {"#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"},
		6: {"#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"},
		7: {"#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"},
		8: {"#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"},
		9: {"#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#bd0026", "#800026"},
	},
	"ylgnbu": {
		3: {"#edf8b1", "#7fcdbb", "#2c7fb8"},
		4: {"#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"},
		5: {"#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"},
		6: {"#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"},
		7: {"#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"},
		8: {"#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"},
		9: {"#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#253494", "#081d58"},
	},
	"viridis": {
		3: {"#fde724", "#208f8c", "#440154"},
		4: {"#fde724", "#35b778", "#30678d", "#440154"},
		5: {"#fde724", "#5bc862", "#208f8c", "#3b518a", "#440154"},
		6: {"#fde724", "#79d151", "#22a784", "#29788e", "#404387", "#440154"},
		7: {"#fde724", "#8dd644", "#35b778", "#208f8c", "#30678d", "#443982", "#440154"},
		8: {"#fde724", "#9dd93a", "#49c16d", "#1ea087", "#277e8e", "#365a8c", "#46317e", "#440154"},
		9: {"#fde724", "#aadb32", "#5bc862", "#27ad80", "#208f8c", "#2c718e", "#3b518a", "#472b7a", "#440154"},
	},
}

func init() {
	for _, p := range palettes {
		p[2] = []string{p[3][0], p[3][2]}
	}
}

// Palettes returns the palette names, sorted, for menus and validation.
func Palettes() []string {
	names := make([]string, 0, len(palettes))
	for n := range palettes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Colors returns one colour per class, class 0 first, oriented so that the
// darkest colour marks the worst situation: for higher-is-worse and
// neutral indicators the highest class is darkest (the usual reading of a
// sequential map), for higher-is-better ones the lowest class is darkest.
//
// One class is accepted (Classify returns it when all values are equal) and
// gets the middle colour of the three-class scheme: with a single value
// there is no better or worse to show. The returned slice is a copy.
func Colors(palette string, classes int, pol Polarity) ([]string, error) {
	p, ok := palettes[palette]
	if !ok {
		return nil, &FieldError{Field: "palette", Message: fmt.Sprintf("unknown palette %q (want one of %s)", palette, joinStrings(Palettes()))}
	}
	if !pol.Valid() {
		return nil, &FieldError{Field: "polarity", Message: fmt.Sprintf("unknown polarity %q", pol)}
	}
	if classes == 1 {
		return []string{p[3][1]}, nil
	}
	if classes < MinClasses || classes > MaxClasses {
		return nil, &FieldError{Field: "classes", Message: fmt.Sprintf("must be between %d and %d, got %d", MinClasses, MaxClasses, classes)}
	}
	out := append([]string(nil), p[classes]...)
	if pol == HigherIsBetter {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out, nil
}
