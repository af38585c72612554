// Package indicator is the domain core of the occupational-health
// indicators: their catalogue metadata, the values keyed by territory,
// period, sex and sector, the upward aggregation of counts, the
// classification of values into map classes, the colour palettes, and the
// secret statistique that stops small counts from being disclosed.
//
// It is pure domain logic: no database, no HTTP. The store loads and saves
// what this package defines, and the API renders what it computes, so the
// rules (never average rates, never output a small count) live in exactly
// one place. For output that place is Gate: every value that leaves the
// program passes it.
package indicator
