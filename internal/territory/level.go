// Package territory knows the French territorial levels (région, département,
// zone d'emploi, commune), their INSEE codes and hierarchy, and how their
// geometry is generalised per zoom while neighbours keep sharing borders.
package territory

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Level is a territorial level, spelled as in URLs and the CLI.
type Level string

// The levels, from the coarsest to the finest.
const (
	France      Level = "france"
	Region      Level = "region"
	Departement Level = "departement"
	ZoneEmploi  Level = "zone-emploi"
	Commune     Level = "commune"
)

// Levels lists every level from the coarsest to the finest.
var Levels = []Level{France, Region, Departement, ZoneEmploi, Commune}

// LevelError reports an unknown level name; it lists the allowed ones so
// that an HTTP or CLI error can say what would have been accepted.
type LevelError struct{ Name string }

func (e *LevelError) Error() string {
	return fmt.Sprintf("unknown territorial level %q (allowed: %s)", e.Name, strings.Join(levelNames(), ", "))
}

func levelNames() []string {
	n := make([]string, len(Levels))
	for i, l := range Levels {
		n[i] = string(l)
	}
	return n
}

// ParseLevel accepts a level name or its tile layer name.
func ParseLevel(s string) (Level, error) {
	for _, l := range Levels {
		if s == string(l) || s == l.Layer() {
			return l, nil
		}
	}
	return "", &LevelError{Name: s}
}

// Layer is the plural name used for tile layers and URLs (/tiles/zones-emploi/...).
func (l Level) Layer() string {
	switch l {
	case France:
		return "france"
	case Region:
		return "regions"
	case Departement:
		return "departements"
	case ZoneEmploi:
		return "zones-emploi"
	case Commune:
		return "communes"
	}
	return string(l)
}

// Label is the French name of the level, for UI text and errors.
func (l Level) Label() string {
	switch l {
	case France:
		return "France"
	case Region:
		return "région"
	case Departement:
		return "département"
	case ZoneEmploi:
		return "zone d'emploi"
	case Commune:
		return "commune"
	}
	return string(l)
}

// Field is the name of the tile property and API key holding a code of
// this level ("zone_emploi": MapLibre expressions read underscores better).
func (l Level) Field() string {
	if l == ZoneEmploi {
		return "zone_emploi"
	}
	return string(l)
}

// TileExtent is the extent of every tile, in tile units; generalisation
// tolerances are expressed in these units.
const TileExtent = 4096

// Zooms is the range of zooms generalised for a level. Below it the level
// is too fine to show; above it clients overzoom the last one, which keeps
// the source's full detail.
func (l Level) Zooms() (minZoom, maxZoom int) {
	switch l {
	case France:
		return 0, 8
	case Region:
		return 0, 10
	case Commune:
		return 6, 13
	}
	return 0, 11
}

// Plural is the French plural of the level's name, for UI text
// ("ensemble des zones d'emploi").
func (l Level) Plural() string {
	switch l {
	case France:
		return "France"
	case Region:
		return "régions"
	case Departement:
		return "départements"
	case ZoneEmploi:
		return "zones d'emploi"
	case Commune:
		return "communes"
	}
	return string(l)
}

// ranks keep feature ids of different levels apart. They are fixed per level
// (France came last) so that ids never change when levels are added.
var ranks = map[Level]uint64{Region: 1, Departement: 2, ZoneEmploi: 3, Commune: 4, France: 5}

// Parents lists the levels a territory of this level belongs to. A zone
// d'emploi may cross département borders, so it has a région but no
// département; a commune has all three.
func (l Level) Parents() []Level {
	switch l {
	case Departement, ZoneEmploi:
		return []Level{Region}
	case Commune:
		return []Level{Region, Departement, ZoneEmploi}
	}
	return nil
}

// Children lists the levels whose territories belong to a territory of
// this level (the inverse of Parents), from the coarsest to the finest.
func (l Level) Children() []Level {
	var out []Level
	for _, c := range Levels {
		if slices.Contains(c.Parents(), l) {
			out = append(out, c)
		}
	}
	return out
}

var codePatterns = map[Level]*regexp.Regexp{
	// The whole country, for national figures (sector breakdowns).
	France: regexp.MustCompile(`^FR$`),
	// COG région codes: 01..06 overseas, 11..94 metropolitan.
	Region: regexp.MustCompile(`^[0-9]{2}$`),
	// 01..95 with Corsica as 2A/2B, overseas 971..976.
	Departement: regexp.MustCompile(`^(0[1-9]|1[0-9]|2[AB1-9]|[3-8][0-9]|9[0-5]|97[1-6])$`),
	// ZE2020: two-digit région (00 for inter-regional zones) and a two-digit number.
	ZoneEmploi: regexp.MustCompile(`^[0-9]{4}$`),
	// Five characters: département prefix then commune number.
	Commune: regexp.MustCompile(`^([0-9]{2}|2[AB])[0-9]{3}$`),
}

// CodeError reports a code that is not an INSEE code of the level.
type CodeError struct {
	Level Level
	Code  string
}

func (e *CodeError) Error() string {
	return fmt.Sprintf("%q is not a valid INSEE code for level %s", e.Code, e.Level)
}

// ValidateCode checks the shape of an INSEE code for the level.
func ValidateCode(l Level, code string) error {
	p, ok := codePatterns[l]
	if !ok {
		return &LevelError{Name: string(l)}
	}
	if !p.MatchString(code) {
		return &CodeError{Level: l, Code: code}
	}
	return nil
}

// codeWidths is the number of characters of a level's numeric codes.
var codeWidths = map[Level]int{Region: 2, Departement: 2, ZoneEmploi: 4, Commune: 5}

// NormaliseCode repairs the usual damage done to codes by spreadsheets:
// lost leading zeros ("1" for "01", "1001" for "01001") and lower-case Corsica.
func NormaliseCode(l Level, code string) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	width := codeWidths[l]
	if _, err := strconv.Atoi(code); err == nil && len(code) < width {
		code = strings.Repeat("0", width-len(code)) + code
	}
	return code
}

// FeatureID is the stable numeric id of a territory in tiles: the level's
// rank times 10^8 plus the code read in base 36. It depends only on level and
// code, so it is the same at every zoom, across re-imports and for a client
// that wants to compute it (parseInt(code, 36) in JavaScript).
func FeatureID(l Level, code string) uint64 {
	n, err := strconv.ParseUint(strings.ToLower(code), 36, 64)
	if err != nil {
		return 0
	}
	return ranks[l]*100_000_000 + n
}

// ParentFromCode derives the parent codes that an INSEE code carries in
// itself: a commune's département is its prefix, a zone d'emploi's région is
// its first two digits (00 = inter-regional zone, which has no single région).
func ParentFromCode(l Level, code string, parent Level) (string, bool) {
	switch {
	case l == Commune && parent == Departement:
		if strings.HasPrefix(code, "97") {
			return code[:3], true
		}
		return code[:2], true
	case l == ZoneEmploi && parent == Region:
		if len(code) == 4 && code[:2] != "00" {
			return code[:2], true
		}
	}
	return "", false
}
