package indicator

import "sort"

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
