package diagnostic

import (
	"context"
	"strconv"
	"strings"

	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// TerritoryItem is a search result: the territory and its parents' codes.
type TerritoryItem struct {
	TerritoryRef
	Parents map[territory.Level]string `json:"parents,omitempty"`
}

// Extent says where a territory lies (WGS84).
type Extent struct {
	BBox     [4]float64 `json:"bbox"`     // west, south, east, north
	Centroid [2]float64 `json:"centroid"` // a point inside the territory
}

// TerritoryDetail is the full description of one territory.
type TerritoryDetail struct {
	TerritoryRef
	Parents  []TerritoryRef                     `json:"parents"`
	Children map[territory.Level][]TerritoryRef `json:"children"`
	Extent
	territory territory.Territory
}

// Territory is the domain territory the detail describes.
func (d *TerritoryDetail) Territory() territory.Territory { return d.territory }

// parseTerritory validates a level and a code as typed in a URL path.
func parseTerritory(level, code string) (territory.Level, string, error) {
	lv, err := territory.ParseLevel(level)
	if err != nil {
		return "", "", badParam("level", "niveau inconnu", names(territory.Levels)...)
	}
	code = territory.NormaliseCode(lv, code)
	if err := territory.ValidateCode(lv, code); err != nil {
		return "", "", badParam("code", "« "+code+" » n'est pas un code INSEE de "+lv.Label())
	}
	return lv, code, nil
}

// Territory describes one territory: its place, parents and children. A
// malformed level or code is a ParamError, an unknown territory a
// NotFoundError.
func (s *Service) Territory(ctx context.Context, level, code string) (*TerritoryDetail, error) {
	lv, code, err := parseTerritory(level, code)
	if err != nil {
		return nil, err
	}
	p, ok, err := s.st.TerritoryByCode(ctx, lv, code)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound("%s %s", lv.Label(), code)
	}
	out := &TerritoryDetail{
		TerritoryRef: refOf(p.Territory),
		Parents:      []TerritoryRef{},
		Children:     map[territory.Level][]TerritoryRef{},
		Extent:       Extent{BBox: p.BBox, Centroid: p.Centroid},
		territory:    p.Territory,
	}
	reg := s.tiles.Territories()
	for _, pl := range lv.Parents() {
		pc := p.Parent(pl)
		if pc == "" {
			continue
		}
		name, fid := reg.Ref(pl, pc)
		out.Parents = append(out.Parents, TerritoryRef{Level: pl, Code: pc, Name: name, ID: fid})
	}
	for _, ch := range p.Children {
		out.Children[ch.Level] = append(out.Children[ch.Level], refOf(ch))
	}
	return out, nil
}

// Territories are the loaded territories, for names and checks in memory.
func (s *Service) Territories() *territory.Registry { return s.tiles.Territories() }

// SearchQuery is a territory search as typed in a URL.
type SearchQuery struct {
	Q      string
	Level  string
	Parent string // LEVEL:CODE
	Limit  string
}

// SearchResult is the answer to a search.
type SearchResult struct {
	Count       int             `json:"count"`
	Territories []TerritoryItem `json:"territories"`
}

// Search finds territories by name or code among the loaded ones, from
// memory: a search box must answer while the user types.
func (s *Service) Search(q SearchQuery) (*SearchResult, error) {
	reg := s.tiles.Territories()
	tq := territory.Query{Text: q.Q, Limit: 50}
	if q.Level != "" {
		l, err := territory.ParseLevel(q.Level)
		if err != nil {
			return nil, badParam("level", "niveau inconnu", names(territory.Levels)...)
		}
		if _, ok := reg.Level(l); !ok {
			return nil, badParam("level", "niveau non importé", names(reg.Levels())...)
		}
		tq.Levels = []territory.Level{l}
	}
	if q.Parent != "" {
		l, code, ok := strings.Cut(q.Parent, ":")
		pl, err := territory.ParseLevel(l)
		if !ok || err != nil || code == "" {
			return nil, badParam("parent", "attendu NIVEAU:CODE, par exemple region:76", names(territory.Levels)...)
		}
		tq.ParentLevel, tq.ParentCode = pl, territory.NormaliseCode(pl, code)
	}
	if q.Limit != "" {
		n, err := strconv.Atoi(q.Limit)
		if err != nil || n < 1 || n > 1000 {
			return nil, badParam("limit", "un entier de 1 à 1000")
		}
		tq.Limit = n
	}
	hits, total := reg.Search(tq)
	out := &SearchResult{Count: total, Territories: make([]TerritoryItem, len(hits))}
	for i, t := range hits {
		it := TerritoryItem{TerritoryRef: refOf(t), Parents: map[territory.Level]string{}}
		for _, pl := range t.Level.Parents() {
			if c := t.Parent(pl); c != "" {
				it.Parents[pl] = c
			}
		}
		out.Territories[i] = it
	}
	return out, nil
}
