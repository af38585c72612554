package blob

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
)

func TestNewCompressesAndTags(t *testing.T) {
	raw := []byte(strings.Repeat("territoire ", 100))
	b, err := New(raw)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b.Gzip))
	if err != nil {
		t.Fatal(err)
	}
	back, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(back, raw) {
		t.Fatalf("gzip form does not decompress to the body: %v", err)
	}
	if len(b.ETag) != 26 || b.GzipETag != strings.TrimSuffix(b.ETag, `"`)+`-gz"` {
		t.Errorf("tags %s %s", b.ETag, b.GzipETag)
	}
	again, _ := New(append([]byte(nil), raw...))
	if again.ETag != b.ETag {
		t.Error("the same bytes got another tag")
	}
	other, _ := New([]byte("autre"))
	if other.ETag == b.ETag {
		t.Error("other bytes got the same tag")
	}
	empty, err := New(nil)
	if err != nil || empty.Raw != nil || empty.Gzip != nil || empty.ETag != "" {
		t.Errorf("empty body %+v %v", empty, err)
	}
}

func TestNewIfSmaller(t *testing.T) {
	small, _ := NewIfSmaller([]byte("{}"), 512)
	if small.Gzip != nil || small.GzipETag != "" || small.ETag == "" {
		t.Errorf("small body %+v", small)
	}
	// Random-looking bytes do not shrink: no gzip form.
	noise := make([]byte, 2048)
	x := uint32(1)
	for i := range noise {
		x = x*1664525 + 1013904223
		noise[i] = byte(x >> 24)
	}
	if b, _ := NewIfSmaller(noise, 512); b.Gzip != nil {
		t.Errorf("incompressible body kept a gzip form of %d bytes for %d", len(b.Gzip), len(b.Raw))
	}
	if b, _ := NewIfSmaller([]byte(strings.Repeat("a", 2048)), 512); b.Gzip == nil {
		t.Error("compressible body lost its gzip form")
	}
}
