package pmtiles

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/atlas-sante-travail/atlas/internal/export/tileset"
)

// Reader reads tiles from a PMTiles archive as a range-requesting client
// does: the header and root directory once, a leaf directory when a tile
// needs it (kept, they are few), then the tile's bytes. Safe for
// concurrent use.
type Reader struct {
	ra     io.ReaderAt
	closer io.Closer
	header Header
	root   []Entry
	md     tileset.Metadata
	mu     sync.Mutex
	leaves map[uint64][]Entry // by offset in the leaf section
}

// Open opens an archive file.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("pmtiles: %w", err)
	}
	r, err := NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%w (%s)", err, path)
	}
	r.closer = f
	return r, nil
}

// NewReader reads the header, root directory and metadata of an archive
// of gzip-compressed vector tiles.
func NewReader(ra io.ReaderAt) (*Reader, error) {
	// What a latency-optimised client fetches first: the root must be in it.
	first := make([]byte, 16384)
	n, err := ra.ReadAt(first, 0)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("pmtiles: %w", err)
	}
	h, err := ParseHeader(first[:n])
	if err != nil {
		return nil, err
	}
	if h.RootOffset+h.RootLength > uint64(n) {
		return nil, fmt.Errorf("pmtiles: root directory ends at byte %d, beyond the first 16384", h.RootOffset+h.RootLength)
	}
	if h.InternalCompression != CompressionGzip && h.InternalCompression != CompressionNone {
		return nil, fmt.Errorf("pmtiles: internal compression %d is not read (gzip or none)", h.InternalCompression)
	}
	if h.TileType != TileTypeMVT || h.TileCompression != CompressionGzip {
		return nil, fmt.Errorf("pmtiles: tile type %d, compression %d: only gzip-compressed MVT is served", h.TileType, h.TileCompression)
	}
	r := &Reader{ra: ra, header: h, leaves: map[uint64][]Entry{}}
	if r.root, err = r.directory(first[h.RootOffset : h.RootOffset+h.RootLength]); err != nil {
		return nil, fmt.Errorf("pmtiles: root directory: %w", err)
	}
	meta, err := r.section(h.MetadataOffset, h.MetadataLength)
	if err != nil {
		return nil, fmt.Errorf("pmtiles: metadata: %w", err)
	}
	if r.md, err = parseMetadata(meta, h); err != nil {
		return nil, err
	}
	return r, nil
}

// section reads length bytes at offset and undoes the internal compression.
func (r *Reader) section(offset, length uint64) ([]byte, error) {
	b := make([]byte, length)
	if _, err := r.ra.ReadAt(b, int64(offset)); err != nil {
		return nil, err
	}
	if r.header.InternalCompression == CompressionGzip {
		return gunzipBytes(b)
	}
	return b, nil
}

func (r *Reader) directory(b []byte) ([]Entry, error) {
	if r.header.InternalCompression == CompressionGzip {
		var err error
		if b, err = gunzipBytes(b); err != nil {
			return nil, err
		}
	}
	return DecodeDirectory(b)
}

// parseMetadata reads the JSON metadata and the header's zooms, bounds and
// centre back into a tile set description.
func parseMetadata(b []byte, h Header) (tileset.Metadata, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return tileset.Metadata{}, fmt.Errorf("pmtiles: metadata: %w", err)
	}
	md := tileset.Metadata{
		MinZoom: int(h.MinZoom), MaxZoom: int(h.MaxZoom),
		Bounds: [4]float64{h.MinLon, h.MinLat, h.MaxLon, h.MaxLat},
		Center: [3]float64{h.CenterLon, h.CenterLat, float64(h.CenterZoom)},
		Extra:  map[string]string{},
	}
	fields := map[string]*string{"name": &md.Name, "description": &md.Description, "attribution": &md.Attribution, "type": &md.Type, "version": &md.Version}
	for k, v := range raw {
		if k == "vector_layers" {
			if err := json.Unmarshal(v, &md.VectorLayers); err != nil {
				return md, fmt.Errorf("pmtiles: metadata vector_layers: %w", err)
			}
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			continue // not one of ours: a tool's own structure
		}
		if p, ok := fields[k]; ok {
			*p = s
		} else {
			md.Extra[k] = s
		}
	}
	if err := md.Check(); err != nil {
		return md, fmt.Errorf("pmtiles: %w", err)
	}
	return md, nil
}

// Header is the archive's header.
func (r *Reader) Header() Header { return r.header }

// Metadata is the archive's description of its tiles.
func (r *Reader) Metadata() tileset.Metadata { return r.md }

// Tile returns tile z/x/y as stored (gzip-compressed MVT); nil when the
// archive holds none.
func (r *Reader) Tile(ctx context.Context, z, x, y int) ([]byte, error) {
	if z < 0 || z > 30 || x < 0 || y < 0 || x >= 1<<z || y >= 1<<z {
		return nil, nil
	}
	id := ZXYToID(uint8(z), uint32(x), uint32(y))
	dir := r.root
	// One level of leaves is what writers make; a few more are allowed.
	for depth := 0; depth < 4; depth++ {
		e, ok := find(dir, id)
		if !ok {
			return nil, nil
		}
		if e.RunLength > 0 {
			b := make([]byte, e.Length)
			if _, err := r.ra.ReadAt(b, int64(r.header.DataOffset+e.Offset)); err != nil {
				return nil, fmt.Errorf("pmtiles: tile %d/%d/%d: %w", z, x, y, err)
			}
			return b, nil
		}
		leaf, err := r.leaf(e)
		if err != nil {
			return nil, fmt.Errorf("pmtiles: tile %d/%d/%d: %w", z, x, y, err)
		}
		dir = leaf
	}
	return nil, fmt.Errorf("pmtiles: tile %d/%d/%d: directories nested too deep", z, x, y)
}

func (r *Reader) leaf(e Entry) ([]Entry, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if d, ok := r.leaves[e.Offset]; ok {
		return d, nil
	}
	b := make([]byte, e.Length)
	if _, err := r.ra.ReadAt(b, int64(r.header.LeafOffset+e.Offset)); err != nil {
		return nil, fmt.Errorf("leaf directory at %d: %w", e.Offset, err)
	}
	d, err := r.directory(b)
	if err != nil {
		return nil, fmt.Errorf("leaf directory at %d: %w", e.Offset, err)
	}
	r.leaves[e.Offset] = d
	return d, nil
}

// Entries lists every tile entry of the archive, leaves resolved, in
// TileID order.
func (r *Reader) Entries() ([]Entry, error) {
	var out []Entry
	for _, e := range r.root {
		if e.RunLength > 0 {
			out = append(out, e)
			continue
		}
		leaf, err := r.leaf(e)
		if err != nil {
			return nil, err
		}
		out = append(out, leaf...)
	}
	return out, nil
}

// Close closes the file Open opened.
func (r *Reader) Close() error {
	if r.closer != nil {
		return r.closer.Close()
	}
	return nil
}
