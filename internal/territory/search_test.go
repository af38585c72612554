package territory

import "testing"

func TestFold(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Ariège", "ariege"},
		{"SAINT-ÉTIENNE", "saint etienne"},
		{"Agde – Pézenas", "agde pezenas"},
		{"L'Haÿ-les-Roses", "l hay les roses"},
		{"  Œuvre ", "œuvre"},
		{"2A", "2a"},
	} {
		if got := Fold(c.in); got != c.want {
			t.Errorf("Fold(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
