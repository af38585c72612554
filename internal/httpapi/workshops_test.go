package httpapi_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"

	"image"
	"image/color"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
	"github.com/atlas-sante-travail/atlas/internal/server"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
	"github.com/atlas-sante-travail/atlas/internal/workshop"
)

// replica is one atlas server of a pair sharing a database.
type replica struct {
	srv    *httptest.Server
	cancel context.CancelFunc
}

func startReplica(t *testing.T, f indFixture, public string) replica {
	t.Helper()
	svc := tiles.NewService(f.st, blob.NewLRU(16<<20), tiles.Options{PrewarmMaxZoom: -1})
	if err := svc.LoadAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := server.New(server.Config{Store: f.st, Tiles: svc, PublicURL: public})
	ctx, cancel := context.WithCancel(context.Background())
	go s.Run(ctx)
	for !s.Workshops.Listening() {
		time.Sleep(10 * time.Millisecond)
	}
	r := replica{srv: httptest.NewServer(s), cancel: cancel}
	t.Cleanup(r.stop)
	return r
}

func (r replica) stop() { r.cancel(); r.srv.CloseClientConnections(); r.srv.Close() }

// call makes a JSON request and decodes the answer into out (a Problem
// for an error status).
func call(t *testing.T, method, url, token string, body any, out any) *http.Response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, url, err, b)
		}
	}
	return resp
}

// getBearer GETs url with a bearer token and reads the body.
func getBearer(t *testing.T, url, token string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	body, _ := io.ReadAll(r.Body)
	return r, body
}

func wsView(sex string) map[string]any {
	return map[string]any{"indicator": "taux-at", "level": "departement", "period": "2022", "sex": sex, "sector": "ensemble",
		"method": "quantiles", "classes": 5, "palette": "", "region": "76", "selection": "31", "bounds": []float64{-0.5, 42.3, 4.9, 45.1}}
}

// stream reads a workshop's SSE stream, one event at a time.
type stream struct {
	resp *http.Response
	sc   *bufio.Scanner
}

type sseEvent struct {
	id   int64
	kind string
	data string
}

func openStream(t *testing.T, url, token, lastID string) *stream {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("stream %s: %d %s", url, resp.StatusCode, b)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return &stream{resp: resp, sc: bufio.NewScanner(resp.Body)}
}

func (s *stream) next(t *testing.T) sseEvent {
	t.Helper()
	done := make(chan sseEvent, 1)
	go func() {
		var e sseEvent
		for s.sc.Scan() {
			line := s.sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				e.id, _ = strconv.ParseInt(strings.TrimPrefix(line, "id: "), 10, 64)
			case strings.HasPrefix(line, "event: "):
				e.kind = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				e.data = strings.TrimPrefix(line, "data: ")
			case line == "" && e.kind != "":
				done <- e
				return
			}
		}
		done <- sseEvent{}
	}()
	select {
	case e := <-done:
		if e.kind == "" {
			t.Fatal("stream ended")
		}
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5 s")
	}
	return sseEvent{}
}

func TestWorkshopsOverHTTP(t *testing.T) {
	f := setupIndicators(t)
	const public = "http://192.168.1.20:8080"
	a := startReplica(t, f, public)
	b := startReplica(t, f, "")
	outer := t // replicas started in a subtest outlive it
	api := func(r replica, path string) string { return r.srv.URL + "/api/v1/workshops" + path }

	var created workshop.Created
	if r := call(t, "POST", api(a, ""), "", map[string]any{"title": "Atelier sinistralité", "region": "76", "view": wsView("ensemble")}, &created); r.StatusCode != 201 {
		t.Fatalf("create: %d %+v", r.StatusCode, created)
	}
	code, ft := created.Workshop.Code, created.FacilitatorToken
	if created.Links.Participant != public+"/#atelier="+code || !strings.HasPrefix(created.Links.Facilitator, public+"/#atelier="+code+"&animateur=") {
		t.Errorf("links name the public address: %+v", created.Links)
	}
	var joined workshop.Joined
	if r := call(t, "POST", api(b, "/"+strings.ToLower(code)+"/participants"), "", map[string]string{"name": "Marie"}, &joined); r.StatusCode != 201 {
		t.Fatalf("join: %d", r.StatusCode)
	}
	pt := joined.Token

	t.Run("refusals are problems naming what is wrong", func(t *testing.T) {
		for _, c := range []struct {
			method, path, token string
			body                any
			status              int
			typ, param          string
		}{
			{"PUT", "/" + code + "/view", "", wsView("femmes"), 401, httpx.TypeUnauthorized, ""},
			{"PUT", "/" + code + "/view", pt, wsView("femmes"), 403, httpx.TypeForbidden, ""},
			{"PUT", "/" + code + "/view", ft, map[string]any{"indicator": "taux-at", "level": "departement", "sex": "tous", "bounds": []float64{0, 42, 3, 45}}, 400, httpx.TypeInvalidParameter, "sex"},
			{"PUT", "/" + code + "/view", ft, map[string]any{"indicator": "taux-at", "zoom": 5}, 400, httpx.TypeInvalidParameter, "zoom"},
			{"PUT", "/" + code + "/view", ft, map[string]any{"indicator": 5}, 400, httpx.TypeInvalidParameter, "indicator"},
			{"POST", "/" + code + "/participants", "", map[string]string{"name": strings.Repeat("x", 41)}, 400, httpx.TypeInvalidParameter, "name"},
			{"GET", "/AAAAAA", "", nil, 404, httpx.TypeNotFound, ""},
			{"GET", "/" + code + "/participants", pt, nil, 403, httpx.TypeForbidden, ""},
			{"DELETE", "/" + code + "/steps/0", ft, nil, 400, httpx.TypeInvalidParameter, "step"},
		} {
			var p httpx.Problem
			r := call(t, c.method, api(a, c.path), c.token, c.body, &p)
			if r.StatusCode != c.status || p.Type != c.typ || r.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s %s: %d %+v", c.method, c.path, r.StatusCode, p)
			}
			if c.param != "" && (len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != c.param) {
				t.Errorf("%s %s: parameter %+v, want %s", c.method, c.path, p.InvalidParams, c.param)
			}
			if c.status == 401 && r.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("401 without WWW-Authenticate")
			}
		}
	})

	t.Run("a change through one server reaches a stream of the other", func(t *testing.T) {
		var snap workshop.Workshop
		call(t, "GET", api(b, "/"+code), pt, nil, &snap)
		if snap.Me == nil || snap.Me.Name != "Marie" {
			t.Fatalf("snapshot me %+v", snap.Me)
		}
		s := openStream(t, api(b, "/"+code+"/events?after="+strconv.FormatInt(snap.Seq, 10)), pt, "")
		start := time.Now()
		var c struct{ Seq int64 }
		if r := call(t, "PUT", api(a, "/"+code+"/view"), ft, wsView("femmes"), &c); r.StatusCode != 200 {
			t.Fatalf("view: %d", r.StatusCode)
		}
		e := s.next(t)
		if e.kind != "view" || e.id != c.Seq || !strings.Contains(e.data, `"sex":"femmes"`) {
			t.Fatalf("got %+v, want view %d", e, c.Seq)
		}
		t.Logf("facilitator on A → participant's stream on B: %s", time.Since(start))
		// A pointer from the participant, through B, reaches the stream too.
		if r := call(t, "POST", api(b, "/"+code+"/pointer"), pt, map[string]string{"level": "departement", "code": "31"}, &c); r.StatusCode != 200 {
			t.Fatalf("pointer: %d", r.StatusCode)
		}
		if e := s.next(t); e.kind != "pointer" || !strings.Contains(e.data, `"by":"Marie"`) || !strings.Contains(e.data, `"name":"Haute-Garonne"`) {
			t.Errorf("pointer event %+v", e)
		}
	})

	t.Run("a restarted server loses nothing: the stream resumes from Last-Event-ID", func(t *testing.T) {
		var snap workshop.Workshop
		call(t, "GET", api(a, "/"+code), pt, nil, &snap)
		s := openStream(t, api(b, "/"+code+"/events"), pt, strconv.FormatInt(snap.Seq, 10))
		var c struct{ Seq int64 }
		call(t, "PUT", api(a, "/"+code+"/view"), ft, wsView("hommes"), &c)
		last := s.next(t)
		b.stop() // B goes down; the client's stream ends
		// Events committed while nobody streams.
		call(t, "PUT", api(a, "/"+code+"/view"), ft, wsView("ensemble"), nil)
		var step workshop.Step
		if r := call(t, "POST", api(a, "/"+code+"/steps"), ft, map[string]any{"title": "Après la panne", "view": wsView("femmes")}, &step); r.StatusCode != 201 {
			t.Fatalf("step: %d", r.StatusCode)
		}
		b = startReplica(outer, f, "") // B again, after its restart
		s2 := openStream(t, b.srv.URL+"/api/v1/workshops/"+code+"/events", pt, strconv.FormatInt(last.id, 10))
		v, st := s2.next(t), s2.next(t)
		if v.kind != "view" || !strings.Contains(v.data, `"sex":"ensemble"`) || st.kind != "steps" || !strings.Contains(st.data, "Après la panne") || st.id != v.id+1 {
			t.Errorf("after the restart: %+v then %+v", v, st)
		}
	})

	t.Run("presence, close and reopen", func(t *testing.T) {
		call(t, "PUT", api(a, "/"+code+"/presence"), pt, map[string]bool{"following": true}, nil)
		var ps struct{ Participants []workshop.Presence }
		call(t, "GET", api(a, "/"+code+"/participants"), ft, nil, &ps)
		if len(ps.Participants) != 1 || !ps.Participants[0].Following || ps.Participants[0].Name != "Marie" {
			t.Errorf("participants %+v", ps)
		}
		var w workshop.Workshop
		if r := call(t, "POST", api(a, "/"+code+"/close"), ft, nil, &w); r.StatusCode != 200 || w.Status != "closed" {
			t.Fatalf("close: %d %+v", r.StatusCode, w)
		}
		var p httpx.Problem
		if r := call(t, "PUT", api(a, "/"+code+"/view"), ft, wsView("femmes"), &p); r.StatusCode != 409 || p.Type != "/problems/workshop-closed" {
			t.Errorf("a view in a closed workshop: %d %+v", r.StatusCode, p)
		}
		if r := call(t, "POST", api(a, "/"+code+"/reopen"), ft, nil, &w); r.StatusCode != 200 || w.Status != "open" {
			t.Errorf("reopen: %d %+v", r.StatusCode, w)
		}
	})

	t.Run("the QR code holds the participants' link", func(t *testing.T) {
		r, err := http.Get(api(a, "/"+code+"/qr.svg"))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		svg, _ := io.ReadAll(r.Body)
		if r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/svg+xml" {
			t.Fatalf("%d %s", r.StatusCode, r.Header.Get("Content-Type"))
		}
		text := decodeQR(t, svg)
		if text != public+"/#atelier="+code {
			t.Errorf("QR code holds %q", text)
		}
	})

	t.Run("contributions, votes, polls, synthesis", func(t *testing.T) {
		var paul workshop.Joined
		call(t, "POST", api(b, "/"+code+"/participants"), "", map[string]string{"name": "Paul"}, &paul)
		var snap workshop.Workshop
		call(t, "GET", api(b, "/"+code), ft, nil, &snap)
		fs := openStream(t, api(b, "/"+code+"/events?after="+strconv.FormatInt(snap.Seq, 10)), ft, "")
		ps := openStream(t, api(a, "/"+code+"/events?after="+strconv.FormatInt(snap.Seq, 10)), paul.Token, "")
		call(t, "PUT", api(a, "/"+code+"/phase"), ft, map[string]string{"phase": "writing"}, nil)
		if e := ps.next(t); e.kind != "phase" {
			t.Fatalf("Paul's first event %+v", e)
		}
		fs.next(t)
		var c workshop.Contribution
		if r := call(t, "POST", api(a, "/"+code+"/contributions"), pt, map[string]any{"kind": "constat", "text": "<img src=x onerror=alert(1)>", "level": "departement", "code": "31", "view": wsView("ensemble")}, &c); r.StatusCode != 201 {
			t.Fatalf("contribute: %d", r.StatusCode)
		}
		// Private: the facilitator's stream (on B) has it, Paul's (on A) does not.
		if e := fs.next(t); e.kind != "contribution" || e.id <= snap.Seq {
			t.Fatalf("facilitator's event %+v", e)
		}
		var p httpx.Problem
		if r := call(t, "PATCH", api(a, "/"+code+"/contributions/"+strconv.Itoa(c.ID)), paul.Token, map[string]string{"text": "x"}, &p); r.StatusCode != 404 {
			t.Errorf("Paul edits Marie's private contribution: %d", r.StatusCode)
		}
		if r := call(t, "PATCH", api(a, "/"+code+"/contributions/"+strconv.Itoa(c.ID)), pt, map[string]any{"text": "x", "hidden": true}, &p); r.StatusCode != 400 {
			t.Errorf("edit and moderation at once: %d", r.StatusCode)
		}
		call(t, "PUT", api(a, "/"+code+"/phase"), ft, map[string]string{"phase": "vote"}, nil)
		if e := ps.next(t); e.kind != "phase" || !strings.Contains(e.data, "onerror") {
			t.Errorf("the reveal reaches Paul with the contribution: %+v", e)
		}
		var bd workshop.Board
		r := call(t, "POST", api(a, "/"+code+"/votes"), paul.Token, map[string]int{"contribution": c.ID}, &bd)
		if r.StatusCode != 200 || bd.Remaining != 2 {
			t.Errorf("vote: %d, %d left", r.StatusCode, bd.Remaining)
		}
		// The answer says which event is the vote's: Paul's stream, on
		// the other server, brings it under that id.
		ps.next(t) // his budget
		if e, seq := ps.next(t), r.Header.Get("Workshop-Seq"); e.kind != "vote" || strconv.FormatInt(e.id, 10) != seq {
			t.Errorf("the vote is event %d (%s), the answer says %q", e.id, e.kind, seq)
		}
		if r := call(t, "DELETE", api(a, "/"+code+"/votes?contribution="+strconv.Itoa(c.ID)), paul.Token, nil, &bd); r.StatusCode != 200 || bd.Remaining != 3 {
			t.Errorf("unvote: %d, %d left", r.StatusCode, bd.Remaining)
		}
		if r := call(t, "DELETE", api(a, "/"+code+"/votes?level=departement&code=31"), paul.Token, nil, &p); r.StatusCode != 404 {
			t.Errorf("taking back a dot never placed: %d", r.StatusCode)
		}
		var poll workshop.PollView
		if r := call(t, "POST", api(a, "/"+code+"/polls"), ft, map[string]string{"question": "Quel thème d'abord ?", "kind": "ranking", "preset": "themes"}, &poll); r.StatusCode != 201 {
			t.Fatalf("poll: %d", r.StatusCode)
		}
		if r := call(t, "PUT", api(b, "/"+code+"/polls/"+strconv.Itoa(poll.ID)+"/answer"), paul.Token, map[string][]int{"choices": {2, 0, 1, 3, 4}}, &poll); r.StatusCode != 200 || poll.Results.Scores[2] != 4 {
			t.Errorf("answer: %d %+v", r.StatusCode, poll.Results)
		}
		for _, f := range workshop.Formats() {
			r, body := getBearer(t, api(a, "/"+code+"/synthesis?format="+f), ft)
			if r.StatusCode != 200 || !strings.Contains(string(body), "Quel thème") || (f == "html" && strings.Contains(string(body), "<img src=x")) {
				t.Errorf("synthesis %s: %d %.300s", f, r.StatusCode, body)
			}
		}
		if r := call(t, "GET", api(a, "/"+code+"/synthesis?format=pdf"), ft, nil, &p); r.StatusCode != 400 || p.InvalidParams[0].Name != "format" {
			t.Errorf("unknown format: %d %+v", r.StatusCode, p)
		}
		// The synthèse du diagnostic as a document, with the same token.
		doc := a.srv.URL + "/api/v1/documents/synthese?workshop=" + code
		for _, f := range []string{"html", "pdf"} {
			r, body := getBearer(t, doc+"&format="+f, ft)
			text := string(body)
			if f == "pdf" && r.StatusCode == 200 {
				text = poppler(t, "pdftotext", body)
			}
			if r.StatusCode != 200 || !strings.Contains(text, "Synthèse du diagnostic") || !strings.Contains(text, "Constats retenus") ||
				strings.Contains(text, "<img src=x") || r.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("synthèse document %s: %d %.300s", f, r.StatusCode, text)
			}
		}
		if r := call(t, "GET", doc, "", nil, &p); r.StatusCode != 401 {
			t.Errorf("synthèse document without a token: %d", r.StatusCode)
		}
		if r := call(t, "GET", a.srv.URL+"/api/v1/documents/synthese", ft, nil, &p); r.StatusCode != 400 || p.InvalidParams[0].Name != "workshop" {
			t.Errorf("synthèse document without a workshop: %d %+v", r.StatusCode, p)
		}
	})

	t.Run("the board's refusals are problems naming what is wrong", func(t *testing.T) {
		var w2 workshop.Created
		call(t, "POST", api(a, ""), "", map[string]any{"title": "Refus", "view": wsView("ensemble")}, &w2)
		c2, f2 := w2.Workshop.Code, w2.FacilitatorToken
		var lea, hugo workshop.Joined
		call(t, "POST", api(a, "/"+c2+"/participants"), "", map[string]string{"name": "Léa"}, &lea)
		call(t, "POST", api(b, "/"+c2+"/participants"), "", map[string]string{"name": "Hugo"}, &hugo)
		var c workshop.Contribution
		call(t, "POST", api(a, "/"+c2+"/contributions"), lea.Token, map[string]any{"kind": "question", "text": "Et l'intérim ?", "level": "departement", "code": "31"}, &c)
		cid := "/" + c2 + "/contributions/" + strconv.Itoa(c.ID)
		type refusal struct {
			method, path, token string
			body                any
			status              int
			typ, param          string
		}
		check := func(cases []refusal) {
			t.Helper()
			for _, c := range cases {
				var p httpx.Problem
				r := call(t, c.method, api(b, c.path), c.token, c.body, &p)
				if r.StatusCode != c.status || p.Type != c.typ || r.Header.Get("Content-Type") != "application/problem+json" || p.Detail == "" {
					t.Errorf("%s %s: %d %+v", c.method, c.path, r.StatusCode, p)
				}
				if c.param != "" && (len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != c.param) {
					t.Errorf("%s %s: parameter %+v, want %s", c.method, c.path, p.InvalidParams, c.param)
				}
			}
		}
		long := strings.Repeat("é", workshop.MaxText+1)
		check([]refusal{
			{"POST", "/" + c2 + "/contributions", "", map[string]any{"kind": "constat", "text": "x", "level": "departement", "code": "31"}, 401, httpx.TypeUnauthorized, ""},
			{"POST", "/" + c2 + "/contributions", hugo.Token, map[string]any{"kind": "avis", "text": "x", "level": "departement", "code": "31"}, 400, httpx.TypeInvalidParameter, "kind"},
			{"POST", "/" + c2 + "/contributions", hugo.Token, map[string]any{"kind": "constat", "text": long, "level": "departement", "code": "31"}, 400, httpx.TypeInvalidParameter, "text"},
			{"POST", "/" + c2 + "/contributions", hugo.Token, map[string]any{"kind": "constat", "text": "x", "level": "departement", "code": "975"}, 400, httpx.TypeInvalidParameter, "code"},
			// Hugo may not even know of Léa's draft.
			{"PATCH", cid, hugo.Token, map[string]string{"text": "x"}, 404, httpx.TypeNotFound, ""},
			{"DELETE", cid, hugo.Token, nil, 404, httpx.TypeNotFound, ""},
			{"PATCH", cid, f2, map[string]string{"text": "x"}, 403, httpx.TypeForbidden, ""},
			{"PATCH", cid, lea.Token, map[string]bool{"hidden": true}, 403, httpx.TypeForbidden, ""},
			{"PATCH", cid, lea.Token, map[string]bool{"retained": true}, 403, httpx.TypeForbidden, ""},
			{"PUT", "/" + c2 + "/phase", lea.Token, map[string]string{"phase": "reveal"}, 403, httpx.TypeForbidden, ""},
			{"PUT", "/" + c2 + "/phase", f2, map[string]string{"phase": "fin"}, 400, httpx.TypeInvalidParameter, "phase"},
			{"PATCH", "/" + c2 + "/board", lea.Token, map[string]bool{"results_shown": true}, 403, httpx.TypeForbidden, ""},
			{"PATCH", "/" + c2 + "/board", f2, map[string]int{"vote_budget": 0}, 400, httpx.TypeInvalidParameter, "vote_budget"},
			{"POST", "/" + c2 + "/votes", lea.Token, map[string]any{"level": "departement", "code": "31"}, 409, httpx.TypeConflict, ""},
			{"POST", "/" + c2 + "/polls", lea.Token, map[string]string{"question": "?", "kind": "single", "preset": "themes"}, 403, httpx.TypeForbidden, ""},
			{"POST", "/" + c2 + "/polls", f2, map[string]any{"question": "?", "kind": "single", "choices": []string{"oui"}}, 400, httpx.TypeInvalidParameter, "choices"},
			{"PUT", "/" + c2 + "/polls/9/answer", lea.Token, map[string][]int{"choices": {0}}, 404, httpx.TypeNotFound, ""},
			{"POST", "/" + c2 + "/close", lea.Token, nil, 403, httpx.TypeForbidden, ""},
		})
		var poll workshop.PollView
		call(t, "POST", api(a, "/"+c2+"/polls"), f2, map[string]any{"question": "Un secteur ?", "kind": "single", "preset": "sectors"}, &poll)
		pid := "/" + c2 + "/polls/" + strconv.Itoa(poll.ID)
		call(t, "PUT", api(a, "/"+c2+"/phase"), f2, map[string]string{"phase": "vote"}, nil)
		for i := 0; i < workshop.DefaultBudget; i++ {
			if r := call(t, "POST", api(a, "/"+c2+"/votes"), hugo.Token, map[string]int{"contribution": c.ID}, nil); r.StatusCode != 200 {
				t.Fatalf("dot %d: %d", i+1, r.StatusCode)
			}
		}
		check([]refusal{
			{"POST", "/" + c2 + "/votes", hugo.Token, map[string]int{"contribution": c.ID}, 409, httpx.TypeConflict, ""},
			{"POST", "/" + c2 + "/votes", f2, map[string]int{"contribution": c.ID}, 403, httpx.TypeForbidden, ""},
			{"POST", "/" + c2 + "/votes", lea.Token, map[string]any{"contribution": c.ID, "level": "departement", "code": "31"}, 400, httpx.TypeInvalidParameter, "contribution"},
			{"PUT", pid + "/answer", lea.Token, map[string][]int{"choices": {10}}, 400, httpx.TypeInvalidParameter, "choices"},
			{"PUT", pid + "/answer", lea.Token, map[string][]int{"choices": {0, 1}}, 400, httpx.TypeInvalidParameter, "choices"},
			{"PUT", pid + "/answer", f2, map[string][]int{"choices": {0}}, 403, httpx.TypeForbidden, ""},
		})
		call(t, "PATCH", api(a, pid), f2, map[string]bool{"open": false}, nil)
		call(t, "POST", api(a, "/"+c2+"/close"), f2, nil, nil)
		check([]refusal{
			{"PUT", pid + "/answer", lea.Token, map[string][]int{"choices": {0}}, 409, "/problems/workshop-closed", ""},
			{"POST", "/" + c2 + "/contributions", lea.Token, map[string]any{"kind": "constat", "text": "x", "level": "departement", "code": "31"}, 409, "/problems/workshop-closed", ""},
			{"DELETE", cid, lea.Token, nil, 409, "/problems/workshop-closed", ""},
		})
		call(t, "POST", api(a, "/"+c2+"/reopen"), f2, nil, nil)
		check([]refusal{{"PUT", pid + "/answer", lea.Token, map[string][]int{"choices": {0}}, 409, httpx.TypeConflict, ""}})

		// A participant writing too fast is told when to come back.
		var limited *http.Response
		for i := 0; i < 100 && limited == nil; i++ {
			var p httpx.Problem
			r := call(t, "PATCH", api(a, cid), lea.Token, map[string]string{"text": "Et l'intérim, " + strconv.Itoa(i) + " ?"}, &p)
			if r.StatusCode == 429 && p.Type == httpx.TypeTooManyRequests {
				limited = r
			}
		}
		if limited == nil || limited.Header.Get("Retry-After") == "" {
			t.Errorf("100 edits at once were never refused (%v)", limited)
		}
	})

	t.Run("too many requests", func(t *testing.T) {
		var limited *http.Response
		for i := 0; i < 200 && limited == nil; i++ {
			var p httpx.Problem
			if r := call(t, "PUT", api(a, "/"+code+"/presence"), pt, map[string]bool{"following": i%2 == 0}, &p); r.StatusCode == 429 {
				limited = r
				if p.Type != httpx.TypeTooManyRequests {
					t.Errorf("problem %+v", p)
				}
			}
		}
		if limited == nil || limited.Header.Get("Retry-After") == "" {
			t.Fatalf("200 requests at once were never refused (%v)", limited)
		}
	})

	t.Run("deleting removes everything", func(t *testing.T) {
		if r := call(t, "DELETE", api(a, "/"+code), pt, nil, nil); r.StatusCode != 403 {
			t.Errorf("a participant deletes: %d", r.StatusCode)
		}
		if r := call(t, "DELETE", api(a, "/"+code), ft, nil, nil); r.StatusCode != 204 {
			t.Fatalf("delete: %d", r.StatusCode)
		}
		if r := call(t, "GET", api(b, "/"+code), "", nil, nil); r.StatusCode != 404 {
			t.Errorf("after deletion: %d", r.StatusCode)
		}
	})
}

// decodeQR rasterises the server's SVG (square modules drawn as
// horizontal runs) and reads it with a QR decoder, as a phone would.
func decodeQR(t *testing.T, svg []byte) string {
	t.Helper()
	m := regexp.MustCompile(`viewBox="0 0 (\d+) \d+"`).FindSubmatch(svg)
	if m == nil {
		t.Fatalf("no viewBox in %.200s", svg)
	}
	n, _ := strconv.Atoi(string(m[1]))
	const scale = 8
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	runs := regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-\d+z`).FindAllSubmatch(svg, -1)
	if len(runs) == 0 {
		t.Fatal("no module drawn")
	}
	for _, r := range runs {
		x, _ := strconv.Atoi(string(r[1]))
		y, _ := strconv.Atoi(string(r[2]))
		w, _ := strconv.Atoi(string(r[3]))
		for yy := y * scale; yy < (y+1)*scale; yy++ {
			for xx := x * scale; xx < (x+w)*scale; xx++ {
				img.SetGray(xx, yy, color.Gray{Y: 0})
			}
		}
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("the QR code does not decode: %v", err)
	}
	return res.GetText()
}
