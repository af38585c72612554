package indicator

import (
	"fmt"
	"math"
	"math/bits"
	"sort"
	"strings"
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
	hide := func(i int) {
		t.hidden[i] = true
		secret[t.ids[i]] = ReasonSecondary
	}
	unfixable := map[int]bool{}
	for {
		t.classicPass(hide)
		determined := t.audit()
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
	}
}

// table is the indexed form of cells and constraints shared by Suppress
// and CheckRecoverable: cell i has ids[i]; equations are over indices.
type table struct {
	ids     []string
	index   map[string]int
	present []bool // in the cell map; absent cells are known to the reader
	count   []float64
	hidden  []bool
	cons    []tableConstraint
}

type tableConstraint struct {
	total int
	parts []int
}

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
	return t
}

// equation returns the constraint as sparse coefficients (total +1, each
// part -1) over cell indices, zero coefficients removed.
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

// classicPass applies the one-equation rule until it changes nothing.
func (t *table) classicPass(hide func(int)) {
	for changed := true; changed; {
		changed = false
		for _, tc := range t.cons {
			e := tc.equation()
			unknown := -1
			n := 0
			for k := range e {
				if t.hidden[k] {
					n++
					unknown = k
				}
			}
			if n != 1 || !t.present[unknown] {
				continue
			}
			if c := t.complement(tc, unknown, e); c >= 0 {
				hide(c)
				changed = true
			}
		}
	}
}

// complement picks the cell to hide next to the lone secret cell of a
// constraint; -1 if there is none.
func (t *table) complement(tc tableConstraint, secret int, e map[int]int64) int {
	usable := func(i int) bool { return i != secret && t.present[i] && !t.hidden[i] && e[i] != 0 }
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

// determination is a hidden cell that the published cells pin down, with
// the published cells its derivation uses.
type determination struct {
	cell  int
	known []int
}

// audit returns the hidden present cells determined by the equations,
// sorted by cell index. It computes the reduced row echelon form of the
// constraint system over GF(p), pivoting only on hidden cells: a hidden
// cell is determined exactly when its pivot row contains no other hidden
// cell, and the published cells left in that row are the derivation.
// Arithmetic modulo a 61-bit prime is exact (no rounding can make a
// determined cell look undetermined); the coefficients are small integers,
// so rank over GF(p) equals rank over the rationals unless p divides one of
// the system's minors, which is not a practical concern.
func (t *table) audit() []determination {
	type row []modTerm
	var basis []row
	pivotOf := map[int]int{} // hidden column → basis row
	for _, tc := range t.cons {
		e := tc.equation()
		hasHidden := false
		r := make(row, 0, len(e))
		for k, v := range e {
			r = append(r, modTerm{k, toMod(v)})
			hasHidden = hasHidden || t.hidden[k]
		}
		if !hasHidden {
			continue
		}
		sort.Slice(r, func(i, j int) bool { return r[i].col < r[j].col })
		// Basis rows are zero on every other pivot column, so pivots of
		// r can only be the ones present before reduction.
		for _, term := range append(row(nil), r...) {
			if b, ok := pivotOf[term.col]; ok {
				f := coefAt(r, term.col)
				if f != 0 {
					r = axpy(r, modNeg(f), basis[b])
				}
			}
		}
		piv := -1
		for _, term := range r {
			if t.hidden[term.col] {
				piv = term.col
				break
			}
		}
		if piv < 0 {
			continue // adds nothing about hidden cells
		}
		r = scale(r, modInv(coefAt(r, piv)))
		for i, b := range basis {
			if f := coefAt(b, piv); f != 0 {
				basis[i] = axpy(b, modNeg(f), r)
			}
		}
		pivotOf[piv] = len(basis)
		basis = append(basis, r)
	}
	var out []determination
	for col, b := range pivotOf {
		if !t.present[col] {
			continue
		}
		d := determination{cell: col}
		alone := true
		for _, term := range basis[b] {
			switch {
			case term.col == col:
			case t.hidden[term.col]:
				alone = false
			default:
				d.known = append(d.known, term.col)
			}
		}
		if alone {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].cell < out[j].cell })
	return out
}

// CheckRecoverable is the independent checker of a suppression: it returns
// the IDs of secret cells that a reader could recompute from the published
// cells and the constraints (empty means the suppression is safe). It
// shares no decision logic with Suppress, so that a test pairing them can
// catch a flaw in either.
//
// It first does what a reader with a spreadsheet would: solve any equation
// with a single unknown and reuse the result in the others (chains across
// hierarchies), and subtract nested or overlapping equations whose unknowns
// are a subset of another's (a département total minus its zones except
// one). Whatever that misses, a complete test catches: Gaussian elimination
// over a prime field, per connected group of unknowns, on a dense matrix.
// Cells in secret are unknown; every other cell, present in cells or only
// named by a constraint, is known. Only membership in cells matters, not
// the counts: whether a cell is determined does not depend on the values.
func CheckRecoverable(cells map[string]Cell, constraints []Constraint, secret map[string]Reason) []string {
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
		if len(derived) == 0 || len(eqs) > maxDerived {
			return order
		}
		eqs = append(eqs, derived...)
	}
}

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
// unknown. Done per connected group of unknowns on a dense matrix.
func eliminate(constraints []Constraint, secret map[string]Reason) []string {
	eqs := constraintEqs(constraints, secret)
	// Union-find over unknowns linked by an equation.
	parent := map[string]string{}
	var find func(string) string
	find = func(x string) string {
		if parent[x] == x {
			return x
		}
		parent[x] = find(parent[x])
		return parent[x]
	}
	for _, e := range eqs {
		var first string
		for k := range e {
			if _, ok := parent[k]; !ok {
				parent[k] = k
			}
			if first == "" {
				first = k
			} else {
				parent[find(k)] = find(first)
			}
		}
	}
	groups := map[string][]linEq{}
	for _, e := range eqs {
		for k := range e {
			r := find(k)
			groups[r] = append(groups[r], e)
			break
		}
	}
	var out []string
	for _, g := range groups {
		cols := map[string]int{}
		var names []string
		for _, e := range g {
			for k := range e {
				if _, ok := cols[k]; !ok {
					cols[k] = -1
					names = append(names, k)
				}
			}
		}
		sort.Strings(names)
		for i, n := range names {
			cols[n] = i
		}
		m := make([][]uint64, len(g))
		for i, e := range g {
			m[i] = make([]uint64, len(names))
			for k, v := range e {
				m[i][cols[k]] = toMod(v)
			}
		}
		// Reduced row echelon form, Gauss-Jordan.
		pivRow := make([]int, len(names))
		for j := range pivRow {
			pivRow[j] = -1
		}
		r := 0
		for j := 0; j < len(names) && r < len(m); j++ {
			p := -1
			for i := r; i < len(m); i++ {
				if m[i][j] != 0 {
					p = i
					break
				}
			}
			if p < 0 {
				continue
			}
			m[r], m[p] = m[p], m[r]
			inv := modInv(m[r][j])
			for c := j; c < len(names); c++ {
				m[r][c] = modMul(m[r][c], inv)
			}
			for i := range m {
				if i == r || m[i][j] == 0 {
					continue
				}
				f := m[i][j]
				for c := j; c < len(names); c++ {
					if m[r][c] != 0 {
						m[i][c] = modSub(m[i][c], modMul(f, m[r][c]))
					}
				}
			}
			pivRow[j] = r
			r++
		}
		for j, pr := range pivRow {
			if pr < 0 {
				continue
			}
			alone := true
			for c := range names {
				if c != j && m[pr][c] != 0 {
					alone = false
					break
				}
			}
			if alone {
				out = append(out, names[j])
			}
		}
	}
	sort.Strings(out)
	return out
}

// Arithmetic modulo the Mersenne prime 2^61-1: exact, and large enough
// that the small integer systems of statistical tables keep their rank.

const modP = 1<<61 - 1

type modTerm struct {
	col int
	v   uint64
}

func toMod(v int64) uint64 {
	r := v % modP
	if r < 0 {
		r += modP
	}
	return uint64(r)
}

func modMul(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	// a·b < 2^122; split at bit 61 and fold, since 2^61 ≡ 1.
	r := (hi<<3 | lo>>61) + lo&modP
	if r >= modP {
		r -= modP
	}
	return r
}

func modAdd(a, b uint64) uint64 {
	r := a + b
	if r >= modP {
		r -= modP
	}
	return r
}

func modSub(a, b uint64) uint64 { return modAdd(a, modNeg(b)) }

func modNeg(a uint64) uint64 {
	if a == 0 {
		return 0
	}
	return modP - a
}

func modInv(a uint64) uint64 {
	// Fermat: a^(p-2).
	r, e := uint64(1), uint64(modP-2)
	for e > 0 {
		if e&1 == 1 {
			r = modMul(r, a)
		}
		a = modMul(a, a)
		e >>= 1
	}
	return r
}

func coefAt(r []modTerm, col int) uint64 {
	i := sort.Search(len(r), func(i int) bool { return r[i].col >= col })
	if i < len(r) && r[i].col == col {
		return r[i].v
	}
	return 0
}

// axpy returns x + f·y for sparse rows sorted by column.
func axpy(x []modTerm, f uint64, y []modTerm) []modTerm {
	out := make([]modTerm, 0, len(x)+len(y))
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case j == len(y) || (i < len(x) && x[i].col < y[j].col):
			out = append(out, x[i])
			i++
		case i == len(x) || y[j].col < x[i].col:
			if v := modMul(f, y[j].v); v != 0 {
				out = append(out, modTerm{y[j].col, v})
			}
			j++
		default:
			if v := modAdd(x[i].v, modMul(f, y[j].v)); v != 0 {
				out = append(out, modTerm{x[i].col, v})
			}
			i++
			j++
		}
	}
	return out
}

func scale(r []modTerm, f uint64) []modTerm {
	out := make([]modTerm, len(r))
	for i, t := range r {
		out[i] = modTerm{t.col, modMul(t.v, f)}
	}
	return out
}
