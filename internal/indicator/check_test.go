package indicator

import (
	"math/rand"
	"reflect"
	"sort"
	"testing"
)

func TestCheckRecoverable(t *testing.T) {
	tests := []struct {
		name      string
		cons      []Constraint
		secret    []string
		want      []string
		propagate []string // what the spreadsheet phase alone finds
	}{
		{
			name:      "single unknown",
			cons:      []Constraint{{Total: "t", Parts: []string{"a", "b", "c"}}},
			secret:    []string{"b"},
			want:      []string{"b"},
			propagate: []string{"b"},
		},
		{
			name:   "two unknowns are safe",
			cons:   []Constraint{{Total: "t", Parts: []string{"a", "b", "c"}}},
			secret: []string{"a", "b"},
		},
		{
			// Zone Z = a+b, département D = b+c (the zone crosses the
			// border): D gives b, then Z gives a.
			name:      "chain across two hierarchies",
			cons:      []Constraint{{Total: "Z", Parts: []string{"a", "b"}}, {Total: "D", Parts: []string{"b", "c"}}},
			secret:    []string{"a", "b"},
			want:      []string{"a", "b"},
			propagate: []string{"a", "b"},
		},
		{
			// Région = sum of zones = sum of départements: the hidden
			// région is the sum of the published départements, then the
			// hidden zone is the région minus the other zone; its two
			// hidden communes stay protected.
			name: "hidden totals recovered through a parallel hierarchy",
			cons: []Constraint{
				{Total: "R", Parts: []string{"Z1", "Z2"}},
				{Total: "R", Parts: []string{"D1", "D2"}},
				{Total: "Z1", Parts: []string{"a", "b"}},
			},
			secret:    []string{"R", "Z1", "a", "b"},
			want:      []string{"R", "Z1"},
			propagate: []string{"R", "Z1"},
		},
		{
			// Two breakdowns of the same total, one lacking z: z is
			// pinned (to zero) by the structure alone.
			name: "same total, two breakdowns, one subset difference",
			cons: []Constraint{
				{Total: "T", Parts: []string{"x", "y", "z"}},
				{Total: "T", Parts: []string{"x", "y"}},
			},
			secret:    []string{"T", "x", "y", "z"},
			want:      []string{"z"},
			propagate: []string{"z"},
		},
		{
			name:      "three-way combination only elimination sees",
			cons:      []Constraint{{Total: "X", Parts: []string{"a", "b"}}, {Total: "Y", Parts: []string{"b", "c"}}, {Total: "W", Parts: []string{"a", "c"}}},
			secret:    []string{"a", "b", "c"},
			want:      []string{"a", "b", "c"},
			propagate: nil,
		},
		{
			// 2×2 interior hidden with all margins published: each cell
			// sits on a cycle, nothing is determined.
			name: "rectangle is safe",
			cons: []Constraint{
				{Total: "r1", Parts: []string{"a", "b"}}, {Total: "r2", Parts: []string{"c", "d"}},
				{Total: "k1", Parts: []string{"a", "c"}}, {Total: "k2", Parts: []string{"b", "d"}},
			},
			secret: []string{"a", "b", "c", "d"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret := reasons(tt.secret, nil)
			got := checkRecoverable(nil, tt.cons, secret)
			if len(got) == 0 {
				got = nil
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("checkRecoverable = %v, want %v", got, tt.want)
			}
			p := propagate(tt.cons, secret)
			sort.Strings(p)
			if len(p) == 0 {
				p = nil
			}
			if !reflect.DeepEqual(p, tt.propagate) {
				t.Errorf("propagate = %v, want %v", p, tt.propagate)
			}
		})
	}
}

func BenchmarkCheckRecoverableRegion(b *testing.B) {
	cells, cons := randomTableSized(rand.New(rand.NewSource(7)), 300, 10, 8, 4)
	secret := Suppress(cells, cons, 11)
	for b.Loop() {
		if rec := checkRecoverable(cells, cons, secret); len(rec) > 0 {
			b.Fatalf("recoverable: %v", rec)
		}
	}
}
