package indicator

import (
	"math"
	"math/big"
	"math/rand"
	"testing"
)

// bigMod is the reference: the same operation on big integers.
func bigMod(x *big.Int) uint64 {
	return new(big.Int).Mod(x, big.NewInt(modP)).Uint64()
}

func TestModArithmetic(t *testing.T) {
	edges := []uint64{0, 1, 2, 3, 1 << 32, 1<<60 - 1, 1 << 60, modP - 2, modP - 1}
	var pairs [][2]uint64
	for _, a := range edges {
		for _, b := range edges {
			pairs = append(pairs, [2]uint64{a, b})
		}
	}
	rng := rand.New(rand.NewSource(61))
	for i := 0; i < 2000; i++ {
		pairs = append(pairs, [2]uint64{rng.Uint64() % modP, rng.Uint64() % modP})
	}
	for _, p := range pairs {
		a, b := p[0], p[1]
		A, B := new(big.Int).SetUint64(a), new(big.Int).SetUint64(b)
		for _, op := range []struct {
			name      string
			got, want uint64
		}{
			{"modMul", modMul(a, b), bigMod(new(big.Int).Mul(A, B))},
			{"modAdd", modAdd(a, b), bigMod(new(big.Int).Add(A, B))},
			{"modSub", modSub(a, b), bigMod(new(big.Int).Sub(A, B))},
			{"modNeg", modNeg(a), bigMod(new(big.Int).Neg(A))},
		} {
			if op.got != op.want {
				t.Fatalf("%s(%d, %d) = %d, want %d", op.name, a, b, op.got, op.want)
			}
		}
	}
}

func TestModInv(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	cands := []uint64{1, 2, 3, modP - 1, modP - 2, 1 << 60}
	for i := 0; i < 200; i++ {
		cands = append(cands, 1+rng.Uint64()%(modP-1))
	}
	for _, a := range cands {
		if got := modMul(a, modInv(a)); got != 1 {
			t.Fatalf("a·modInv(a) = %d for a = %d, want 1", got, a)
		}
	}
	if got := modInv(0); got != 0 {
		t.Errorf("modInv(0) = %d, want 0", got)
	}
}

func TestToMod(t *testing.T) {
	for _, v := range []int64{0, 1, -1, 2, -2, modP - 1, modP, modP + 1, -modP, math.MaxInt64, math.MinInt64} {
		if got, want := toMod(v), bigMod(big.NewInt(v)); got != want {
			t.Errorf("toMod(%d) = %d, want %d", v, got, want)
		}
	}
}

// dense expands a sparse row to n columns.
func dense(r []modTerm, n int) []uint64 {
	out := make([]uint64, n)
	for _, t := range r {
		out[t.col] = t.v
	}
	return out
}

func TestSparseRows(t *testing.T) {
	const n = 12
	rng := rand.New(rand.NewSource(3))
	randRow := func() []modTerm {
		var r []modTerm
		for c := 0; c < n; c++ {
			switch rng.Intn(3) {
			case 0:
				r = append(r, modTerm{c, 1 + rng.Uint64()%(modP-1)})
			case 1:
				r = append(r, modTerm{c, modP - 1}) // a part's -1, to make cancellations likely
			}
		}
		return r
	}
	for trial := 0; trial < 500; trial++ {
		x, y := randRow(), randRow()
		f := []uint64{0, 1, modP - 1, rng.Uint64() % modP}[trial%4]
		got := axpy(x, f, y)
		dx, dy, dg := dense(x, n), dense(y, n), dense(got, n)
		for c := 0; c < n; c++ {
			if want := modAdd(dx[c], modMul(f, dy[c])); dg[c] != want {
				t.Fatalf("trial %d: axpy column %d = %d, want %d", trial, c, dg[c], want)
			}
			if coefAt(x, c) != dx[c] {
				t.Fatalf("trial %d: coefAt(x, %d) = %d, want %d", trial, c, coefAt(x, c), dx[c])
			}
		}
		for i, term := range got {
			if term.v == 0 {
				t.Fatalf("trial %d: axpy kept a zero at column %d", trial, term.col)
			}
			if i > 0 && got[i-1].col >= term.col {
				t.Fatalf("trial %d: axpy result not sorted: %v", trial, got)
			}
		}
		s := scale(x, f)
		for c, v := range dense(s, n) {
			if v != modMul(dx[c], f) {
				t.Fatalf("trial %d: scale column %d = %d", trial, c, v)
			}
		}
		if len(x) > 0 && &s[0] == &x[0] {
			t.Fatalf("trial %d: scale modified its argument in place", trial)
		}
	}
}
