package workshopbench

import (
	"testing"

	"github.com/atlas-sante-travail/atlas/internal/tilebench"
)

func TestParseSpecs(t *testing.T) {
	got, err := ParseSpecs("200x1, 1000x2,1000x2!")
	if err != nil || len(got) != 3 || got[0] != (Spec{200, 1, false}) || got[2] != (Spec{1000, 2, true}) {
		t.Fatalf("%+v %v", got, err)
	}
	for _, bad := range []string{"", "200", "x1", "200x0", "200x1!", "-5x1", "10x9"} {
		if _, err := ParseSpecs(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The targets are the issue's: p99 under 50 ms at 200, 100 ms at 1,000,
// 150 ms across two servers, nothing lost anywhere.
func TestTargets(t *testing.T) {
	ts := targets([]Figures{
		{Spec: Spec{200, 1, false}, P99MS: 49},
		{Spec: Spec{1000, 1, false}, P99MS: 101},
		{Spec: Spec{1000, 2, false}, P99MS: 140, Lost: 1},
		{Spec: Spec{1000, 2, true}, P99MS: 900},
	})
	want := []bool{true, true, false, true, true, false, true}
	if len(ts) != len(want) {
		t.Fatalf("%d targets: %+v", len(ts), ts)
	}
	for i, tg := range ts {
		if tg.Pass != want[i] {
			t.Errorf("%s: pass %v, want %v", tg.Name, tg.Pass, want[i])
		}
	}
	var _ tilebench.Target = ts[0]

	// With the participants acting: their delivery and their private
	// events are targets too.
	ts = targets([]Figures{{Spec: Spec{200, 1, false}, P99MS: 10, Actions: 600, ActionP99MS: 60, Leaked: 1}})
	want = []bool{true, false, true, false}
	if len(ts) != len(want) {
		t.Fatalf("%d targets: %+v", len(ts), ts)
	}
	for i, tg := range ts {
		if tg.Pass != want[i] {
			t.Errorf("%s: pass %v, want %v", tg.Name, tg.Pass, want[i])
		}
	}
}
