// Package pmtiles writes and reads PMTiles v3 archives of vector tiles:
// the single file that static hosts and CDNs serve, read by MapLibre
// through the pmtiles protocol with HTTP range requests.
//
// The format is small enough to write here (the protomaps Go module pulls
// cloud storage SDKs): a 127-byte header, a root directory within the
// first 16 KiB, gzip-compressed JSON metadata, leaf directories when the
// root would not fit, then the tile data, clustered in Hilbert order with
// identical tiles stored once and consecutive ones run-length encoded.
package pmtiles

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
)

// HeaderLen is the size of the fixed header.
const HeaderLen = 127

// maxRoot is the most the compressed root directory may take: the header
// and root together fit the first 16,384 bytes a client fetches.
const maxRoot = 16384 - HeaderLen

// Compression values of the header.
const (
	CompressionUnknown = 0
	CompressionNone    = 1
	CompressionGzip    = 2
)

// TileTypeMVT is the header's tile type of Mapbox Vector Tiles.
const TileTypeMVT = 1

// Header is the fixed header of an archive; offsets are from the start of
// the file, positions in degrees.
type Header struct {
	RootOffset, RootLength         uint64
	MetadataOffset, MetadataLength uint64
	LeafOffset, LeafLength         uint64
	DataOffset, DataLength         uint64
	AddressedTiles                 uint64 // tiles before run-length encoding
	TileEntries                    uint64 // entries with a run length
	TileContents                   uint64 // distinct blobs in the data
	Clustered                      bool
	InternalCompression            uint8
	TileCompression                uint8
	TileType                       uint8
	MinZoom, MaxZoom               uint8
	MinLon, MinLat, MaxLon, MaxLat float64
	CenterZoom                     uint8
	CenterLon, CenterLat           float64
}

var magic = []byte("PMTiles")

// e7 is the header's fixed-point position: degrees times ten million.
func e7(deg float64) int32 { return int32(math.Round(deg * 1e7)) }

// Marshal encodes the header in its 127 bytes, little-endian.
func (h Header) Marshal() []byte {
	b := make([]byte, HeaderLen)
	copy(b, magic)
	b[7] = 3
	le := binary.LittleEndian
	for i, v := range []uint64{h.RootOffset, h.RootLength, h.MetadataOffset, h.MetadataLength, h.LeafOffset, h.LeafLength,
		h.DataOffset, h.DataLength, h.AddressedTiles, h.TileEntries, h.TileContents} {
		le.PutUint64(b[8+8*i:], v)
	}
	if h.Clustered {
		b[96] = 1
	}
	b[97], b[98], b[99], b[100], b[101] = h.InternalCompression, h.TileCompression, h.TileType, h.MinZoom, h.MaxZoom
	le.PutUint32(b[102:], uint32(e7(h.MinLon)))
	le.PutUint32(b[106:], uint32(e7(h.MinLat)))
	le.PutUint32(b[110:], uint32(e7(h.MaxLon)))
	le.PutUint32(b[114:], uint32(e7(h.MaxLat)))
	b[118] = h.CenterZoom
	le.PutUint32(b[119:], uint32(e7(h.CenterLon)))
	le.PutUint32(b[123:], uint32(e7(h.CenterLat)))
	return b
}

// ParseHeader decodes the first 127 bytes of an archive.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderLen || !bytes.Equal(b[:7], magic) {
		return Header{}, errors.New("pmtiles: not a PMTiles archive (no PMTiles magic)")
	}
	if b[7] != 3 {
		return Header{}, fmt.Errorf("pmtiles: version %d, only 3 is read", b[7])
	}
	le := binary.LittleEndian
	u := func(i int) uint64 { return le.Uint64(b[8+8*i:]) }
	deg := func(o int) float64 { return float64(int32(le.Uint32(b[o:]))) / 1e7 }
	return Header{
		RootOffset: u(0), RootLength: u(1), MetadataOffset: u(2), MetadataLength: u(3), LeafOffset: u(4), LeafLength: u(5),
		DataOffset: u(6), DataLength: u(7), AddressedTiles: u(8), TileEntries: u(9), TileContents: u(10),
		Clustered: b[96] == 1, InternalCompression: b[97], TileCompression: b[98], TileType: b[99], MinZoom: b[100], MaxZoom: b[101],
		MinLon: deg(102), MinLat: deg(106), MaxLon: deg(110), MaxLat: deg(114),
		CenterZoom: b[118], CenterLon: deg(119), CenterLat: deg(123),
	}, nil
}

// ZXYToID is the TileID of tile z/x/y: its position on the Hilbert curve
// of zoom z, after all the tiles of the zooms below.
func ZXYToID(z uint8, x, y uint32) uint64 {
	acc := ((uint64(1) << (2 * uint64(z))) - 1) / 3 // 4^0 + … + 4^(z-1)
	tx, ty := uint64(x), uint64(y)
	var d uint64
	for s := uint64(1) << z >> 1; s > 0; s >>= 1 {
		var rx, ry uint64
		if tx&s != 0 {
			rx = 1
		}
		if ty&s != 0 {
			ry = 1
		}
		d += s * s * ((3 * rx) ^ ry)
		tx, ty = rotate(s, tx, ty, rx, ry)
	}
	return acc + d
}

// rotate turns the quadrant as the Hilbert curve does.
func rotate(n, x, y, rx, ry uint64) (uint64, uint64) {
	if ry == 0 {
		if rx == 1 {
			x, y = n-1-x, n-1-y
		}
		x, y = y, x
	}
	return x, y
}

// IDToZXY is the inverse of ZXYToID.
func IDToZXY(id uint64) (uint8, uint32, uint32) {
	var z uint8
	acc := uint64(0)
	for {
		n := uint64(1) << (2 * uint64(z))
		if id < acc+n {
			break
		}
		acc += n
		z++
	}
	t := id - acc
	n := uint64(1) << z
	var x, y uint64
	for s := uint64(1); s < n; s <<= 1 {
		rx := 1 & (t / 2)
		ry := 1 & (t ^ rx)
		x, y = rotate(s, x, y, rx, ry)
		x += s * rx
		y += s * ry
		t /= 4
	}
	return z, uint32(x), uint32(y)
}

// Entry is one directory entry: a run of RunLength tiles from TileID
// sharing one blob of the data section, or (RunLength 0) a leaf directory
// in the leaf section.
type Entry struct {
	TileID    uint64
	Offset    uint64
	Length    uint32
	RunLength uint32
}

// EncodeDirectory serialises entries (sorted by TileID) as the spec says:
// their count, then the delta-encoded TileIDs, the run lengths, the
// lengths and the offsets (0 when contiguous with the previous entry,
// else offset+1), all as varints. Not yet compressed.
func EncodeDirectory(entries []Entry) []byte {
	b := binary.AppendUvarint(nil, uint64(len(entries)))
	last := uint64(0)
	for _, e := range entries {
		b = binary.AppendUvarint(b, e.TileID-last)
		last = e.TileID
	}
	for _, e := range entries {
		b = binary.AppendUvarint(b, uint64(e.RunLength))
	}
	for _, e := range entries {
		b = binary.AppendUvarint(b, uint64(e.Length))
	}
	for i, e := range entries {
		if i > 0 && e.Offset == entries[i-1].Offset+uint64(entries[i-1].Length) {
			b = binary.AppendUvarint(b, 0)
		} else {
			b = binary.AppendUvarint(b, e.Offset+1)
		}
	}
	return b
}

// DecodeDirectory is the inverse of EncodeDirectory.
func DecodeDirectory(b []byte) ([]Entry, error) {
	r := bytes.NewReader(b)
	n, err := binary.ReadUvarint(r)
	if err != nil || n == 0 || n > uint64(len(b)) {
		return nil, fmt.Errorf("pmtiles: directory of %d entries (%v)", n, err)
	}
	entries := make([]Entry, n)
	read := func(what string, set func(i int, v uint64)) error {
		for i := range entries {
			v, err := binary.ReadUvarint(r)
			if err != nil {
				return fmt.Errorf("pmtiles: directory %s %d: %w", what, i, err)
			}
			set(i, v)
		}
		return nil
	}
	last := uint64(0)
	if err := read("tile id", func(i int, v uint64) { last += v; entries[i].TileID = last }); err != nil {
		return nil, err
	}
	if err := read("run length", func(i int, v uint64) { entries[i].RunLength = uint32(v) }); err != nil {
		return nil, err
	}
	if err := read("length", func(i int, v uint64) { entries[i].Length = uint32(v) }); err != nil {
		return nil, err
	}
	if err := read("offset", func(i int, v uint64) {
		if v == 0 && i > 0 {
			entries[i].Offset = entries[i-1].Offset + uint64(entries[i-1].Length)
		} else {
			entries[i].Offset = v - 1
		}
	}); err != nil {
		return nil, err
	}
	for i, e := range entries {
		if e.Length == 0 {
			return nil, fmt.Errorf("pmtiles: directory entry %d (tile id %d) of length 0", i, e.TileID)
		}
	}
	return entries, nil
}

// find returns the entry holding tile id (a tile run or the leaf where it
// would be), or false.
func find(entries []Entry, id uint64) (Entry, bool) {
	// The last entry starting at or before id.
	i := sort.Search(len(entries), func(i int) bool { return entries[i].TileID > id }) - 1
	if i < 0 {
		return Entry{}, false
	}
	e := entries[i]
	if e.RunLength == 0 || id < e.TileID+uint64(e.RunLength) {
		return e, true
	}
	return Entry{}, false
}

func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func gunzipBytes(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// directories lays out the root directory, and leaf directories when the
// root alone would take more than limit bytes compressed: the entries are
// cut into leaves of leafSize, grown until the root of leaves fits.
func directories(entries []Entry, limit int) (root, leaves []byte, nLeaves int, err error) {
	root, err = gzipBytes(EncodeDirectory(entries))
	if err != nil || len(root) <= limit {
		return root, nil, 0, err
	}
	leafSize := max(len(entries)/3500, 4096)
	if limit < maxRoot { // tests force leaves on small archives
		leafSize = max(len(entries)/8, 2)
	}
	for {
		var rootEntries []Entry
		leaves = leaves[:0]
		for i := 0; i < len(entries); i += leafSize {
			chunk := entries[i:min(i+leafSize, len(entries))]
			leaf, err := gzipBytes(EncodeDirectory(chunk))
			if err != nil {
				return nil, nil, 0, err
			}
			rootEntries = append(rootEntries, Entry{TileID: chunk[0].TileID, Offset: uint64(len(leaves)), Length: uint32(len(leaf))})
			leaves = append(leaves, leaf...)
		}
		if root, err = gzipBytes(EncodeDirectory(rootEntries)); err != nil {
			return nil, nil, 0, err
		}
		if len(root) <= limit {
			return root, leaves, len(rootEntries), nil
		}
		if len(rootEntries) == 1 {
			return nil, nil, 0, fmt.Errorf("pmtiles: root directory of one leaf takes %d bytes, over %d", len(root), limit)
		}
		leafSize += leafSize/5 + 1
	}
}
