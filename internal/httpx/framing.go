package httpx

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// Framing: a page of this server may be put in another site's <iframe> only
// where it says so. Every answer is refused to frames (CSP frame-ancestors
// 'none', and X-Frame-Options: DENY for browsers that predate CSP level 2)
// unless its handler set a Content-Security-Policy with a frame-ancestors
// directive of its own: the embeddable map does, with the configured
// origins. Deny by default means that a new page cannot be framed by
// mistake (clickjacking), and the one that can names who may.

const (
	headerCSP = "Content-Security-Policy"
	headerXFO = "X-Frame-Options"
)

// The values of the default, shared by every answer (never modified).
var (
	denyCSP = []string{"frame-ancestors 'none'"}
	denyXFO = []string{"DENY"}
)

// DenyFraming is the middleware that refuses every answer to frames, except
// those whose handler chose their frame-ancestors (see FrameAncestors). It
// adds the directive to a policy the handler set (the map's default-src
// 'self') rather than a second policy, so that the page keeps one CSP.
func DenyFraming(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		res := c.Response()
		res.Before(func() {
			h := res.Header()
			csp := h.Get(headerCSP)
			switch {
			case csp == "":
				h[headerCSP] = denyCSP
			case hasDirective(csp, "frame-ancestors"):
				return // the handler named who may frame it
			default:
				h.Set(headerCSP, strings.TrimRight(csp, "; ")+"; frame-ancestors 'none'")
			}
			h[headerXFO] = denyXFO
		})
		return next(c)
	}
}

// hasDirective tells whether a CSP policy holds a directive, by name (the
// first token of one of its ;-separated parts, case-insensitive).
func hasDirective(policy, name string) bool {
	for _, part := range strings.Split(policy, ";") {
		if f := strings.Fields(part); len(f) > 0 && strings.EqualFold(f[0], name) {
			return true
		}
	}
	return false
}

// FrameAncestors is the CSP directive that lets this server's own pages and
// the given origins (canonical, from ParseOrigins) frame a page. A page
// that sets it gets no X-Frame-Options: DENY would override it in old
// browsers, and ALLOW-FROM never worked in Chrome or Safari.
func FrameAncestors(origins []string) string {
	return "frame-ancestors " + strings.Join(append([]string{"'self'"}, origins...), " ")
}

// ParseOrigins reads a comma-separated list of web origins
// ("https://portail.example.fr,http://localhost:5173"), as a browser
// serialises them: scheme, host and port only. They are compared exactly
// (postMessage's event.origin, CSP sources), so each is checked and put in
// the canonical form a browser uses (lower case, no default port, no
// trailing slash); a path, a query, credentials or a wildcard are refused
// with the origin at fault named. Empty items are skipped.
func ParseOrigins(list string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, raw := range strings.Split(list, ",") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		o, err := canonicalOrigin(raw)
		if err != nil {
			return nil, fmt.Errorf("origine %q : %w", raw, err)
		}
		if !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	return out, nil
}

func canonicalOrigin(raw string) (string, error) {
	if strings.Contains(raw, "*") {
		return "", fmt.Errorf("pas de joker : donnez chaque origine exacte (https://hote[:port])")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("illisible : %w", err)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", fmt.Errorf("schéma http ou https attendu (https://hote[:port])")
	}
	if u.Host == "" || u.Opaque != "" {
		return "", fmt.Errorf("hôte absent (https://hote[:port])")
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(raw, "?") || strings.HasSuffix(raw, "#") {
		return "", fmt.Errorf("une origine n'a que schéma, hôte et port (ni chemin, ni requête, ni identifiants)")
	}
	return scheme + "://" + CanonicalHost(scheme, u.Host), nil
}

// CanonicalHost is host[:port] as a browser writes it in an origin: lower
// case, without the scheme's default port.
func CanonicalHost(scheme, host string) string {
	host = strings.ToLower(host)
	switch {
	case scheme == "http" && strings.HasSuffix(host, ":80"):
		return strings.TrimSuffix(host, ":80")
	case scheme == "https" && strings.HasSuffix(host, ":443"):
		return strings.TrimSuffix(host, ":443")
	}
	return host
}
