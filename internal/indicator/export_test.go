package indicator

// SecretCheck is what CheckSecret found in one indicator's values.
type SecretCheck struct {
	Cells, Constraints, Primary, Secondary int
	// Recovered are the secret cells a reader could recompute: must be
	// empty.
	Recovered []string
}

// CheckSecret runs the independent checker (checkRecoverable) on the
// output of ApplySecret, period by period, with the equations ApplySecret
// itself writes (sex, sector, and every hierarchy of parents). It lives in
// a _test file so that the checker stays a test oracle: external tests
// that need the importer or the generator (which import this package) can
// still reach it.
func CheckSecret(ind Indicator, values []Value, parents map[string]map[string]string) SecretCheck {
	var out SecretCheck
	byPeriod := map[string][]int{}
	for i, v := range values {
		if v.Status != StatusMissing {
			byPeriod[v.Period] = append(byPeriod[v.Period], i)
		}
	}
	for _, idx := range byPeriod {
		cells, constraints := secretTable(ind, values, idx, parents, float64(ind.Threshold))
		secret := map[string]Reason{}
		for _, i := range idx {
			v := values[i]
			if v.Status != StatusSecret {
				continue
			}
			if n, ok := ind.ThresholdCount(v); !ok || BelowThreshold(n, float64(ind.Threshold)) {
				secret[CellID(v.Key)] = ReasonPrimary
				out.Primary++
			} else {
				secret[CellID(v.Key)] = ReasonSecondary
				out.Secondary++
			}
		}
		out.Cells += len(cells)
		out.Constraints += len(constraints)
		out.Recovered = append(out.Recovered, checkRecoverable(cells, constraints, secret)...)
	}
	return out
}
