package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// IndicatorValueRow is one value of an indicator as stored. Counts of a
// secret value are stored (they are needed to aggregate) and must never be
// output: every reader of values for output passes them through
// indicator.Gate (the diagnostic package does).
type IndicatorValueRow struct {
	// Indicator is set by IndicatorValues; imports leave it empty, the
	// import naming the indicator once.
	Indicator   string
	Level       territory.Level
	Code        string
	Period      string
	Sex         string
	Sector      string
	Value       *float64
	Numerator   *float64
	Denominator *float64
	Status      string
	Computed    bool
	DatasetID   int64
}

// IndicatorImport replaces one indicator: its catalogue entry and all its values.
type IndicatorImport struct {
	ID     string
	Theme  string
	Demo   bool
	Meta   json.RawMessage // the indicator's metadata, as the catalogue serves it
	Files  []string
	SHA256 string // of the input bytes and options: equal means no-op
	// Sources are the files read, with their size and sha256.
	Sources []SourceFile
	Rows    []IndicatorValueRow
}

// IndicatorImportResult says what an import did.
type IndicatorImportResult struct {
	ID        string // the indicator's
	DatasetID int64
	NoOp      bool
	Rows      int
}

// ReplaceIndicator replaces an indicator and its values in one transaction;
// a failure leaves the previous version untouched.
func (s *Store) ReplaceIndicator(ctx context.Context, imp IndicatorImport) (IndicatorImportResult, error) {
	res := IndicatorImportResult{ID: imp.ID}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('indicator:' || $1))`, imp.ID); err != nil {
			return err
		}
		var current string
		err := tx.QueryRow(ctx, `SELECT sha256 FROM indicator_dataset WHERE indicator = $1 AND active`, imp.ID).Scan(&current)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if current == imp.SHA256 {
			res.NoOp = true
			return nil
		}
		if err := tx.QueryRow(ctx, `INSERT INTO indicator_dataset (indicator, files, sha256, rows, sources) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			imp.ID, imp.Files, imp.SHA256, len(imp.Rows), sourcesJSON(imp.Sources)).Scan(&res.DatasetID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO indicator (id, theme, demo, meta, dataset_id) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (id) DO UPDATE SET theme = excluded.theme, demo = excluded.demo, meta = excluded.meta, dataset_id = excluded.dataset_id`,
			imp.ID, imp.Theme, imp.Demo, []byte(imp.Meta), res.DatasetID); err != nil {
			return fmt.Errorf("catalogue entry: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM indicator_value WHERE indicator = $1`, imp.ID); err != nil {
			return err
		}
		n, err := tx.CopyFrom(ctx, pgx.Identifier{"indicator_value"},
			[]string{"indicator", "level", "code", "period", "sex", "sector", "value", "numerator", "denominator", "status", "computed", "dataset_id"},
			pgx.CopyFromSlice(len(imp.Rows), func(i int) ([]any, error) {
				r := imp.Rows[i]
				return []any{imp.ID, r.Level, r.Code, r.Period, r.Sex, r.Sector, r.Value, r.Numerator, r.Denominator, r.Status, r.Computed, res.DatasetID}, nil
			}))
		if err != nil {
			return fmt.Errorf("store values: %w", err)
		}
		res.Rows = int(n)
		if _, err := tx.Exec(ctx, `UPDATE indicator_dataset SET active = false WHERE indicator = $1 AND active`, imp.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE indicator_dataset SET active = true WHERE id = $1`, res.DatasetID); err != nil {
			return err
		}
		// Fresh statistics before the first map is asked for: until
		// autovacuum gets to it, the planner would take the new rows for a
		// handful and join a regional map in seconds instead of
		// milliseconds. ANALYZE runs in the transaction and is committed
		// with it.
		if _, err := tx.Exec(ctx, `ANALYZE indicator_value`); err != nil {
			return fmt.Errorf("analyze values: %w", err)
		}
		// Delivered at commit only: servers never see a version mid-import.
		_, err = tx.Exec(ctx, `SELECT pg_notify($1, $2)`, NotifyIndicators, imp.ID)
		return err
	})
	return res, err
}

// IndicatorEntry is a catalogue entry with the dataset its values come from.
type IndicatorEntry struct {
	ID         string
	Theme      string
	Demo       bool
	Meta       json.RawMessage
	DatasetID  int64
	Files      []string
	SHA256     string
	ImportedAt time.Time
}

// Indicators returns the catalogue, ordered by theme then id.
func (s *Store) Indicators(ctx context.Context) ([]IndicatorEntry, error) {
	rows, err := s.read.Query(ctx, `SELECT i.id, i.theme, i.demo, i.meta, d.id, d.files, d.sha256, d.imported_at
		FROM indicator i JOIN indicator_dataset d ON d.id = i.dataset_id ORDER BY i.theme, i.id`)
	if err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (IndicatorEntry, error) {
		var e IndicatorEntry
		err := r.Scan(&e.ID, &e.Theme, &e.Demo, &e.Meta, &e.DatasetID, &e.Files, &e.SHA256, &e.ImportedAt)
		return e, err
	})
}

// IndicatorVersion changes whenever any indicator is imported or replaced:
// a one-row query that lets servers keep the catalogue and
// computed maps in memory between imports.
func (s *Store) IndicatorVersion(ctx context.Context) (string, error) {
	var sum, n int64
	if err := s.read.QueryRow(ctx, `SELECT coalesce(sum(id), 0), count(*) FROM indicator_dataset WHERE active`).Scan(&sum, &n); err != nil {
		return "", fmt.Errorf("indicator version: %w", err)
	}
	return fmt.Sprintf("%d.%d", n, sum), nil
}

// ActiveIndicatorSHA returns the fingerprint of an indicator's current
// dataset, or "" when it has never been imported.
func (s *Store) ActiveIndicatorSHA(ctx context.Context, id string) (string, error) {
	var sum string
	err := s.pool.QueryRow(ctx, `SELECT sha256 FROM indicator_dataset WHERE indicator = $1 AND active`, id).Scan(&sum)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return sum, err
}

// ValueQuery selects values; empty fields select everything. Within
// restricts to territories whose parent of level WithinLevel is WithinCode
// (or the territory itself when the levels are equal).
type ValueQuery struct {
	Indicator string
	Period    string
	// Batch, when not empty, replaces Indicator and Period: each indicator
	// at one period, or at all of them when its Period is empty. A profile
	// reads every indicator's latest period in one query.
	Batch       []IndicatorPeriod
	Level       territory.Level
	Sex         string
	Sector      string
	Code        string
	WithinLevel territory.Level
	WithinCode  string
}

// IndicatorPeriod names an indicator and one of its periods ("" for all).
type IndicatorPeriod struct {
	Indicator string
	Period    string
}

// IndicatorPeriods returns the distinct periods of an indicator at a level,
// sex and sector (empty fields select all), unordered.
func (s *Store) IndicatorPeriods(ctx context.Context, indicator string, level territory.Level, sex, sector string) ([]string, error) {
	rows, err := s.read.Query(ctx, `SELECT DISTINCT period FROM indicator_value
		WHERE indicator = $1 AND ($2 = '' OR level = $2) AND ($3 = '' OR sex = $3) AND ($4 = '' OR sector = $4)`,
		indicator, level, sex, sector)
	if err != nil {
		return nil, fmt.Errorf("periods of %s: %w", indicator, err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// IndicatorValues returns the values matching q, ordered by indicator,
// level, period, sex, sector and code.
func (s *Store) IndicatorValues(ctx context.Context, q ValueQuery) ([]IndicatorValueRow, error) {
	sel := q.Batch
	if len(sel) == 0 {
		sel = []IndicatorPeriod{{q.Indicator, q.Period}}
	}
	ids := make([]string, len(sel))
	periods := make([]string, len(sel))
	for i, ip := range sel {
		ids[i], periods[i] = ip.Indicator, ip.Period
	}
	sql := `SELECT v.indicator, v.level, v.code, v.period, v.sex, v.sector, v.value, v.numerator, v.denominator, v.status, v.computed, v.dataset_id
		FROM indicator_value v`
	args := []any{ids}
	where := ` WHERE v.indicator = ANY($1)`
	if len(ids) == 1 {
		// The common case stays a plain equality, which the planner reads
		// best; periods[0] is then the only period.
		args[0] = ids[0]
		where = ` WHERE v.indicator = $1`
		if periods[0] != "" {
			args = append(args, periods[0])
			where += ` AND v.period = $2`
		}
	} else {
		args = append(args, periods)
		sql += ` JOIN unnest($1::text[], $2::text[]) AS sel(indicator, period)
			ON sel.indicator = v.indicator AND (sel.period = '' OR sel.period = v.period)`
	}
	add := func(col, val string) {
		if val != "" {
			args = append(args, val)
			where += fmt.Sprintf(" AND %s = $%d", col, len(args))
		}
	}
	add("v.level", string(q.Level))
	add("v.sex", q.Sex)
	add("v.sector", q.Sector)
	add("v.code", q.Code)
	// Everything lies within France: no restriction.
	if q.WithinLevel != "" && q.WithinLevel != territory.France {
		col := parentColumn(q.WithinLevel)
		if col == "" {
			return nil, fmt.Errorf("cannot select within level %q", q.WithinLevel)
		}
		args = append(args, q.WithinLevel, q.WithinCode)
		sql += ` JOIN territory t ON t.level = v.level AND t.code = v.code`
		where += fmt.Sprintf(" AND ((t.level = $%d AND t.code = $%d) OR t.%s = $%d)", len(args)-1, len(args), col, len(args))
	}
	rows, err := s.read.Query(ctx, sql+where+` ORDER BY v.indicator, v.level, v.period, v.sex, v.sector, v.code`, args...)
	if err != nil {
		return nil, fmt.Errorf("values of %s: %w", strings.Join(ids, ", "), err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (IndicatorValueRow, error) {
		var v IndicatorValueRow
		err := r.Scan(&v.Indicator, &v.Level, &v.Code, &v.Period, &v.Sex, &v.Sector, &v.Value, &v.Numerator, &v.Denominator, &v.Status, &v.Computed, &v.DatasetID)
		return v, err
	})
}
