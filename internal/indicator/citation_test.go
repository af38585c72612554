package indicator

import "testing"

func TestPeriodLabelAndCitation(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"2023", "2023"}, {"2023-T3", "3e trimestre 2023"}, {"T1_2021", "1er trimestre 2021"}, {"bientôt", "bientôt"},
	} {
		if got := PeriodLabel(c.in); got != c.want {
			t.Errorf("PeriodLabel(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct {
		ind  Indicator
		want string
	}{
		{Indicator{Publication: "taux de chômage localisés", Source: "fichier x.xls ; copie du dépôt a/b"}, "taux de chômage localisés"},
		{Indicator{Source: "estimations localisées, fichier sl_etc.xls, feuille Département ; copie du dépôt a/b (commit 1)"}, "estimations localisées"},
		{Indicator{Source: "fichier de test"}, "fichier de test"},
	} {
		if got := c.ind.Citation(); got != c.want {
			t.Errorf("Citation of %q = %q, want %q", c.ind.Source, got, c.want)
		}
	}
}
