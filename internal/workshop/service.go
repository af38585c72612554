package workshop

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/auth"
	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// PointerFor is how long a pointer shows on every screen.
const PointerFor = 8 * time.Second

// facilitatorName signs what the facilitator points at.
const facilitatorName = "Animation"

// Config is what the workshops are run with.
type Config struct {
	Store *store.Store
	// Diagnostic checks views with the read side's own rules.
	Diagnostic *diagnostic.Service
	Log        *slog.Logger
	// Now is the clock (time.Now when nil), for tests.
	Now func() time.Time
}

// Service runs the workshops: every change is an event committed with the
// state it builds, then fanned out by the Hub.
type Service struct {
	st   *store.Store
	diag *diagnostic.Service
	log  *slog.Logger
	now  func() time.Time
	hub  *Hub

	// Allowances: the facilitator drives at 10 views a second and more
	// besides; a participant points and says whether they follow; a room
	// of a few hundred joins within seconds of a QR code on the screen.
	driving, acting, joining, creating *limiter

	// Participants' token hashes never change: kept once verified.
	known sync.Map // "workshop/participant" → store.WorkshopParticipant
}

// New returns the service; call Run to fan the events out.
func New(cfg Config) *Service {
	s := &Service{st: cfg.Store, diag: cfg.Diagnostic, log: cfg.Log, now: cfg.Now,
		driving: newLimiter(30, 60), acting: newLimiter(5, 20), joining: newLimiter(50, 300), creating: newLimiter(10.0/60, 10)}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.hub = newHub(cfg.Store, s.log)
	return s
}

// Run listens for the events committed by any server until ctx ends.
func (s *Service) Run(ctx context.Context) { s.hub.Run(ctx) }

// Listening tells whether events reach this server as they are committed
// (else its rooms poll the store).
func (s *Service) Listening() bool { return s.hub.listening.Load() }

// Create is a new workshop as asked for.
type Create struct {
	Title          string `json:"title"`
	Region         string `json:"region"`
	View           View   `json:"view"`
	AllowAnonymous bool   `json:"allow_anonymous"`
	// AllowPointing defaults to true.
	AllowPointing *bool `json:"allow_pointing"`
}

// Created is a new workshop with the facilitator's token, handed out once.
type Created struct {
	Workshop         Workshop `json:"workshop"`
	FacilitatorToken string   `json:"facilitator_token"`
	Links            Links    `json:"links"`
}

// Create makes a workshop starting on the given view. client names who
// asks (a network address), for the allowance of creations; base is the
// server's public address, for the links.
func (s *Service) Create(ctx context.Context, req Create, client, base string) (Created, error) {
	if ok, wait := s.creating.allow(client, s.now()); !ok {
		return Created{}, tooMany(wait)
	}
	title, err := cleanText("title", req.Title, MaxTitle)
	if err != nil {
		return Created{}, err
	}
	if req.Region != "" {
		if !s.diag.Territories().Known(territory.Region, req.Region) {
			return Created{}, invalid("region", "région inconnue : %s", req.Region)
		}
	}
	view, err := checkView(ctx, s.diag, req.View, "view")
	if err != nil {
		return Created{}, err
	}
	token, hash, err := auth.New("f")
	if err != nil {
		return Created{}, err
	}
	pointing := req.AllowPointing == nil || *req.AllowPointing
	st := state{View: &view, Steps: []Step{}, NextStep: 1}
	raw, err := json.Marshal(st)
	if err != nil {
		return Created{}, err
	}
	var w store.Workshop
	for attempt := 0; ; attempt++ {
		code, err := newCode()
		if err != nil {
			return Created{}, err
		}
		w, err = s.st.CreateWorkshop(ctx, store.Workshop{Code: code, Title: title, Region: req.Region, FacilitatorHash: hash,
			AllowAnonymous: req.AllowAnonymous, AllowPointing: pointing, State: raw})
		if err == nil {
			break
		}
		if !errors.Is(err, store.ErrCodeTaken) || attempt == 9 {
			return Created{}, err
		}
	}
	// The log tells the whole story, from the starting view.
	w, _, err = s.st.ChangeWorkshop(ctx, w.ID, func(cur store.Workshop, _ *store.Board) (store.WorkshopChange, error) {
		data, err := json.Marshal(map[string]any{"title": title, "region": req.Region, "view": view})
		return store.WorkshopChange{Workshop: cur, Events: []store.WorkshopEvent{{Kind: KindCreated, Actor: "facilitator", Data: data}}}, err
	})
	if err != nil {
		return Created{}, err
	}
	out, err := s.published(ctx, w.Code, Identity{}, base, nil)
	if err != nil {
		return Created{}, err
	}
	links := Links{Participant: out.Links.Participant, Facilitator: facilitatorLink(base, w.Code, token.Secret())}
	s.log.Info("workshop created", "code", w.Code)
	return Created{Workshop: out, FacilitatorToken: token.Secret(), Links: links}, nil
}

// find returns a workshop by its code as typed.
func (s *Service) find(ctx context.Context, code string) (store.Workshop, error) {
	c, ok := NormaliseCode(code)
	if !ok {
		return store.Workshop{}, notFound("atelier " + code)
	}
	w, found, err := s.st.WorkshopByCode(ctx, c)
	if err != nil {
		return w, err
	}
	if !found {
		return w, notFound("atelier " + c)
	}
	return w, nil
}

// identify tells who holds token in workshop w.
func (s *Service) identify(ctx context.Context, w store.Workshop, token string) (Identity, error) {
	t := auth.Token(token)
	prefix, err := auth.Prefix(t)
	if err != nil {
		return Identity{}, errUnauthorized
	}
	if prefix == "f" {
		if !auth.Verify(t, w.FacilitatorHash) {
			return Identity{}, errUnauthorized
		}
		return Identity{}, nil
	}
	n, err := strconv.Atoi(strings.TrimPrefix(prefix, "p"))
	if !strings.HasPrefix(prefix, "p") || err != nil || n < 1 {
		return Identity{}, errUnauthorized
	}
	key := strconv.FormatInt(w.ID, 10) + "/" + strconv.Itoa(n)
	var p store.WorkshopParticipant
	if v, ok := s.known.Load(key); ok {
		p = v.(store.WorkshopParticipant)
	} else {
		var found bool
		if p, found, err = s.st.WorkshopParticipant(ctx, w.ID, n); err != nil {
			return Identity{}, err
		} else if !found {
			return Identity{}, errUnauthorized
		}
		s.known.Store(key, p)
	}
	if !auth.Verify(t, p.TokenHash) {
		return Identity{}, errUnauthorized
	}
	return Identity{Participant: p.ID, Name: p.Name}, nil
}

// Get is the workshop's state; with a token, Me says who it is (an
// invalid token is refused rather than ignored, so that a client learns
// it lost its role).
func (s *Service) Get(ctx context.Context, code, token, base string) (Workshop, error) {
	w, err := s.find(ctx, code)
	if err != nil {
		return Workshop{}, err
	}
	if token == "" {
		st, err := stateOf(w)
		if err != nil {
			return Workshop{}, err
		}
		return publish(w, st, base, s.now()), nil
	}
	id, err := s.identify(ctx, w, token)
	if err != nil {
		return Workshop{}, err
	}
	return s.published(ctx, w.Code, id, base, nil)
}

// emit is one event a decision makes: its kind, its data and who sees it.
type emit struct {
	kind     string
	data     any
	audience *int
}

// Audiences of an event.
var (
	everyone        *int // nil
	facilitatorOnly = ptr(0)
)

func ptr(n int) *int { return &n }

// participantAnd is participant n and the facilitator.
func participantAnd(n int) *int { return ptr(n) }

// decision is what a write does to a workshop's row, state and board
// (read and written in the write's transaction): it may refuse with an
// *Error, and returns the events it makes.
type decision func(w *store.Workshop, st *state, b *store.Board, id Identity) ([]emit, error)

// write is every change: find the workshop, identify the token (only the
// facilitator's when driveOnly), take one of its allowance, then decide on
// the locked row and commit the events with the state. open says whether a
// closed workshop refuses it.
func (s *Service) write(ctx context.Context, code, token string, driveOnly, open bool, decide decision) (store.Workshop, []store.WorkshopEvent, Identity, error) {
	w, err := s.find(ctx, code)
	if err != nil {
		return w, nil, Identity{}, err
	}
	id, err := s.identify(ctx, w, token)
	if err != nil {
		return w, nil, id, err
	}
	if driveOnly && !id.Facilitator() {
		return w, nil, id, errFacilitator
	}
	if err := s.allow(w, id); err != nil {
		return w, nil, id, err
	}
	nw, evs, err := s.st.ChangeWorkshop(ctx, w.ID, func(cur store.Workshop, b *store.Board) (store.WorkshopChange, error) {
		if open && cur.Status != StatusOpen {
			return store.WorkshopChange{}, errClosed
		}
		st, err := stateOf(cur)
		if err != nil {
			return store.WorkshopChange{}, err
		}
		emits, err := decide(&cur, &st, b, id)
		if err != nil {
			return store.WorkshopChange{}, err
		}
		if cur.State, err = json.Marshal(st); err != nil {
			return store.WorkshopChange{}, err
		}
		ch := store.WorkshopChange{Workshop: cur}
		for _, e := range emits {
			raw, err := json.Marshal(e.data)
			if err != nil {
				return store.WorkshopChange{}, err
			}
			ch.Events = append(ch.Events, store.WorkshopEvent{Kind: e.kind, Actor: id.actor(), Audience: e.audience, Data: raw})
		}
		return ch, nil
	})
	record(ctx, evs)
	return nw, evs, id, err
}

// lastSeq is the seq of the last of a write's events.
func lastSeq(evs []store.WorkshopEvent) int64 {
	if len(evs) == 0 {
		return 0
	}
	return evs[len(evs)-1].Seq
}

func (s *Service) allow(w store.Workshop, id Identity) error {
	key := strconv.FormatInt(w.ID, 10) + "/" + id.actor()
	lim := s.acting
	if id.Facilitator() {
		lim = s.driving
	}
	if ok, wait := lim.allow(key, s.now()); !ok {
		return tooMany(wait)
	}
	return nil
}

// Joined is a new participant and their token, handed out once.
type Joined struct {
	Participant Me     `json:"participant"`
	Token       string `json:"token"`
}

// Join adds a participant under a display name, or "Participant N" when
// the name is empty and the workshop allows it.
func (s *Service) Join(ctx context.Context, code, name string) (Joined, error) {
	w, err := s.find(ctx, code)
	if err != nil {
		return Joined{}, err
	}
	if ok, wait := s.joining.allow(strconv.FormatInt(w.ID, 10), s.now()); !ok {
		return Joined{}, tooMany(wait)
	}
	anonymous := strings.TrimSpace(name) == ""
	if !anonymous {
		if name, err = cleanText("name", name, MaxName); err != nil {
			return Joined{}, err
		}
	}
	var out Joined
	_, evs, err := s.st.ChangeWorkshop(ctx, w.ID, func(cur store.Workshop, _ *store.Board) (store.WorkshopChange, error) {
		if cur.Status != StatusOpen {
			return store.WorkshopChange{}, errClosed
		}
		if anonymous && !cur.AllowAnonymous {
			return store.WorkshopChange{}, invalid("name", "un nom est demandé pour rejoindre cet atelier")
		}
		n := cur.Participants + 1
		display := name
		if anonymous {
			display = "Participant " + strconv.Itoa(n)
		}
		token, hash, err := auth.New("p" + strconv.Itoa(n))
		if err != nil {
			return store.WorkshopChange{}, err
		}
		cur.Participants = n
		out = Joined{Participant: Me{Role: "participant", ID: n, Name: display}, Token: token.Secret()}
		data, err := json.Marshal(map[string]any{"participant": map[string]any{"id": n, "name": display}})
		return store.WorkshopChange{Workshop: cur, Join: &store.WorkshopParticipant{ID: n, Name: display, TokenHash: hash},
			Events: []store.WorkshopEvent{{Kind: KindJoined, Actor: "p" + strconv.Itoa(n), Audience: facilitatorOnly, Data: data}}}, err
	})
	if err != nil {
		return Joined{}, err
	}
	record(ctx, evs)
	return out, nil
}

// SetView broadcasts the facilitator's view; it returns the event's seq.
func (s *Service) SetView(ctx context.Context, code, token string, v View) (int64, error) {
	v, err := checkView(ctx, s.diag, v, "view")
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Kind == Invalid {
			e.Field = strings.TrimPrefix(e.Field, "view.")
		}
		return 0, err
	}
	_, evs, _, err := s.write(ctx, code, token, true, true, func(_ *store.Workshop, st *state, _ *store.Board, _ Identity) ([]emit, error) {
		st.View = &v
		return []emit{{KindView, map[string]any{"view": v}, everyone}}, nil
	})
	return lastSeq(evs), err
}

// Point shows a territory on every screen for PointerFor; participants may
// when the facilitator allows it.
func (s *Service) Point(ctx context.Context, code, token string, level, territoryCode string) (int64, error) {
	lv, err := territory.ParseLevel(level)
	if err != nil {
		return 0, invalid("level", "niveau inconnu : %s", level)
	}
	tc := territory.NormaliseCode(lv, territoryCode)
	t, ok := s.diag.Territories().Get(lv, tc)
	if !ok {
		return 0, invalid("code", "territoire inconnu : %s %s", lv.Label(), territoryCode)
	}
	_, evs, _, err := s.write(ctx, code, token, false, true, func(w *store.Workshop, st *state, _ *store.Board, id Identity) ([]emit, error) {
		if !id.Facilitator() && !w.AllowPointing {
			return nil, &Error{Kind: Forbidden, Reason: "l'animation n'autorise pas les participants à montrer un territoire"}
		}
		by := facilitatorName
		if !id.Facilitator() {
			by = id.Name
		}
		at := s.now().UTC()
		p := Pointer{Level: lv, Code: t.Code, Name: t.Name, By: by, At: at, Until: at.Add(PointerFor)}
		st.Pointer = &p
		return []emit{{KindPointer, p, everyone}}, nil
	})
	return lastSeq(evs), err
}

func stepsEvent(st *state) ([]emit, error) {
	return []emit{{KindSteps, map[string]any{"steps": st.Steps}, everyone}}, nil
}

// AddStep bookmarks a view under a title.
func (s *Service) AddStep(ctx context.Context, code, token, title string, v View) (Step, error) {
	title, err := cleanText("title", title, MaxTitle)
	if err != nil {
		return Step{}, err
	}
	if v, err = checkView(ctx, s.diag, v, "view"); err != nil {
		return Step{}, err
	}
	var step Step
	_, _, _, err = s.write(ctx, code, token, true, true, func(_ *store.Workshop, st *state, _ *store.Board, _ Identity) ([]emit, error) {
		step = Step{ID: st.NextStep, Title: title, View: v, CreatedAt: s.now().UTC()}
		st.NextStep++
		st.Steps = append(st.Steps, step)
		return stepsEvent(st)
	})
	return step, err
}

// RenameStep changes a step's title.
func (s *Service) RenameStep(ctx context.Context, code, token string, id int, title string) (Step, error) {
	title, err := cleanText("title", title, MaxTitle)
	if err != nil {
		return Step{}, err
	}
	var step Step
	_, _, _, err = s.write(ctx, code, token, true, true, func(_ *store.Workshop, st *state, _ *store.Board, _ Identity) ([]emit, error) {
		for i := range st.Steps {
			if st.Steps[i].ID == id {
				st.Steps[i].Title = title
				step = st.Steps[i]
				return stepsEvent(st)
			}
		}
		return nil, notFound("étape " + strconv.Itoa(id))
	})
	return step, err
}

// DeleteStep removes a step.
func (s *Service) DeleteStep(ctx context.Context, code, token string, id int) error {
	_, _, _, err := s.write(ctx, code, token, true, true, func(_ *store.Workshop, st *state, _ *store.Board, _ Identity) ([]emit, error) {
		for i := range st.Steps {
			if st.Steps[i].ID == id {
				st.Steps = append(st.Steps[:i], st.Steps[i+1:]...)
				return stepsEvent(st)
			}
		}
		return nil, notFound("étape " + strconv.Itoa(id))
	})
	return err
}

// Settings are what the facilitator may change; nil fields stay.
type Settings struct {
	Title          *string `json:"title"`
	AllowAnonymous *bool   `json:"allow_anonymous"`
	AllowPointing  *bool   `json:"allow_pointing"`
}

// Update changes the title or settings.
func (s *Service) Update(ctx context.Context, code, token string, set Settings, base string) (Workshop, error) {
	var title string
	if set.Title != nil {
		var err error
		if title, err = cleanText("title", *set.Title, MaxTitle); err != nil {
			return Workshop{}, err
		}
	}
	w, _, id, err := s.write(ctx, code, token, true, true, func(w *store.Workshop, _ *state, _ *store.Board, _ Identity) ([]emit, error) {
		if set.Title != nil {
			w.Title = title
		}
		if set.AllowAnonymous != nil {
			w.AllowAnonymous = *set.AllowAnonymous
		}
		if set.AllowPointing != nil {
			w.AllowPointing = *set.AllowPointing
		}
		return []emit{{KindSettings, map[string]any{"title": w.Title, "allow_anonymous": w.AllowAnonymous, "allow_pointing": w.AllowPointing}, everyone}}, nil
	})
	return s.published(ctx, w.Code, id, base, err)
}

// Close makes the workshop read-only.
func (s *Service) Close(ctx context.Context, code, token, base string) (Workshop, error) {
	w, _, id, err := s.write(ctx, code, token, true, true, func(w *store.Workshop, _ *state, _ *store.Board, _ Identity) ([]emit, error) {
		now := s.now().UTC()
		w.Status, w.ClosedAt = StatusClosed, &now
		return []emit{{KindStatus, map[string]any{"status": w.Status, "closed_at": w.ClosedAt}, everyone}}, nil
	})
	return s.published(ctx, w.Code, id, base, err)
}

// Reopen makes a closed workshop writable again.
func (s *Service) Reopen(ctx context.Context, code, token, base string) (Workshop, error) {
	w, _, id, err := s.write(ctx, code, token, true, false, func(w *store.Workshop, _ *state, _ *store.Board, _ Identity) ([]emit, error) {
		if w.Status == StatusOpen {
			return nil, &Error{Kind: Invalid, Field: "status", Reason: "l'atelier est déjà ouvert"}
		}
		w.Status, w.ClosedAt = StatusOpen, nil
		return []emit{{KindStatus, map[string]any{"status": w.Status, "closed_at": nil}, everyone}}, nil
	})
	return s.published(ctx, w.Code, id, base, err)
}

// published is a workshop as the holder of a token sees it: the state,
// who they are, and the board's part they may see, read at one point of
// the log (a snapshot) after what the caller did.
func (s *Service) published(ctx context.Context, code string, id Identity, base string, err error) (Workshop, error) {
	if err != nil {
		return Workshop{}, err
	}
	w, wb, ok, err := s.st.WorkshopSnapshot(ctx, code)
	if err != nil {
		return Workshop{}, err
	}
	if !ok {
		return Workshop{}, notFound("atelier " + code)
	}
	st, err := stateOf(w)
	if err != nil {
		return Workshop{}, err
	}
	b, err := boardOf(w, wb)
	if err != nil {
		return Workshop{}, err
	}
	out := publish(w, st, base, s.now())
	out.Me = id.me()
	view := b.viewFor(id)
	out.Board = &view
	return out, nil
}

// Participants lists who joined, connected and following (facilitator).
func (s *Service) Participants(ctx context.Context, code, token string) ([]Presence, error) {
	w, err := s.find(ctx, code)
	if err != nil {
		return nil, err
	}
	id, err := s.identify(ctx, w, token)
	if err != nil {
		return nil, err
	}
	if !id.Facilitator() {
		return nil, errFacilitator
	}
	ps, err := s.st.WorkshopParticipants(ctx, w.ID, presenceWin)
	if err != nil {
		return nil, err
	}
	out := make([]Presence, len(ps))
	for i, p := range ps {
		out[i] = Presence{ID: p.ID, Name: p.Name, JoinedAt: p.JoinedAt, Connected: p.Connected, Following: p.Following}
	}
	return out, nil
}

// SetFollowing records whether a participant follows the facilitator:
// that flag only, never their own view.
func (s *Service) SetFollowing(ctx context.Context, code, token string, following bool) error {
	w, err := s.find(ctx, code)
	if err != nil {
		return err
	}
	id, err := s.identify(ctx, w, token)
	if err != nil {
		return err
	}
	if id.Facilitator() {
		return &Error{Kind: Forbidden, Reason: "l'animation ne suit personne"}
	}
	if err := s.allow(w, id); err != nil {
		return err
	}
	return s.st.SetFollowing(ctx, w.ID, id.Participant, following)
}

// Subscribe opens a stream of the workshop's events after seq after, for
// the holder of token.
func (s *Service) Subscribe(ctx context.Context, code, token string, after int64) (*Subscription, error) {
	w, err := s.find(ctx, code)
	if err != nil {
		return nil, err
	}
	id, err := s.identify(ctx, w, token)
	if err != nil {
		return nil, err
	}
	if after < 0 {
		return nil, invalid("after", "un numéro d'événement, 0 ou plus")
	}
	return s.hub.subscribe(ctx, w.ID, id, after)
}
