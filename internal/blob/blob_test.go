package blob

import (
	"bytes"
	"compress/gzip"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
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
	if len(b.ETag) != 26 || b.GzipETag != strings.TrimSuffix(b.ETag, `"`)+`-gz"` || b.BrETag != strings.TrimSuffix(b.ETag, `"`)+`-br"` {
		t.Errorf("tags %s %s %s", b.ETag, b.GzipETag, b.BrETag)
	}
	back, err = io.ReadAll(brotli.NewReader(bytes.NewReader(b.Br)))
	if err != nil || !bytes.Equal(back, raw) || len(b.Br) >= len(raw) {
		t.Fatalf("brotli form (%d bytes) does not decompress to the body: %v", len(b.Br), err)
	}
	for e, want := range map[Encoding][2]string{Identity: {b.ETag, strconv.Itoa(len(raw))}, Gzip: {b.GzipETag, strconv.Itoa(len(b.Gzip))}, Brotli: {b.BrETag, strconv.Itoa(len(b.Br))}} {
		if tag, length := b.HeaderValues(e); len(tag) != 1 || tag[0] != want[0] || len(length) != 1 || length[0] != want[1] {
			t.Errorf("encoding %d: header values %q %q, want %q", e, tag, length, want)
		}
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
	if b, _ := NewIfSmaller(noise, 512); b.Gzip != nil || b.Br != nil || b.BrETag != "" {
		t.Errorf("incompressible body kept a gzip form of %d bytes, a br form of %d, for %d", len(b.Gzip), len(b.Br), len(b.Raw))
	}
	if b, _ := NewIfSmaller([]byte(strings.Repeat("a", 2048)), 512); b.Gzip == nil || b.Br == nil {
		t.Error("compressible body lost a compressed form")
	}
}
