package indicator

import (
	"math"
	"sort"
)

// Cell is one figure of a table submitted to the secret statistique, keyed
// by an identifier unique within the table (e.g. "7601|femmes|F"): only
// the count the threshold applies to. No figure to publish enters the
// suppression: it decides on counts alone.
type Cell struct {
	Count float64
}

// Constraint states that the count of Total is the sum of the counts of
// Parts: ensemble = femmes + hommes, all sectors = sum of the sectors, a
// zone = sum of its communes. These are exactly the equations a reader can
// use to recompute a hidden cell from what is published.
//
// A cell named by a constraint but absent from the cell map is taken as
// known to the reader (typically a structural zero that was not loaded):
// assuming the reader knows more errs on the side of hiding more.
type Constraint struct {
	Total string
	Parts []string
}

// Reason says why a cell is secret.
type Reason string

// Reasons for secrecy. Primary cells are small counts; secondary cells
// ("secret induit") are hidden only so that a primary cell cannot be
// recomputed from its published neighbours.
const (
	ReasonPrimary   Reason = "primary"
	ReasonSecondary Reason = "secondary"
)

// BelowThreshold reports whether a count must be hidden as primary secret.
//
// Zero is publishable, following INSEE practice: "nobody" reveals nothing
// about an individual, and hiding zeros would blank most of the sector ×
// commune tables. Small positive counts (0 < count < threshold) are
// secret. A negative or non-finite count is not a count and cannot be shown
// to be safe, so it is treated as secret. A threshold of zero or less
// means the producer sets no rule.
func BelowThreshold(count, threshold float64) bool {
	if threshold <= 0 || math.IsNaN(threshold) {
		return false
	}
	if math.IsNaN(count) || math.IsInf(count, 0) || count < 0 {
		return true
	}
	return count > 0 && count < threshold
}

// Suppress decides which cells must not be output.
//
// Primary secret: cells whose count is below threshold (see BelowThreshold).
//
// Secondary secret, first by the classic rule: for every constraint, if
// exactly one of its cells (total and parts) is secret, it could be
// recomputed by subtraction, so another cell is hidden too: the published
// part with the smallest positive count (the least information lost);
// failing that the total; failing that a published zero part (last because
// a hidden zero next to a small count barely widens what a reader can
// infer). This is repeated over all constraints until nothing changes,
// since constraints share cells (sex × sector, communes in zones and
// départements) and one complement can expose another constraint.
//
// Then, because that rule only looks at one equation at a time, the whole
// system is audited with exact linear algebra (rank over a large prime
// field): differences of nested totals or chains through several
// hierarchies can still determine a hidden cell. For each cell still
// determined, one of the published cells its derivation uses is hidden
// (smallest positive count first) and both steps are run again, until no
// secret cell can be recomputed. The only cells left recoverable are those
// the structure itself pins down (e.g. a part equal to the difference of
// two totals over the same parts), which no complement can protect.
//
// The result maps each secret cell ID to its reason; cells not in it may
// be published.
func Suppress(cells map[string]Cell, constraints []Constraint, threshold float64) map[string]Reason {
	t := newTable(cells, constraints)
	secret := make(map[string]Reason)
	for i, id := range t.ids {
		if t.present[i] && BelowThreshold(t.count[i], threshold) {
			t.hidden[i] = true
			secret[id] = ReasonPrimary
		}
	}
	if len(secret) == 0 {
		return secret
	}
	form := newEchelon(t)
	var fresh []int // cells hidden since the classic rule last ran
	hide := func(i int) {
		t.hidden[i] = true
		secret[t.ids[i]] = ReasonSecondary
		form.hide(i)
		fresh = append(fresh, i)
	}
	unfixable := map[int]bool{}
	t.classicPass(hide, t.allConstraints())
	for {
		determined := form.changed()
		chosen := map[int]bool{}
		progress := false
		for _, d := range determined {
			if unfixable[d.cell] {
				continue
			}
			// A derivation that uses a cell hidden in this round has
			// changed; re-audit before adding more.
			touched := false
			for _, k := range d.known {
				if chosen[k] {
					touched = true
					break
				}
			}
			if touched {
				continue
			}
			c := t.cheapest(d.known)
			if c < 0 {
				unfixable[d.cell] = true
				continue
			}
			hide(c)
			chosen[c] = true
			progress = true
		}
		if !progress {
			return secret
		}
		// The equations of the cells just hidden may each have one
		// secret cell left alone now.
		var again []int
		seen := map[int]bool{}
		for _, c := range fresh {
			for _, k := range t.consOf[c] {
				if !seen[k] {
					seen[k] = true
					again = append(again, k)
				}
			}
		}
		fresh = fresh[:0]
		t.classicPass(hide, again)
	}
}

// table is the indexed form of cells and constraints that Suppress and its
// audit work on: cell i has ids[i], and equations are over indices so that
// the audit's rows are small integer vectors. checkRecoverable does not use
// it, on purpose (see there).
type table struct {
	ids     []string
	index   map[string]int
	present []bool // in the cell map; absent cells are known to the reader
	count   []float64
	hidden  []bool
	cons    []tableConstraint
	// eqs[k] is cons[k].equation(), computed once, sorted by cell; consOf
	// lists the constraints of each cell, so that the classic rule only
	// looks again at the equations of a cell just hidden.
	eqs    [][]eqTerm
	consOf [][]int
}

// eqTerm is one coefficient of an equation.
type eqTerm struct {
	col int
	v   int64
}

// tableConstraint is a Constraint over cell indices.
type tableConstraint struct {
	total int
	parts []int
}

// newTable indexes every cell named by cells or by a constraint, in sorted
// ID order so that Suppress's choices, which break ties by index, do not
// depend on map iteration order.
func newTable(cells map[string]Cell, constraints []Constraint) *table {
	set := map[string]bool{}
	for id := range cells {
		set[id] = true
	}
	for _, c := range constraints {
		set[c.Total] = true
		for _, p := range c.Parts {
			set[p] = true
		}
	}
	t := &table{index: make(map[string]int, len(set))}
	for id := range set {
		t.ids = append(t.ids, id)
	}
	sort.Strings(t.ids)
	n := len(t.ids)
	t.present, t.count, t.hidden = make([]bool, n), make([]float64, n), make([]bool, n)
	for i, id := range t.ids {
		t.index[id] = i
		if c, ok := cells[id]; ok {
			t.present[i], t.count[i] = true, c.Count
		}
	}
	for _, c := range constraints {
		tc := tableConstraint{total: t.index[c.Total]}
		for _, p := range c.Parts {
			tc.parts = append(tc.parts, t.index[p])
		}
		t.cons = append(t.cons, tc)
	}
	t.consOf = make([][]int, n)
	for k, tc := range t.cons {
		e := tc.equation()
		eq := make([]eqTerm, 0, len(e))
		for col, v := range e {
			eq = append(eq, eqTerm{col, v})
			t.consOf[col] = append(t.consOf[col], k)
		}
		sort.Slice(eq, func(i, j int) bool { return eq[i].col < eq[j].col })
		t.eqs = append(t.eqs, eq)
	}
	return t
}

// equation returns the constraint as sparse coefficients (total +1, each
// part -1) over cell indices, zero coefficients removed: a cell listed as
// both total and part says nothing about itself.
func (tc tableConstraint) equation() map[int]int64 {
	e := map[int]int64{tc.total: 1}
	for _, p := range tc.parts {
		e[p]--
	}
	for k, v := range e {
		if v == 0 {
			delete(e, k)
		}
	}
	return e
}

// allConstraints lists every constraint index, for a first classic pass.
func (t *table) allConstraints() []int {
	all := make([]int, len(t.cons))
	for k := range all {
		all[k] = k
	}
	return all
}

// classicPass applies the one-equation rule until it changes nothing: a
// worklist of equations, first those of start in order, then those of
// each cell hidden on the way.
func (t *table) classicPass(hide func(int), start []int) {
	queued := make([]bool, len(t.cons))
	work := append([]int(nil), start...)
	for _, k := range work {
		queued[k] = true
	}
	for len(work) > 0 {
		k := work[0]
		work = work[1:]
		queued[k] = false
		unknown, n := -1, 0
		for _, term := range t.eqs[k] {
			if t.hidden[term.col] {
				n++
				unknown = term.col
			}
		}
		if n != 1 || !t.present[unknown] {
			continue
		}
		c := t.complement(k, unknown)
		if c < 0 {
			continue
		}
		hide(c)
		for _, j := range t.consOf[c] {
			if !queued[j] {
				queued[j] = true
				work = append(work, j)
			}
		}
	}
}

// complement picks the cell to hide next to the lone secret cell of
// constraint k; -1 if there is none.
func (t *table) complement(k, secret int) int {
	tc, eq := t.cons[k], t.eqs[k]
	usable := func(i int) bool {
		if i == secret || !t.present[i] || t.hidden[i] {
			return false
		}
		j := sort.Search(len(eq), func(j int) bool { return eq[j].col >= i })
		return j < len(eq) && eq[j].col == i // a zero coefficient says nothing
	}
	best := -1
	for _, p := range tc.parts {
		if usable(p) && t.count[p] > 0 && (best < 0 || t.count[p] < t.count[best] || (t.count[p] == t.count[best] && p < best)) {
			best = p
		}
	}
	if best >= 0 {
		return best
	}
	if usable(tc.total) {
		return tc.total
	}
	for _, p := range tc.parts {
		if usable(p) && (best < 0 || p < best) {
			best = p
		}
	}
	return best
}

// cheapest picks among candidate cells the one to hide: present and
// published, smallest positive count first, then zeros; -1 if none.
func (t *table) cheapest(cands []int) int {
	best := -1
	better := func(a, b int) bool {
		pa, pb := t.count[a] > 0, t.count[b] > 0
		if pa != pb {
			return pa
		}
		if t.count[a] != t.count[b] {
			return t.count[a] < t.count[b]
		}
		return a < b
	}
	for _, c := range cands {
		if t.present[c] && !t.hidden[c] && (best < 0 || better(c, best)) {
			best = c
		}
	}
	return best
}
