package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// NotifyTerritories is the LISTEN/NOTIFY channel on which an import announces
// that a level's territories changed, so that every server reloads them.
const NotifyTerritories = "atlas_territories"

// TerritoryRow is one feature to import: the territory (its FID set), its
// geometry as WKB, and Index, its position in the input, kept to name it in
// errors and repair reports.
type TerritoryRow struct {
	territory.Territory
	Index int
	WKB   []byte
}

// GeneralisedRow is a territory's geometry simplified for one zoom, as WKB
// in Web Mercator.
type GeneralisedRow struct {
	Code string
	Zoom int
	WKB  []byte
}

// TerritoryImport is a whole level's replacement.
type TerritoryImport struct {
	Level   territory.Level
	Files   []string
	SHA256  string       // of the input bytes and options: equal means no-op
	Sources []SourceFile // the files read, with their size and sha256
	Options any
	Vintage string
	// Dissolve merges all rows (which share one code) into one territory.
	Dissolve bool
	// Attribution credits the producers, for TileJSON and map legends.
	Attribution string
	SRID        int // of the WKB coordinates
	Rows        []TerritoryRow
	// Generalise receives every imported territory as WKB in Web Mercator
	// (after reprojection and repair) and returns the per-zoom versions.
	Generalise func(ctx context.Context, mercator []GeneralisedRow) ([]GeneralisedRow, error)
}

// Repair records a geometry that PostGIS found invalid and repaired.
type Repair struct {
	Index  int    `json:"index"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

// ImportResult says what an import did.
type ImportResult struct {
	DatasetID   int64
	NoOp        bool
	Features    int
	Repaired    []Repair
	Generalised int
}

// FeatureError names the feature of an input file at fault.
type FeatureError struct {
	Index int
	Code  string
	Err   error
}

func (e *FeatureError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("feature %d (code %s): %v", e.Index, e.Code, e.Err)
	}
	return fmt.Sprintf("feature %d: %v", e.Index, e.Err)
}

func (e *FeatureError) Unwrap() error { return e.Err }

// ReplaceTerritories replaces all territories of a level in one transaction:
// any failure, or a killed process, leaves the previous data as it was.
// Importing the same bytes again (same SHA256) changes nothing.
func (s *Store) ReplaceTerritories(ctx context.Context, imp TerritoryImport) (ImportResult, error) {
	var res ImportResult
	opts, err := json.Marshal(imp.Options)
	if err != nil {
		return res, err
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('territory:' || $1))`, imp.Level); err != nil {
			return err
		}
		var current string
		err := tx.QueryRow(ctx, `SELECT sha256 FROM territory_dataset WHERE level = $1 AND active`, imp.Level).Scan(&current)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if current == imp.SHA256 {
			res.NoOp = true
			return nil
		}
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE stage (idx int, code text, name text, fid bigint, region text, departement text, zone_emploi text, wkb bytea) ON COMMIT DROP`); err != nil {
			return err
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"stage"}, []string{"idx", "code", "name", "fid", "region", "departement", "zone_emploi", "wkb"},
			pgx.CopyFromSlice(len(imp.Rows), func(i int) ([]any, error) {
				r := imp.Rows[i]
				return []any{r.Index, r.Code, r.Name, int64(r.FID), nullable(r.Region), nullable(r.Departement), nullable(r.ZoneEmploi), r.WKB}, nil
			}))
		if err != nil {
			return fmt.Errorf("stage features: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE stage_geom ON COMMIT DROP AS
			SELECT idx, code, name, fid, region, departement, zone_emploi,
			       ST_Transform(ST_SetSRID(ST_GeomFromWKB(wkb), $1::int), 4326) AS g
			FROM stage`, imp.SRID); err != nil {
			return fmt.Errorf("reproject from EPSG:%d: %w", imp.SRID, err)
		}
		rows, err := tx.Query(ctx, `SELECT idx, code, ST_IsValidReason(g) FROM stage_geom WHERE NOT ST_IsValid(g) ORDER BY idx`)
		if err != nil {
			return err
		}
		res.Repaired, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Repair, error) {
			var x Repair
			return x, r.Scan(&x.Index, &x.Code, &x.Reason)
		})
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE stage_geom SET g = ST_CollectionExtract(ST_MakeValid(g), 3) WHERE NOT ST_IsValid(g)`); err != nil {
			return fmt.Errorf("repair geometry: %w", err)
		}
		if imp.Dissolve {
			// PostGIS unions the parts, so shared borders disappear.
			if _, err := tx.Exec(ctx, `CREATE TEMP TABLE stage_union ON COMMIT DROP AS
				SELECT min(idx) AS idx, min(code) AS code, min(name) AS name, min(fid) AS fid,
				       NULL::text AS region, NULL::text AS departement, NULL::text AS zone_emploi,
				       ST_CollectionExtract(ST_UnaryUnion(ST_Collect(g)), 3) AS g
				FROM stage_geom;
				DROP TABLE stage_geom;
				ALTER TABLE stage_union RENAME TO stage_geom`); err != nil {
				return fmt.Errorf("dissolve: %w", err)
			}
		}
		var idx int
		var code string
		err = tx.QueryRow(ctx, `SELECT idx, code FROM stage_geom WHERE g IS NULL OR ST_IsEmpty(g) OR ST_Area(g) = 0 ORDER BY idx LIMIT 1`).Scan(&idx, &code)
		if err == nil {
			return &FeatureError{Index: idx, Code: code, Err: errors.New("geometry has no area (empty or collapsed after repair)")}
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		repaired, _ := json.Marshal(nonNil(res.Repaired))
		err = tx.QueryRow(ctx, `INSERT INTO territory_dataset (level, files, sha256, options, vintage, attribution, feature_count, repaired, sources)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			imp.Level, imp.Files, imp.SHA256, opts, imp.Vintage, imp.Attribution, len(imp.Rows), repaired, sourcesJSON(imp.Sources)).Scan(&res.DatasetID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM territory WHERE level = $1`, imp.Level); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO territory (level, code, name, fid, region, departement, zone_emploi, dataset_id, geom)
			SELECT $1, code, name, fid, region, departement, zone_emploi, $2, ST_Multi(g) FROM stage_geom`,
			imp.Level, res.DatasetID)
		if err != nil {
			return fmt.Errorf("insert territories: %w", err)
		}
		res.Features = int(tag.RowsAffected())
		if err := s.generalise(ctx, tx, imp, &res); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE territory_dataset SET active = false WHERE level = $1 AND active`, imp.Level); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE territory_dataset SET active = true WHERE id = $1`, res.DatasetID); err != nil {
			return err
		}
		// Statistics for the queries that join territories (maps within a
		// région), as for indicator values.
		if _, err := tx.Exec(ctx, `ANALYZE territory`); err != nil {
			return fmt.Errorf("analyze territories: %w", err)
		}
		_, err = tx.Exec(ctx, `SELECT pg_notify($1, $2)`, NotifyTerritories, imp.Level)
		return err
	})
	return res, err
}

func (s *Store) generalise(ctx context.Context, tx pgx.Tx, imp TerritoryImport, res *ImportResult) error {
	if imp.Generalise == nil {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT code, ST_AsBinary(ST_Transform(geom, 3857)) FROM territory WHERE level = $1 ORDER BY code`, imp.Level)
	if err != nil {
		return err
	}
	merc, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (GeneralisedRow, error) {
		var g GeneralisedRow
		return g, r.Scan(&g.Code, &g.WKB)
	})
	if err != nil {
		return err
	}
	gen, err := imp.Generalise(ctx, merc)
	if err != nil {
		return fmt.Errorf("generalise: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE stage_gen (code text, zoom smallint, wkb bytea) ON COMMIT DROP`); err != nil {
		return err
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"stage_gen"}, []string{"code", "zoom", "wkb"},
		pgx.CopyFromSlice(len(gen), func(i int) ([]any, error) {
			return []any{gen[i].Code, int16(gen[i].Zoom), gen[i].WKB}, nil
		})); err != nil {
		return fmt.Errorf("stage generalised geometry: %w", err)
	}
	// Douglas-Peucker can make a ring cross itself; PostGIS repairs those few
	// in place, which adds nodes but moves no shared border.
	tag, err := tx.Exec(ctx, `INSERT INTO territory_generalised (level, code, zoom, geom)
		SELECT $1, code, zoom, g FROM (
			SELECT code, zoom, ST_Multi(CASE WHEN ST_IsValid(g0) THEN g0 ELSE ST_CollectionExtract(ST_MakeValid(g0), 3) END) AS g
			FROM (SELECT code, zoom, ST_SetSRID(ST_GeomFromWKB(wkb), 3857) AS g0 FROM stage_gen) s0
		) s WHERE NOT ST_IsEmpty(g)`, imp.Level)
	if err != nil {
		return fmt.Errorf("store generalised geometry: %w", err)
	}
	res.Generalised = int(tag.RowsAffected())
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// LoadedGeometry is one generalised geometry for serving.
type LoadedGeometry struct {
	Code string
	Zoom int
	WKB  []byte
}

// LevelData is everything the tile server keeps in memory for a level.
type LevelData struct {
	Level       territory.Level
	DatasetID   int64
	Vintage     string
	Attribution string
	ImportedAt  time.Time
	Territories []territory.Territory
	// Bounds in WGS84: west, south, east, north.
	Bounds [4]float64
}

// LoadLevel reads a level's territories and generalised geometry; ok is
// false when the level has not been imported.
func (s *Store) LoadLevel(ctx context.Context, level territory.Level) (LevelData, bool, error) {
	d := LevelData{Level: level}
	err := s.read.QueryRow(ctx, `SELECT id, vintage, attribution, imported_at FROM territory_dataset WHERE level = $1 AND active`, level).
		Scan(&d.DatasetID, &d.Vintage, &d.Attribution, &d.ImportedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, false, nil
	}
	if err != nil {
		return d, false, fmt.Errorf("load %s: %w", level, err)
	}
	rows, err := s.read.Query(ctx, `SELECT code, name, fid, coalesce(region, ''), coalesce(departement, ''), coalesce(zone_emploi, '')
		FROM territory WHERE level = $1 ORDER BY code`, level)
	if err != nil {
		return d, false, fmt.Errorf("load %s: %w", level, err)
	}
	d.Territories, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (territory.Territory, error) {
		t := territory.Territory{Level: level}
		var fid int64
		err := r.Scan(&t.Code, &t.Name, &fid, &t.Region, &t.Departement, &t.ZoneEmploi)
		t.FID = uint64(fid)
		return t, err
	})
	if err != nil {
		return d, false, fmt.Errorf("load %s: %w", level, err)
	}
	err = s.read.QueryRow(ctx, `SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom)::geometry AS e FROM territory WHERE level = $1) x`, level).
		Scan(&d.Bounds[0], &d.Bounds[1], &d.Bounds[2], &d.Bounds[3])
	if err != nil {
		return d, false, fmt.Errorf("load %s bounds: %w", level, err)
	}
	return d, true, nil
}

// EachGeometry streams a level's generalised geometries to fn, one row at
// a time: holding all the WKB of communes at once would double the
// server's peak memory. fn must not keep g.WKB, which is reused.
func (s *Store) EachGeometry(ctx context.Context, level territory.Level, fn func(g LoadedGeometry) error) error {
	rows, err := s.read.Query(ctx, `SELECT code, zoom, ST_AsBinary(geom) FROM territory_generalised WHERE level = $1 ORDER BY zoom, code`, level)
	if err != nil {
		return fmt.Errorf("load %s geometry: %w", level, err)
	}
	defer rows.Close()
	var g LoadedGeometry
	var z int16
	for rows.Next() {
		if err := rows.Scan(&g.Code, &z, &g.WKB); err != nil {
			return fmt.Errorf("load %s geometry: %w", level, err)
		}
		g.Zoom = int(z)
		if err := fn(g); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load %s geometry: %w", level, err)
	}
	return nil
}

// ActiveTerritoryDatasets returns the active dataset id of every imported
// level.
func (s *Store) ActiveTerritoryDatasets(ctx context.Context) (map[territory.Level]int64, error) {
	rows, err := s.read.Query(ctx, `SELECT level, id FROM territory_dataset WHERE active`)
	if err != nil {
		return nil, fmt.Errorf("active territory datasets: %w", err)
	}
	out := map[territory.Level]int64{}
	var level territory.Level
	var id int64
	_, err = pgx.ForEachRow(rows, []any{&level, &id}, func() error {
		out[level] = id
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("active territory datasets: %w", err)
	}
	return out, nil
}

// ActiveTerritorySHA returns the fingerprint of a level's current dataset,
// or "" when the level has never been imported.
func (s *Store) ActiveTerritorySHA(ctx context.Context, level territory.Level) (string, error) {
	var sum string
	err := s.pool.QueryRow(ctx, `SELECT sha256 FROM territory_dataset WHERE level = $1 AND active`, level).Scan(&sum)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return sum, err
}

// Place is a territory with where it lies and what it contains.
type Place struct {
	territory.Territory
	BBox     [4]float64 // west, south, east, north (WGS84)
	Centroid [2]float64 // a point inside the territory (lon, lat)
	// Children are the territories of every finer level inside it, by
	// level, then by code.
	Children []territory.Territory
}

// parentColumn is the column of table territory holding the code of a
// territory's parent of level l, or "" when no territory has such a parent.
func parentColumn(l territory.Level) string {
	if len(l.Children()) == 0 {
		return ""
	}
	return l.Field() // the columns are named as the tiles' properties
}

// TerritoryByCode returns one territory with its bounding box, an inner
// point and its children at every finer level; ok is false when unknown.
func (s *Store) TerritoryByCode(ctx context.Context, level territory.Level, code string) (Place, bool, error) {
	var d Place
	var fid int64
	err := s.read.QueryRow(ctx, `SELECT code, name, fid, coalesce(region, ''), coalesce(departement, ''), coalesce(zone_emploi, ''),
			ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom),
			ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom))
		FROM territory WHERE level = $1 AND code = $2`, level, code).
		Scan(&d.Code, &d.Name, &fid, &d.Region, &d.Departement, &d.ZoneEmploi,
			&d.BBox[0], &d.BBox[1], &d.BBox[2], &d.BBox[3], &d.Centroid[0], &d.Centroid[1])
	if errors.Is(err, pgx.ErrNoRows) {
		return d, false, nil
	}
	if err != nil {
		return d, false, fmt.Errorf("territory %s %s: %w", level, code, err)
	}
	d.Level, d.FID = level, uint64(fid)
	col := parentColumn(level)
	if col == "" {
		return d, true, nil
	}
	rows, err := s.read.Query(ctx, `SELECT level, code, name, fid FROM territory WHERE `+col+` = $1 ORDER BY level, code`, code)
	if err != nil {
		return d, false, fmt.Errorf("children of %s %s: %w", level, code, err)
	}
	d.Children, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (territory.Territory, error) {
		var t territory.Territory
		var fid int64
		err := r.Scan(&t.Level, &t.Code, &t.Name, &fid)
		t.FID = uint64(fid)
		return t, err
	})
	if err != nil {
		return d, false, fmt.Errorf("children of %s %s: %w", level, code, err)
	}
	return d, true, nil
}
