package indicator

import "math"

// Publishable reports whether a value of status s may carry figures. It
// lists the statuses let out rather than those kept in, so that an unknown
// or future status is withheld until someone decides otherwise.
func Publishable(s Status) bool {
	switch s {
	case StatusPublished, StatusProvisional, StatusEstimated:
		return true
	}
	return false
}

// Gate is the output gate, and the package's one rule: every value that
// leaves the program passes Gate; nothing else decides what may be shown.
// ApplySecret and the producers set statuses, Gate alone turns a status
// into figures shown or withheld. Keeping that decision in one function
// means a new output channel (a tile layer, an export, an API field)
// cannot forget the secret statistique, and a change to the rule is made
// once.
//
// It returns v redacted (no value, numerator or denominator unless its
// status is Publishable) and the figure that may be shown, with false when
// there is none: secret, missing or unknown status, no number, or a number
// that is not finite (NaN and ±Inf are not figures a reader can use).
func Gate(v Value) (Value, float64, bool) {
	v = redact(v)
	if !Publishable(v.Status) || v.Value == nil || math.IsNaN(*v.Value) || math.IsInf(*v.Value, 0) {
		return v, 0, false
	}
	return v, *v.Value, true
}

// redact removes every figure of v when its status forbids output: the
// counts as well as the value, so that a channel serialising the whole
// Value cannot leak a small count through a field it forgot about. It is
// unexported so that callers go through Gate.
func redact(v Value) Value {
	if Publishable(v.Status) {
		return v
	}
	v.Value, v.Numerator, v.Denominator = nil, nil, nil
	return v
}
