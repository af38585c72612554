package workshop

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// Limits on what people type.
const (
	MaxName  = 40
	MaxTitle = 120
)

// cleanText trims s and checks it is 1 to max characters of printable
// text: names and titles are shown to everyone, as text.
func cleanText(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", invalid(field, "ne peut pas être vide")
	}
	if !utf8.ValidString(s) {
		return "", invalid(field, "texte illisible (UTF-8 invalide)")
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", invalid(field, "%d caractères au plus (%d donnés)", max, n)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", invalid(field, "caractère de contrôle non admis")
		}
	}
	return s, nil
}

// checkView validates a view against the catalogue and the territories,
// with the read side's own rules (the map must be one it can draw); fields
// are named as in the view.
func checkView(ctx context.Context, diag *diagnostic.Service, v View, field string) (View, error) {
	q := diagnostic.MapQuery{Query: diagnostic.Query{Indicator: v.Indicator, Level: v.Level, Period: v.Period, Sex: v.Sex, Sector: v.Sector},
		Method: v.Method, Palette: v.Palette}
	if v.Classes != 0 {
		q.Classes = strconv.Itoa(v.Classes)
	}
	if v.Region != "" {
		q.Within = "region:" + v.Region
	}
	if v.Indicator == "" {
		return v, invalid(field+".indicator", "indicateur requis")
	}
	ms, err := diag.SelectMap(ctx, q)
	var pe *diagnostic.ParamError
	var nf *diagnostic.NotFoundError
	switch {
	case errors.As(err, &pe):
		name := pe.Name
		if name == "within" {
			name = "region"
		}
		return v, invalid(field+"."+name, "%s", pe.Reason)
	case errors.As(err, &nf):
		return v, invalid(field+".indicator", "indicateur inconnu : %s", v.Indicator)
	case err != nil:
		return v, err
	}
	// The level canonical (a layer name is accepted); the rest as sent,
	// since "" keeps its meaning for the map (the latest period, the
	// indicator's own palette).
	v.Level = string(ms.Level)
	if v.Selection != "" {
		code := territory.NormaliseCode(ms.Level, v.Selection)
		if _, ok := diag.Territories().Get(ms.Level, code); !ok {
			return v, invalid(field+".selection", "territoire inconnu au niveau %s : %s", ms.Level, v.Selection)
		}
		v.Selection = code
	}
	if v.Analysis != nil {
		if err := checkAnalysis(ctx, diag, q, *v.Analysis, field+".analysis"); err != nil {
			return v, err
		}
	}
	b := v.Bounds
	for _, x := range b {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return v, invalid(field+".bounds", "quatre nombres finis : ouest, sud, est, nord")
		}
	}
	if b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90 || b[0] >= b[2] || b[1] >= b[3] {
		return v, invalid(field+".bounds", "ouest < est entre -180 et 180, sud < nord entre -90 et 90")
	}
	return v, nil
}

// checkAnalysis validates a view's analysis with the read side's own
// selection of that map, so that a view followers receive is one the
// analysis routes draw; fields are named as in the analysis.
func checkAnalysis(ctx context.Context, diag *diagnostic.Service, q diagnostic.MapQuery, a Analysis, field string) error {
	var err error
	rename := map[string]string{}
	switch a.Mode {
	case "evolution":
		_, err = diag.SelectEvolution(ctx, diagnostic.EvolutionQuery{MapQuery: q, From: a.From, To: a.To, Change: a.Change})
	case "sex-gap":
		_, err = diag.SelectSexGap(ctx, diagnostic.SexGapQuery{MapQuery: q, Gap: a.Gap})
	case "bivariate":
		rename = map[string]string{"with-period": "with_period"}
		_, err = diag.SelectCross(ctx, diagnostic.CrossQuery{Query: q.Query, With: a.With, WithPeriod: a.WithPeriod})
	default:
		return invalid(field+".mode", "mode inconnu : attendu evolution, bivariate ou sex-gap")
	}
	var pe *diagnostic.ParamError
	var nf *diagnostic.NotFoundError
	switch {
	case errors.As(err, &pe):
		name := pe.Name
		if r, ok := rename[name]; ok {
			name = r
		}
		return invalid(field+"."+name, "%s", pe.Reason)
	case errors.As(err, &nf):
		// The indicator itself was checked: what is missing is the mode's
		// data (values by sex for a gap).
		return invalid(field+".mode", "%s", nf.Error())
	}
	return err
}
