package pmtiles

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/atlas-sante-travail/atlas/internal/export/tileset"
)

// Writer writes one PMTiles archive. Tiles may be put in any order: their
// data goes to a temporary file beside the destination, and Close lays
// the archive out in Hilbert order. Abort (or a failed Close) leaves no
// file behind.
type Writer struct {
	path    string
	data    *os.File // tile contents as they came, each once
	dataLen uint64
	blobs   map[[32]byte]blobRef
	tiles   map[uint64]blobRef // by TileID
	// rootLimit is maxRoot; tests lower it to force leaf directories.
	rootLimit int
}

type blobRef struct {
	off uint64 // in the temporary data file
	n   uint32
	idx int // order of arrival, to find a blob's output place
}

// Create starts an archive that Close will put at path (replacing a file
// there). Nothing appears at path before Close succeeds.
func Create(path string) (*Writer, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tiles.tmp")
	if err != nil {
		return nil, fmt.Errorf("pmtiles: %w", err)
	}
	return &Writer{path: path, data: f, blobs: map[[32]byte]blobRef{}, tiles: map[uint64]blobRef{}, rootLimit: maxRoot}, nil
}

// Put adds tile z/x/y (XYZ scheme) whose data is gzip-compressed MVT. A
// tile put twice is an error; identical contents are stored once.
func (w *Writer) Put(z, x, y int, data []byte) error {
	if err := checkTile(z, x, y, data); err != nil {
		return err
	}
	id := ZXYToID(uint8(z), uint32(x), uint32(y))
	if _, dup := w.tiles[id]; dup {
		return fmt.Errorf("pmtiles: tile %d/%d/%d put twice", z, x, y)
	}
	sum := sha256.Sum256(data)
	ref, ok := w.blobs[sum]
	if !ok {
		if _, err := w.data.Write(data); err != nil {
			return fmt.Errorf("pmtiles: %w", err)
		}
		ref = blobRef{off: w.dataLen, n: uint32(len(data)), idx: len(w.blobs)}
		w.dataLen += uint64(len(data))
		w.blobs[sum] = ref
	}
	w.tiles[id] = ref
	return nil
}

// Abort drops everything written. It is safe after Close.
func (w *Writer) Abort() {
	if w.data != nil {
		w.data.Close()
		os.Remove(w.data.Name())
		w.data = nil
	}
}

// Close lays the archive out (header, root directory, metadata, leaf
// directories, tile data in Hilbert order) and moves it into place. On
// error nothing is left at the destination.
func (w *Writer) Close(md tileset.Metadata) (tileset.Stats, error) {
	defer w.Abort()
	st, err := w.finish(md)
	if err != nil {
		return tileset.Stats{}, err
	}
	return st, nil
}

func (w *Writer) finish(md tileset.Metadata) (tileset.Stats, error) {
	if err := md.Check(); err != nil {
		return tileset.Stats{}, fmt.Errorf("pmtiles: %w", err)
	}
	if len(w.tiles) == 0 {
		// A directory must hold at least one entry.
		return tileset.Stats{}, fmt.Errorf("pmtiles: no tile to write")
	}
	ids := slices.Sorted(maps.Keys(w.tiles))
	// Output order: each blob where its first tile in Hilbert order is
	// (clustered), a later identical tile pointing back at it.
	outOff := make(map[int]uint64, len(w.blobs))
	order := make([]blobRef, 0, len(w.blobs))
	var dataLen uint64
	var entries []Entry
	for _, id := range ids {
		ref := w.tiles[id]
		off, ok := outOff[ref.idx]
		if !ok {
			off = dataLen
			outOff[ref.idx] = off
			order = append(order, ref)
			dataLen += uint64(ref.n)
		}
		if n := len(entries); n > 0 {
			last := &entries[n-1]
			if last.Offset == off && last.TileID+uint64(last.RunLength) == id {
				last.RunLength++
				continue
			}
		}
		entries = append(entries, Entry{TileID: id, Offset: off, Length: ref.n, RunLength: 1})
	}
	root, leaves, _, err := directories(entries, w.rootLimit)
	if err != nil {
		return tileset.Stats{}, err
	}
	meta, err := metadataJSON(md)
	if err != nil {
		return tileset.Stats{}, err
	}
	if meta, err = gzipBytes(meta); err != nil {
		return tileset.Stats{}, fmt.Errorf("pmtiles: metadata: %w", err)
	}
	h := Header{
		RootOffset: HeaderLen, RootLength: uint64(len(root)),
		AddressedTiles: uint64(len(ids)), TileEntries: uint64(len(entries)), TileContents: uint64(len(order)),
		Clustered: true, InternalCompression: CompressionGzip, TileCompression: CompressionGzip, TileType: TileTypeMVT,
		MinZoom: uint8(md.MinZoom), MaxZoom: uint8(md.MaxZoom),
		MinLon: md.Bounds[0], MinLat: md.Bounds[1], MaxLon: md.Bounds[2], MaxLat: md.Bounds[3],
		CenterLon: md.Center[0], CenterLat: md.Center[1], CenterZoom: uint8(md.Center[2]),
	}
	h.MetadataOffset = h.RootOffset + h.RootLength
	h.MetadataLength = uint64(len(meta))
	h.LeafOffset = h.MetadataOffset + h.MetadataLength
	h.LeafLength = uint64(len(leaves))
	h.DataOffset = h.LeafOffset + h.LeafLength
	h.DataLength = dataLen

	out, err := os.CreateTemp(filepath.Dir(w.path), "."+filepath.Base(w.path)+".*.tmp")
	if err != nil {
		return tileset.Stats{}, fmt.Errorf("pmtiles: %w", err)
	}
	tmp := out.Name()
	fail := func(err error) (tileset.Stats, error) {
		out.Close()
		os.Remove(tmp)
		return tileset.Stats{}, fmt.Errorf("pmtiles: write %s: %w", w.path, err)
	}
	for _, part := range [][]byte{h.Marshal(), root, meta, leaves} {
		if _, err := out.Write(part); err != nil {
			return fail(err)
		}
	}
	for _, ref := range order {
		if _, err := io.Copy(out, io.NewSectionReader(w.data, int64(ref.off), int64(ref.n))); err != nil {
			return fail(err)
		}
	}
	if err := out.Sync(); err != nil {
		return fail(err)
	}
	if err := out.Close(); err != nil {
		return fail(err)
	}
	// CreateTemp made it private; an export is for others to read.
	if err := os.Chmod(tmp, 0o644); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, w.path); err != nil {
		os.Remove(tmp)
		return tileset.Stats{}, fmt.Errorf("pmtiles: %w", err)
	}
	return tileset.Stats{Path: w.path, Tiles: len(ids), Bytes: int64(h.DataOffset + h.DataLength), Contents: len(order)}, nil
}

// metadataJSON is the archive's JSON metadata: TileJSON's keys that the
// spec names (vector_layers is required for MVT), then the extra ones.
func metadataJSON(md tileset.Metadata) ([]byte, error) {
	m := map[string]any{}
	for k, v := range md.Extra {
		m[k] = v
	}
	typ, version := md.Type, md.Version
	if typ == "" {
		typ = "overlay"
	}
	if version == "" {
		version = "1.0.0"
	}
	for k, v := range map[string]any{"name": md.Name, "description": md.Description, "attribution": md.Attribution,
		"type": typ, "version": version, "vector_layers": md.VectorLayers} {
		if _, clash := md.Extra[k]; clash {
			return nil, fmt.Errorf("pmtiles: metadata %s is written from the tile set's own fields", k)
		}
		m[k] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("pmtiles: metadata: %w", err)
	}
	return b, nil
}

func checkTile(z, x, y int, data []byte) error {
	if err := tileset.CheckTile(z, x, y, data); err != nil {
		return fmt.Errorf("pmtiles: %w", err)
	}
	return nil
}
