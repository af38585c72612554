package indicator

// Arithmetic modulo the Mersenne prime 2^61-1, for the audit and the
// checker. Exact arithmetic matters more than speed here: with floating
// point, rounding could make a determined cell look undetermined, and a
// recoverable small count would be published. The prime is large enough
// that the small integer systems of statistical tables keep their rank.

import (
	"math/bits"
	"sort"
)

const modP = 1<<61 - 1

// modTerm is one non-zero coefficient of a sparse row; the audit's rows
// touch a handful of the table's cells, so dense rows would waste memory
// quadratically.
type modTerm struct {
	col int
	v   uint64
}

// toMod maps an integer coefficient (the -1 of a part, or a multiplicity)
// into the field.
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

// modInv uses Fermat's little theorem, a^(p-2), rather than the extended
// Euclid algorithm: it needs no signed intermediate values and is only
// called once per pivot. modInv(0) is 0, so callers must not pivot on
// zero.
func modInv(a uint64) uint64 {
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

// coefAt returns the coefficient of col in a row sorted by column (0 when
// absent, as a sparse row omits zeros).
func coefAt(r []modTerm, col int) uint64 {
	i := sort.Search(len(r), func(i int) bool { return r[i].col >= col })
	if i < len(r) && r[i].col == col {
		return r[i].v
	}
	return 0
}

// axpy returns x + f·y for sparse rows sorted by column, dropping the
// coefficients that cancel so that a row's length keeps meaning its number
// of cells.
func axpy(x []modTerm, f uint64, y []modTerm) []modTerm {
	return axpyTo(make([]modTerm, 0, len(x)+len(y)), x, f, y)
}

// axpyTo is axpy appending to out, which must not share memory with x or y.
func axpyTo(out []modTerm, x []modTerm, f uint64, y []modTerm) []modTerm {
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

// scale returns f·r as a new row, leaving r untouched as axpy does.
func scale(r []modTerm, f uint64) []modTerm {
	out := make([]modTerm, len(r))
	for i, t := range r {
		out[i] = modTerm{t.col, modMul(t.v, f)}
	}
	return out
}
