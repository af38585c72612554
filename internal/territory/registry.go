package territory

import (
	"slices"
	"strings"
)

// Set holds the territories of one level, indexed by code. A Set is
// immutable once made: the tile server swaps whole sets on a re-import, so
// readers never lock.
type Set struct {
	level Level
	list  []Territory
	index map[string]int
	// folded names and lower-case codes, for Search: folding every name
	// on every keystroke would cost more than the search itself.
	folded, codes []string
}

// NewSet indexes the territories of one level; they keep their order.
func NewSet(level Level, ts []Territory) *Set {
	s := &Set{level: level, list: ts, index: make(map[string]int, len(ts)),
		folded: make([]string, len(ts)), codes: make([]string, len(ts))}
	for i, t := range ts {
		s.index[t.Code] = i
		s.folded[i], s.codes[i] = Fold(t.Name), strings.ToLower(t.Code)
	}
	return s
}

// Level is the level of the set's territories.
func (s *Set) Level() Level { return s.level }

// Get returns the territory of a code.
func (s *Set) Get(code string) (Territory, bool) {
	i, ok := s.index[code]
	if !ok {
		return Territory{}, false
	}
	return s.list[i], true
}

// Index returns the position of a code's territory in All.
func (s *Set) Index(code string) (int, bool) {
	i, ok := s.index[code]
	return i, ok
}

// All returns the territories in their order; the slice is shared and
// must not be modified.
func (s *Set) All() []Territory { return s.list }

// Len is the number of territories.
func (s *Set) Len() int { return len(s.list) }

// Registry holds the territories of every loaded level: what names, ids,
// parents, searches and "within" checks are answered from, without a query.
// It is immutable once made.
type Registry struct {
	sets map[Level]*Set
}

// NewRegistry gathers sets of different levels (a later set of a level
// replaces an earlier one).
func NewRegistry(sets ...*Set) *Registry {
	r := &Registry{sets: make(map[Level]*Set, len(sets))}
	for _, s := range sets {
		r.sets[s.level] = s
	}
	return r
}

// Level returns the set of a loaded level.
func (r *Registry) Level(l Level) (*Set, bool) {
	s, ok := r.sets[l]
	return s, ok
}

// Levels lists the loaded levels, from the coarsest to the finest.
func (r *Registry) Levels() []Level {
	var out []Level
	for _, l := range Levels {
		if _, ok := r.sets[l]; ok {
			out = append(out, l)
		}
	}
	return out
}

// Get returns a loaded territory.
func (r *Registry) Get(l Level, code string) (Territory, bool) {
	if s, ok := r.sets[l]; ok {
		return s.Get(code)
	}
	return Territory{}, false
}

// Known reports whether a territory exists: loaded itself, or named as the
// parent of a loaded one (a base may hold départements with their région
// codes but not the régions' outlines).
func (r *Registry) Known(l Level, code string) bool {
	if s, ok := r.sets[l]; ok {
		_, ok := s.Get(code)
		return ok
	}
	for _, s := range r.sets {
		for _, t := range s.list {
			if t.Parent(l) == code {
				return true
			}
		}
	}
	return false
}

// Ref returns the name and id of a territory; the name is "" and the id
// computed from the code when it is not loaded.
func (r *Registry) Ref(l Level, code string) (name string, fid uint64) {
	if t, ok := r.Get(l, code); ok {
		return t.Name, t.FID
	}
	return "", FeatureID(l, code)
}

// Regions lists the codes of every région, sorted: from the région level
// when loaded, otherwise from the départements' parents.
func (r *Registry) Regions() []string {
	set := map[string]bool{}
	if s, ok := r.sets[Region]; ok {
		for _, t := range s.list {
			set[t.Code] = true
		}
	} else if s, ok := r.sets[Departement]; ok {
		for _, t := range s.list {
			if t.Region != "" {
				set[t.Region] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}
