package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/ewkb"

	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// Box is a bounding box (west, south, east, north) in the coordinates of
// its query's BoxSRID.
type Box [4]float64

// FeatureQuery selects territories of one level with their geometry at
// full resolution, as imported: what a GIS reads through OGC API Features.
type FeatureQuery struct {
	Level territory.Level
	// Boxes keep the territories that intersect one of them (several when
	// a box crosses the antimeridian); none keeps all.
	Boxes   []Box
	BoxSRID int // of Boxes; 0 is 4326
	SRID    int // of the returned geometry; 0 is 4326
	// FID selects one territory by its feature id; 0 selects all.
	FID uint64
	// Limit and Offset page the territories, ordered by code; Limit 0
	// returns none (only the count).
	Limit, Offset int
}

// Feature is a territory with its geometry, carrying its SRID.
type Feature struct {
	territory.Territory
	Geometry geom.T
}

// TerritoryFeatures returns a page of the territories q selects, and how
// many it selects in all. The page is chosen on codes before any geometry
// is read or transformed, so that a far page costs what a near one does.
func (s *Store) TerritoryFeatures(ctx context.Context, q FeatureQuery) ([]Feature, int, error) {
	srid, boxSRID := q.SRID, q.BoxSRID
	if srid == 0 {
		srid = 4326
	}
	if boxSRID == 0 {
		boxSRID = 4326
	}
	x1, y1, x2, y2 := make([]float64, len(q.Boxes)), make([]float64, len(q.Boxes)), make([]float64, len(q.Boxes)), make([]float64, len(q.Boxes))
	for i, b := range q.Boxes {
		x1[i], y1[i], x2[i], y2[i] = b[0], b[1], b[2], b[3]
	}
	// The boxes become one WGS84 area; their edges are segmentized first,
	// since a straight edge in Lambert-93 is a curve in longitude and
	// latitude. The area is one row, so the join uses the GiST index.
	const area = `WITH area AS (
		SELECT ST_Union(ST_Transform(ST_Segmentize(ST_MakeEnvelope(x1, y1, x2, y2, $6::int), greatest(x2 - x1, y2 - y1) / 64), 4326)) AS g
		FROM unnest($2::float8[], $3::float8[], $4::float8[], $5::float8[]) AS b(x1, y1, x2, y2))`
	const where = ` WHERE t.level = $1
		AND ($7::bigint = 0 OR t.fid = $7)
		AND (cardinality($2::float8[]) = 0 OR ST_Intersects(t.geom, (SELECT g FROM area)))`
	args := []any{q.Level, x1, y1, x2, y2, boxSRID, int64(q.FID)}
	var matched int
	if err := s.read.QueryRow(ctx, area+` SELECT count(*) FROM territory t`+where, args...).Scan(&matched); err != nil {
		return nil, 0, fmt.Errorf("count %s features: %w", q.Level, err)
	}
	if q.Limit <= 0 || q.Offset >= matched {
		return []Feature{}, matched, nil
	}
	rows, err := s.read.Query(ctx, area+`, page AS (SELECT t.code FROM territory t`+where+` ORDER BY t.code LIMIT $8 OFFSET $9)
		SELECT t.code, t.name, t.fid, coalesce(t.region, ''), coalesce(t.departement, ''), coalesce(t.zone_emploi, ''),
		       ST_AsEWKB(ST_Transform(t.geom, $10::int))
		FROM page JOIN territory t ON t.level = $1 AND t.code = page.code
		ORDER BY t.code`, append(args, q.Limit, q.Offset, srid)...)
	if err != nil {
		return nil, 0, fmt.Errorf("read %s features: %w", q.Level, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Feature, error) {
		f := Feature{Territory: territory.Territory{Level: q.Level}}
		var fid int64
		var raw []byte
		if err := r.Scan(&f.Code, &f.Name, &fid, &f.Region, &f.Departement, &f.ZoneEmploi, &raw); err != nil {
			return f, err
		}
		f.FID = uint64(fid)
		g, err := ewkb.Unmarshal(raw)
		if err != nil {
			return f, fmt.Errorf("geometry of %s %s: %w", q.Level, f.Code, err)
		}
		f.Geometry = g
		return f, nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("read %s features: %w", q.Level, err)
	}
	return out, matched, nil
}
