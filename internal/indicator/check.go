package indicator

import (
	"fmt"
	"sort"
	"strings"
)

// checkRecoverable is the independent checker of a suppression: it returns
// the IDs of secret cells that a reader could recompute from the published
// cells and the constraints (empty means the suppression is safe). It
// shares no decision logic with Suppress and its audit (only the field
// arithmetic of gf.go), so that a test pairing them can catch a flaw in
// either. It is unexported because it is a test oracle, not a second way
// to decide what may be published.
//
// It first does what a reader with a spreadsheet would: solve any equation
// with a single unknown and reuse the result in the others (chains across
// hierarchies), and subtract nested or overlapping equations whose unknowns
// are a subset of another's (a département total minus its zones except
// one). Whatever that misses, a complete test catches: Gaussian elimination
// over a prime field, per connected group of unknowns, on a dense matrix.
//
// Cells in secret are unknown; every other cell, whether in cells or only
// named by a constraint, is known. cells is therefore not read: whether a
// cell is determined depends only on which cells are secret, never on the
// counts. It is taken anyway so that a call reads like the Suppress call
// it checks.
func checkRecoverable(cells map[string]Cell, constraints []Constraint, secret map[string]Reason) []string {
	recovered := map[string]bool{}
	for _, id := range propagate(constraints, secret) {
		recovered[id] = true
	}
	for _, id := range eliminate(constraints, secret) {
		recovered[id] = true
	}
	out := make([]string, 0, len(recovered))
	for id := range recovered {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// linEq is an equation restricted to its unknown cells, with integer
// coefficients (the known side does not matter for determinedness).
type linEq map[string]int64

// constraintEq is c restricted to its secret cells; a cell that is both
// total and part cancels out and is dropped.
func constraintEq(c Constraint, secret map[string]Reason) linEq {
	e := linEq{}
	if _, ok := secret[c.Total]; ok {
		e[c.Total]++
	}
	for _, p := range c.Parts {
		if _, ok := secret[p]; ok {
			e[p]--
		}
	}
	for k, v := range e {
		if v == 0 {
			delete(e, k)
		}
	}
	return e
}

// constraintEqs returns the equations of the constraints that have an
// unknown.
func constraintEqs(constraints []Constraint, secret map[string]Reason) []linEq {
	var eqs []linEq
	for _, c := range constraints {
		if e := constraintEq(c, secret); len(e) > 0 {
			eqs = append(eqs, e)
		}
	}
	return eqs
}

// maxDerived bounds the subset-difference closure (it compares equations
// pairwise); the elimination phase is complete anyway, this only keeps the
// cheap phase cheap on large tables.
const maxDerived = 5000

// propagate is the spreadsheet reader: single-unknown equations and
// subset differences, iterated to a fixpoint.
func propagate(constraints []Constraint, secret map[string]Reason) []string {
	eqs := constraintEqs(constraints, secret)
	solved := map[string]bool{}
	var order []string
	for {
		// Solve every equation left with one unknown, and strike solved
		// cells from the others.
		for progress := true; progress; {
			progress = false
			for _, e := range eqs {
				for k := range e {
					if solved[k] {
						delete(e, k)
					}
				}
				if len(e) == 1 {
					for k := range e {
						solved[k] = true
						order = append(order, k)
						delete(e, k)
					}
					progress = true
				}
			}
		}
		live := eqs[:0]
		for _, e := range eqs {
			if len(e) > 0 {
				live = append(live, e)
			}
		}
		eqs = live
		if len(eqs) > maxDerived {
			return order // what it would derive would not be used
		}
		// Subset differences: if the unknowns of b are among those of a
		// with proportional coefficients, a - λb is a new equation on the
		// remaining unknowns.
		var derived []linEq
		seen := map[string]bool{}
		for _, e := range eqs {
			seen[eqKey(e)] = true
		}
		for i, a := range eqs {
			for j, b := range eqs {
				if i == j || len(b) == 0 || len(b) >= len(a) {
					continue
				}
				if d, ok := subsetDiff(a, b); ok && !seen[eqKey(d)] {
					seen[eqKey(d)] = true
					derived = append(derived, d)
				}
			}
		}
		if len(derived) == 0 {
			return order
		}
		eqs = append(eqs, derived...)
	}
}

// subsetDiff returns a - λb when b's unknowns are among a's with
// proportional coefficients, which is how a reader subtracts a zone total
// from the département total containing it; false when b does not fit in a
// or nothing remains.
func subsetDiff(a, b linEq) (linEq, bool) {
	var num, den int64 // λ = num/den, from the first shared unknown
	for k, vb := range b {
		va, ok := a[k]
		if !ok {
			return nil, false
		}
		if den == 0 {
			num, den = va, vb
		} else if va*den != num*vb {
			return nil, false
		}
	}
	// den·a - num·b keeps integer coefficients and cancels b's unknowns.
	d := linEq{}
	for k, va := range a {
		if _, ok := b[k]; !ok {
			d[k] = va * den
		}
	}
	return d, len(d) > 0
}

// eqKey is a canonical form of e, so that the closure does not derive the
// same equation twice (maps do not compare).
func eqKey(e linEq) string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&sb, "%s\x00%d\x00", k, e[k])
	}
	return sb.String()
}

// eliminate is the complete test: a secret cell is determined iff its unit
// vector lies in the row space of the equations restricted to the
// unknowns, i.e. its column is a pivot whose reduced row has no other
// unknown. Gauss-Jordan on sparse rows (maps from column to coefficient)
// with an index of the rows holding each column: a région's communes give
// one connected group of 100 000 unknowns, which a dense matrix could not
// hold. Unlike the audit, it knows nothing of published cells.
func eliminate(constraints []Constraint, secret map[string]Reason) []string {
	eqs := constraintEqs(constraints, secret)
	col := map[string]int{}
	var names []string
	for _, e := range eqs {
		for k := range e {
			if _, ok := col[k]; !ok {
				col[k] = len(names)
				names = append(names, k)
			}
		}
	}
	var rows []map[int]uint64
	pivotOf := map[int]int{}                    // column → its row
	holding := make([]map[int]bool, len(names)) // column → rows with it
	hold := func(c, r int) {
		if holding[c] == nil {
			holding[c] = map[int]bool{}
		}
		holding[c][r] = true
	}
	// sub sets row i to row i − f·row p, keeping holding exact.
	sub := func(i int, f uint64, p int) {
		for c, v := range rows[p] {
			nv := modSub(rows[i][c], modMul(f, v))
			if nv == 0 {
				delete(rows[i], c)
				delete(holding[c], i)
			} else {
				if _, had := rows[i][c]; !had {
					hold(c, i)
				}
				rows[i][c] = nv
			}
		}
	}
	for _, e := range eqs {
		r := len(rows)
		row := map[int]uint64{}
		for k, v := range e {
			if m := toMod(v); m != 0 {
				row[col[k]] = m
			}
		}
		rows = append(rows, row)
		for c := range row {
			hold(c, r)
		}
		// Clear the pivot columns the row has (pivot rows hold no other
		// pivot column, so subtracting them adds none).
		var pivs []int
		for c := range row {
			if _, ok := pivotOf[c]; ok {
				pivs = append(pivs, c)
			}
		}
		for _, c := range pivs {
			if f, ok := rows[r][c]; ok {
				sub(r, f, pivotOf[c])
			}
		}
		if len(rows[r]) == 0 {
			continue
		}
		// Pivot on the smallest column, for a result that does not depend
		// on map order; eliminate it from every other row holding it.
		piv := -1
		for c := range rows[r] {
			if piv < 0 || c < piv {
				piv = c
			}
		}
		inv := modInv(rows[r][piv])
		for c, v := range rows[r] {
			rows[r][c] = modMul(v, inv)
		}
		var others []int
		for i := range holding[piv] {
			if i != r {
				others = append(others, i)
			}
		}
		for _, i := range others {
			sub(i, rows[i][piv], r)
		}
		pivotOf[piv] = r
	}
	var out []string
	for c, r := range pivotOf {
		if len(rows[r]) == 1 {
			out = append(out, names[c])
		}
	}
	sort.Strings(out)
	return out
}
