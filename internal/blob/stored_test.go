package blob

import (
	"bytes"
	"testing"
)

// TestFromGzip: a body made from its stored gzip form keeps those bytes
// and has the ETags New gives the same content.
func TestFromGzip(t *testing.T) {
	raw := bytes.Repeat([]byte("tuile vectorielle "), 100)
	live, err := New(raw)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := FromGzip(live.Gzip)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(stored.Raw, raw) || !bytes.Equal(stored.Gzip, live.Gzip) {
		t.Fatal("content changed")
	}
	if !bytes.Equal(stored.Br, live.Br) || stored.BrETag != live.BrETag {
		t.Fatal("brotli form differs from the live one")
	}
	if stored.ETag != live.ETag || stored.GzipETag != live.GzipETag {
		t.Fatalf("ETags %s %s, live %s %s", stored.ETag, stored.GzipETag, live.ETag, live.GzipETag)
	}
	for _, bad := range [][]byte{raw, {0x1f, 0x8b, 8, 0}, nil} {
		if _, err := FromGzip(bad); err == nil {
			t.Errorf("FromGzip(% x…) accepted", bad[:min(len(bad), 4)])
		}
	}
}
