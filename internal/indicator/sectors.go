package indicator

// Sector is a sector group with its French label.
type Sector struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// focusSectors are the ten sectors with the most work accidents that the
// diagnostics single out (ARA seminar, Occitanie cahier des charges), as
// NAF rév. 2 codes (division, group, sub-class, section or A38 aggregate).
var focusSectors = []Sector{
	{"87", "Hébergement médico-social et social"},
	{"88", "Action sociale sans hébergement"},
	{"78.20Z", "Travail temporaire"},
	{"52.10", "Entreposage et stockage"},
	{"49", "Transports terrestres"},
	{"81", "Nettoyage et aménagement paysager"},
	{"56", "Restauration"},
	{"F", "Construction"},
	{"38", "Collecte, traitement et élimination des déchets"},
	{"CH", "Métallurgie et fabrication de produits métalliques"},
}

// FocusSectors returns the ten sectors of the sector focus, in the order
// of the diagnostic documents.
func FocusSectors() []Sector { return append([]Sector(nil), focusSectors...) }

// SectorLabel is the French label of a focus sector, "Autres secteurs" for
// SectorOther, "Tous secteurs" for SectorAll, and the code itself
// otherwise.
func SectorLabel(code string) string {
	switch code {
	case SectorAll:
		return "Tous secteurs"
	case SectorOther:
		return "Autres secteurs"
	}
	for _, s := range focusSectors {
		if s.Code == code {
			return s.Label
		}
	}
	return code
}
