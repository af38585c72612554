package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// NotifyWorkshops is the channel on which a committed workshop event is
// announced, with "workshop id:seq" as payload: a pointer, never the event,
// so that every server reads the rows themselves, in order.
const NotifyWorkshops = "atlas_workshops"

// Workshop is a workshop's row. State is the workshop package's own JSON.
type Workshop struct {
	ID              int64
	Code            string
	Title           string
	Region          string
	FacilitatorHash []byte
	AllowAnonymous  bool
	AllowPointing   bool
	Status          string
	CreatedAt       time.Time
	ClosedAt        *time.Time
	Seq             int64
	State           json.RawMessage
	Participants    int
	PurgedAt        *time.Time
	// The board's phase and vote settings (its contents are rows of their
	// own, read through Board), and the next numbers to give.
	Phase            string
	VoteBudget       int
	HideResults      bool
	ResultsShown     bool
	NextContribution int
	NextPoll         int
	// The vote's totals: dots put, and participants with one at least.
	Dots   int
	Voters int
}

// WorkshopParticipant is one person who joined a workshop.
type WorkshopParticipant struct {
	ID        int
	Name      string
	TokenHash []byte
	JoinedAt  time.Time
	SeenAt    *time.Time
	// Connected: seen within the window WorkshopParticipants was given,
	// by the database's clock (servers' clocks may differ).
	Connected bool
	Following bool
}

// WorkshopEvent is one event of a workshop's log.
type WorkshopEvent struct {
	WorkshopID int64
	Seq        int64
	Kind       string
	Actor      string
	// Audience is nil for everyone, 0 for the facilitator only, n for
	// participant n and the facilitator.
	Audience *int
	Data     json.RawMessage
	At       time.Time
}

// WorkshopChange is what a decision on a workshop writes in one
// transaction, besides what it wrote through the Board: the workshop's new
// row (its Seq is the store's), the events that say so (several when
// different audiences must see different things), and a participant who
// joins.
type WorkshopChange struct {
	Workshop Workshop
	Events   []WorkshopEvent
	Join     *WorkshopParticipant
}

// ErrCodeTaken says a new workshop's join code is already used.
var ErrCodeTaken = errors.New("workshop code already taken")

const workshopColumns = `id, code, title, region, facilitator_hash, allow_anonymous, allow_pointing, status, created_at, closed_at, seq, state,
	participants, purged_at, phase, vote_budget, hide_results, results_shown, next_contribution, next_poll, dots, voters`

func scanWorkshop(r pgx.Row) (Workshop, error) {
	var w Workshop
	err := r.Scan(&w.ID, &w.Code, &w.Title, &w.Region, &w.FacilitatorHash, &w.AllowAnonymous, &w.AllowPointing,
		&w.Status, &w.CreatedAt, &w.ClosedAt, &w.Seq, &w.State, &w.Participants, &w.PurgedAt,
		&w.Phase, &w.VoteBudget, &w.HideResults, &w.ResultsShown, &w.NextContribution, &w.NextPoll, &w.Dots, &w.Voters)
	return w, err
}

// CreateWorkshop stores a new workshop; ErrCodeTaken when its code is used.
func (s *Store) CreateWorkshop(ctx context.Context, w Workshop) (Workshop, error) {
	row := s.pool.QueryRow(ctx, `INSERT INTO workshop (code, title, region, facilitator_hash, allow_anonymous, allow_pointing, state)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+workshopColumns,
		w.Code, w.Title, w.Region, w.FacilitatorHash, w.AllowAnonymous, w.AllowPointing, []byte(w.State))
	out, err := scanWorkshop(row)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return Workshop{}, ErrCodeTaken
	}
	if err != nil {
		return Workshop{}, fmt.Errorf("create workshop: %w", err)
	}
	return out, nil
}

// WorkshopByCode returns a workshop; ok is false when there is none.
func (s *Store) WorkshopByCode(ctx context.Context, code string) (Workshop, bool, error) {
	w, err := scanWorkshop(s.pool.QueryRow(ctx, `SELECT `+workshopColumns+` FROM workshop WHERE code = $1`, code))
	if errors.Is(err, pgx.ErrNoRows) {
		return w, false, nil
	}
	if err != nil {
		return w, false, fmt.Errorf("workshop %s: %w", code, err)
	}
	return w, true, nil
}

// ChangeWorkshop appends events to a workshop: decide receives the
// workshop's row, locked until the commit, and its board in the same
// transaction, and returns the change (or an error, which writes nothing,
// on the board neither). The events get the next seqs, the row its new
// state, and the commit announces the last seq on NotifyWorkshops.
func (s *Store) ChangeWorkshop(ctx context.Context, id int64, decide func(Workshop, *Board) (WorkshopChange, error)) (Workshop, []WorkshopEvent, error) {
	var out Workshop
	var evs []WorkshopEvent
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		cur, err := scanWorkshop(tx.QueryRow(ctx, `SELECT `+workshopColumns+` FROM workshop WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return fmt.Errorf("workshop %d: %w", id, err)
		}
		ch, err := decide(cur, &Board{ctx: ctx, tx: tx, workshop: id})
		if err != nil {
			return err
		}
		if len(ch.Events) == 0 {
			return errors.New("change workshop: no event to append")
		}
		w := ch.Workshop
		if ch.Join != nil {
			p := ch.Join
			if err := tx.QueryRow(ctx, `INSERT INTO workshop_participant (workshop_id, id, name, token_hash) VALUES ($1, $2, $3, $4) RETURNING joined_at`,
				id, p.ID, p.Name, p.TokenHash).Scan(&p.JoinedAt); err != nil {
				return fmt.Errorf("add participant: %w", err)
			}
		}
		// An unchanged state is not written: its stored value stays.
		var state []byte
		if !bytes.Equal(w.State, cur.State) {
			state = w.State
		}
		// The row, the events and the announcement go in one round trip:
		// the row stays locked until the commit, so the less the write
		// waits on the network, the more writes a busy room takes.
		evs = ch.Events
		last := cur.Seq + int64(len(evs))
		var batch pgx.Batch
		batch.Queue(`UPDATE workshop SET title = $2, allow_anonymous = $3, allow_pointing = $4, status = $5,
			closed_at = $6, state = coalesce($7, state), participants = $8, seq = $9,
			phase = $10, vote_budget = $11, hide_results = $12, results_shown = $13, next_contribution = $14, next_poll = $15, dots = $16, voters = $17
			WHERE id = $1 RETURNING `+workshopColumns,
			id, w.Title, w.AllowAnonymous, w.AllowPointing, w.Status, w.ClosedAt, state, w.Participants, last,
			w.Phase, w.VoteBudget, w.HideResults, w.ResultsShown, w.NextContribution, w.NextPoll, w.Dots, w.Voters).QueryRow(func(r pgx.Row) error {
			out, err = scanWorkshop(r)
			if err != nil {
				return fmt.Errorf("update workshop: %w", err)
			}
			return nil
		})
		for i := range evs {
			ev := &evs[i]
			ev.WorkshopID, ev.Seq = id, cur.Seq+int64(i+1)
			batch.Queue(`INSERT INTO workshop_event (workshop_id, seq, kind, actor, audience, data) VALUES ($1, $2, $3, $4, $5, $6) RETURNING at`,
				id, ev.Seq, ev.Kind, ev.Actor, ev.Audience, []byte(ev.Data)).QueryRow(func(r pgx.Row) error {
				if err := r.Scan(&ev.At); err != nil {
					return fmt.Errorf("append event: %w", err)
				}
				return nil
			})
		}
		batch.Queue(`SELECT pg_notify($1, $2)`, NotifyWorkshops, strconv.FormatInt(id, 10)+":"+strconv.FormatInt(last, 10))
		return tx.SendBatch(ctx, &batch).Close()
	})
	return out, evs, err
}

// DeleteWorkshop removes a workshop with its participants and events.
func (s *Store) DeleteWorkshop(ctx context.Context, id int64) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM workshop WHERE id = $1`, id)
	return err
}

// ClosedWorkshops lists the workshops closed before t whose personal data
// is still there.
func (s *Store) ClosedWorkshops(ctx context.Context, before time.Time) ([]Workshop, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+workshopColumns+` FROM workshop
		WHERE status = 'closed' AND purged_at IS NULL AND closed_at < $1 ORDER BY closed_at`, before)
	if err != nil {
		return nil, fmt.Errorf("closed workshops: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Workshop, error) { return scanWorkshop(r) })
}

// PurgeWorkshop removes a workshop's personal data in one transaction:
// its event log and its participants (names, tokens) go, the state
// becomes what anonymise makes of it, and the contributions' authors are
// named "Participant N". The workshop stays, closed and marked purged,
// with its contributions, dots and answers, which name nobody.
func (s *Store) PurgeWorkshop(ctx context.Context, id int64, anonymise func(Workshop) (state json.RawMessage, err error)) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		cur, err := scanWorkshop(tx.QueryRow(ctx, `SELECT `+workshopColumns+` FROM workshop WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return fmt.Errorf("workshop %d: %w", id, err)
		}
		st, err := anonymise(cur)
		if err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM workshop_event WHERE workshop_id = $1`,
			`DELETE FROM workshop_participant WHERE workshop_id = $1`,
			`UPDATE workshop_contribution SET author_name = 'Participant ' || author WHERE workshop_id = $1 AND author <> 0`,
		} {
			if _, err := tx.Exec(ctx, q, id); err != nil {
				return fmt.Errorf("purge workshop %d: %w", id, err)
			}
		}
		_, err = tx.Exec(ctx, `UPDATE workshop SET state = $2, purged_at = now() WHERE id = $1`, id, []byte(st))
		return err
	})
}

// WorkshopEvents returns a workshop's events with after < seq <= upTo (no
// bound when upTo is 0), in order, at most limit of them.
func (s *Store) WorkshopEvents(ctx context.Context, id, after, upTo int64, limit int) ([]WorkshopEvent, error) {
	rows, err := s.pool.Query(ctx, `SELECT seq, kind, actor, audience, data, at FROM workshop_event
		WHERE workshop_id = $1 AND seq > $2 AND ($3 = 0 OR seq <= $3) ORDER BY seq LIMIT $4`, id, after, upTo, limit)
	if err != nil {
		return nil, fmt.Errorf("events of workshop %d: %w", id, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (WorkshopEvent, error) {
		e := WorkshopEvent{WorkshopID: id}
		err := r.Scan(&e.Seq, &e.Kind, &e.Actor, &e.Audience, &e.Data, &e.At)
		return e, err
	})
}

// WorkshopSeq is the seq of a workshop's last event.
func (s *Store) WorkshopSeq(ctx context.Context, id int64) (int64, error) {
	var seq int64
	if err := s.pool.QueryRow(ctx, `SELECT seq FROM workshop WHERE id = $1`, id).Scan(&seq); err != nil {
		return 0, fmt.Errorf("seq of workshop %d: %w", id, err)
	}
	return seq, nil
}

// WorkshopParticipant returns one participant; ok is false when unknown.
func (s *Store) WorkshopParticipant(ctx context.Context, workshop int64, id int) (WorkshopParticipant, bool, error) {
	var p WorkshopParticipant
	err := s.pool.QueryRow(ctx, `SELECT id, name, token_hash, joined_at, seen_at, following FROM workshop_participant WHERE workshop_id = $1 AND id = $2`,
		workshop, id).Scan(&p.ID, &p.Name, &p.TokenHash, &p.JoinedAt, &p.SeenAt, &p.Following)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, false, nil
	}
	if err != nil {
		return p, false, fmt.Errorf("participant %d of workshop %d: %w", id, workshop, err)
	}
	return p, true, nil
}

// WorkshopParticipants lists a workshop's participants in the order they
// joined; Connected says whether each was seen within window.
func (s *Store) WorkshopParticipants(ctx context.Context, workshop int64, window time.Duration) ([]WorkshopParticipant, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name, token_hash, joined_at, seen_at, following,
			coalesce(seen_at > now() - make_interval(secs => $2), false)
		FROM workshop_participant WHERE workshop_id = $1 ORDER BY id`, workshop, window.Seconds())
	if err != nil {
		return nil, fmt.Errorf("participants of workshop %d: %w", workshop, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (WorkshopParticipant, error) {
		var p WorkshopParticipant
		err := r.Scan(&p.ID, &p.Name, &p.TokenHash, &p.JoinedAt, &p.SeenAt, &p.Following, &p.Connected)
		return p, err
	})
}

// SetFollowing records whether a participant follows the facilitator.
func (s *Store) SetFollowing(ctx context.Context, workshop int64, id int, following bool) error {
	_, err := s.pool.Exec(ctx, `UPDATE workshop_participant SET following = $3 WHERE workshop_id = $1 AND id = $2`, workshop, id, following)
	return err
}

// SeeParticipants marks participants as connected now (seen), or as gone
// (seen nil) when connected is false.
func (s *Store) SeeParticipants(ctx context.Context, workshop int64, ids []int, connected bool) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.pool.Exec(ctx, `UPDATE workshop_participant SET seen_at = CASE WHEN $3 THEN now() END
		WHERE workshop_id = $1 AND id = ANY($2)`, workshop, ids, connected)
	return err
}
