package territory

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold prepares a name for accent- and case-insensitive matching:
// "Ariège" and "ARIEGE" both fold to "ariege"; hyphens, apostrophes and
// spaces all become one space, since users type "saint etienne" for
// "Saint-Étienne".
func Fold(s string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		default:
			space = true
		}
	}
	return b.String()
}

// Query is a territory search: a name or code typed by a user, restricted
// to some levels and to the territories of one parent.
type Query struct {
	// Text matches codes and names, accent- and case-insensitively; ""
	// matches every territory.
	Text string
	// Levels searched; nil means every loaded level.
	Levels []Level
	// ParentLevel and ParentCode, when set, keep the territories of that
	// parent only.
	ParentLevel Level
	ParentCode  string
	// Limit caps the hits returned; 0 means no cap.
	Limit int
}

// Search answers a query from memory, as a search box needs while the user
// types. Exact matches of a code or name come first, then prefixes, then
// names that contain the text; within a rank, levels from the coarsest and
// territories in their set's order. total counts every hit before Limit.
func (r *Registry) Search(q Query) (hits []Territory, total int) {
	text := Fold(q.Text)
	levels := q.Levels
	if levels == nil {
		levels = r.Levels()
	}
	var ranked [3][]Territory
	for _, l := range levels {
		s, ok := r.sets[l]
		if !ok {
			continue
		}
		for i, t := range s.list {
			if q.ParentCode != "" && t.Parent(q.ParentLevel) != q.ParentCode {
				continue
			}
			rank := 0
			if text != "" {
				name, code := s.folded[i], s.codes[i]
				switch {
				case code == text || name == text:
					rank = 0
				case strings.HasPrefix(code, text) || strings.HasPrefix(name, text):
					rank = 1
				case strings.Contains(name, text):
					rank = 2
				default:
					continue
				}
			}
			ranked[rank] = append(ranked[rank], t)
		}
	}
	for _, rk := range ranked {
		total += len(rk)
		hits = append(hits, rk...)
	}
	if q.Limit > 0 && len(hits) > q.Limit {
		hits = hits[:q.Limit]
	}
	return hits, total
}
