package territory_test

import (
	"testing"

	"github.com/atlas-sante-travail/atlas/internal/territory"
)

func TestTerritoryParent(t *testing.T) {
	tr := territory.Territory{Level: "commune", Code: "31555", Region: "76", Departement: "31", ZoneEmploi: "7625"}
	for level, want := range map[territory.Level]string{"region": "76", "departement": "31", "zone-emploi": "7625", "commune": "", "france": ""} {
		if got := tr.Parent(level); got != want {
			t.Errorf("Parent(%q) = %q, want %q", level, got, want)
		}
	}
}

func TestTerritorySetParentAndWithin(t *testing.T) {
	var tr territory.Territory
	tr.Level, tr.Code = territory.Commune, "31555"
	for _, l := range territory.Commune.Parents() {
		tr.SetParent(l, map[territory.Level]string{territory.Region: "76", territory.Departement: "31", territory.ZoneEmploi: "7625"}[l])
	}
	tr.SetParent(territory.France, "FR") // no such parent: ignored
	if tr.Region != "76" || tr.Departement != "31" || tr.ZoneEmploi != "7625" {
		t.Fatalf("parents %+v", tr)
	}
	for _, c := range []struct {
		level territory.Level
		code  string
		want  bool
	}{
		{territory.Region, "76", true},
		{territory.Region, "84", false},
		{territory.Departement, "31", true},
		{territory.ZoneEmploi, "7625", true},
		{territory.Commune, "31555", true},
		{territory.Commune, "31556", false},
		{territory.France, "", false},
		{territory.France, "FR", true},
	} {
		if got := tr.Within(c.level, c.code); got != c.want {
			t.Errorf("Within(%s, %q) = %v, want %v", c.level, c.code, got, c.want)
		}
	}
}

func TestLevelChildren(t *testing.T) {
	for l, want := range map[territory.Level][]territory.Level{
		territory.Region:      {territory.Departement, territory.ZoneEmploi, territory.Commune},
		territory.Departement: {territory.Commune},
		territory.ZoneEmploi:  {territory.Commune},
		territory.Commune:     nil,
		territory.France:      nil,
	} {
		got := l.Children()
		if len(got) != len(want) {
			t.Errorf("%s.Children() = %v, want %v", l, got, want)
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s.Children() = %v, want %v", l, got, want)
			}
		}
	}
}
