package blob

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
)

// FromGzip makes a Body from a body stored gzip-compressed (a tile read
// from an MBTiles or PMTiles file): the stored bytes are sent as they are
// to clients that accept gzip, never compressed again, and the ETags are
// those New gives the same content, so that a tile served from a file and
// the same tile served live are one representation for every cache.
func FromGzip(gz []byte) (*Body, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("blob: stored body: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("blob: stored body: %w", err)
	}
	h := sha256.Sum256(raw)
	tag := hex.EncodeToString(h[:12])
	return &Body{Raw: raw, Gzip: gz, ETag: `"` + tag + `"`, GzipETag: `"` + tag + `-gz"`}, nil
}
