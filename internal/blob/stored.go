package blob

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
)

// FromGzip makes a Body from a body stored gzip-compressed (a tile read
// from an MBTiles or PMTiles file): the stored bytes are sent as they are
// to clients that accept gzip, never compressed again, and the ETags are
// those New gives the same content, so that a tile served from a file and
// the same tile served live are one representation for every cache. The
// brotli form is made here, as New makes it, once per cached tile.
func FromGzip(gz []byte) (*Body, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("blob: stored body: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("blob: stored body: %w", err)
	}
	br, err := compressBrotli(raw)
	if err != nil {
		return nil, fmt.Errorf("blob: stored body: %w", err)
	}
	b := &Body{Raw: raw, Gzip: gz, Br: br}
	b.ETag, b.GzipETag, b.BrETag = tags(raw)
	return b.ready(), nil
}
