// Package auth makes and checks the bearer tokens of the workshops: random
// secrets handed out once, kept only as hashes, compared in constant time.
// No token is ever logged or stored in the clear.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strings"
)

// tokenBytes is the entropy of a token: 256 bits, far beyond guessing.
const tokenBytes = 32

// Token is a secret as handed to its holder.
type Token string

// Hash is what is stored of a token: its SHA-256. A stolen table of hashes
// gives no token (the tokens are random, not passwords).
type Hash []byte

// New makes a token and its hash, prefixed (e.g. "f" for a facilitator,
// "p7" for participant 7) so that the holder can be found before the
// secret is compared.
func New(prefix string) (Token, Hash, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	t := Token(prefix + "_" + base64.RawURLEncoding.EncodeToString(b))
	return t, HashOf(t), nil
}

// HashOf is the stored form of a token.
func HashOf(t Token) Hash {
	h := sha256.Sum256([]byte(t))
	return h[:]
}

// Verify tells whether t is the token of h, in constant time.
func Verify(t Token, h Hash) bool {
	if t == "" || len(h) != sha256.Size {
		return false
	}
	return subtle.ConstantTimeCompare(HashOf(t), h) == 1
}

// Prefix returns the prefix a token was made with.
func Prefix(t Token) (string, error) {
	p, secret, ok := strings.Cut(string(t), "_")
	if !ok || p == "" || len(secret) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return "", errors.New("malformed token")
	}
	return p, nil
}

// String hides the token, so that a token printed by mistake (a log line,
// an error) shows nothing.
func (t Token) String() string { return "[token]" }

// Secret is the token itself, for the one place it is handed out.
func (t Token) Secret() string { return string(t) }
