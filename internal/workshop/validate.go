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
