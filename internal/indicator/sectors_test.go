package indicator

import "testing"

func TestFocusSectors(t *testing.T) {
	s := FocusSectors()
	if len(s) != 10 {
		t.Fatalf("%d sectors", len(s))
	}
	for _, x := range s {
		if !ValidSector(x.Code) || x.Label == "" || SectorLabel(x.Code) != x.Label {
			t.Errorf("%+v", x)
		}
	}
	s[0].Label = "changé"
	if FocusSectors()[0].Label == "changé" {
		t.Error("FocusSectors returns the package's own slice")
	}
	for code, want := range map[string]string{SectorAll: "Tous secteurs", SectorOther: "Autres secteurs", "C": "C"} {
		if got := SectorLabel(code); got != want {
			t.Errorf("SectorLabel(%q) = %q", code, got)
		}
	}
}
