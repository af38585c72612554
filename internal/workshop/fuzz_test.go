package workshop

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

// viewDiag is the read side a view is checked against, in memory: one
// rate by sex at the level of the départements of Occitanie.
func viewDiag(t testing.TB) *diagnostic.Service {
	t.Helper()
	deps := store.LevelData{Level: territory.Departement, DatasetID: 1, Territories: []territory.Territory{
		{Level: territory.Departement, Code: "31", Name: "Haute-Garonne", Region: "76"},
		{Level: territory.Departement, Code: "2B", Name: "Haute-Corse", Region: "94"}}}
	l, err := tiles.NewLayer(context.Background(), deps, func(context.Context, territory.Level, func(store.LoadedGeometry) error) error { return nil }, 0, 11)
	if err != nil {
		t.Fatal(err)
	}
	rate := indicator.Indicator{ID: "taux-at", Vintages: []string{"2021", "2022"}, Levels: []territory.Level{territory.Departement},
		Sexes: []indicator.Sex{indicator.SexEnsemble, indicator.SexFemmes, indicator.SexHommes}, Sectors: []string{indicator.SectorAll},
		Aggregation: indicator.AggregateRatio, Scale: 1000}
	return diagnostic.New(diagnostic.Config{Tiles: tiles.NewMemoryService(nil, l),
		Catalogue: diagnostic.NewCatalogue("1", []indicator.Indicator{rate})})
}

// viewFields are the fields a refusal of a view may name.
var viewFields = map[string]bool{}

func init() {
	for _, f := range []string{"indicator", "level", "period", "sex", "sector", "method", "classes", "palette", "region", "selection", "bounds",
		"analysis.mode", "analysis.from", "analysis.to", "analysis.change", "analysis.with", "analysis.with_period", "analysis.gap",
		"analysis.level", "analysis.period", "analysis.sex", "analysis.sector", "analysis.region", "analysis.classes", "analysis.method", "analysis.breaks",
		"analysis.with-sector", "analysis.within"} {
		viewFields["view."+f] = true
	}
}

// FuzzCheckView: a workshop's view (as created, moved to, bookmarked or
// stamped on a contribution) is either refused as Invalid naming one of
// its fields, or accepted with a canonical level, a known selection and
// finite ordered bounds, and accepted again unchanged.
func FuzzCheckView(f *testing.F) {
	for _, s := range []string{
		`{"indicator":"taux-at","level":"departements","period":"2022","sex":"femmes","classes":5,"region":"76","selection":"31","bounds":[-1,42,4,45]}`,
		`{"indicator":"taux-at","bounds":[0,0,0,0]}`, `{"indicator":"taux-at","selection":"2b","bounds":[-10,40,10,50]}`,
		`{"indicator":"inconnu","bounds":[-1,42,4,45]}`, `{"indicator":"taux-at","region":"99","bounds":[-1,42,4,45]}`,
		`{"indicator":"taux-at","bounds":[-1,42,4,45],"analysis":{"mode":"evolution","from":"2021","to":"2022","change":"relative"}}`,
		`{"indicator":"taux-at","bounds":[-1,42,4,45],"analysis":{"mode":"sex-gap","gap":"x"}}`,
		`{"indicator":"taux-at","bounds":[-1,42,4,45],"analysis":{"mode":"bivariate","with":"taux-at","with_period":"2030-T5"}}`,
		`{"indicator":"taux-at","bounds":[-1,42,4,45],"analysis":{"mode":"?"}}`, `{"indicator":"","level":"commune"}`,
		`{"indicator":"taux-at","classes":-3,"method":"jenks","palette":"rouge","bounds":[-1,42,4,45]}`,
	} {
		f.Add([]byte(s))
	}
	diag := viewDiag(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		var v View
		if json.Unmarshal(body, &v) != nil {
			return // decodeBody's, fuzzed in httpapi
		}
		ctx := context.Background()
		got, err := checkView(ctx, diag, v, "view")
		if err != nil {
			var we *Error
			if !errors.As(err, &we) || we.Kind != Invalid || !viewFields[we.Field] || we.Reason == "" {
				t.Fatalf("checkView(%s): %v (%+v), want Invalid naming a field of the view", body, err, we)
			}
			return
		}
		if lv, err := territory.ParseLevel(got.Level); err != nil || string(lv) != got.Level {
			t.Fatalf("checkView(%s): level %q not canonical", body, got.Level)
		}
		if got.Selection != "" {
			if _, ok := diag.Territories().Get(territory.Level(got.Level), got.Selection); !ok {
				t.Fatalf("checkView(%s): selection %q unknown", body, got.Selection)
			}
		}
		b := got.Bounds
		for _, x := range b {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				t.Fatalf("checkView(%s): bounds %v", body, b)
			}
		}
		if b[0] >= b[2] || b[1] >= b[3] {
			t.Fatalf("checkView(%s): bounds %v", body, b)
		}
		again, err := checkView(ctx, diag, got, "view")
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Fatalf("accepted view %+v checked again: %+v, %v", got, again, err)
		}
	})
}

// FuzzCleanText: names, titles, questions and contributions are refused as
// Invalid on their field, or are trimmed printable UTF-8 of 1 to max
// characters (contributions keeping their line breaks), stable when
// cleaned again.
func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"Zoé", "  ", "a\x00b", "\xff", "ligne 1\r\nligne 2  \n", strings.Repeat("é", 41), "\u202e", "\t x \t"} {
		f.Add(s, uint8(40), false)
		f.Add(s, uint8(10), true)
	}
	f.Fuzz(func(t *testing.T, s string, max uint8, long bool) {
		clean := cleanText
		if long {
			clean = cleanLongText
		}
		out, err := clean("title", s, int(max))
		if err != nil {
			var we *Error
			if !errors.As(err, &we) || we.Kind != Invalid || we.Field != "title" {
				t.Fatalf("clean(%q): %v", s, err)
			}
			return
		}
		flat := strings.ReplaceAll(out, "\n", " ")
		if out == "" || out != strings.TrimSpace(out) || !utf8.ValidString(out) || utf8.RuneCountInString(flat) > int(max) ||
			strings.IndexFunc(flat, unicode.IsControl) >= 0 || (!long && strings.Contains(out, "\n")) {
			t.Fatalf("clean(%q, %d) = %q", s, max, out)
		}
		if again, err := clean("title", out, int(max)); err != nil || again != out {
			t.Fatalf("clean(%q) = %q, cleaned again %q, %v", s, out, again, err)
		}
	})
}
