package ogcapi

import "testing"

func TestAcceptsJSON(t *testing.T) {
	for accept, want := range map[string]bool{
		"":                                       true,
		"*/*":                                    true,
		"application/json":                       true,
		"application/geo+json, application/json": true,
		"application/schema+json":                true,
		"application/*":                          true,
		"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": true,
		"text/html":                          false,
		"application/xml":                    false,
		"application/json;q=0, text/html":    false,
		"text/html, application/json; q=0.5": true,
	} {
		if got := acceptsJSON(accept); got != want {
			t.Errorf("Accept %q: %v, want %v", accept, got, want)
		}
	}
}
