package indicator

import (
	"fmt"
	"math"
	"math/rand"
	"reflect"
	"sort"
	"testing"
)

func cellsOf(counts map[string]float64) map[string]Cell {
	out := make(map[string]Cell, len(counts))
	for id, c := range counts {
		out[id] = Cell{Count: c}
	}
	return out
}

func reasons(primary []string, secondary []string) map[string]Reason {
	out := map[string]Reason{}
	for _, id := range primary {
		out[id] = ReasonPrimary
	}
	for _, id := range secondary {
		out[id] = ReasonSecondary
	}
	return out
}

func TestBelowThreshold(t *testing.T) {
	tests := []struct {
		count, threshold float64
		want             bool
	}{
		{0, 5, false}, // a zero is published
		{1, 5, true},
		{4.5, 5, true},
		{5, 5, false},
		{300, 5, false},
		{-1, 5, true}, // not a count: cannot be shown safe
		{math.NaN(), 5, true},
		{math.Inf(1), 5, true},
		{3, 0, false}, // no rule
	}
	for _, tt := range tests {
		if got := BelowThreshold(tt.count, tt.threshold); got != tt.want {
			t.Errorf("BelowThreshold(%v, %v) = %v, want %v", tt.count, tt.threshold, got, tt.want)
		}
	}
}

// sexSectorTable builds a 2×N table (femmes, hommes × sectors) with its
// ensemble row and all-sector column, and the constraints linking them.
func sexSectorTable(f, h []float64) (map[string]float64, []Constraint) {
	counts := map[string]float64{}
	var sectors []string
	for i := range f {
		sectors = append(sectors, fmt.Sprintf("s%d", i+1))
	}
	var cons []Constraint
	for _, x := range []string{"f", "h", "ens"} {
		c := Constraint{Total: x + "|all"}
		for _, s := range sectors {
			c.Parts = append(c.Parts, x+"|"+s)
		}
		cons = append(cons, c)
	}
	for i, s := range append(sectors, "all") {
		cons = append(cons, Constraint{Total: "ens|" + s, Parts: []string{"f|" + s, "h|" + s}})
		if s == "all" {
			break
		}
		counts["f|"+s], counts["h|"+s] = f[i], h[i]
		counts["ens|"+s] = f[i] + h[i]
		counts["f|all"] += f[i]
		counts["h|all"] += h[i]
		counts["ens|all"] += f[i] + h[i]
	}
	return counts, cons
}

func TestSuppress(t *testing.T) {
	sexCounts, sexCons := sexSectorTable([]float64{20, 3, 40, 60}, []float64{25, 30, 50, 80})
	tests := []struct {
		name      string
		counts    map[string]float64
		cons      []Constraint
		threshold float64
		want      map[string]Reason
	}{
		{
			// f|s2 is small. Its sector needs h|s2 hidden, the femmes row
			// its smallest other sector f|s1, and then the hommes row
			// h|s1: a 2×2 rectangle, every total still published.
			name:      "sex × sector",
			counts:    sexCounts,
			cons:      sexCons,
			threshold: 5,
			want:      reasons([]string{"f|s2"}, []string{"h|s2", "f|s1", "h|s1"}),
		},
		{
			// The zero commune is published and is not chosen as the
			// complement: the smallest positive commune is.
			name:      "communes of a zone",
			counts:    map[string]float64{"c1": 120, "c2": 2, "c3": 0, "c4": 45, "c5": 300, "zone": 467},
			cons:      []Constraint{{Total: "zone", Parts: []string{"c1", "c2", "c3", "c4", "c5"}}},
			threshold: 11,
			want:      reasons([]string{"c2"}, []string{"c4"}),
		},
		{
			name:      "only a zero beside the small count: hide the total",
			counts:    map[string]float64{"a": 3, "z": 0, "t": 3},
			cons:      []Constraint{{Total: "t", Parts: []string{"a", "z"}}},
			threshold: 5,
			want:      reasons([]string{"a", "t"}, nil),
		},
		{
			name:      "a part absent from the table is taken as known",
			counts:    map[string]float64{"a": 3, "t": 50},
			cons:      []Constraint{{Total: "t", Parts: []string{"a", "unloaded"}}},
			threshold: 5,
			want:      reasons([]string{"a"}, []string{"t"}),
		},
		{
			// T = P1+P2+P3 and U = P1+P2. The one-equation rule hides P1
			// then P2, yet P3 = T − U: the audit also hides U.
			name:      "nested totals",
			counts:    map[string]float64{"P1": 30, "P2": 40, "P3": 4, "U": 70, "T": 74},
			cons:      []Constraint{{Total: "T", Parts: []string{"P1", "P2", "P3"}}, {Total: "U", Parts: []string{"P1", "P2"}}},
			threshold: 5,
			want:      reasons([]string{"P3"}, []string{"P1", "P2", "U"}),
		},
		{
			// X=a+b, Y=b+c, W=a+c: no equation has one unknown and none
			// is a subset of another, but a = (X−Y+W)/2.
			name:      "recovery by combining three equations",
			counts:    map[string]float64{"a": 2, "b": 10, "c": 20, "X": 12, "Y": 30, "W": 22},
			cons:      []Constraint{{Total: "X", Parts: []string{"a", "b"}}, {Total: "Y", Parts: []string{"b", "c"}}, {Total: "W", Parts: []string{"a", "c"}}},
			threshold: 5,
			want:      reasons([]string{"a"}, []string{"b", "c", "X"}),
		},
		{
			name:      "nothing small",
			counts:    map[string]float64{"a": 30, "b": 0, "t": 30},
			cons:      []Constraint{{Total: "t", Parts: []string{"a", "b"}}},
			threshold: 5,
			want:      map[string]Reason{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cells := cellsOf(tt.counts)
			got := Suppress(cells, tt.cons, tt.threshold)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Suppress() = %v, want %v", got, tt.want)
			}
			if rec := checkRecoverable(cells, tt.cons, got); len(rec) > 0 {
				t.Errorf("recoverable after Suppress: %v", rec)
			}
			if again := Suppress(cells, tt.cons, tt.threshold); !reflect.DeepEqual(again, got) {
				t.Errorf("Suppress is not deterministic: %v then %v", got, again)
			}
		})
	}
}

func TestClassicRuleAloneMissesNestedTotals(t *testing.T) {
	cells := cellsOf(map[string]float64{"P1": 30, "P2": 40, "P3": 4, "U": 70, "T": 74})
	cons := []Constraint{{Total: "T", Parts: []string{"P1", "P2", "P3"}}, {Total: "U", Parts: []string{"P1", "P2"}}}
	tb := newTable(cells, cons)
	secret := reasons([]string{"P3"}, nil)
	tb.hidden[tb.index["P3"]] = true
	tb.classicPass(func(i int) { tb.hidden[i] = true; secret[tb.ids[i]] = ReasonSecondary }, tb.allConstraints())
	if want := reasons([]string{"P3"}, []string{"P1", "P2"}); !reflect.DeepEqual(secret, want) {
		t.Fatalf("classic pass = %v, want %v", secret, want)
	}
	if got := checkRecoverable(cells, cons, secret); !reflect.DeepEqual(got, []string{"P3"}) {
		t.Errorf("checkRecoverable = %v, want [P3] (T − U)", got)
	}
	if got := propagate(cons, secret); !reflect.DeepEqual(got, []string{"P3"}) {
		t.Errorf("subset difference alone found %v, want [P3]", got)
	}
}

// randomTable builds a commune × sex × sector table with its aggregates to
// zones, départements (a second partition crossing the zones) and the
// région, and every additivity constraint between them.
func randomTable(rng *rand.Rand) (map[string]Cell, []Constraint) {
	return randomTableSized(rng, 3+rng.Intn(6), 2+rng.Intn(3), 1+rng.Intn(3), 1+rng.Intn(2))
}

func randomTableSized(rng *rand.Rand, nCommunes, nSectors, nZones, nDeps int) (map[string]Cell, []Constraint) {
	communes := make([]string, nCommunes)
	members := map[string][]string{} // territory → communes
	for i := range communes {
		c := fmt.Sprintf("c%d", i)
		communes[i] = c
		members[c] = []string{c}
		z, d := fmt.Sprintf("z%d", rng.Intn(nZones)), fmt.Sprintf("d%d", rng.Intn(nDeps))
		members[z] = append(members[z], c)
		members[d] = append(members[d], c)
		members["R"] = append(members["R"], c)
	}
	var zones, deps []string
	for t := range members {
		switch t[0] {
		case 'z':
			zones = append(zones, t)
		case 'd':
			deps = append(deps, t)
		}
	}
	sort.Strings(zones)
	sort.Strings(deps)
	sectors := []string{}
	for s := 0; s < nSectors; s++ {
		sectors = append(sectors, fmt.Sprintf("s%d", s))
	}
	base := map[string]float64{} // commune|sex|sector for f and h
	for _, c := range communes {
		for _, x := range []string{"f", "h"} {
			for _, s := range sectors {
				var n float64
				switch r := rng.Float64(); {
				case r < 0.15:
					n = 0
				case r < 0.45:
					n = float64(1 + rng.Intn(9))
				default:
					n = float64(10 + rng.Intn(190))
				}
				base[c+"|"+x+"|"+s] = n
			}
		}
	}
	counts := map[string]float64{}
	id := func(t, x, s string) string { return t + "|" + x + "|" + s }
	var cons []Constraint
	allSectors := append(append([]string(nil), sectors...), "all")
	for t, cs := range members {
		for _, x := range []string{"f", "h"} {
			for _, s := range sectors {
				for _, c := range cs {
					counts[id(t, x, s)] += base[c+"|"+x+"|"+s]
				}
				counts[id(t, "ens", s)] += counts[id(t, x, s)]
				counts[id(t, x, "all")] += counts[id(t, x, s)]
				counts[id(t, "ens", "all")] += counts[id(t, x, s)]
			}
		}
		for _, s := range allSectors {
			cons = append(cons, Constraint{Total: id(t, "ens", s), Parts: []string{id(t, "f", s), id(t, "h", s)}})
		}
		for _, x := range []string{"f", "h", "ens"} {
			c := Constraint{Total: id(t, x, "all")}
			for _, s := range sectors {
				c.Parts = append(c.Parts, id(t, x, s))
			}
			cons = append(cons, c)
		}
	}
	for _, x := range []string{"f", "h", "ens"} {
		for _, s := range allSectors {
			for _, group := range [][]string{zones, deps} {
				for _, g := range group {
					c := Constraint{Total: id(g, x, s)}
					for _, m := range members[g] {
						c.Parts = append(c.Parts, id(m, x, s))
					}
					cons = append(cons, c)
				}
				c := Constraint{Total: id("R", x, s)}
				for _, g := range group {
					c.Parts = append(c.Parts, id(g, x, s))
				}
				cons = append(cons, c)
			}
		}
	}
	// Constraints are written in map order above; sort them so that the
	// test is reproducible from its seed.
	sort.Slice(cons, func(i, j int) bool {
		return cons[i].Total+fmt.Sprint(cons[i].Parts) < cons[j].Total+fmt.Sprint(cons[j].Parts)
	})
	return cellsOf(counts), cons
}

func TestSuppressRandomTables(t *testing.T) {
	const threshold = 11
	rng := rand.New(rand.NewSource(20240611))
	leakyWithoutSecondary, classicInsufficient, nPrimary, nSecondary := 0, 0, 0, 0
	for trial := 0; trial < 200; trial++ {
		cells, cons := randomTable(rng)
		secret := Suppress(cells, cons, threshold)
		for _, r := range secret {
			if r == ReasonPrimary {
				nPrimary++
			} else {
				nSecondary++
			}
		}

		primaries := map[string]Reason{}
		for id, c := range cells {
			small := c.Count > 0 && c.Count < threshold
			if small {
				primaries[id] = ReasonPrimary
			}
			if small != (secret[id] == ReasonPrimary) {
				t.Fatalf("trial %d: %s (count %v) has reason %q", trial, id, c.Count, secret[id])
			}
		}
		if rec := checkRecoverable(cells, cons, secret); len(rec) > 0 {
			t.Fatalf("trial %d: recoverable after Suppress: %v", trial, rec)
		}

		// Without secondary suppression the checker must object whenever
		// some equation has a lone small cell: it cannot pass silently.
		lone := false
		for _, c := range cons {
			n := 0
			for _, id := range append([]string{c.Total}, c.Parts...) {
				if _, ok := primaries[id]; ok {
					n++
				}
			}
			lone = lone || n == 1
		}
		rec := checkRecoverable(cells, cons, primaries)
		if lone && len(rec) == 0 {
			t.Fatalf("trial %d: primaries alone leave a lone cell, checker found nothing", trial)
		}
		if len(rec) > 0 {
			leakyWithoutSecondary++
		}

		// The two linear-algebra implementations agree, and the
		// spreadsheet phase only ever finds truly determined cells.
		tb := newTable(cells, cons)
		for id := range primaries {
			tb.hidden[tb.index[id]] = true
		}
		var audited []string
		for _, d := range tb.audit() {
			audited = append(audited, tb.ids[d.cell])
		}
		elim := eliminate(cons, primaries)
		if len(audited) != len(elim) || (len(elim) > 0 && !reflect.DeepEqual(audited, elim)) {
			t.Fatalf("trial %d: audit %v, elimination %v", trial, audited, elim)
		}
		inElim := map[string]bool{}
		for _, id := range elim {
			inElim[id] = true
		}
		for _, id := range propagate(cons, primaries) {
			if !inElim[id] {
				t.Fatalf("trial %d: propagation recovered %s, elimination did not", trial, id)
			}
		}

		// How often the one-equation rule alone would have leaked.
		tb.classicPass(func(i int) { tb.hidden[i] = true }, tb.allConstraints())
		classic := map[string]Reason{}
		for i, h := range tb.hidden {
			if h {
				classic[tb.ids[i]] = ReasonSecondary
			}
		}
		if len(checkRecoverable(cells, cons, classic)) > 0 {
			classicInsufficient++
		}
	}
	if leakyWithoutSecondary < 100 {
		t.Errorf("only %d/200 tables leak without secondary suppression: the test data is too easy", leakyWithoutSecondary)
	}
	t.Logf("leaky without secondary suppression: %d/200; one-equation rule alone insufficient: %d/200; %d primary, %d secondary cells",
		leakyWithoutSecondary, classicInsufficient, nPrimary, nSecondary)
}

func benchmarkSuppress(b *testing.B, communes, sectors, zones, deps int) {
	cells, cons := randomTableSized(rand.New(rand.NewSource(7)), communes, sectors, zones, deps)
	var secret map[string]Reason
	for b.Loop() {
		secret = Suppress(cells, cons, 11)
	}
	b.ReportMetric(float64(len(cells)), "cells")
	b.ReportMetric(float64(len(secret)), "secret")
}

// A zone d'emploi: 40 communes × 2 sexes × 10 sectors, one département.
func BenchmarkSuppressZone(b *testing.B) { benchmarkSuppress(b, 40, 10, 1, 1) }

// A small région: 300 communes in 8 zones crossing 4 départements.
func BenchmarkSuppressRegion(b *testing.B) { benchmarkSuppress(b, 300, 10, 8, 4) }
