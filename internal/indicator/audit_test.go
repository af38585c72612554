package indicator

import (
	"reflect"
	"sort"
	"testing"
)

func TestAudit(t *testing.T) {
	tests := []struct {
		name   string
		counts map[string]float64
		cons   []Constraint
		hidden []string
		want   map[string][]string // determined cell → published cells of its derivation
	}{
		{
			name:   "lone hidden part",
			counts: map[string]float64{"T": 60, "a": 10, "b": 20, "c": 30},
			cons:   []Constraint{{Total: "T", Parts: []string{"a", "b", "c"}}},
			hidden: []string{"b"},
			want:   map[string][]string{"b": {"T", "a", "c"}},
		},
		{
			name:   "two hidden parts of one total",
			counts: map[string]float64{"T": 60, "a": 10, "b": 20, "c": 30},
			cons:   []Constraint{{Total: "T", Parts: []string{"a", "b", "c"}}},
			hidden: []string{"a", "b"},
			want:   map[string][]string{},
		},
		{
			// P3 = T − U although every equation has two unknowns or more.
			name:   "nested totals",
			counts: map[string]float64{"P1": 30, "P2": 40, "P3": 4, "U": 70, "T": 74},
			cons:   []Constraint{{Total: "T", Parts: []string{"P1", "P2", "P3"}}, {Total: "U", Parts: []string{"P1", "P2"}}},
			hidden: []string{"P1", "P2", "P3"},
			want:   map[string][]string{"P3": {"T", "U"}},
		},
		{
			// a = (X − Y + W)/2, and likewise b and c.
			name:   "three equations combined",
			counts: map[string]float64{"a": 2, "b": 10, "c": 20, "X": 12, "Y": 30, "W": 22},
			cons:   []Constraint{{Total: "X", Parts: []string{"a", "b"}}, {Total: "Y", Parts: []string{"b", "c"}}, {Total: "W", Parts: []string{"a", "c"}}},
			hidden: []string{"a", "b", "c"},
			want:   map[string][]string{"a": {"W", "X", "Y"}, "b": {"W", "X", "Y"}, "c": {"W", "X", "Y"}},
		},
		{
			name:   "rectangle with published margins",
			counts: map[string]float64{"a": 1, "b": 20, "c": 30, "d": 40, "r1": 21, "r2": 70, "k1": 31, "k2": 60},
			cons: []Constraint{
				{Total: "r1", Parts: []string{"a", "b"}}, {Total: "r2", Parts: []string{"c", "d"}},
				{Total: "k1", Parts: []string{"a", "c"}}, {Total: "k2", Parts: []string{"b", "d"}},
			},
			hidden: []string{"a", "b", "c", "d"},
			want:   map[string][]string{},
		},
		{
			// A cell that was not loaded is known to the reader, so it may
			// appear in a derivation.
			name:   "derivation through a cell absent from the table",
			counts: map[string]float64{"T": 50, "a": 3},
			cons:   []Constraint{{Total: "T", Parts: []string{"a", "unloaded"}}},
			hidden: []string{"a"},
			want:   map[string][]string{"a": {"T", "unloaded"}},
		},
		{
			// Listed as both total and part, a cell says nothing about
			// itself: the equation is empty.
			name:   "cell on both sides",
			counts: map[string]float64{"a": 3, "b": 0},
			cons:   []Constraint{{Total: "a", Parts: []string{"a", "b"}}},
			hidden: []string{"a"},
			want:   map[string][]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTable(cellsOf(tt.counts), tt.cons)
			for _, id := range tt.hidden {
				tb.hidden[tb.index[id]] = true
			}
			got := map[string][]string{}
			prev := -1
			for _, d := range tb.audit() {
				if d.cell <= prev {
					t.Errorf("audit not sorted by cell: %d after %d", d.cell, prev)
				}
				prev = d.cell
				var known []string
				for _, k := range d.known {
					if tb.hidden[k] {
						t.Errorf("%s: derivation uses hidden cell %s", tb.ids[d.cell], tb.ids[k])
					}
					known = append(known, tb.ids[k])
				}
				sort.Strings(known)
				got[tb.ids[d.cell]] = known
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("audit() = %v, want %v", got, tt.want)
			}
		})
	}
}
