package demodata

import (
	"os"
	"strings"
	"testing"
)

// longRows converts a mirror file and indexes the values by code|period.
func longRows(t *testing.T, name string, conv func(*os.File) ([]byte, error)) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for _, r := range convertFile(t, name, conv) {
		out[r.code+"|"+r.period] = r.value
	}
	return out
}

func TestApprenticeshipCSV(t *testing.T) {
	got := longRows(t, "derived/apprentissage_contrats_departements_2017-2022.csv", func(f *os.File) ([]byte, error) { return ApprenticeshipCSV(f) })
	// 101 départements × the five full years; the year to date of 2022
	// is left out.
	if len(got) != 505 {
		t.Errorf("%d values, want 505", len(got))
	}
	for k, want := range map[string]float64{"01|2017": 2944, "01|2018": 3049} {
		if got[k] != want {
			t.Errorf("%s = %v, want %v", k, got[k], want)
		}
	}
	for k := range got {
		if strings.HasSuffix(k, "|2022") {
			t.Errorf("partial year kept: %s", k)
		}
	}
	for _, bad := range []string{
		"id_indicateur,code_departement,date\nnombre-contrats-apprentissage,01,2017-12-31\n",
		"id_indicateur,code_departement,date,valeur\nnombre-contrats-apprentissage,01,2017-12-31,-3\n",
		"id_indicateur,code_departement,date,valeur\nnombre-contrats-apprentissage,01,2017-12-31,3\nnombre-contrats-apprentissage,01,2017-12-31,4\n",
	} {
		if _, err := ApprenticeshipCSV(strings.NewReader(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestInterimCSV(t *testing.T) {
	got := longRows(t, "derived/interim_dares_regions_mensuel_2000-01_2022-07.csv", func(f *os.File) ([]byte, error) { return InterimCSV(f) })
	// 17 régions (overseas 01-04 with their zero) × the 22 full years.
	if len(got) != 17*22 {
		t.Errorf("%d values, want %d", len(got), 17*22)
	}
	if _, ok := got["01|2021"]; !ok {
		t.Error("Guadeloupe 2021 missing (code 1 not padded?)")
	}
	// The régions add up to France entière (SOURCES.md checks it month
	// by month): 605 164.1 in January 2000, so the 2000 means are near.
	sum := 0.0
	for k, v := range got {
		if strings.HasSuffix(k, "|2000") {
			sum += v
		}
	}
	if sum < 560000 || sum > 660000 {
		t.Errorf("Σ régions 2000 = %.0f, want about 605 000", sum)
	}
	if _, err := InterimCSV(strings.NewReader("feuille,bloc,REG,mois,valeur\nIntérimaires par région ETU,regions_2016,11,2000,3\n")); err == nil {
		t.Error("a month without its month: no error")
	}
}
