package territory

// Territory is one territory's identity and its place in the hierarchy: the
// one shape every package uses, from the import to the tiles and the API.
type Territory struct {
	Level Level
	Code  string
	Name  string
	// FID is the stable numeric id of the territory in tiles, FeatureID(Level, Code).
	FID uint64
	// The codes of the territories it belongs to, "" where it has none at
	// that level (a zone d'emploi crosses département borders, so it has no
	// département; an inter-regional one has no région either).
	Region      string
	Departement string
	ZoneEmploi  string
}

// Parent is the code of the territory's parent of level l, or "" when it
// has none there (or l is not a parent level).
func (t Territory) Parent(l Level) string {
	switch l {
	case Region:
		return t.Region
	case Departement:
		return t.Departement
	case ZoneEmploi:
		return t.ZoneEmploi
	}
	return ""
}

// SetParent records the code of the territory's parent of level l; it does
// nothing for a level that is no territory's parent.
func (t *Territory) SetParent(l Level, code string) {
	switch l {
	case Region:
		t.Region = code
	case Departement:
		t.Departement = code
	case ZoneEmploi:
		t.ZoneEmploi = code
	}
}

// FranceCode is the code of the one territory of level France.
const FranceCode = "FR"

// Within reports whether t is the territory l:code or lies inside it;
// every territory lies in France.
func (t Territory) Within(l Level, code string) bool {
	if l == France {
		return code == FranceCode
	}
	return (t.Level == l && t.Code == code) || (code != "" && t.Parent(l) == code)
}
