package pmtiles

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"testing"
)

// TestTileIDSpecExamples: the TileID table of the spec (§4.1), and the
// inverse over every tile up to zoom 8: consecutive ids, no gap.
func TestTileIDSpecExamples(t *testing.T) {
	for _, tc := range []struct {
		z    uint8
		x, y uint32
		id   uint64
	}{
		{0, 0, 0, 0},
		{1, 0, 0, 1},
		{1, 0, 1, 2},
		{1, 1, 1, 3},
		{1, 1, 0, 4},
		{2, 0, 0, 5},
		{12, 3423, 1763, 19078479},
	} {
		if got := ZXYToID(tc.z, tc.x, tc.y); got != tc.id {
			t.Errorf("ZXYToID(%d, %d, %d) = %d, want %d", tc.z, tc.x, tc.y, got, tc.id)
		}
		if z, x, y := IDToZXY(tc.id); z != tc.z || x != tc.x || y != tc.y {
			t.Errorf("IDToZXY(%d) = %d/%d/%d, want %d/%d/%d", tc.id, z, x, y, tc.z, tc.x, tc.y)
		}
	}
	seen := map[uint64]bool{}
	for z := uint8(0); z <= 8; z++ {
		for x := uint32(0); x < 1<<z; x++ {
			for y := uint32(0); y < 1<<z; y++ {
				id := ZXYToID(z, x, y)
				if seen[id] {
					t.Fatalf("id %d given twice", id)
				}
				seen[id] = true
				if bz, bx, by := IDToZXY(id); bz != z || bx != x || by != y {
					t.Fatalf("IDToZXY(ZXYToID(%d/%d/%d)) = %d/%d/%d", z, x, y, bz, bx, by)
				}
			}
		}
	}
	for id := range uint64(len(seen)) {
		if !seen[id] {
			t.Fatalf("id %d given to no tile", id)
		}
	}
}

func uvarints(vs ...uint64) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.AppendUvarint(b, v)
	}
	return b
}

// TestDirectorySpecExamples: the encoding steps of §4.2 on the spec's own
// numbers (TileIDs 5, 42, 69 written 5, 37, 27), and the meaning of the
// entries of §4.1's examples.
func TestDirectorySpecExamples(t *testing.T) {
	entries := []Entry{
		{TileID: 5, Offset: 0, Length: 10, RunLength: 1},
		{TileID: 42, Offset: 10, Length: 20, RunLength: 3}, // contiguous: offset written 0
		{TileID: 69, Offset: 1337, Length: 42, RunLength: 1},
	}
	want := uvarints(3, 5, 37, 27, 1, 3, 1, 10, 20, 42, 1, 0, 1338)
	got := EncodeDirectory(entries)
	if !bytes.Equal(got, want) {
		t.Fatalf("encoded % x, want % x", got, want)
	}
	back, err := DecodeDirectory(got)
	if err != nil || !reflect.DeepEqual(back, entries) {
		t.Fatalf("decoded %+v, %v", back, err)
	}

	// "Tiles 5, 6, and 7 are located at bytes 1337–1378."
	run := []Entry{{TileID: 5, Offset: 1337, Length: 42, RunLength: 3}}
	for id, ok := range map[uint64]bool{4: false, 5: true, 6: true, 7: true, 8: false} {
		if e, found := find(run, id); found != ok || (ok && (e.Offset != 1337 || e.Length != 42)) {
			t.Errorf("tile %d in a run of 3 from 5: %+v %v", id, e, found)
		}
	}
	// "A leaf directory whose first tile has an ID of 5": every id from 5 on
	// is looked for in it.
	leaf := []Entry{{TileID: 5, Offset: 1337, Length: 42, RunLength: 0}}
	if e, ok := find(leaf, 900); !ok || e.RunLength != 0 {
		t.Errorf("tile 900 after a leaf from 5: %+v %v", e, ok)
	}
	if _, ok := find(leaf, 4); ok {
		t.Error("tile 4 found before the first entry")
	}

	for _, bad := range [][]byte{uvarints(0), uvarints(2, 1, 1), uvarints(1, 5, 1, 0, 1)} {
		if _, err := DecodeDirectory(bad); err == nil {
			t.Errorf("DecodeDirectory(% x) accepted", bad)
		}
	}
}

// TestHeaderLayout: every field at the offset of the spec's table (§3.1),
// little-endian, positions in ten-millionths of a degree.
func TestHeaderLayout(t *testing.T) {
	h := Header{
		RootOffset: 127, RootLength: 2, MetadataOffset: 3, MetadataLength: 4, LeafOffset: 5, LeafLength: 6,
		DataOffset: 7, DataLength: 8, AddressedTiles: 9, TileEntries: 10, TileContents: 11,
		Clustered: true, InternalCompression: CompressionGzip, TileCompression: CompressionGzip, TileType: TileTypeMVT,
		MinZoom: 4, MaxZoom: 11, MinLon: -5.25, MinLat: 41.3, MaxLon: 9.56, MaxLat: 51.09,
		CenterZoom: 5, CenterLon: 2.5, CenterLat: 46.6,
	}
	b := h.Marshal()
	if len(b) != 127 || string(b[:7]) != "PMTiles" || b[7] != 3 {
		t.Fatalf("header starts % x (%d bytes)", b[:8], len(b))
	}
	le := binary.LittleEndian
	for off, v := range map[int]uint64{8: 127, 16: 2, 24: 3, 32: 4, 40: 5, 48: 6, 56: 7, 64: 8, 72: 9, 80: 10, 88: 11} {
		if got := le.Uint64(b[off:]); got != v {
			t.Errorf("u64 at %d = %d, want %d", off, got, v)
		}
	}
	for off, v := range map[int]byte{96: 1, 97: 2, 98: 2, 99: 1, 100: 4, 101: 11, 118: 5} {
		if b[off] != v {
			t.Errorf("byte %d = %d, want %d", off, b[off], v)
		}
	}
	for off, v := range map[int]int32{102: -52500000, 106: 413000000, 110: 95600000, 114: 510900000, 119: 25000000, 123: 466000000} {
		if got := int32(le.Uint32(b[off:])); got != v {
			t.Errorf("i32 at %d = %d, want %d", off, got, v)
		}
	}
	back, err := ParseHeader(b)
	if err != nil || back != h {
		t.Fatalf("parsed back %+v, %v", back, err)
	}
	if _, err := ParseHeader(append([]byte("PMTiles\x02"), make([]byte, 119)...)); err == nil {
		t.Error("version 2 accepted")
	}
}
