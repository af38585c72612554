package workshop

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/store"
)

type testRoom struct {
	s    *Service
	st   *store.Store
	code string
	ft   string
	a, b Joined
}

func openRoom(t *testing.T) testRoom {
	t.Helper()
	s, st := fixture(t)
	ctx := context.Background()
	c, err := s.Create(ctx, Create{Title: "Tableau", Region: "76", View: view("ensemble")}, "client", base)
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Join(ctx, c.Workshop.Code, "Alice")
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Join(ctx, c.Workshop.Code, "Bruno")
	if err != nil {
		t.Fatal(err)
	}
	return testRoom{s: s, st: st, code: c.Workshop.Code, ft: c.FacilitatorToken, a: a, b: b}
}

func (r testRoom) board(t *testing.T, token string) Board {
	t.Helper()
	w, err := r.s.Get(context.Background(), r.code, token, base)
	if err != nil || w.Board == nil {
		t.Fatalf("snapshot: %v", err)
	}
	return *w.Board
}

func ids(cs []Contribution) []int {
	out := []int{}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func TestContributionsAndPhases(t *testing.T) {
	r := openRoom(t)
	ctx := context.Background()
	v := view("femmes")
	c1, err := r.s.Contribute(ctx, r.code, r.a.Token, Contribute{Kind: "constat", Text: "<script>alert(1)</script> beaucoup d'intérim", Level: "departement", Code: "31", View: &v})
	if err != nil {
		t.Fatal(err)
	}
	if c1.Territory.Name != "Haute-Garonne" || c1.Stamp == nil || c1.Stamp.Value == nil || *c1.Stamp.Value != 10 || c1.Name != "Alice" || c1.Revealed {
		t.Fatalf("contribution %+v, stamp %+v", c1, c1.Stamp)
	}
	// Private writing: the author and the facilitator only.
	if got := ids(r.board(t, r.b.Token).Contributions); len(got) != 0 {
		t.Errorf("Bruno sees %v in the writing phase", got)
	}
	if got := ids(r.board(t, r.a.Token).Contributions); len(got) != 1 {
		t.Errorf("the author sees %v", got)
	}
	if got := ids(r.board(t, r.ft).Contributions); len(got) != 1 {
		t.Errorf("the facilitator sees %v", got)
	}
	for name, err := range map[string]error{
		"Bruno edits": func() error {
			_, err := r.s.EditContribution(ctx, r.code, r.b.Token, c1.ID, Edit{Text: ptrS("x")})
			return err
		}(),
		"facilitator edits": func() error {
			_, err := r.s.EditContribution(ctx, r.code, r.ft, c1.ID, Edit{Text: ptrS("x")})
			return err
		}(),
		"Bruno deletes": r.s.DeleteContribution(ctx, r.code, r.b.Token, c1.ID),
		"a participant hides": func() error {
			_, err := r.s.Moderate(ctx, r.code, r.a.Token, c1.ID, Moderation{Hidden: ptrB(true)})
			return err
		}(),
		"a participant phases": func() error { _, err := r.s.SetPhase(ctx, r.code, r.a.Token, PhaseReveal); return err }(),
		"unknown kind": func() error {
			_, err := r.s.Contribute(ctx, r.code, r.a.Token, Contribute{Kind: "avis", Text: "x", Level: "departement", Code: "31"})
			return err
		}(),
		"too long": func() error {
			_, err := r.s.Contribute(ctx, r.code, r.a.Token, Contribute{Kind: "constat", Text: strings.Repeat("é", 1001), Level: "departement", Code: "31"})
			return err
		}(),
		"unknown territory": func() error {
			_, err := r.s.Contribute(ctx, r.code, r.a.Token, Contribute{Kind: "constat", Text: "x", Level: "departement", Code: "975"})
			return err
		}(),
	} {
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// Bruno sees it edited (404 first: he may not even know it exists).
	if _, err := r.s.EditContribution(ctx, r.code, r.b.Token, c1.ID, Edit{Text: ptrS("x")}); kindOf(err) != NotFound {
		t.Errorf("editing someone's private contribution: %v", err)
	}
	if _, err := r.s.EditContribution(ctx, r.code, r.a.Token, c1.ID, Edit{Text: ptrS("Beaucoup d'intérim\nsurtout l'été")}); err != nil {
		t.Fatal(err)
	}
	// Reveal: everyone sees it; what is written afterwards is public at once.
	if _, err := r.s.SetPhase(ctx, r.code, r.ft, PhaseReveal); err != nil {
		t.Fatal(err)
	}
	c2, err := r.s.Contribute(ctx, r.code, r.b.Token, Contribute{Kind: "piste", Text: "Former les tuteurs", Level: "departement", Code: "31"})
	if err != nil || !c2.Revealed {
		t.Fatalf("after reveal: %+v %v", c2, err)
	}
	c3, _ := r.s.Contribute(ctx, r.code, r.b.Token, Contribute{Kind: "piste", Text: "former les tuteurs", Level: "departement", Code: "31"})
	if got := ids(r.board(t, r.b.Token).Contributions); len(got) != 3 {
		t.Errorf("Bruno sees %v after reveal", got)
	}
	// Moderation: merge the duplicate, hide, retain.
	if _, err := r.s.Moderate(ctx, r.code, r.ft, c3.ID, Moderation{MergedInto: &c2.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.s.Moderate(ctx, r.code, r.ft, c2.ID, Moderation{MergedInto: &c2.ID}); kindOf(err) != Invalid {
		t.Errorf("merging into itself: %v", err)
	}
	if _, err := r.s.Moderate(ctx, r.code, r.ft, c1.ID, Moderation{Retained: ptrB(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.s.Moderate(ctx, r.code, r.ft, c2.ID, Moderation{Retained: ptrB(true)}); err != nil {
		t.Fatal(err)
	}
	if got := ids(r.board(t, r.a.Token).Contributions); len(got) != 2 {
		t.Errorf("after the merge Alice sees %v", got)
	}
	// A closed board takes no contribution.
	if _, err := r.s.SetPhase(ctx, r.code, r.ft, PhaseClosed); err != nil {
		t.Fatal(err)
	}
	if _, err := r.s.Contribute(ctx, r.code, r.a.Token, Contribute{Kind: "question", Text: "x", Level: "departement", Code: "31"}); kindOf(err) != Conflict {
		t.Errorf("contributing to a closed board: %v", err)
	}
}

func TestVotesStayWithinTheBudget(t *testing.T) {
	r := openRoom(t)
	ctx := context.Background()
	if _, err := r.s.SetPhase(ctx, r.code, r.ft, PhaseReveal); err != nil {
		t.Fatal(err)
	}
	c, err := r.s.Contribute(ctx, r.code, r.b.Token, Contribute{Kind: "piste", Text: "Prévenir les TMS", Level: "departement", Code: "31"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.s.Vote(ctx, r.code, r.a.Token, Target{Contribution: c.ID}); kindOf(err) != Conflict {
		t.Errorf("a vote before the vote phase: %v", err)
	}
	hide, budget := true, 4
	if _, err := r.s.SetBoard(ctx, r.code, r.ft, BoardSettings{Budget: &budget, HideResults: &hide}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.s.SetPhase(ctx, r.code, r.ft, PhaseVote); err != nil {
		t.Fatal(err)
	}
	// Ten concurrent dots from Alice: four pass.
	var wg sync.WaitGroup
	var mu sync.Mutex
	passed, refused := 0, 0
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := r.s.Vote(ctx, r.code, r.a.Token, Target{Contribution: c.ID})
			mu.Lock()
			defer mu.Unlock()
			switch kindOf(err) {
			case 0:
				passed++
			case Conflict:
				refused++
			}
		}(i)
	}
	wg.Wait()
	if passed != 4 || refused != 6 {
		t.Fatalf("%d dots passed and %d were refused, want 4 and 6", passed, refused)
	}
	a := r.board(t, r.a.Token)
	if len(a.MyVotes) != 4 || a.Remaining != 0 || a.Tallies != nil {
		t.Errorf("Alice: %d dots, %d left, tallies %+v (hidden)", len(a.MyVotes), a.Remaining, a.Tallies)
	}
	f := r.board(t, r.ft)
	if f.Tallies == nil || f.Tallies.Dots != 4 || f.Tallies.Voters != 1 {
		t.Errorf("the facilitator's tallies %+v", f.Tallies)
	}
	// A dot taken back can go elsewhere.
	if _, err := r.s.Unvote(ctx, r.code, r.a.Token, Target{Contribution: c.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.s.Vote(ctx, r.code, r.a.Token, Target{Level: "departement", Code: "31"}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.s.Vote(ctx, r.code, r.ft, Target{Level: "departement", Code: "31"}); kindOf(err) != Forbidden {
		t.Errorf("the facilitator votes: %v", err)
	}
	shown := true
	if _, err := r.s.SetBoard(ctx, r.code, r.ft, BoardSettings{ResultsShown: &shown}); err != nil {
		t.Fatal(err)
	}
	b := r.board(t, r.b.Token)
	// Haute-Garonne: its own dot and the three on the contribution pinned there.
	if b.Tallies == nil || b.Tallies.Territories["departement:31"] != 4 || b.Tallies.Contributions[c.ID] != 3 {
		t.Errorf("revealed tallies %+v", b.Tallies)
	}
}

// A merge moves the dots to the contribution merged into, and a deletion
// takes them back: the voters hear of their ballot, the counts follow,
// and the workshop's totals agree with the dots.
func TestMergesAndDeletionsMoveDots(t *testing.T) {
	r := openRoom(t)
	ctx := context.Background()
	if _, err := r.s.SetPhase(ctx, r.code, r.ft, PhaseVote); err != nil {
		t.Fatal(err)
	}
	dup, _ := r.s.Contribute(ctx, r.code, r.a.Token, Contribute{Kind: "constat", Text: "Beaucoup de TMS", Level: "departement", Code: "31"})
	orig, _ := r.s.Contribute(ctx, r.code, r.b.Token, Contribute{Kind: "constat", Text: "Les TMS dominent", Level: "departement", Code: "09"})
	for _, v := range []struct {
		token string
		t     Target
	}{{r.a.Token, Target{Contribution: dup.ID}}, {r.b.Token, Target{Contribution: dup.ID}}, {r.b.Token, Target{Contribution: orig.ID}}} {
		if _, err := r.s.Vote(ctx, r.code, v.token, v.t); err != nil {
			t.Fatal(err)
		}
	}
	w, _ := r.s.Get(ctx, r.code, r.ft, base)
	sub, err := r.s.Subscribe(ctx, r.code, r.a.Token, w.Seq)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	running, stop := context.WithCancel(ctx)
	defer stop()
	go r.s.Run(running)
	if _, err := r.s.Moderate(ctx, r.code, r.ft, dup.ID, Moderation{MergedInto: &orig.ID}); err != nil {
		t.Fatal(err)
	}
	f := r.board(t, r.ft)
	if f.Tallies.Contributions[orig.ID] != 3 || f.Tallies.Contributions[dup.ID] != 0 || f.Tallies.Territories["departement:09"] != 3 ||
		f.Tallies.Territories["departement:31"] != 0 || f.Tallies.Dots != 3 || f.Tallies.Voters != 2 {
		t.Errorf("after the merge: %+v", f.Tallies)
	}
	a := r.board(t, r.a.Token)
	if len(a.MyVotes) != 1 || a.MyVotes[0].Contribution != orig.ID {
		t.Errorf("Alice's dots after the merge: %+v", a.MyVotes)
	}
	// Alice's stream: the merged one off her screen, her ballot, the counts.
	var kinds []string
	for len(kinds) < 3 {
		kinds = append(kinds, next(t, sub).Kind)
	}
	if !slices.Equal(kinds, []string{KindContributionGone, KindVotes, KindTallies}) {
		t.Errorf("Alice's events: %v", kinds)
	}
	// Bruno deletes his contribution: every dot goes, Alice's too.
	if err := r.s.DeleteContribution(ctx, r.code, r.b.Token, orig.ID); err != nil {
		t.Fatal(err)
	}
	f = r.board(t, r.ft)
	row, _, _, _ := r.st.WorkshopSnapshot(ctx, r.code)
	if f.Tallies.Dots != 0 || f.Tallies.Voters != 0 || row.Dots != 0 || row.Voters != 0 {
		t.Errorf("after the deletion: %+v, workshop totals %d dots %d voters", f.Tallies, row.Dots, row.Voters)
	}
	if a := r.board(t, r.a.Token); len(a.MyVotes) != 0 || a.Remaining != DefaultBudget {
		t.Errorf("Alice after the deletion: %+v", a)
	}
}

func TestPollsAreScored(t *testing.T) {
	r := openRoom(t)
	ctx := context.Background()
	p, err := r.s.CreatePoll(ctx, r.code, r.ft, NewPoll{Question: "Classez les thèmes", Kind: PollRanking, Preset: "themes"})
	if err != nil || len(p.Choices) != 5 {
		t.Fatalf("%+v %v", p, err)
	}
	if _, err := r.s.Answer(ctx, r.code, r.a.Token, p.ID, []int{0, 1}); kindOf(err) != Invalid {
		t.Errorf("a partial ranking: %v", err)
	}
	if _, err := r.s.Answer(ctx, r.code, r.a.Token, p.ID, []int{2, 2, 0, 1, 3}); kindOf(err) != Invalid {
		t.Errorf("a choice twice: %v", err)
	}
	if _, err := r.s.Answer(ctx, r.code, r.a.Token, p.ID, []int{2, 0, 1, 3, 4}); err != nil {
		t.Fatal(err)
	}
	// Bruno answers twice: the last answer counts.
	r.s.Answer(ctx, r.code, r.b.Token, p.ID, []int{4, 3, 2, 1, 0}) //nolint:errcheck // replaced below
	pv, err := r.s.Answer(ctx, r.code, r.b.Token, p.ID, []int{2, 1, 0, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	// Borda, 4 points for a first place: sinistralité (2) 8, emploi (0)
	// 3+2, exposition (1) 2+3, prévention (3) 1+1, maintien (4) 0+0.
	res := pv.Results
	if res.Respondents != 2 || res.Scores[2] != 8 || res.Scores[0] != 5 || res.Scores[1] != 5 || res.Scores[4] != 0 || res.Order[0] != 2 {
		t.Errorf("results %+v", res)
	}
	if len(pv.Mine) != 5 || pv.Mine[0] != 2 {
		t.Errorf("Bruno's own answer %v", pv.Mine)
	}
	single, _ := r.s.CreatePoll(ctx, r.code, r.ft, NewPoll{Question: "Un secteur", Kind: PollSingle, Preset: "sectors"})
	if len(single.Choices) != 10 {
		t.Errorf("%d sectors", len(single.Choices))
	}
	if _, err := r.s.SetPollOpen(ctx, r.code, r.ft, single.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := r.s.Answer(ctx, r.code, r.a.Token, single.ID, []int{1}); kindOf(err) != Conflict {
		t.Errorf("answering a closed poll: %v", err)
	}
	if _, err := r.s.CreatePoll(ctx, r.code, r.ft, NewPoll{Question: "Oui ?", Kind: PollSingle, Choices: []string{"oui", "Oui"}}); kindOf(err) != Invalid {
		t.Errorf("duplicate choices: %v", err)
	}
}

// Private contributions reach their author's stream and the
// facilitator's, and no other.
func TestAudiences(t *testing.T) {
	r := openRoom(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go r.s.Run(ctx)
	for !r.s.Listening() {
		time.Sleep(10 * time.Millisecond)
	}
	w, _ := r.s.Get(ctx, r.code, r.ft, base)
	subF, _ := r.s.Subscribe(ctx, r.code, r.ft, w.Seq)
	subA, _ := r.s.Subscribe(ctx, r.code, r.a.Token, w.Seq)
	subB, _ := r.s.Subscribe(ctx, r.code, r.b.Token, w.Seq)
	defer subF.Close()
	defer subA.Close()
	defer subB.Close()
	c, err := r.s.Contribute(ctx, r.code, r.a.Token, Contribute{Kind: "hypothese", Text: "Sous-déclaration", Level: "departement", Code: "31"})
	if err != nil {
		t.Fatal(err)
	}
	if e := next(t, subA); e.Kind != KindContribution {
		t.Errorf("author's stream: %s", e.Kind)
	}
	if e := next(t, subF); e.Kind != KindContribution {
		t.Errorf("facilitator's stream: %s", e.Kind)
	}
	if _, err := r.s.SetPhase(ctx, r.code, r.ft, PhaseReveal); err != nil {
		t.Fatal(err)
	}
	// Bruno's first event is the reveal, which carries the contribution.
	e := next(t, subB)
	var d struct {
		Phase    string
		Revealed []Contribution
	}
	json.Unmarshal(e.Data, &d) //nolint:errcheck // checked below
	if e.Kind != KindPhase || d.Phase != PhaseReveal || len(d.Revealed) != 1 || d.Revealed[0].ID != c.ID {
		t.Errorf("Bruno's first event: %s %s", e.Kind, e.Data)
	}
	next(t, subA)
	next(t, subF)

	// A dot while the results are hidden: the voter hears of their
	// budget, the facilitator of the counts, Bruno of nothing.
	hide := true
	if _, err := r.s.SetBoard(ctx, r.code, r.ft, BoardSettings{HideResults: &hide}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.s.SetPhase(ctx, r.code, r.ft, PhaseVote); err != nil {
		t.Fatal(err)
	}
	for sub, want := range map[*Subscription][]string{
		subA: {KindBoardSettings, KindPhase},
		subB: {KindBoardSettings, KindPhase},
		subF: {KindBoardSettings, KindTallies, KindPhase}, // the hidden counts, to the facilitator alone
	} {
		for _, k := range want {
			if e := next(t, sub); e.Kind != k {
				t.Fatalf("%s, want %s", e.Kind, k)
			}
		}
	}
	if _, err := r.s.Vote(ctx, r.code, r.a.Token, Target{Contribution: c.ID}); err != nil {
		t.Fatal(err)
	}
	if e := next(t, subA); e.Kind != KindVotes || !strings.Contains(string(e.Data), `"remaining":2`) {
		t.Errorf("voter: %s %s", e.Kind, e.Data)
	}
	var vc VoteCount
	next(t, subF) // the voter's budget: the facilitator sees every event
	e = next(t, subF)
	json.Unmarshal(e.Data, &vc) //nolint:errcheck // checked below
	if e.Kind != KindVote || vc != (VoteCount{Contribution: c.ID, ContributionDots: 1, Territory: "departement:31", TerritoryDots: 1, Voters: 1, Dots: 1}) {
		t.Errorf("facilitator: %s %s", e.Kind, e.Data)
	}
	// Shown: the counts reach everyone, then every dot does.
	shown := true
	if _, err := r.s.SetBoard(ctx, r.code, r.ft, BoardSettings{ResultsShown: &shown}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.s.Vote(ctx, r.code, r.a.Token, Target{Level: "departement", Code: "31"}); err != nil {
		t.Fatal(err)
	}
	got := []string{next(t, subB).Kind, next(t, subB).Kind}
	e = next(t, subB)
	vc = VoteCount{}
	json.Unmarshal(e.Data, &vc) //nolint:errcheck // checked below
	got = append(got, e.Kind)
	if !slices.Equal(got, []string{KindBoardSettings, KindTallies, KindVote}) || vc.TerritoryDots != 2 || vc.Contribution != 0 || vc.Dots != 2 {
		t.Errorf("Bruno, once shown: %v %s", got, e.Data)
	}
}

func TestSynthesisAndPurge(t *testing.T) {
	r := openRoom(t)
	ctx := context.Background()
	v := view("femmes")
	if _, err := r.s.AddStep(ctx, r.code, r.ft, "Les femmes en Haute-Garonne", v); err != nil {
		t.Fatal(err)
	}
	if _, err := r.s.SetPhase(ctx, r.code, r.ft, PhaseReveal); err != nil {
		t.Fatal(err)
	}
	c, _ := r.s.Contribute(ctx, r.code, r.a.Token, Contribute{Kind: "constat", Text: "<b>gras</b> & *étoiles*", Level: "departement", Code: "31", View: &v})
	r.s.Moderate(ctx, r.code, r.ft, c.ID, Moderation{Retained: ptrB(true)}) //nolint:errcheck // checked in the synthesis
	syn, err := r.s.Synthesis(ctx, r.code, r.ft)
	if err != nil {
		t.Fatal(err)
	}
	ten := indicator.FormatValue(10, 0, "%")
	if len(syn.Steps) != 1 || syn.Steps[0].Selected == nil || syn.Steps[0].Selected.Label != ten || len(syn.Constats) != 1 || syn.Constats[0].Author != "Alice" {
		t.Fatalf("synthesis %+v", syn)
	}
	// The latest period, when the view says none.
	if !strings.Contains(syn.Constats[0].Figure, "Taux (2023, femmes) : "+ten) {
		t.Errorf("figure %q", syn.Constats[0].Figure)
	}
	mine, _ := r.s.Synthesis(ctx, r.code, r.b.Token)
	if mine.WithNames || mine.Constats[0].Author != "" {
		t.Error("a participant's synthesis names the authors")
	}
	for _, f := range Formats() {
		b, ctype, err := Render(syn, f)
		if err != nil || len(b) == 0 || ctype == "" {
			t.Fatalf("%s: %v", f, err)
		}
		s := string(b)
		// What people typed stays text: escaped where markup is read.
		if (f == FormatHTML || f == FormatMarkdown) && strings.Contains(s, "<b>gras") {
			t.Errorf("%s: the contribution's HTML is written as HTML", f)
		}
		if f == FormatHTML && !strings.Contains(s, "&lt;b&gt;gras&lt;/b&gt; &amp; *étoiles*") {
			t.Errorf("html: the contribution is not there as text")
		}
		if !strings.Contains(s, "Alice") || !strings.Contains(s, "Les femmes en Haute-Garonne") {
			t.Errorf("%s lacks the author or the step", f)
		}
	}
	if _, _, err := Render(syn, "pdf"); kindOf(err) != Invalid {
		t.Errorf("unknown format: %v", err)
	}

	// Past its retention, a closed workshop keeps no name.
	if _, err := r.s.Close(ctx, r.code, r.ft, base); err != nil {
		t.Fatal(err)
	}
	later := New(Config{Store: r.st, Diagnostic: r.s.diag, Now: func() time.Time { return time.Now().Add(100 * 24 * time.Hour) }})
	if n, err := later.Purge(ctx, 90*24*time.Hour); err != nil || n != 1 {
		t.Fatalf("purge: %d %v", n, err)
	}
	w, wb, _, _ := r.st.WorkshopSnapshot(ctx, r.code)
	ps, _ := r.st.WorkshopParticipants(ctx, w.ID, time.Minute)
	evs, _ := r.st.WorkshopEvents(ctx, w.ID, 0, 0, 100)
	if w.PurgedAt == nil || len(ps) != 0 || len(evs) != 0 || len(wb.Contributions) != 1 || wb.Contributions[0].AuthorName != "Participant 1" ||
		strings.Contains(string(w.State), "Alice") {
		t.Errorf("after the purge: %d participants, %d events, contributions %+v", len(ps), len(evs), wb.Contributions)
	}
	if n, _ := later.Purge(ctx, 90*24*time.Hour); n != 0 {
		t.Error("purged twice")
	}
	// Deleting takes everything.
	c2, _ := r.s.Create(ctx, Create{Title: "À effacer", View: view("ensemble")}, "client2", base)
	if err := r.s.Delete(ctx, c2.Workshop.Code, r.ft); kindOf(err) != Unauthorized {
		t.Errorf("another workshop's facilitator deletes: %v", err)
	}
	if err := r.s.Delete(ctx, c2.Workshop.Code, c2.FacilitatorToken); err != nil {
		t.Fatal(err)
	}
	if _, err := r.s.Get(ctx, c2.Workshop.Code, "", base); kindOf(err) != NotFound {
		t.Errorf("a deleted workshop: %v", err)
	}
}

func ptrS(s string) *string { return &s }
func ptrB(b bool) *bool     { return &b }
