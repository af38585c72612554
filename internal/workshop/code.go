package workshop

import (
	"crypto/rand"
	"math/big"
	"strings"
)

// codeAlphabet is what a join code is made of: capitals and digits with
// no look-alikes when read aloud or off a projector (no 0/O, 1/I/L, 2/Z,
// 5/S, 8/B). 25^6 ≈ 244 million codes.
const codeAlphabet = "ACDEFGHJKMNPQRTUVWXY34679"

// CodeLength is the number of characters of a join code.
const CodeLength = 6

// newCode draws a join code.
func newCode() (string, error) {
	b := make([]byte, CodeLength)
	max := big.NewInt(int64(len(codeAlphabet)))
	for i := range b {
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", err
		}
		b[i] = codeAlphabet[n.Int64()]
	}
	return string(b), nil
}

// NormaliseCode reads a code as typed: case and spaces do not matter, and
// it reports whether the result can be a join code at all.
func NormaliseCode(s string) (string, bool) {
	c := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	if len(c) != CodeLength {
		return c, false
	}
	for _, r := range c {
		if !strings.ContainsRune(codeAlphabet, r) {
			return c, false
		}
	}
	return c, true
}
