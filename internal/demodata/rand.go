package demodata

import (
	"hash/fnv"
	"math"
)

// stream is a SplitMix64 generator. It is written here rather than taken
// from math/rand so that the demo figures of a seed can never change with
// the Go release.
type stream struct{ s uint64 }

// newStream returns the stream named by key under seed: the same (seed,
// key) always gives the same numbers, and different keys give unrelated
// ones.
func newStream(seed int64, key ...string) *stream {
	h := fnv.New64a()
	for _, k := range key {
		h.Write([]byte(k))
		h.Write([]byte{0})
	}
	st := &stream{s: uint64(seed) ^ h.Sum64()}
	st.next() // mix the seed once so that nearby keys start far apart
	return st
}

func (r *stream) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// float returns a uniform number in [0, 1).
func (r *stream) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// norm returns a standard normal number (Box–Muller).
func (r *stream) norm() float64 {
	u := 1 - r.float() // (0, 1]
	v := r.float()
	return math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*v)
}

// lognorm returns exp(sigma·Z): a multiplicative effect of median 1.
func (r *stream) lognorm(sigma float64) float64 { return math.Exp(sigma * r.norm()) }

// poisson draws a Poisson count of mean lambda: by multiplication of
// uniforms for small means, by a rounded normal approximation above 50,
// where it is indistinguishable for demonstration purposes.
func (r *stream) poisson(lambda float64) int {
	if lambda <= 0 || math.IsNaN(lambda) {
		return 0
	}
	if lambda > 50 {
		n := math.Round(lambda + math.Sqrt(lambda)*r.norm())
		if n < 0 {
			return 0
		}
		return int(n)
	}
	l := math.Exp(-lambda)
	k, p := 0, 1.0
	for {
		p *= r.float()
		if p <= l {
			return k
		}
		k++
	}
}
