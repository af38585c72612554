package workshop

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/store"
)

// Hub tuning. The ring holds about three minutes of a facilitator moving
// the map at 10 Hz, so that a reconnection after a blip is answered from
// memory; older resumes read the store.
const (
	ringSize    = 2048
	subBuffer   = 512
	readBatch   = 500
	pollEvery   = time.Second      // while not listening
	touchEvery  = 10 * time.Second // presence refresh
	roomGrace   = 30 * time.Second // a room with no subscriber left is kept that long
	presenceWin = 25 * time.Second // seen within: connected
	// frameRate bounds the frames a room writes a second: each read of
	// the store is written to every subscriber (a write and a flush, a
	// system call each), so a large room reads a little less often and
	// sends more events per write. 1,000 subscribers: a read every 20 ms
	// at most; 50: every millisecond.
	frameRate = 50_000
)

// Event is a committed event as it is fanned out: its SSE frame is made
// once for every subscriber.
type Event struct {
	Seq      int64
	Kind     string
	Data     json.RawMessage
	At       time.Time
	audience *int
	frame    []byte
}

// Frame is the event as Server-Sent Events: id (its seq), event (its
// kind) and one data line of JSON.
func (e Event) Frame() []byte { return e.frame }

func eventOf(se store.WorkshopEvent) Event {
	e := Event{Seq: se.Seq, Kind: se.Kind, Data: se.Data, At: se.At, audience: se.Audience}
	var b strings.Builder
	b.Grow(len(se.Data) + 40)
	b.WriteString("id: ")
	b.WriteString(strconv.FormatInt(se.Seq, 10))
	b.WriteString("\nevent: ")
	b.WriteString(se.Kind)
	b.WriteString("\ndata: ")
	// One line of compact JSON (the store's jsonb writes spaces).
	var data bytes.Buffer
	if json.Compact(&data, se.Data) == nil {
		e.Data = data.Bytes()
	}
	b.Write(e.Data)
	b.WriteString("\n\n")
	e.frame = []byte(b.String())
	return e
}

// visible tells whether the holder of id may see e.
func (e Event) visible(id Identity) bool {
	return e.audience == nil || id.Facilitator() || *e.audience == id.Participant
}

// Hub fans the events of the workshops out to the subscribers this server
// holds. Every server has one: the store's NOTIFY wakes them all, and each
// reads the new rows itself, so replicas agree on order and content.
type Hub struct {
	st  *store.Store
	log *slog.Logger

	mu        sync.Mutex
	rooms     map[int64]*room
	listening atomic.Bool
}

func newHub(st *store.Store, log *slog.Logger) *Hub {
	return &Hub{st: st, log: log, rooms: map[int64]*room{}}
}

// Run listens for committed events until ctx ends. While it is not
// listening (before, or while the connection is restored), every room
// polls the store instead, so that nothing waits for a notification that
// will not come.
func (h *Hub) Run(ctx context.Context) {
	h.st.Listen(ctx, store.NotifyWorkshops,
		func() {
			h.listening.Store(true)
			h.wakeAll() // what was announced before LISTEN took effect
		},
		func(payload string) {
			id, _, ok := strings.Cut(payload, ":")
			n, err := strconv.ParseInt(id, 10, 64)
			if !ok || err != nil {
				return
			}
			h.mu.Lock()
			r := h.rooms[n]
			h.mu.Unlock()
			if r != nil {
				r.poke()
			}
		},
		func(err error) {
			h.listening.Store(false)
			h.log.Warn("listening for workshop events stopped, polling until it is back", "err", err)
		})
	h.listening.Store(false)
	// The server is stopping: end every stream, so that its handler
	// returns and the shutdown is not held up (clients resume elsewhere or
	// after the restart, from their last id), and say that its
	// participants left before the store is closed.
	h.mu.Lock()
	rooms := make([]*room, 0, len(h.rooms))
	for id, r := range h.rooms {
		rooms = append(rooms, r)
		delete(h.rooms, id)
	}
	h.mu.Unlock()
	for _, r := range rooms {
		r.mu.Lock()
		for s := range r.subs {
			r.drop(s)
		}
		if r.idle != nil {
			r.idle.Stop()
		}
		r.closed = true
		close(r.done)
		r.mu.Unlock()
		r.flushPresence()
	}
}

// flushPresence writes the presence changes still queued, once the room's
// loop is stopped.
func (r *room) flushPresence() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		select {
		case p := <-r.presence:
			if err := r.hub.st.SeeParticipants(ctx, r.id, []int{p.participant}, p.connected); err != nil {
				r.hub.log.Warn("presence", "workshop", r.id, "err", err)
			}
		default:
			return
		}
	}
}

func (h *Hub) wakeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.rooms {
		r.poke()
	}
}

// Subscription is one stream of a workshop's events: Backlog first, then
// what comes on C. C is closed when the subscriber lags too far behind
// (Lagged reports it: resume from the last seq received) or unsubscribes.
type Subscription struct {
	Backlog []Event
	C       <-chan Event

	ch     chan Event
	id     Identity
	after  int64
	room   *room
	lagged atomic.Bool
	once   sync.Once
}

// Lagged tells whether C was closed because the subscriber fell behind.
func (s *Subscription) Lagged() bool { return s.lagged.Load() }

// Close ends the subscription.
func (s *Subscription) Close() { s.room.unsubscribe(s) }

// subscribe registers a stream of workshop id for identity, resuming after
// seq after.
func (h *Hub) subscribe(ctx context.Context, workshop int64, id Identity, after int64) (*Subscription, error) {
	r, err := h.room(ctx, workshop)
	if err != nil {
		return nil, err
	}
	sub := &Subscription{ch: make(chan Event, subBuffer), id: id, after: after, room: r}
	sub.C = sub.ch
	r.mu.Lock()
	for r.closed {
		// Forgotten while we were getting it: take the new one.
		r.mu.Unlock()
		if r, err = h.room(ctx, workshop); err != nil {
			return nil, err
		}
		sub.room = r
		r.mu.Lock()
	}
	r.subs[sub] = struct{}{}
	if r.idle != nil {
		r.idle.Stop()
		r.idle = nil
	}
	last := r.last
	backlog, covered := r.fromRing(after)
	if !id.Facilitator() {
		if r.conns[id.Participant] == 0 {
			r.seen(id.Participant, true)
		}
		r.conns[id.Participant]++
	}
	r.mu.Unlock()
	if !covered && after < last {
		// Older than the ring: the store has every event.
		for from := after; from < last; {
			evs, err := h.st.WorkshopEvents(ctx, workshop, from, last, readBatch)
			if err != nil {
				sub.Close()
				return nil, err
			}
			if len(evs) == 0 {
				break
			}
			for _, se := range evs {
				backlog = append(backlog, eventOf(se))
			}
			from = evs[len(evs)-1].Seq
		}
	}
	sub.Backlog = coalesce(backlog, id)
	return sub, nil
}

// coalesce keeps, of a replay, what the subscriber may see and still
// needs: a view superseded by a later one is dropped (each view is whole),
// and so is a pointer superseded by a later one; the rest (steps, status,
// and the contributions to come) is never dropped.
func coalesce(evs []Event, id Identity) []Event {
	lastOf := map[string]int64{}
	for _, e := range evs {
		if e.Kind == KindView || e.Kind == KindPointer {
			lastOf[e.Kind] = e.Seq
		}
	}
	out := evs[:0:0]
	for _, e := range evs {
		if !e.visible(id) {
			continue
		}
		if (e.Kind == KindView || e.Kind == KindPointer) && e.Seq != lastOf[e.Kind] {
			continue
		}
		out = append(out, e)
	}
	return out
}

// room returns the room of a workshop, starting it when it is new.
func (h *Hub) room(ctx context.Context, workshop int64) (*room, error) {
	h.mu.Lock()
	r, ok := h.rooms[workshop]
	h.mu.Unlock()
	if ok {
		return r, nil
	}
	// Read the current seq before registering: what is committed after it
	// comes through the room, what was before is in the store.
	seq, err := h.st.WorkshopSeq(ctx, workshop)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if r, ok := h.rooms[workshop]; ok {
		return r, nil
	}
	r = &room{hub: h, id: workshop, last: seq, subs: map[*Subscription]struct{}{}, conns: map[int]int{},
		wake: make(chan struct{}, 1), done: make(chan struct{}), presence: make(chan presenceChange, 1024)}
	h.rooms[workshop] = r
	go r.run()
	r.poke() // anything committed while it was being made
	return r, nil
}

// room is one workshop on this server: its subscribers, the last seq they
// were sent, and a ring of the recent events for resumes.
type room struct {
	hub  *Hub
	id   int64
	wake chan struct{}
	done chan struct{}
	// presence changes, written by run in the order they happened.
	presence chan presenceChange

	mu     sync.Mutex
	last   int64
	ring   []Event
	subs   map[*Subscription]struct{}
	conns  map[int]int // participant → live streams here
	idle   *time.Timer
	closed bool
}

type presenceChange struct {
	participant int
	connected   bool
}

// seen queues a participant's first stream here or its last one's end
// (r.mu held); a full queue drops it: the periodic touch repairs it.
func (r *room) seen(participant int, connected bool) {
	select {
	case r.presence <- presenceChange{participant, connected}:
	default:
	}
}

func (r *room) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// fromRing returns the ring's events after seq after, and whether the ring
// holds all of them.
func (r *room) fromRing(after int64) ([]Event, bool) {
	if after >= r.last {
		return nil, true
	}
	if len(r.ring) == 0 || r.ring[0].Seq > after+1 {
		return nil, false
	}
	i := int(after + 1 - r.ring[0].Seq)
	return append([]Event(nil), r.ring[i:]...), true
}

// run reads and publishes the room's new events whenever it is woken (or
// every pollEvery while the hub is not listening), and refreshes the
// presence of its participants, until the room is dropped.
func (r *room) run() {
	poll := time.NewTicker(pollEvery)
	touch := time.NewTicker(touchEvery)
	defer poll.Stop()
	defer touch.Stop()
	ctx := context.Background()
	var lastRead time.Time
	for {
		select {
		case <-r.done:
			return
		case <-r.wake:
			if wait := time.Until(lastRead.Add(r.readGap())); wait > 0 {
				// What is committed meanwhile comes in the same read.
				select {
				case <-r.done:
					return
				case <-time.After(wait):
				}
			}
		case <-poll.C:
			if r.hub.listening.Load() {
				continue
			}
		case <-touch.C:
			r.touch(ctx)
			continue
		case p := <-r.presence:
			if err := r.hub.st.SeeParticipants(ctx, r.id, []int{p.participant}, p.connected); err != nil {
				r.hub.log.Warn("presence", "workshop", r.id, "err", err)
			}
			continue
		}
		lastRead = time.Now()
		if err := r.catchUp(ctx); err != nil {
			r.hub.log.Warn("reading workshop events", "workshop", r.id, "err", err)
		}
	}
}

// readGap is the least time between two reads of the room (see
// frameRate).
func (r *room) readGap() time.Duration {
	r.mu.Lock()
	n := len(r.subs)
	r.mu.Unlock()
	return time.Duration(n) * time.Second / frameRate
}

func (r *room) catchUp(ctx context.Context) error {
	for {
		r.mu.Lock()
		from := r.last
		r.mu.Unlock()
		evs, err := r.hub.st.WorkshopEvents(ctx, r.id, from, 0, readBatch)
		if err != nil {
			return err
		}
		if len(evs) == 0 {
			return nil
		}
		r.publish(evs)
		if len(evs) < readBatch {
			return nil
		}
	}
}

// publish sends events (in seq order, after r.last) to every subscriber
// that may see them; a subscriber whose buffer is full is dropped, to
// resume from where it was rather than slow everyone down.
func (r *room) publish(evs []store.WorkshopEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, se := range evs {
		if se.Seq <= r.last {
			continue
		}
		e := eventOf(se)
		r.last = e.Seq
		r.ring = append(r.ring, e)
		if len(r.ring) > ringSize {
			r.ring = append(r.ring[:0:0], r.ring[len(r.ring)-ringSize:]...)
		}
		for s := range r.subs {
			if e.Seq <= s.after || !e.visible(s.id) {
				continue
			}
			select {
			case s.ch <- e:
			default:
				s.lagged.Store(true)
				r.drop(s)
			}
		}
	}
}

// drop removes a subscriber (r.mu held).
func (r *room) drop(s *Subscription) {
	if _, ok := r.subs[s]; !ok {
		return
	}
	delete(r.subs, s)
	s.once.Do(func() { close(s.ch) })
	if !s.id.Facilitator() {
		r.conns[s.id.Participant]--
		if r.conns[s.id.Participant] <= 0 {
			delete(r.conns, s.id.Participant)
			r.seen(s.id.Participant, false)
		}
	}
	if len(r.subs) == 0 && r.idle == nil {
		r.idle = time.AfterFunc(roomGrace, r.close)
	}
}

func (r *room) unsubscribe(s *Subscription) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.drop(s)
}

// close forgets an idle room (its ring goes with it).
func (r *room) close() {
	r.hub.mu.Lock()
	r.mu.Lock()
	if len(r.subs) == 0 && !r.closed {
		delete(r.hub.rooms, r.id)
		r.closed = true
		close(r.done)
	}
	r.idle = nil
	r.mu.Unlock()
	r.hub.mu.Unlock()
}

// touch marks the participants streaming from this server as seen.
func (r *room) touch(ctx context.Context) {
	r.mu.Lock()
	ids := make([]int, 0, len(r.conns))
	for p := range r.conns {
		ids = append(ids, p)
	}
	r.mu.Unlock()
	if err := r.hub.st.SeeParticipants(ctx, r.id, ids, true); err != nil {
		r.hub.log.Warn("presence", "workshop", r.id, "err", err)
	}
}
