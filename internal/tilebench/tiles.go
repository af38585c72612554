package tilebench

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/maptile/tilecover"

	"github.com/atlas-sante-travail/atlas/internal/territory"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

// France is the default bounding box: metropolitan France with Corsica
// (west, south, east, north).
var France = orb.Bound{Min: orb.Point{-5.2, 41.3}, Max: orb.Point{9.6, 51.1}}

// maxLat is the latitude limit of Web Mercator tiles.
const maxLat = 85.0511287798066

// Tile is one tile of one layer, as requested over HTTP.
type Tile struct {
	Layer string `json:"layer"`
	Z     int    `json:"z"`
	X     int    `json:"x"`
	Y     int    `json:"y"`
}

// Path is the tile's URL path, the same on both servers.
func (t Tile) Path() string {
	return fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", t.Layer, t.Z, t.X, t.Y)
}

func (t Tile) String() string { return fmt.Sprintf("%s/%d/%d/%d", t.Layer, t.Z, t.X, t.Y) }

// TileList lists, for each layer, every tile at zooms minZoom..maxZoom that
// intersects the bound, ordered by layer (as given), zoom, x, y.
func TileList(layers []string, b orb.Bound, minZoom, maxZoom int) ([]Tile, error) {
	if len(layers) == 0 {
		return nil, errors.New("no layer")
	}
	if minZoom < 0 || maxZoom > tiles.MaxZoom || minZoom > maxZoom {
		return nil, fmt.Errorf("zoom range %d..%d: want 0 <= minzoom <= maxzoom <= %d", minZoom, maxZoom, tiles.MaxZoom)
	}
	if err := checkBound(b); err != nil {
		return nil, err
	}
	var out []Tile
	for _, l := range layers {
		for z := minZoom; z <= maxZoom; z++ {
			set := tilecover.Bound(b, maptile.Zoom(z))
			level := make([]Tile, 0, len(set))
			for t := range set {
				level = append(level, Tile{Layer: l, Z: z, X: int(t.X), Y: int(t.Y)})
			}
			sort.Slice(level, func(i, j int) bool {
				if level[i].X != level[j].X {
					return level[i].X < level[j].X
				}
				return level[i].Y < level[j].Y
			})
			out = append(out, level...)
		}
	}
	return out, nil
}

func checkBound(b orb.Bound) error {
	if !(b.Min[0] < b.Max[0] && b.Min[1] < b.Max[1]) {
		return fmt.Errorf("bbox %v..%v is empty: want west < east and south < north", b.Min, b.Max)
	}
	if b.Min[0] < -180 || b.Max[0] > 180 || b.Min[1] < -maxLat || b.Max[1] > maxLat {
		return fmt.Errorf("bbox %v..%v: longitudes must be within ±180 and latitudes within ±%.4f", b.Min, b.Max, maxLat)
	}
	return nil
}

// ParseBBox reads "west,south,east,north" in degrees.
func ParseBBox(s string) (orb.Bound, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return orb.Bound{}, fmt.Errorf("bbox %q: want west,south,east,north", s)
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return orb.Bound{}, fmt.Errorf("bbox %q: %q is not a number", s, p)
		}
		v[i] = f
	}
	b := orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}
	if err := checkBound(b); err != nil {
		return orb.Bound{}, err
	}
	return b, nil
}

// ParseLayers reads a comma-separated list of layers (or level names) and
// returns the canonical tile layer names, without duplicates.
func ParseLayers(s string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		lv, err := territory.ParseLevel(p)
		if err != nil {
			return nil, err
		}
		if !seen[lv.Layer()] {
			seen[lv.Layer()] = true
			out = append(out, lv.Layer())
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no layer given")
	}
	return out, nil
}
