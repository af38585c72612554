// Package blob holds encoded response bodies ready to send: the bytes, their
// gzip form and strong ETags for both, computed once. Tiles, computed maps,
// the front end's files and later exports are all such bodies, kept in one
// kind of byte-bounded cache.
package blob

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"sync"
)

// Body is an encoded body with everything HTTP needs to send it. A Body is
// immutable once made.
type Body struct {
	Raw      []byte // the body; nil for an empty one (an empty tile)
	Gzip     []byte // the same, gzip-compressed; nil when not worth it
	ETag     string // strong, of Raw
	GzipETag string // strong: Raw's with a -gz suffix (another representation, another tag)
}

// Size is the memory a cached body holds.
func (b *Body) Size() int64 { return int64(len(b.Raw) + len(b.Gzip) + 128) }

// gzipWriters recycles compressors: each holds about 800 kB of state at
// the best compression level, which a body of a few kB should not allocate.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestCompression)
	return zw
}}

// New compresses raw and computes its ETags; raw nil is an empty body.
func New(raw []byte) (*Body, error) {
	b := &Body{Raw: raw}
	if raw == nil {
		return b, nil
	}
	var buf bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(&buf)
	if _, err := zw.Write(raw); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	b.Gzip = buf.Bytes()
	h := sha256.Sum256(raw)
	tag := hex.EncodeToString(h[:12])
	b.ETag = `"` + tag + `"`
	b.GzipETag = `"` + tag + `-gz"`
	return b, nil
}

// NewIfSmaller is New for bodies that may not gain from compression (small
// files, images): the gzip form is kept only when it is smaller, and bodies
// of at most minSize bytes are not compressed at all.
func NewIfSmaller(raw []byte, minSize int) (*Body, error) {
	if len(raw) <= minSize {
		h := sha256.Sum256(raw)
		return &Body{Raw: raw, ETag: `"` + hex.EncodeToString(h[:12]) + `"`}, nil
	}
	b, err := New(raw)
	if err != nil {
		return nil, err
	}
	if len(b.Gzip) >= len(b.Raw) {
		b.Gzip, b.GzipETag = nil, ""
	}
	return b, nil
}
