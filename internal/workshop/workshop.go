package workshop

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// View is what the facilitator shows and every follower fits to its own
// screen: the map's whole state, the camera as bounds, never centre and
// zoom (which show another area on another screen shape).
type View struct {
	Indicator string `json:"indicator"`
	Level     string `json:"level"`
	Period    string `json:"period"`
	Sex       string `json:"sex"`
	Sector    string `json:"sector"`
	Method    string `json:"method"`
	Classes   int    `json:"classes"`
	Palette   string `json:"palette"`
	// Region is the région studied ("" for France).
	Region string `json:"region"`
	// Selection is the selected territory's code at the level, or "".
	Selection string `json:"selection"`
	// Bounds are west, south, east, north (WGS84).
	Bounds [4]float64 `json:"bounds"`
	// Analysis is the analysis map shown instead of the indicator's, or
	// nil: followers draw what the facilitator analyses.
	Analysis *Analysis `json:"analysis,omitempty"`
}

// Analysis is an analysis map of a view: an evolution between two
// periods, a crossing with a second indicator or the women/men gap, with
// that mode's parameters as the API's routes take them ("" for their
// defaults). The view's indicator, level, sex, sector and région are its
// own.
type Analysis struct {
	// Mode is evolution, bivariate or sex-gap.
	Mode string `json:"mode"`
	// From, To and Change are the evolution's (absolute or relative).
	From   string `json:"from,omitempty"`
	To     string `json:"to,omitempty"`
	Change string `json:"change,omitempty"`
	// With and WithPeriod are the crossing's second indicator and its period.
	With       string `json:"with,omitempty"`
	WithPeriod string `json:"with_period,omitempty"`
	// Gap is the sex gap's ratio or difference.
	Gap string `json:"gap,omitempty"`
}

// Step is a view the facilitator bookmarked, to come back to.
type Step struct {
	ID        int       `json:"id"`
	Title     string    `json:"title"`
	View      View      `json:"view"`
	CreatedAt time.Time `json:"created_at"`
}

// Pointer is a territory shown on every screen for a few seconds.
type Pointer struct {
	Level territory.Level `json:"level"`
	Code  string          `json:"code"`
	Name  string          `json:"name"`
	// By is who pointed: a participant's display name, or « Animation ».
	By    string    `json:"by"`
	At    time.Time `json:"at"`
	Until time.Time `json:"until"`
}

// state is what the events built, kept in the workshop's row so that a
// late joiner starts from it rather than from the whole log.
type state struct {
	View     *View    `json:"view,omitempty"`
	Steps    []Step   `json:"steps"`
	NextStep int      `json:"next_step"`
	Pointer  *Pointer `json:"pointer,omitempty"`
}

func stateOf(w store.Workshop) (state, error) {
	var st state
	if len(w.State) > 0 {
		if err := json.Unmarshal(w.State, &st); err != nil {
			return st, err
		}
	}
	if st.Steps == nil {
		st.Steps = []Step{}
	}
	if st.NextStep == 0 {
		st.NextStep = 1
	}
	return st, nil
}

// Status of a workshop.
const (
	StatusOpen   = "open"
	StatusClosed = "closed"
)

// Links are the absolute links of a workshop.
type Links struct {
	// Participant joins (…/#atelier=CODE); the QR code holds it.
	Participant string `json:"participant"`
	// Facilitator drives (…/#atelier=CODE&animateur=TOKEN): only in the
	// answer to the creation, the one time the token is handed out.
	Facilitator string `json:"facilitator,omitempty"`
}

// ParticipantLink is the link that joins a workshop, on a server whose
// public address is base (scheme and host, no trailing slash). The code is
// in the fragment, as the map's whole state is.
func ParticipantLink(base, code string) string { return base + "/#atelier=" + code }

func facilitatorLink(base, code, token string) string {
	return ParticipantLink(base, code) + "&animateur=" + token
}

// Me says who a token is.
type Me struct {
	Role string `json:"role"` // facilitator or participant
	ID   int    `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// Workshop is a workshop's state as it is published: everything a late
// joiner starts from, with Seq the last event it includes.
type Workshop struct {
	Code           string     `json:"code"`
	Title          string     `json:"title"`
	Region         string     `json:"region"`
	Status         string     `json:"status"`
	AllowAnonymous bool       `json:"allow_anonymous"`
	AllowPointing  bool       `json:"allow_pointing"`
	CreatedAt      time.Time  `json:"created_at"`
	ClosedAt       *time.Time `json:"closed_at"`
	Seq            int64      `json:"seq"`
	View           *View      `json:"view"`
	Steps          []Step     `json:"steps"`
	Pointer        *Pointer   `json:"pointer"`
	Participants   int        `json:"participants"`
	Links          Links      `json:"links"`
	Me             *Me        `json:"me"`
	// Board is what the token's holder may see of the contributions,
	// votes and polls; null without a token.
	Board *Board `json:"board"`
}

// publish makes the published state of a row, a pointer past its time
// left out.
func publish(w store.Workshop, st state, base string, now time.Time) Workshop {
	out := Workshop{Code: w.Code, Title: w.Title, Region: w.Region, Status: w.Status,
		AllowAnonymous: w.AllowAnonymous, AllowPointing: w.AllowPointing, CreatedAt: w.CreatedAt, ClosedAt: w.ClosedAt,
		Seq: w.Seq, View: st.View, Steps: st.Steps, Participants: w.Participants,
		Links: Links{Participant: ParticipantLink(base, w.Code)}}
	if st.Pointer != nil && st.Pointer.Until.After(now) {
		out.Pointer = st.Pointer
	}
	return out
}

// Identity is who holds a token.
type Identity struct {
	// Participant is 0 for the facilitator.
	Participant int
	Name        string
}

// Facilitator tells whether the identity drives the workshop.
func (id Identity) Facilitator() bool { return id.Participant == 0 }

func (id Identity) actor() string {
	if id.Facilitator() {
		return "facilitator"
	}
	return "p" + strconv.Itoa(id.Participant)
}

func (id Identity) me() *Me {
	if id.Facilitator() {
		return &Me{Role: "facilitator"}
	}
	return &Me{Role: "participant", ID: id.Participant, Name: id.Name}
}

// Presence is a participant as the facilitator sees them.
type Presence struct {
	ID        int       `json:"id"`
	Name      string    `json:"name"`
	JoinedAt  time.Time `json:"joined_at"`
	Connected bool      `json:"connected"`
	Following bool      `json:"following"`
}

// Event kinds.
const (
	KindCreated  = "created"
	KindView     = "view"
	KindPointer  = "pointer"
	KindSteps    = "steps"
	KindStatus   = "status"
	KindSettings = "settings"
	KindJoined   = "joined"
)
