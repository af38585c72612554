package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// WorkshopContribution is one contribution of a workshop's board. Stamp
// is the workshop package's JSON (or nil).
type WorkshopContribution struct {
	ID            int
	Kind          string
	Text          string
	Level         string
	Code          string
	TerritoryName string
	Stamp         json.RawMessage
	Author        int // 0: the facilitator
	AuthorName    string
	CreatedAt     time.Time
	EditedAt      *time.Time
	Revealed      bool
	Hidden        bool
	MergedInto    int // 0: none
	Retained      bool
}

// WorkshopDot is one dot of a participant's: on a contribution, or (when
// Contribution is 0) on a territory. Level and Code are the territory's,
// or the contribution's.
type WorkshopDot struct {
	Participant  int
	Contribution int
	Level        string
	Code         string
}

// WorkshopPoll is a quick question of the facilitator's.
type WorkshopPoll struct {
	ID        int
	Question  string
	Kind      string
	Choices   []string
	Open      bool
	CreatedAt time.Time
}

// WorkshopAnswer is a participant's answer to a poll: the indices of the
// choices.
type WorkshopAnswer struct {
	Poll        int
	Participant int
	Choices     []int
}

// WorkshopBoard is a whole board, for a snapshot: contributions, dots
// and polls in the order they were made, answers by poll then
// participant.
type WorkshopBoard struct {
	Contributions []WorkshopContribution
	Dots          []WorkshopDot
	Polls         []WorkshopPoll
	Answers       []WorkshopAnswer
}

// DotCounts are the counts one dot changes: on its contribution, and on
// its territory (dots on it and on the contributions pinned to it).
type DotCounts struct {
	Contribution int
	Territory    int
}

// Board is a workshop's board inside ChangeWorkshop's transaction: what it
// reads is locked with the workshop's row, what it writes commits (or
// not) with the events.
type Board struct {
	ctx      context.Context
	tx       pgx.Tx
	workshop int64
}

const contributionColumns = `id, kind, body, level, code, territory_name, stamp, author, author_name, created_at, edited_at,
	revealed, hidden, coalesce(merged_into, 0), retained`

func scanContribution(r pgx.Row) (WorkshopContribution, error) {
	var c WorkshopContribution
	err := r.Scan(&c.ID, &c.Kind, &c.Text, &c.Level, &c.Code, &c.TerritoryName, &c.Stamp, &c.Author, &c.AuthorName, &c.CreatedAt, &c.EditedAt,
		&c.Revealed, &c.Hidden, &c.MergedInto, &c.Retained)
	return c, err
}

func nullInt(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

// Contribution returns one contribution; ok is false when there is none.
func (b *Board) Contribution(id int) (WorkshopContribution, bool, error) {
	c, err := scanContribution(b.tx.QueryRow(b.ctx, `SELECT `+contributionColumns+` FROM workshop_contribution WHERE workshop_id = $1 AND id = $2`, b.workshop, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("contribution %d: %w", id, err)
	}
	return c, true, nil
}

// CountContributions is how many contributions the board holds.
func (b *Board) CountContributions() (int, error) {
	var n int
	err := b.tx.QueryRow(b.ctx, `SELECT count(*) FROM workshop_contribution WHERE workshop_id = $1`, b.workshop).Scan(&n)
	return n, err
}

// AddContribution stores a new contribution.
func (b *Board) AddContribution(c WorkshopContribution) error {
	_, err := b.tx.Exec(b.ctx, `INSERT INTO workshop_contribution (workshop_id, id, kind, body, level, code, territory_name, stamp, author, author_name,
			created_at, edited_at, revealed, hidden, merged_into, retained)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		b.workshop, c.ID, c.Kind, c.Text, c.Level, c.Code, c.TerritoryName, []byte(c.Stamp), c.Author, c.AuthorName,
		c.CreatedAt, c.EditedAt, c.Revealed, c.Hidden, nullInt(c.MergedInto), c.Retained)
	if err != nil {
		return fmt.Errorf("add contribution %d: %w", c.ID, err)
	}
	return nil
}

// UpdateContribution stores what may change of a contribution: its kind,
// text, edit time, and the facilitator's marks.
func (b *Board) UpdateContribution(c WorkshopContribution) error {
	_, err := b.tx.Exec(b.ctx, `UPDATE workshop_contribution SET kind = $3, body = $4, edited_at = $5, revealed = $6, hidden = $7,
			merged_into = $8, retained = $9
		WHERE workshop_id = $1 AND id = $2`,
		b.workshop, c.ID, c.Kind, c.Text, c.EditedAt, c.Revealed, c.Hidden, nullInt(c.MergedInto), c.Retained)
	if err != nil {
		return fmt.Errorf("update contribution %d: %w", c.ID, err)
	}
	return nil
}

// DeleteContribution removes a contribution with the dots on it; those
// merged into it are merged no more. It returns the participants whose
// dots went.
func (b *Board) DeleteContribution(id int) ([]int, error) {
	rows, err := b.tx.Query(b.ctx, `SELECT DISTINCT participant FROM workshop_dot WHERE workshop_id = $1 AND contribution = $2 ORDER BY 1`, b.workshop, id)
	if err != nil {
		return nil, fmt.Errorf("delete contribution %d: %w", id, err)
	}
	voters, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return nil, fmt.Errorf("delete contribution %d: %w", id, err)
	}
	if _, err := b.tx.Exec(b.ctx, `DELETE FROM workshop_contribution WHERE workshop_id = $1 AND id = $2`, b.workshop, id); err != nil {
		return nil, fmt.Errorf("delete contribution %d: %w", id, err)
	}
	return voters, nil
}

// Merge merges contribution from into to: the dots on from (and on those
// merged into it) move to to, and so do those merges, so that a merge is
// never more than one step. It returns the participants whose dots moved.
func (b *Board) Merge(from int, to WorkshopContribution) ([]int, error) {
	if _, err := b.tx.Exec(b.ctx, `UPDATE workshop_contribution SET merged_into = $3 WHERE workshop_id = $1 AND merged_into = $2`, b.workshop, from, to.ID); err != nil {
		return nil, fmt.Errorf("merge contribution %d: %w", from, err)
	}
	rows, err := b.tx.Query(b.ctx, `UPDATE workshop_dot SET contribution = $3, level = $4, code = $5 WHERE workshop_id = $1 AND contribution = $2
		RETURNING participant`, b.workshop, from, to.ID, to.Level, to.Code)
	if err != nil {
		return nil, fmt.Errorf("merge contribution %d: %w", from, err)
	}
	moved, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return nil, fmt.Errorf("merge contribution %d: %w", from, err)
	}
	slices.Sort(moved)
	return slices.Compact(moved), nil
}

// Totals counts the dots and the participants who put one, for when a
// deletion took dots away.
func (b *Board) Totals() (dots, voters int, err error) {
	err = b.tx.QueryRow(b.ctx, `SELECT count(*), count(DISTINCT participant) FROM workshop_dot WHERE workshop_id = $1`, b.workshop).Scan(&dots, &voters)
	if err != nil {
		return 0, 0, fmt.Errorf("count dots: %w", err)
	}
	return dots, voters, nil
}

// RevealContributions marks every contribution revealed and returns those
// that were not, in order.
func (b *Board) RevealContributions() ([]WorkshopContribution, error) {
	rows, err := b.tx.Query(b.ctx, `UPDATE workshop_contribution SET revealed = true WHERE workshop_id = $1 AND NOT revealed
		RETURNING `+contributionColumns, b.workshop)
	if err != nil {
		return nil, fmt.Errorf("reveal contributions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (WorkshopContribution, error) { return scanContribution(r) })
	if err != nil {
		return nil, fmt.Errorf("reveal contributions: %w", err)
	}
	// RETURNING has no order.
	slices.SortFunc(out, func(a, b WorkshopContribution) int { return a.ID - b.ID })
	return out, nil
}

// Dots returns a participant's dots, in the order they were put.
func (b *Board) Dots(participant int) ([]WorkshopDot, error) {
	rows, err := b.tx.Query(b.ctx, `SELECT participant, coalesce(contribution, 0), level, code
		FROM workshop_dot WHERE workshop_id = $1 AND participant = $2 ORDER BY id`, b.workshop, participant)
	if err != nil {
		return nil, fmt.Errorf("dots of participant %d: %w", participant, err)
	}
	return pgx.CollectRows(rows, scanDot)
}

func scanDot(r pgx.CollectableRow) (WorkshopDot, error) {
	var d WorkshopDot
	err := r.Scan(&d.Participant, &d.Contribution, &d.Level, &d.Code)
	return d, err
}

// countsSQL reads the dots on a contribution ($2, 0: none) and on a
// territory ($3, $4), each on its index.
const countsSQL = `SELECT
	(SELECT count(*) FROM workshop_dot WHERE workshop_id = $1 AND contribution = $2),
	(SELECT count(*) FROM workshop_dot WHERE workshop_id = $1 AND level = $3 AND code = $4)`

// AddDot puts a dot, and returns the counts of its target after it (in
// the same round trip).
func (b *Board) AddDot(d WorkshopDot) (DotCounts, error) {
	var batch pgx.Batch
	batch.Queue(`INSERT INTO workshop_dot (workshop_id, participant, contribution, level, code) VALUES ($1, $2, $3, $4, $5)`,
		b.workshop, d.Participant, nullInt(d.Contribution), d.Level, d.Code)
	var c DotCounts
	batch.Queue(countsSQL, b.workshop, d.Contribution, d.Level, d.Code).QueryRow(func(r pgx.Row) error { return r.Scan(&c.Contribution, &c.Territory) })
	if err := b.tx.SendBatch(b.ctx, &batch).Close(); err != nil {
		return c, fmt.Errorf("add dot: %w", err)
	}
	return c, nil
}

// RemoveDot takes back the participant's first dot on d's target (ok is
// false when there was none), and returns the counts after it.
func (b *Board) RemoveDot(d WorkshopDot) (DotCounts, bool, error) {
	var batch pgx.Batch
	ok := false
	batch.Queue(`DELETE FROM workshop_dot WHERE id = (SELECT id FROM workshop_dot
		WHERE workshop_id = $1 AND participant = $2 AND coalesce(contribution, 0) = $3 AND ($3 <> 0 OR (level = $4 AND code = $5))
		ORDER BY id LIMIT 1) RETURNING id`, b.workshop, d.Participant, d.Contribution, d.Level, d.Code).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			ok = true
		}
		return rows.Err()
	})
	var c DotCounts
	batch.Queue(countsSQL, b.workshop, d.Contribution, d.Level, d.Code).QueryRow(func(r pgx.Row) error { return r.Scan(&c.Contribution, &c.Territory) })
	if err := b.tx.SendBatch(b.ctx, &batch).Close(); err != nil {
		return c, false, fmt.Errorf("remove dot: %w", err)
	}
	return c, ok, nil
}

// Counts are the dots on a contribution (0: none) and on a territory.
func (b *Board) Counts(contribution int, level, code string) (DotCounts, error) {
	var c DotCounts
	if err := b.tx.QueryRow(b.ctx, countsSQL, b.workshop, contribution, level, code).Scan(&c.Contribution, &c.Territory); err != nil {
		return c, fmt.Errorf("count dots: %w", err)
	}
	return c, nil
}

// Poll returns one poll; ok is false when there is none.
func (b *Board) Poll(id int) (WorkshopPoll, bool, error) {
	var p WorkshopPoll
	err := b.tx.QueryRow(b.ctx, `SELECT id, question, kind, choices, open, created_at FROM workshop_poll WHERE workshop_id = $1 AND id = $2`,
		b.workshop, id).Scan(&p.ID, &p.Question, &p.Kind, &p.Choices, &p.Open, &p.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, false, nil
	}
	if err != nil {
		return p, false, fmt.Errorf("poll %d: %w", id, err)
	}
	return p, true, nil
}

// AddPoll stores a new poll.
func (b *Board) AddPoll(p WorkshopPoll) error {
	_, err := b.tx.Exec(b.ctx, `INSERT INTO workshop_poll (workshop_id, id, question, kind, choices, open, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		b.workshop, p.ID, p.Question, p.Kind, p.Choices, p.Open, p.CreatedAt)
	if err != nil {
		return fmt.Errorf("add poll %d: %w", p.ID, err)
	}
	return nil
}

// SetPollOpen opens or closes a poll to answers.
func (b *Board) SetPollOpen(id int, open bool) error {
	if _, err := b.tx.Exec(b.ctx, `UPDATE workshop_poll SET open = $3 WHERE workshop_id = $1 AND id = $2`, b.workshop, id, open); err != nil {
		return fmt.Errorf("poll %d: %w", id, err)
	}
	return nil
}

// Answer records a participant's answer to a poll, replacing theirs.
func (b *Board) Answer(a WorkshopAnswer) error {
	_, err := b.tx.Exec(b.ctx, `INSERT INTO workshop_answer (workshop_id, poll, participant, choices) VALUES ($1, $2, $3, $4)
		ON CONFLICT (workshop_id, poll, participant) DO UPDATE SET choices = excluded.choices, answered_at = now()`,
		b.workshop, a.Poll, a.Participant, a.Choices)
	if err != nil {
		return fmt.Errorf("answer poll %d: %w", a.Poll, err)
	}
	return nil
}

// Answers returns a poll's answers, by participant.
func (b *Board) Answers(poll int) ([]WorkshopAnswer, error) {
	return answers(b.ctx, b.tx, `SELECT poll, participant, choices FROM workshop_answer WHERE workshop_id = $1 AND poll = $2 ORDER BY participant`, b.workshop, poll)
}

// Load reads the whole board, as it stands in the transaction.
func (b *Board) Load() (WorkshopBoard, error) { return loadBoard(b.ctx, b.tx, b.workshop) }

func answers(ctx context.Context, q pgx.Tx, sql string, args ...any) ([]WorkshopAnswer, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("answers: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (WorkshopAnswer, error) {
		var a WorkshopAnswer
		err := r.Scan(&a.Poll, &a.Participant, &a.Choices)
		return a, err
	})
}

func loadBoard(ctx context.Context, tx pgx.Tx, workshop int64) (WorkshopBoard, error) {
	var wb WorkshopBoard
	rows, err := tx.Query(ctx, `SELECT `+contributionColumns+` FROM workshop_contribution WHERE workshop_id = $1 ORDER BY id`, workshop)
	if err != nil {
		return wb, fmt.Errorf("contributions: %w", err)
	}
	if wb.Contributions, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (WorkshopContribution, error) { return scanContribution(r) }); err != nil {
		return wb, fmt.Errorf("contributions: %w", err)
	}
	rows, err = tx.Query(ctx, `SELECT participant, coalesce(contribution, 0), level, code
		FROM workshop_dot WHERE workshop_id = $1 ORDER BY id`, workshop)
	if err != nil {
		return wb, fmt.Errorf("dots: %w", err)
	}
	if wb.Dots, err = pgx.CollectRows(rows, scanDot); err != nil {
		return wb, fmt.Errorf("dots: %w", err)
	}
	rows, err = tx.Query(ctx, `SELECT id, question, kind, choices, open, created_at FROM workshop_poll WHERE workshop_id = $1 ORDER BY id`, workshop)
	if err != nil {
		return wb, fmt.Errorf("polls: %w", err)
	}
	if wb.Polls, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (WorkshopPoll, error) {
		var p WorkshopPoll
		err := r.Scan(&p.ID, &p.Question, &p.Kind, &p.Choices, &p.Open, &p.CreatedAt)
		return p, err
	}); err != nil {
		return wb, fmt.Errorf("polls: %w", err)
	}
	wb.Answers, err = answers(ctx, tx, `SELECT poll, participant, choices FROM workshop_answer WHERE workshop_id = $1 ORDER BY poll, participant`, workshop)
	return wb, err
}

// WorkshopSnapshot reads a workshop's row and its whole board at one
// point of its log: the board is the one the row's Seq left, so that a
// client replays the events after Seq onto it and misses nothing.
// ok is false when there is no such workshop.
func (s *Store) WorkshopSnapshot(ctx context.Context, code string) (Workshop, WorkshopBoard, bool, error) {
	var w Workshop
	var wb WorkshopBoard
	found := true
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		w, err = scanWorkshop(tx.QueryRow(ctx, `SELECT `+workshopColumns+` FROM workshop WHERE code = $1`, code))
		if errors.Is(err, pgx.ErrNoRows) {
			found = false
			return nil
		}
		if err != nil {
			return err
		}
		wb, err = loadBoard(ctx, tx, w.ID)
		return err
	})
	if err != nil {
		return w, wb, false, fmt.Errorf("snapshot of workshop %s: %w", code, err)
	}
	return w, wb, found, nil
}
