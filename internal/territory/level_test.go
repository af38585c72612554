package territory

import "testing"

func TestValidateCode(t *testing.T) {
	for _, c := range []struct {
		level Level
		code  string
		ok    bool
	}{
		{Departement, "01", true}, {Departement, "2A", true}, {Departement, "2B", true},
		{Departement, "971", true}, {Departement, "976", true}, {Departement, "20", false},
		{Departement, "96", false}, {Departement, "977", false}, {Departement, "1", false},
		{Region, "76", true}, {Region, "7", false},
		{ZoneEmploi, "7625", true}, {ZoneEmploi, "0051", true}, {ZoneEmploi, "76X5", false},
		{Commune, "31555", true}, {Commune, "2A004", true}, {Commune, "97411", true}, {Commune, "3155", false},
	} {
		if err := ValidateCode(c.level, c.code); (err == nil) != c.ok {
			t.Errorf("%s %q: err %v", c.level, c.code, err)
		}
	}
}

func TestNormaliseCode(t *testing.T) {
	for _, c := range []struct {
		level    Level
		in, want string
	}{
		{Departement, "1", "01"}, {Departement, "2a", "2A"}, {Commune, "1001", "01001"},
		{Region, " 76 ", "76"}, {ZoneEmploi, "51", "0051"}, {Departement, "971", "971"},
	} {
		if got := NormaliseCode(c.level, c.in); got != c.want {
			t.Errorf("%s %q: %q, want %q", c.level, c.in, got, c.want)
		}
	}
}

func TestFeatureIDIsStableAndDistinct(t *testing.T) {
	seen := map[uint64]string{}
	for _, c := range []struct {
		level Level
		code  string
	}{
		{Region, "76"}, {Departement, "76"}, {Departement, "2A"}, {Departement, "2B"},
		{ZoneEmploi, "7625"}, {Commune, "31555"}, {Commune, "2A004"}, {Commune, "2B004"},
	} {
		id := FeatureID(c.level, c.code)
		if id == 0 || id != FeatureID(c.level, c.code) {
			t.Fatalf("%s %s: id %d", c.level, c.code, id)
		}
		if prev, dup := seen[id]; dup {
			t.Errorf("%s %s and %s share id %d", c.level, c.code, prev, id)
		}
		seen[id] = string(c.level) + " " + c.code
	}
	// Documented formula, so that a browser can compute it.
	if got := FeatureID(Departement, "2A"); got != 2*100_000_000+2*36+10 {
		t.Errorf("2A: %d", got)
	}
}

func TestParentFromCode(t *testing.T) {
	for _, c := range []struct {
		level  Level
		code   string
		parent Level
		want   string
		ok     bool
	}{
		{Commune, "31555", Departement, "31", true},
		{Commune, "97411", Departement, "974", true},
		{Commune, "2A004", Departement, "2A", true},
		{ZoneEmploi, "7625", Region, "76", true},
		{ZoneEmploi, "0051", Region, "", false},
		{Departement, "31", Region, "", false},
	} {
		got, ok := ParentFromCode(c.level, c.code, c.parent)
		if got != c.want || ok != c.ok {
			t.Errorf("%s %s → %s: %q %v", c.level, c.code, c.parent, got, ok)
		}
	}
}

func TestParseLevel(t *testing.T) {
	for _, s := range []string{"zone-emploi", "zones-emploi"} {
		if l, err := ParseLevel(s); err != nil || l != ZoneEmploi {
			t.Errorf("%s: %v %v", s, l, err)
		}
	}
	if _, err := ParseLevel("canton"); err == nil {
		t.Error("canton accepted")
	}
}

func TestFieldAndZooms(t *testing.T) {
	for _, c := range []struct {
		level      Level
		field      string
		zmin, zmax int
	}{
		{France, "france", 0, 8}, {Region, "region", 0, 10}, {Departement, "departement", 0, 11},
		{ZoneEmploi, "zone_emploi", 0, 11}, {Commune, "commune", 6, 13},
	} {
		zmin, zmax := c.level.Zooms()
		if c.level.Field() != c.field || zmin != c.zmin || zmax != c.zmax {
			t.Errorf("%s: field %q, zooms %d-%d", c.level, c.level.Field(), zmin, zmax)
		}
	}
}

func TestPlural(t *testing.T) {
	for l, want := range map[Level]string{ZoneEmploi: "zones d'emploi", Departement: "départements", Region: "régions", Commune: "communes"} {
		if got := l.Plural(); got != want {
			t.Errorf("%s: %q", l, got)
		}
	}
}
