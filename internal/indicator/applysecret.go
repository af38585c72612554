package indicator

import (
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// ParentKey builds the key of ApplySecret's parents map for an explicit
// child → parent level pair ("commune>departement"). A plain child level
// ("departement") is accepted too when the child level aggregates to a
// single parent level.
func ParentKey(childLevel, parentLevel territory.Level) string {
	return string(childLevel) + ">" + string(parentLevel)
}

// CellID is the identifier of a value in the tables ApplySecret submits to
// Suppress: "level|code|period|sex|sector".
func CellID(k Key) string {
	return string(k.Level) + "|" + k.Code + "|" + k.Period + "|" + k.Sex + "|" + k.Sector
}

// ApplySecret applies the secret statistique to all the values of one
// indicator, in one place, before anything is stored or output. It returns
// a copy of values in which every cell that must not be disclosed has
// status secret. Its counts are kept, because aggregating to coarser
// territories needs them; Gate removes them at output.
//
// Primary secret: a value whose threshold count (ind.ThresholdCount) is
// below ind.Threshold (BelowThreshold), a value whose count is unknown when
// a threshold is set (it cannot be shown to be safe), and a value that the
// producer already marked secret.
//
// Secondary secret: Suppress chooses complementary cells so that no primary
// cell can be recomputed from published ones, with these equations on the
// threshold counts, per period:
//
//   - sex: ensemble = femmes + hommes, for each (level, code, sector) where
//     the three values exist;
//   - sector: sector "ensemble" = sum of the other sectors, for each
//     (level, code, sex), when ind.Sectors lists more than "ensemble". This
//     assumes the declared sectors partition the total (NAF sections, A17
//     or A38 lists, or a focus list completed by "autres"). When they do
//     not (a bare "top 10 sectors" selection), the equation is false, but a
//     false extra equation can only make the suppression more cautious than
//     needed, never let a cell be recovered;
//   - hierarchy: a parent value computed by this service (Computed) = sum of
//     its children, the children being every code that parents maps to it.
//     parents[key][childCode] = parent code, where key is
//     ParentKey(childLevel, parentLevel) or, when the child level has a
//     single parent level, the child level alone. Producer-published parent
//     values are not assumed to be sums (other source, rounding, estimates).
//
// Missing values take no part: they are not cells. A cell named by an
// equation but not present as a value (a missing value, a child that was
// not loaded) is taken as known to the reader, which errs on the side of
// hiding more (see Constraint).
func ApplySecret(ind Indicator, values []Value, parents map[string]map[string]string) []Value {
	out := make([]Value, len(values))
	copy(out, values)

	forced := false
	for _, v := range out {
		if v.Status == StatusSecret {
			forced = true
			break
		}
	}
	if ind.Threshold <= 0 && !forced {
		return out
	}

	// Per period: the equations never cross periods, and Suppress's audit
	// is cheaper on small systems.
	byPeriod := map[string][]int{}
	for i, v := range out {
		if v.Status == StatusMissing {
			continue
		}
		byPeriod[v.Period] = append(byPeriod[v.Period], i)
	}
	threshold := float64(ind.Threshold)
	if threshold <= 0 {
		// No producer rule, but producer-secret cells must still be
		// protected: a threshold no positive count is below.
		threshold = math.SmallestNonzeroFloat64
	}
	periods := make([]string, 0, len(byPeriod))
	for p := range byPeriod {
		periods = append(periods, p)
	}
	sort.Strings(periods)
	// The periods are independent systems: solved side by side (a
	// région's communes take seconds per period), each writing only the
	// statuses of its own values.
	secrets := make([]map[string]Reason, len(periods))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for n, p := range periods {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			cells, constraints := secretTable(ind, out, byPeriod[p], parents, threshold)
			secrets[n] = Suppress(cells, constraints, threshold)
		}()
	}
	wg.Wait()
	for n, p := range periods {
		for _, i := range byPeriod[p] {
			if _, ok := secrets[n][CellID(out[i].Key)]; ok {
				out[i].Status = StatusSecret
			}
		}
	}
	return out
}

// secretTable builds the cells and equations of one period's values
// (indices into values, all non-missing).
func secretTable(ind Indicator, values []Value, idx []int, parents map[string]map[string]string, threshold float64) (map[string]Cell, []Constraint) {
	cells := make(map[string]Cell, len(idx))
	for _, i := range idx {
		v := values[i]
		id := CellID(v.Key)
		count, known := ind.ThresholdCount(v)
		switch {
		case v.Status == StatusSecret:
			count = -1 // below any positive threshold: primary
		case !known && ind.Threshold > 0:
			count = math.NaN() // cannot be shown to be safe: primary
		case !known:
			count = 0
		case !BelowThreshold(count, float64(ind.Threshold)) && BelowThreshold(count, threshold):
			// Only reachable without a producer rule: a negative or
			// non-finite count is then not a reason for secrecy.
			count = 0
		}
		cells[id] = Cell{Count: count}
	}
	exists := func(k Key) bool { _, ok := cells[CellID(k)]; return ok }

	var constraints []Constraint
	seen := map[string]bool{}
	add := func(c Constraint) {
		sort.Strings(c.Parts)
		key := c.Total + "=" + strings.Join(c.Parts, "+")
		if !seen[key] {
			seen[key] = true
			constraints = append(constraints, c)
		}
	}

	multiSector := false
	for _, s := range ind.Sectors {
		if s != SectorAll {
			multiSector = true
		}
	}
	// Sectors present per (level, code, sex), for the sector equations.
	type lcs struct {
		level     territory.Level
		code, sex string
	}
	sectorsOf := map[lcs][]string{}
	for _, i := range idx {
		k := values[i].Key
		if k.Sector != SectorAll {
			g := lcs{k.Level, k.Code, k.Sex}
			sectorsOf[g] = append(sectorsOf[g], k.Sector)
		}
	}

	for _, i := range idx {
		k := values[i].Key
		// (a) sex.
		if k.Sex == string(SexEnsemble) {
			f, h := k, k
			f.Sex, h.Sex = string(SexFemmes), string(SexHommes)
			if exists(f) && exists(h) {
				add(Constraint{Total: CellID(k), Parts: []string{CellID(f), CellID(h)}})
			}
		}
		// (b) sector.
		if multiSector && k.Sector == SectorAll {
			if secs := sectorsOf[lcs{k.Level, k.Code, k.Sex}]; len(secs) > 0 {
				c := Constraint{Total: CellID(k)}
				for _, s := range secs {
					p := k
					p.Sector = s
					c.Parts = append(c.Parts, CellID(p))
				}
				add(c)
			}
		}
	}

	// (c) hierarchy: children of each computed parent.
	childrenOf := hierarchy(values, idx, parents)
	for _, i := range idx {
		v := values[i]
		if !v.Computed {
			continue
		}
		for _, ch := range childrenOf[levelCode{v.Level, v.Code}] {
			c := Constraint{Total: CellID(v.Key)}
			for _, code := range ch.codes {
				p := v.Key
				p.Level, p.Code = ch.level, code
				c.Parts = append(c.Parts, CellID(p))
			}
			add(c)
		}
	}
	return cells, constraints
}

type levelCode struct {
	level territory.Level
	code  string
}

type childSet struct {
	level territory.Level
	codes []string
}

// hierarchy maps each (parent level, parent code) to its children per child
// level, from the parents map. A plain child-level key is resolved to the
// parent levels of the computed values whose codes it maps to; it is only
// used when that resolution is unique.
func hierarchy(values []Value, idx []int, parents map[string]map[string]string) map[levelCode][]childSet {
	computedLevels := map[territory.Level]map[string]bool{} // level → codes
	for _, i := range idx {
		v := values[i]
		if v.Computed {
			if computedLevels[v.Level] == nil {
				computedLevels[v.Level] = map[string]bool{}
			}
			computedLevels[v.Level][v.Code] = true
		}
	}
	out := map[levelCode][]childSet{}
	keys := make([]string, 0, len(parents))
	for k := range parents {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		m := parents[key]
		cs, ps, explicit := strings.Cut(key, ">")
		child, parent := territory.Level(cs), territory.Level(ps)
		if !explicit {
			// The parent level is the one computed level, other than the
			// child's, holding the parent codes.
			var cands []territory.Level
			for l, codes := range computedLevels {
				if l == child {
					continue
				}
				for _, pc := range m {
					if codes[pc] {
						cands = append(cands, l)
						break
					}
				}
			}
			if len(cands) != 1 {
				continue // ambiguous or unused: callers give ParentKey
			}
			parent = cands[0]
		}
		if computedLevels[parent] == nil {
			continue
		}
		byParent := map[string][]string{}
		for c, pc := range m {
			if pc != "" {
				byParent[pc] = append(byParent[pc], c)
			}
		}
		for pc, codes := range byParent {
			sort.Strings(codes)
			lc := levelCode{parent, pc}
			out[lc] = append(out[lc], childSet{level: child, codes: codes})
		}
	}
	return out
}
