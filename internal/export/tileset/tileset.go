// Package tileset is what the tile file writers (MBTiles, PMTiles) and
// their readers share: the description of a set of vector tiles, in plain
// values, and the checks every such file needs (typed fields, gzip tiles).
// The command fills it from the tiles and the read side; the writers never
// see where the tiles came from.
package tileset

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// Metadata describes a tile set as MBTiles metadata, PMTiles JSON metadata
// and TileJSON all say it.
type Metadata struct {
	Name        string
	Description string
	Attribution string
	// Version is the tile set's own revision ("1.0.0").
	Version string
	// Type is "overlay" or "baselayer".
	Type string
	// Bounds are west, south, east, north in WGS84 degrees.
	Bounds [4]float64
	// Center is longitude, latitude and zoom of a sensible first view.
	Center           [3]float64
	MinZoom, MaxZoom int
	VectorLayers     []VectorLayer
	// Extra holds more string keys, written as they are (MBTiles metadata
	// rows, PMTiles JSON keys): what the file was made from.
	Extra map[string]string
}

// VectorLayer is one MVT layer of the tiles, as TileJSON 3.0 and MBTiles
// 1.3 describe it.
type VectorLayer struct {
	ID          string `json:"id"`
	Description string `json:"description,omitempty"`
	MinZoom     int    `json:"minzoom"`
	MaxZoom     int    `json:"maxzoom"`
	// Fields maps each property to its type: "Number", "String" or
	// "Boolean", the only values MBTiles 1.3 allows (TileJSON's free
	// descriptions make tile-join and GDAL guess).
	Fields map[string]string `json:"fields"`
}

// FieldTypes are the types a vector layer's field may have.
var FieldTypes = []string{"Number", "String", "Boolean"}

// Check reports what a reader would trip on: no name, zooms out of order,
// bounds upside down, a layer without id or a field of another type.
func (m Metadata) Check() error {
	if m.Name == "" {
		return fmt.Errorf("tile set metadata: no name")
	}
	if m.MinZoom < 0 || m.MaxZoom > 30 || m.MinZoom > m.MaxZoom {
		return fmt.Errorf("tile set metadata: zooms %d to %d", m.MinZoom, m.MaxZoom)
	}
	b := m.Bounds
	if b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90 || b[0] > b[2] || b[1] > b[3] {
		return fmt.Errorf("tile set metadata: bounds %v are not west, south, east, north in degrees", b)
	}
	if len(m.VectorLayers) == 0 {
		return fmt.Errorf("tile set metadata: no vector layer")
	}
	for _, l := range m.VectorLayers {
		if l.ID == "" {
			return fmt.Errorf("tile set metadata: a vector layer without id")
		}
		for _, f := range l.FieldNames() {
			if !slices.Contains(FieldTypes, l.Fields[f]) {
				return fmt.Errorf("tile set metadata: layer %s, field %s: type %q, not one of %s", l.ID, f, l.Fields[f], strings.Join(FieldTypes, ", "))
			}
		}
	}
	return nil
}

// FieldNames lists the layer's fields in a stable order.
func (l VectorLayer) FieldNames() []string {
	names := make([]string, 0, len(l.Fields))
	for n := range l.Fields {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// IsGzip tells whether data starts with the gzip magic bytes 1F 8B: MVT
// in these files is always stored compressed, and served as it is stored.
func IsGzip(data []byte) bool {
	return len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b
}

// CheckTile reports a tile a file cannot hold: coordinates outside zoom z
// or data that is not gzip-compressed.
func CheckTile(z, x, y int, data []byte) error {
	if z < 0 || z > 30 || x < 0 || y < 0 || x >= 1<<z || y >= 1<<z {
		return fmt.Errorf("tile %d/%d/%d: coordinates out of range", z, x, y)
	}
	if !IsGzip(data) {
		return fmt.Errorf("tile %d/%d/%d: data is not gzip-compressed MVT", z, x, y)
	}
	return nil
}

// Gunzip decompresses a stored tile.
func Gunzip(data []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("gunzip tile: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("gunzip tile: %w", err)
	}
	return raw, nil
}

// Stats is what a writer reports of the file it wrote.
type Stats struct {
	Path  string
	Tiles int   // tiles stored
	Bytes int64 // size of the file
	// Contents is the number of distinct tile contents (PMTiles stores
	// each once); 0 when the format does not deduplicate.
	Contents int
}
