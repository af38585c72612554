package indicator

import "sort"

// determination is a hidden cell that the published cells pin down, with
// the published cells its derivation uses.
type determination struct {
	cell  int
	known []int
}

// audit returns the hidden present cells determined by the equations,
// sorted by cell index, computing the echelon form from scratch (see
// echelon). Suppress keeps one echelon form and updates it as it hides
// cells instead.
func (t *table) audit() []determination {
	return newEchelon(t).determined()
}

// echelon is the reduced row echelon form of a table's constraint system
// over GF(p), pivoting only on hidden cells. A hidden cell is determined
// exactly when its pivot row contains no other hidden cell, and the
// published cells left in that row are the derivation. Arithmetic modulo
// a 61-bit prime is exact (no rounding can make a determined cell look
// undetermined); the coefficients are small integers, so rank over GF(p)
// equals rank over the rationals unless p divides one of the system's
// minors, which is not a practical concern.
//
// Why incremental: on a région's communes (160 000 cells per period,
// 50 000 equations) one elimination takes tens of seconds, and Suppress
// used to redo it after every round of complements, although a round only
// hides a few dozen cells. Hiding a published cell c changes the form
// locally, and keeps it exact:
//
//   - the rows with no hidden cell (relations among published cells, kept
//     in rest for that purpose) may contain c: one of them becomes the
//     pivot row of c, and c is eliminated from every other row;
//   - otherwise c only appears as a published cell of pivot rows, where it
//     becomes one more hidden cell (a free column), which is all it takes
//     for those rows to stop determining their pivot.
//
// Either way the rows still span the system, their hidden parts stay
// independent and every pivot column appears in its row only, so the
// determination criterion above still holds.
type echelon struct {
	t     *table
	rows  [][]modTerm // sorted by column; nil once a rest row is promoted
	pivot []int       // pivot column of each row, -1 for a rest row
	// pivotRow[col] is the row whose pivot col is, -1 for none.
	pivotRow []int
	// rowsWith[col] lists the rows that have, or once had, a coefficient
	// on col, so that a column is eliminated from those rows only, not
	// from all of them. Entries may be stale after a cancellation:
	// coefAt decides.
	rowsWith [][]int
	// dirty rows changed, or saw one of their cells hidden, since the
	// last call to changed: only they can have started determining their
	// pivot.
	dirty     []bool
	dirtyRows []int
	// acc, set and cols are reduce's scratch row, kept between calls.
	acc     []uint64
	set     []bool
	cols    []int
	scratch []modTerm // update's
	// seen[row] == stamp marks the rows hold has kept in this compaction.
	seen  []int
	stamp int
}

// touch marks row b for the next call to changed.
func (e *echelon) touch(b int) {
	if !e.dirty[b] {
		e.dirty[b] = true
		e.dirtyRows = append(e.dirtyRows, b)
	}
}

// newEchelon eliminates every constraint of t in order.
func newEchelon(t *table) *echelon {
	e := &echelon{t: t, pivotRow: make([]int, len(t.ids)), rowsWith: make([][]int, len(t.ids))}
	for i := range e.pivotRow {
		e.pivotRow[i] = -1
	}
	for _, eq := range t.eqs {
		if len(eq) == 0 {
			continue
		}
		r := make([]modTerm, len(eq))
		for i, term := range eq {
			r[i] = modTerm{term.col, toMod(term.v)}
		}
		e.insert(r)
	}
	return e
}

// insert reduces r against the pivots and adds it, as a pivot row on its
// first hidden cell or, without one, as a rest row.
func (e *echelon) insert(r []modTerm) {
	r = e.reduce(r)
	if len(r) == 0 {
		return // a combination of the rows already there
	}
	piv := -1
	for _, term := range r {
		if e.t.hidden[term.col] {
			piv = term.col
			break
		}
	}
	b := e.add(r, -1)
	if piv >= 0 {
		e.promote(b, piv)
	}
}

// reduce returns r minus the multiples of the pivot rows that zero its
// pivot columns. Pivot rows are zero on every other pivot column, so the
// pivots to clear are those of r before reduction, in any order. The sum
// accumulates in a dense scratch row (acc, with the list of columns set):
// a row of a département's equation meets hundreds of pivots, and a new
// sparse row per step was most of the audit's allocation.
func (e *echelon) reduce(r []modTerm) []modTerm {
	if e.acc == nil {
		e.acc = make([]uint64, len(e.t.ids))
		e.set = make([]bool, len(e.t.ids))
	}
	cols := e.cols[:0]
	put := func(col int, v uint64) {
		if !e.set[col] {
			e.set[col] = true
			cols = append(cols, col)
		}
		e.acc[col] = modAdd(e.acc[col], v)
	}
	for _, term := range r {
		put(term.col, term.v)
	}
	for _, term := range r {
		b := e.pivotRow[term.col]
		if b < 0 {
			continue
		}
		if f := e.acc[term.col]; f != 0 {
			nf := modNeg(f)
			for _, bt := range e.rows[b] {
				put(bt.col, modMul(nf, bt.v))
			}
		}
	}
	sort.Ints(cols)
	out := make([]modTerm, 0, len(cols))
	for _, col := range cols {
		if v := e.acc[col]; v != 0 {
			out = append(out, modTerm{col, v})
		}
		e.acc[col], e.set[col] = 0, false
	}
	e.cols = cols
	return out
}

// add appends a row with its pivot (-1 for none) and indexes its columns.
func (e *echelon) add(r []modTerm, piv int) int {
	b := len(e.rows)
	e.rows = append(e.rows, r)
	e.pivot = append(e.pivot, piv)
	e.dirty = append(e.dirty, false)
	e.touch(b)
	for _, term := range r {
		e.hold(term.col, b)
	}
	return b
}

// hold records that row b has a coefficient on col. Before a list grows,
// its stale entries (rows that lost col to a cancellation, or repeats) are
// dropped, so that the lists stay about as long as the column's rows.
func (e *echelon) hold(col, b int) {
	l := e.rowsWith[col]
	if len(l) == cap(l) && len(l) >= 8 {
		e.stamp++
		for len(e.seen) < len(e.rows) {
			e.seen = append(e.seen, 0)
		}
		e.seen[b] = e.stamp
		kept := l[:0]
		for _, i := range l {
			if e.seen[i] != e.stamp && coefAt(e.rows[i], col) != 0 {
				e.seen[i] = e.stamp
				kept = append(kept, i)
			}
		}
		l = kept
	}
	e.rowsWith[col] = append(l, b)
}

// promote makes row b the pivot row of col: scaled to 1 on col, and col
// eliminated from every other row.
func (e *echelon) promote(b, col int) {
	r := scale(e.rows[b], modInv(coefAt(e.rows[b], col)))
	e.rows[b] = r
	e.pivot[b] = col
	e.touch(b)
	for _, i := range e.rowsWith[col] {
		if i == b {
			continue
		}
		if f := coefAt(e.rows[i], col); f != 0 {
			e.update(i, modNeg(f), r)
			e.touch(i)
		}
	}
	e.rowsWith[col] = []int{b}
	e.pivotRow[col] = b
}

// update sets row i to row i + f·r, in place when its capacity allows: the
// merge goes through a scratch row first, since the result interleaves
// both. Columns the row gains are indexed.
func (e *echelon) update(i int, f uint64, r []modTerm) {
	old := e.rows[i]
	e.scratch = axpyTo(e.scratch[:0], old, f, r)
	e.indexGained(i, old, e.scratch)
	n := len(e.scratch)
	if cap(old) < n {
		old = make([]modTerm, n, n+n/2)
	}
	old = old[:n]
	copy(old, e.scratch)
	e.rows[i] = old
}

// hide updates the form after cell c, published until now, was hidden
// (the caller has set t.hidden[c]).
func (e *echelon) hide(c int) {
	for _, i := range e.rowsWith[c] {
		e.touch(i)
	}
	for _, i := range e.rowsWith[c] {
		if e.pivot[i] < 0 && coefAt(e.rows[i], c) != 0 {
			e.promote(i, c)
			return
		}
	}
}

// indexGained records the columns that row b gained when it went from old
// to cur (both sorted by column).
func (e *echelon) indexGained(b int, old, cur []modTerm) {
	i := 0
	for _, term := range cur {
		for i < len(old) && old[i].col < term.col {
			i++
		}
		if i < len(old) && old[i].col == term.col {
			continue
		}
		e.hold(term.col, b)
	}
}

// determined returns the hidden present cells whose pivot row holds no
// other hidden cell, with the published cells of that row, sorted by cell.
func (e *echelon) determined() []determination {
	for b := range e.rows {
		e.touch(b)
	}
	return e.changed()
}

// changed is determined restricted to the rows touched since its last
// call: a row nothing touched determines what it determined then, and
// Suppress has already dealt with it.
func (e *echelon) changed() []determination {
	var out []determination
	for _, b := range e.dirtyRows {
		e.dirty[b] = false
		col := e.pivot[b]
		if col < 0 || !e.t.present[col] {
			continue
		}
		alone := true
		for _, term := range e.rows[b] {
			if term.col != col && e.t.hidden[term.col] {
				alone = false
				break
			}
		}
		if !alone {
			continue
		}
		d := determination{cell: col}
		for _, term := range e.rows[b] {
			if term.col != col {
				d.known = append(d.known, term.col)
			}
		}
		out = append(out, d)
	}
	e.dirtyRows = e.dirtyRows[:0]
	sort.Slice(out, func(i, j int) bool { return out[i].cell < out[j].cell })
	return out
}
