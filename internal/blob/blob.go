// Package blob holds encoded response bodies ready to send: the bytes, their
// gzip and brotli forms and strong ETags for each, computed once. Tiles, computed maps,
// the front end's files and later exports are all such bodies, kept in one
// kind of byte-bounded cache.
package blob

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"sync"

	"github.com/andybalholm/brotli"
)

// Body is an encoded body with everything HTTP needs to send it. A Body is
// immutable once made.
type Body struct {
	Raw      []byte // the body; nil for an empty one (an empty tile)
	Gzip     []byte // the same, gzip-compressed; nil when not worth it
	Br       []byte // the same, brotli-compressed; nil when not worth it or not made
	ETag     string // strong, of Raw
	GzipETag string // strong: Raw's with a -gz suffix (another representation, another tag)
	BrETag   string // strong: Raw's with a -br suffix

	// hv holds the header values of each form, made once with the body so
	// that sending it allocates none (nil for a Body built as a literal).
	hv *[numEncodings]headerValues
}

// Encoding is a content coding a body is sent in.
type Encoding uint8

// The content codings of a body, in the order they are preferred when a
// client accepts several equally.
const (
	Identity Encoding = iota
	Gzip
	Brotli
	numEncodings
)

// headerValues are the ETag and Content-Length values of one form.
type headerValues struct{ etag, length []string }

// Form is the bytes and ETag of one encoding of the body; nil bytes when
// the body has no such form (or is empty).
func (b *Body) Form(e Encoding) (body []byte, etag string) {
	switch e {
	case Gzip:
		return b.Gzip, b.GzipETag
	case Brotli:
		return b.Br, b.BrETag
	}
	return b.Raw, b.ETag
}

// HeaderValues are the ETag and Content-Length header values of a form,
// ready to be assigned to an http.Header: shared, never to be modified.
func (b *Body) HeaderValues(e Encoding) (etag, length []string) {
	if b.hv != nil && e < numEncodings {
		hv := &b.hv[e]
		return hv.etag, hv.length
	}
	body, tag := b.Form(e)
	return []string{tag}, []string{strconv.Itoa(len(body))}
}

// ready makes the header values of every form; a Body is immutable after.
func (b *Body) ready() *Body {
	var hv [numEncodings]headerValues
	for e := range numEncodings {
		if body, tag := b.Form(e); body != nil {
			hv[e] = headerValues{etag: []string{tag}, length: []string{strconv.Itoa(len(body))}}
		}
	}
	b.hv = &hv
	return b
}

// Size is the memory a cached body holds: its forms, its own fields and
// the header values made with it.
func (b *Body) Size() int64 {
	n := int64(len(b.Raw) + len(b.Gzip) + len(b.Br) + 128)
	if b.hv != nil {
		n += headerValuesSize
	}
	return n
}

// headerValuesSize is about what ready allocates: the array, six one-value
// slices and three lengths' digits.
const headerValuesSize = 256

// BrotliLevel is the brotli quality of every body: bodies are compressed
// once, when cached, but on a cold request's path. Measured on the demo's
// tiles and maps, quality 5 is 2 to 4 % smaller than gzip's best and
// faster than it; 8 gains under 1 % more at five times the cost; 11 is 10
// (tiles) to 27 % (JSON maps) smaller than gzip but takes about 80 ms per
// 40 kB tile, 1 s for a région's communes map, in pure Go.
const BrotliLevel = 5

// BrotliWindow is the log2 of brotli's window: 256 kB covers a tile or a
// map whole; the default (4 MB at this quality) would only hold memory in
// every pooled compressor.
const BrotliWindow = 18

// brotliWriters recycles brotli compressors and their window.
var brotliWriters = sync.Pool{New: func() any {
	return brotli.NewWriterOptions(nil, brotli.WriterOptions{Quality: BrotliLevel, LGWin: BrotliWindow})
}}

// compressBrotli is raw at BrotliLevel.
func compressBrotli(raw []byte) ([]byte, error) {
	var buf bytes.Buffer
	bw := brotliWriters.Get().(*brotli.Writer)
	defer brotliWriters.Put(bw)
	bw.Reset(&buf)
	if _, err := bw.Write(raw); err != nil {
		return nil, err
	}
	if err := bw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// tags are the strong ETags of raw's representations.
func tags(raw []byte) (identity, gz, br string) {
	h := sha256.Sum256(raw)
	tag := hex.EncodeToString(h[:12])
	return `"` + tag + `"`, `"` + tag + `-gz"`, `"` + tag + `-br"`
}

// gzipWriters recycles compressors: each holds about 800 kB of state at
// the best compression level, which a body of a few kB should not allocate.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestCompression)
	return zw
}}

// New compresses raw (gzip and brotli) and computes its ETags; raw nil is
// an empty body.
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
	br, err := compressBrotli(raw)
	if err != nil {
		return nil, err
	}
	b.Br = br
	b.ETag, b.GzipETag, b.BrETag = tags(raw)
	return b.ready(), nil
}

// NewIfSmaller is New for bodies that may not gain from compression (small
// files, images): each compressed form is kept only when it is smaller,
// and bodies of at most minSize bytes are not compressed at all.
func NewIfSmaller(raw []byte, minSize int) (*Body, error) {
	if len(raw) <= minSize {
		tag, _, _ := tags(raw)
		return (&Body{Raw: raw, ETag: tag}).ready(), nil
	}
	b, err := New(raw)
	if err != nil {
		return nil, err
	}
	if len(b.Gzip) >= len(b.Raw) {
		b.Gzip, b.GzipETag = nil, ""
	}
	if len(b.Br) >= len(b.Raw) {
		b.Br, b.BrETag = nil, ""
	}
	return b.ready(), nil
}
