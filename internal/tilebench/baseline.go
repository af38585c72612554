package tilebench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atlas-sante-travail/atlas/internal/territory"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

// BaselineConns is the size of the baseline's connection pool.
const BaselineConns = 16

// BaselineSQL is the one query the baseline runs per tile, as generic tile
// servers do: clip and quantise the full-resolution geometry in the tile
// with ST_AsMVTGeom (buffer 64, extent 4096) and aggregate with ST_AsMVT,
// the index filtering on the buffered tile envelope. Parameters: $1 layer
// name, $2 level, $3..$5 z, x, y. The properties are those of Atlas's
// tiles for the level: code, name and the parent codes of the level
// (NULL when empty, which ST_AsMVT leaves out as Atlas does); the feature
// id is fid.
func BaselineSQL(level territory.Level) string {
	cols := []string{"fid", "code", "name"}
	for _, p := range level.Parents() {
		c := p.Field()
		cols = append(cols, fmt.Sprintf("NULLIF(%s, '') AS %s", c, c))
	}
	return `SELECT ST_AsMVT(q, $1, 4096, 'geom', 'fid') FROM (
  SELECT ` + strings.Join(cols, ", ") + `,
    ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope($3, $4, $5), 4096, 64, true) AS geom
  FROM territory
  WHERE level = $2 AND geom && ST_Transform(ST_TileEnvelope($3, $4, $5, margin => 64.0 / 4096), 4326)
) q WHERE geom IS NOT NULL`
}

// Baseline is an HTTP tile server in the manner of pg_tileserv or Martin.
type Baseline struct {
	pool   *pgxpool.Pool
	layers map[string]baselineLayer
}

type baselineLayer struct {
	level territory.Level
	sql   string
}

// NewBaseline opens a pool of BaselineConns connections and checks that
// every layer has territories in the database.
func NewBaseline(ctx context.Context, url string, layers []string) (*Baseline, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("baseline: database URL: %w", err)
	}
	cfg.MaxConns = BaselineConns
	cfg.ConnConfig.RuntimeParams["application_name"] = "atlas-bench-baseline"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	b := &Baseline{pool: pool, layers: map[string]baselineLayer{}}
	for _, name := range layers {
		lv, err := territory.ParseLevel(name)
		if err != nil {
			pool.Close()
			return nil, err
		}
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM territory WHERE level = $1`, string(lv)).Scan(&n); err != nil {
			pool.Close()
			return nil, fmt.Errorf("baseline: %w", err)
		}
		if n == 0 {
			pool.Close()
			return nil, fmt.Errorf("baseline: no territory of level %s in the database (import it first)", lv)
		}
		b.layers[lv.Layer()] = baselineLayer{level: lv, sql: BaselineSQL(lv)}
	}
	return b, nil
}

// Close releases the pool.
func (b *Baseline) Close() { b.pool.Close() }

// Handler serves /tiles/{layer}/{z}/{x}/{y}.mvt: 200 with the MVT, 204
// for an empty tile, never compressed.
func (b *Baseline) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /tiles/{layer}/{z}/{x}/{y}", func(w http.ResponseWriter, r *http.Request) {
		l, ok := b.layers[r.PathValue("layer")]
		if !ok {
			http.Error(w, "unknown layer", http.StatusNotFound)
			return
		}
		z, x, y, err := ParseTilePath(r.PathValue("z"), r.PathValue("x"), r.PathValue("y"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var mvt []byte
		if err := b.pool.QueryRow(r.Context(), l.sql, r.PathValue("layer"), string(l.level), z, x, y).Scan(&mvt); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if len(mvt) == 0 {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.mapbox-vector-tile")
		w.Header().Set("Content-Length", strconv.Itoa(len(mvt)))
		w.Write(mvt) //nolint:errcheck // the client went away
	})
	return mux
}

// ParseTilePath reads z, x and y.mvt from a tile URL.
func ParseTilePath(zs, xs, ys string) (z, x, y int, err error) {
	ys, ok := strings.CutSuffix(ys, ".mvt")
	if !ok {
		return 0, 0, 0, errors.New("the tile must end in .mvt")
	}
	return tiles.ParseTile(zs, xs, ys)
}
