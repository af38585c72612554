// Package tiles serves territory vector tiles from memory: tile maths, MVT
// encoding with correct winding and clipping, a bounded cache and TileJSON.
package tiles

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// geom is one generalised geometry in world coordinates: [0,1] on both
// axes, y pointing down, as tile maths wants it.
type geom struct {
	feature int
	shape   orb.MultiPolygon
	bound   orb.Bound
}

// Layer is one territorial level ready to be cut into tiles.
type Layer struct {
	Name        string
	Level       territory.Level
	MinZoom     int
	MaxZoom     int
	Bounds      [4]float64 // west, south, east, north (WGS84)
	Vintage     string
	Attribution string
	Version     int64 // dataset id: changes with every import
	// Territories are the level's territories, in the order of props.
	Territories *territory.Set
	Fields      map[string]string // property name -> description, for TileJSON
	// props are the tile properties of each territory (code, name and
	// parent codes), made once: encoding a tile only points at them.
	props []map[string]any
	zooms [][]geom // index z-MinZoom
}

// GeometrySource streams a level's generalised geometries (WKB in Web
// Mercator, one per territory and zoom); store.Store.EachGeometry is one.
type GeometrySource func(ctx context.Context, level territory.Level, fn func(store.LoadedGeometry) error) error

// NewLayer builds a layer from a level's territories and its geometries.
func NewLayer(ctx context.Context, d store.LevelData, geoms GeometrySource, minZoom, maxZoom int) (*Layer, error) {
	lv := d.Level
	if _, err := territory.ParseLevel(string(lv)); err != nil {
		return nil, err
	}
	l := &Layer{
		Name: lv.Layer(), Level: lv, MinZoom: minZoom, MaxZoom: maxZoom,
		Bounds: d.Bounds, Vintage: d.Vintage, Attribution: d.Attribution, Version: d.DatasetID,
		Territories: territory.NewSet(lv, d.Territories),
		props:       make([]map[string]any, len(d.Territories)),
		zooms:       make([][]geom, maxZoom-minZoom+1),
		Fields: map[string]string{
			"code": "String: code INSEE",
			"name": "String: nom",
		},
	}
	for _, p := range lv.Parents() {
		l.Fields[p.Field()] = "String: code INSEE " + p.Label() + " d'appartenance"
	}
	for i, t := range d.Territories {
		l.props[i] = tileProps(t)
	}
	err := geoms(ctx, d.Level, func(g store.LoadedGeometry) error {
		if g.Zoom < minZoom || g.Zoom > maxZoom {
			return nil
		}
		fi, ok := l.Territories.Index(g.Code)
		if !ok {
			return fmt.Errorf("layer %s: geometry for unknown territory %s", l.Name, g.Code)
		}
		gg, err := wkb.Unmarshal(g.WKB)
		if err != nil {
			return fmt.Errorf("layer %s, %s at z%d: %w", l.Name, g.Code, g.Zoom, err)
		}
		if mp := toWorld(gg); len(mp) > 0 {
			l.zooms[g.Zoom-minZoom] = append(l.zooms[g.Zoom-minZoom], geom{feature: fi, shape: mp, bound: mp.Bound()})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	ts := l.Territories.All()
	for _, z := range l.zooms {
		// Stable order, so that the same tile is always the same bytes.
		sort.Slice(z, func(i, j int) bool { return ts[z[i].feature].FID < ts[z[j].feature].FID })
	}
	return l, nil
}

// tileProps are the properties a territory carries in every tile.
func tileProps(t territory.Territory) map[string]any {
	props := map[string]any{"code": t.Code, "name": t.Name}
	for _, p := range []territory.Level{territory.Region, territory.Departement, territory.ZoneEmploi} {
		if c := t.Parent(p); c != "" {
			props[p.Field()] = c
		}
	}
	return props
}

// toWorld maps Web Mercator metres to world coordinates.
func toWorld(g orb.Geometry) orb.MultiPolygon {
	mp := territory.MultiPolygon(g)
	c := territory.EarthCircumference
	for _, p := range mp {
		for _, r := range p {
			for i, pt := range r {
				r[i] = orb.Point{pt[0]/c + 0.5, 0.5 - pt[1]/c}
			}
		}
	}
	return mp
}

// Covers reports whether the layer has geometry for zoom z (lower zooms
// would show nothing legible; higher ones overzoom the last).
func (l *Layer) Covers(z int) bool { return z >= l.MinZoom }

func (l *Layer) geomsAt(z int) []geom {
	if z > l.MaxZoom {
		z = l.MaxZoom
	}
	if z < l.MinZoom {
		return nil
	}
	return l.zooms[z-l.MinZoom]
}

// Shapes calls fn with every territory's generalised geometry at zoom z
// (the last one beyond MaxZoom, none below MinZoom), in world coordinates
// ([0,1], y down), for static maps drawn from the same borders as the
// tiles. The geometry is shared: fn must not change it.
func (l *Layer) Shapes(z int, fn func(t territory.Territory, shape orb.MultiPolygon)) {
	ts := l.Territories.All()
	for _, g := range l.geomsAt(z) {
		fn(ts[g.feature], g.shape)
	}
}

// Vertices counts stored points per zoom, for logs and memory estimates.
func (l *Layer) Vertices() int {
	n := 0
	for _, z := range l.zooms {
		for _, g := range z {
			n += territory.Vertices(g.shape)
		}
	}
	return n
}

// Center is a sensible initial view: the middle of the metropolitan part
// when the layer spans overseas territories too.
func (l *Layer) Center() [3]float64 {
	w, s, e, n := l.Bounds[0], l.Bounds[1], l.Bounds[2], l.Bounds[3]
	if w < -10 || e > 15 {
		return [3]float64{2.5, 46.6, 5}
	}
	z := math.Floor(math.Log2(360 / math.Max(e-w, 1e-6)))
	return [3]float64{(w + e) / 2, (s + n) / 2, math.Max(0, math.Min(z, float64(l.MaxZoom)))}
}

// TileCoordError reports out-of-range or malformed tile coordinates;
// Reason is in French, for the problem a client reads.
type TileCoordError struct {
	Param  string
	Value  string
	Reason string
}

func (e *TileCoordError) Error() string {
	return fmt.Sprintf("%s=%q: %s", e.Param, e.Value, e.Reason)
}

// MaxZoom is the highest zoom accepted in a tile request.
const MaxZoom = 22

// ParseTile validates z/x/y as sent in a URL.
func ParseTile(zs, xs, ys string) (z, x, y int, err error) {
	z, err = strconv.Atoi(zs)
	if err != nil || z < 0 || z > MaxZoom {
		return 0, 0, 0, &TileCoordError{"z", zs, fmt.Sprintf("un entier de 0 à %d", MaxZoom)}
	}
	n := 1 << z
	x, err = strconv.Atoi(xs)
	if err != nil || x < 0 || x >= n {
		return 0, 0, 0, &TileCoordError{"x", xs, fmt.Sprintf("un entier de 0 à %d au zoom %d", n-1, z)}
	}
	y, err = strconv.Atoi(ys)
	if err != nil || y < 0 || y >= n {
		return 0, 0, 0, &TileCoordError{"y", ys, fmt.Sprintf("un entier de 0 à %d au zoom %d", n-1, z)}
	}
	return z, x, y, nil
}

// worldToLonLat is the inverse of the world mapping, for tile covers.
func worldToLonLat(p orb.Point) orb.Point {
	lon := (p[0] - 0.5) * 360
	lat := math.Atan(math.Sinh(math.Pi*(1-2*p[1]))) * 180 / math.Pi
	return orb.Point{lon, lat}
}
