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

// SourceFile is one file an import read: its base name, size in bytes and
// sha256 (hex), kept with the dataset as its provenance.
type SourceFile struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

func sourcesJSON(s []SourceFile) []byte {
	b, _ := json.Marshal(nonNil(s))
	return b
}

// TerritoryDataset is the active import of a level, with its provenance.
type TerritoryDataset struct {
	Level       territory.Level
	DatasetID   int64
	Files       []string
	SHA256      string // the import's fingerprint (bytes and options)
	Sources     []SourceFile
	Vintage     string
	Attribution string
	Features    int
	Repaired    int
	ImportedAt  time.Time
}

// IndicatorDataset is the active import of an indicator, with its
// provenance; Meta is the catalogue entry as imported.
type IndicatorDataset struct {
	ID         string
	Demo       bool
	Meta       json.RawMessage
	DatasetID  int64
	Files      []string
	SHA256     string
	Sources    []SourceFile
	Rows       int
	ImportedAt time.Time
}

// ActiveDatasets returns the active import of every level and of every
// indicator, levels by name and indicators by id.
func (s *Store) ActiveDatasets(ctx context.Context) ([]TerritoryDataset, []IndicatorDataset, error) {
	rows, err := s.pool.Query(ctx, `SELECT level, id, files, sha256, sources, vintage, attribution, feature_count,
			jsonb_array_length(repaired), imported_at
		FROM territory_dataset WHERE active ORDER BY level`)
	if err != nil {
		return nil, nil, fmt.Errorf("territory datasets: %w", err)
	}
	levels, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (TerritoryDataset, error) {
		var d TerritoryDataset
		var src []byte
		if err := r.Scan(&d.Level, &d.DatasetID, &d.Files, &d.SHA256, &src, &d.Vintage, &d.Attribution, &d.Features, &d.Repaired, &d.ImportedAt); err != nil {
			return d, err
		}
		return d, json.Unmarshal(src, &d.Sources)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("territory datasets: %w", err)
	}
	rows, err = s.pool.Query(ctx, `SELECT i.id, i.demo, i.meta, d.id, d.files, d.sha256, d.sources, d.rows, d.imported_at
		FROM indicator i JOIN indicator_dataset d ON d.id = i.dataset_id ORDER BY i.id`)
	if err != nil {
		return nil, nil, fmt.Errorf("indicator datasets: %w", err)
	}
	inds, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (IndicatorDataset, error) {
		var d IndicatorDataset
		var src []byte
		if err := r.Scan(&d.ID, &d.Demo, &d.Meta, &d.DatasetID, &d.Files, &d.SHA256, &src, &d.Rows, &d.ImportedAt); err != nil {
			return d, err
		}
		return d, json.Unmarshal(src, &d.Sources)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("indicator datasets: %w", err)
	}
	return levels, inds, nil
}

// DeleteIndicator removes an indicator from the catalogue with its values,
// in one transaction that servers hear of at commit (NOTIFY
// atlas_indicators) like an import; its datasets stay as history, none
// active, so that importing the same files again imports them. found is
// false when the indicator does not exist.
func (s *Store) DeleteIndicator(ctx context.Context, id string) (found bool, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// The lock of ReplaceIndicator: a concurrent import of the same
		// indicator comes wholly before or after.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('indicator:' || $1))`, id); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM indicator WHERE id = $1`, id) // values cascade
		if err != nil {
			return err
		}
		if found = tag.RowsAffected() > 0; !found {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE indicator_dataset SET active = false WHERE indicator = $1 AND active`, id); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `SELECT pg_notify($1, $2)`, NotifyIndicators, id)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("delete indicator %s: %w", id, err)
	}
	return found, nil
}

// LevelDependents names what refers to the territories of a level, which
// may not be deleted while anything does: indicators with values at the
// level, and workshops with contributions or dots on its territories
// (by workshop code).
type LevelDependents struct {
	Indicators []string
	Workshops  []string
}

// Any tells whether anything depends on the level.
func (d LevelDependents) Any() bool { return len(d.Indicators)+len(d.Workshops) > 0 }

// DeleteTerritories removes a level's territories and their generalised
// geometry when nothing depends on them, in one transaction that servers
// hear of at commit (NOTIFY atlas_territories, on which tiles drop the
// layer). When something does, nothing is deleted and deps names it; found
// is false when the level is not imported.
func (s *Store) DeleteTerritories(ctx context.Context, level territory.Level) (found bool, deps LevelDependents, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('territory:' || $1))`, level); err != nil {
			return err
		}
		// Values written by a concurrent import would otherwise slip in
		// between the check and the delete: SHARE mode waits for writers
		// and holds new ones off until this transaction ends.
		if _, err := tx.Exec(ctx, `LOCK TABLE indicator_value, workshop_contribution, workshop_dot IN SHARE MODE`); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM territory_dataset WHERE level = $1 AND active)`, level).Scan(&found)
		if err != nil || !found {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT DISTINCT indicator FROM indicator_value WHERE level = $1 ORDER BY indicator`, level)
		if err != nil {
			return err
		}
		if deps.Indicators, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT w.code FROM workshop w
			WHERE EXISTS (SELECT 1 FROM workshop_contribution c WHERE c.workshop_id = w.id AND c.level = $1)
			   OR EXISTS (SELECT 1 FROM workshop_dot d WHERE d.workshop_id = w.id AND d.level = $1)
			ORDER BY w.code`, level)
		if err != nil {
			return err
		}
		if deps.Workshops, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return err
		}
		if deps.Any() {
			return nil
		}
		if _, err := tx.Exec(ctx, `DELETE FROM territory WHERE level = $1`, level); err != nil { // generalised rows cascade
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE territory_dataset SET active = false WHERE level = $1 AND active`, level); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `SELECT pg_notify($1, $2)`, NotifyTerritories, level)
		return err
	})
	if err != nil {
		return false, LevelDependents{}, fmt.Errorf("delete territories %s: %w", level, err)
	}
	return found, deps, nil
}

// StoredAnswer is the answer kept for an idempotency key: the fingerprint
// of the request that got it, its status, content type and body. Status 0
// means the request holding the key has not finished.
type StoredAnswer struct {
	Fingerprint string
	Status      int
	ContentType string
	Body        []byte
}

// ClaimIdempotencyKey takes key for a new request and returns claimed, or
// returns the answer already stored for it (Status 0 while the request
// that holds it runs). A claim older than stale that never finished (its
// server stopped) and an answer older than expire are forgotten, so the
// key can be claimed again.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, key string, stale, expire time.Duration) (claimed bool, prev StoredAnswer, err error) {
	err = s.pool.QueryRow(ctx, `INSERT INTO admin_idempotency AS a (key) VALUES ($1)
		ON CONFLICT (key) DO UPDATE SET fingerprint = NULL, status = NULL, content_type = NULL, body = NULL, claimed_at = now(), completed_at = NULL
		WHERE (a.status IS NULL AND a.claimed_at < now() - $2 * interval '1 millisecond')
		   OR a.completed_at < now() - $3 * interval '1 millisecond'
		RETURNING true`, key, stale.Milliseconds(), expire.Milliseconds()).Scan(&claimed)
	if err == nil {
		return true, prev, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return false, prev, fmt.Errorf("claim idempotency key: %w", err)
	}
	var fp, ct *string
	var status *int
	err = s.pool.QueryRow(ctx, `SELECT fingerprint, status, content_type, body FROM admin_idempotency WHERE key = $1`, key).
		Scan(&fp, &status, &ct, &prev.Body)
	if errors.Is(err, pgx.ErrNoRows) {
		// Released between the two statements: the caller's retry claims it.
		return false, prev, fmt.Errorf("claim idempotency key: released meanwhile, try again")
	}
	if err != nil {
		return false, prev, fmt.Errorf("claim idempotency key: %w", err)
	}
	if fp != nil {
		prev.Fingerprint = *fp
	}
	if status != nil {
		prev.Status = *status
	}
	if ct != nil {
		prev.ContentType = *ct
	}
	return false, prev, nil
}

// CompleteIdempotencyKey stores the answer of the request that claimed key.
func (s *Store) CompleteIdempotencyKey(ctx context.Context, key string, a StoredAnswer) error {
	_, err := s.pool.Exec(ctx, `UPDATE admin_idempotency SET fingerprint = $2, status = $3, content_type = $4, body = $5, completed_at = now()
		WHERE key = $1`, key, a.Fingerprint, a.Status, a.ContentType, a.Body)
	if err != nil {
		return fmt.Errorf("store idempotent answer: %w", err)
	}
	return nil
}

// ReleaseIdempotencyKey forgets a claim whose request did not finish in a
// way worth replaying, so that a retry with the same key runs again.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, key string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM admin_idempotency WHERE key = $1 AND status IS NULL`, key)
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}
