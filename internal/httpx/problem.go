// Package httpx is the HTTP plumbing every API surface shares: RFC 9457
// problem details and the one adapter that turns handler errors into them,
// conditional and compressed bodies, metrics, request logs and per-request
// timeouts. Surfaces (the REST API, OGC API, admin, workshops) import it,
// never each other; nothing below the surfaces imports it.
package httpx

import (
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
)

// Problem is an RFC 9457 problem detail. Titles and details are in French,
// as the front end shows them to users; parameter names stay as in the URL.
type Problem struct {
	Type          string         `json:"type"`
	Title         string         `json:"title"`
	Status        int            `json:"status"`
	Detail        string         `json:"detail,omitempty"`
	Instance      string         `json:"instance,omitempty"`
	InvalidParams []InvalidParam `json:"invalid-params,omitempty"`

	// headers go with the answer (WWW-Authenticate, Retry-After).
	headers http.Header
}

// WithHeader adds a header to the answer that carries the problem.
func (p *Problem) WithHeader(key, value string) *Problem {
	if p.headers == nil {
		p.headers = http.Header{}
	}
	p.headers.Add(key, value)
	return p
}

// InvalidParam names a request parameter at fault and what it accepts.
// For an uploaded file (a part of the request), File, Line, Column, Field
// and Feature locate the problem in it as the importer found it.
type InvalidParam struct {
	Name    string   `json:"name"`
	Reason  string   `json:"reason"`
	Allowed []string `json:"allowed,omitempty"`
	File    string   `json:"file,omitempty"`
	Line    int      `json:"line,omitempty"`
	Column  int      `json:"column,omitempty"`
	Field   string   `json:"field,omitempty"`
	Feature *int     `json:"feature,omitempty"`
}

func (p *Problem) Error() string { return p.Title + " : " + p.Detail }

// Problem types.
const (
	// TypeInvalidParameter: a parameter is malformed or not allowed (400).
	TypeInvalidParameter = "/problems/invalid-parameter"
	// TypeNotFound: what the path or a parameter names does not exist (404).
	TypeNotFound = "/problems/not-found"
	// TypeUnauthorized: no credentials, or not valid ones (401).
	TypeUnauthorized = "/problems/unauthorized"
	// TypeForbidden: valid credentials that may not do this (403).
	TypeForbidden = "/problems/forbidden"
	// TypeConflict: the resource's state forbids it now (409).
	TypeConflict = "/problems/conflict"
	// TypeTooManyRequests: over the allowance; Retry-After says when (429).
	TypeTooManyRequests = "/problems/too-many-requests"
)

// Unauthorized is a 401 problem asking for a bearer token.
func Unauthorized(detail string) *Problem {
	return (&Problem{Type: TypeUnauthorized, Title: "Authentification requise", Status: http.StatusUnauthorized, Detail: detail}).
		WithHeader("WWW-Authenticate", `Bearer realm="atlas"`)
}

// Forbidden is a 403 problem.
func Forbidden(detail string) *Problem {
	return &Problem{Type: TypeForbidden, Title: "Accès refusé", Status: http.StatusForbidden, Detail: detail}
}

// Conflict is a 409 problem.
func Conflict(detail string) *Problem {
	return &Problem{Type: TypeConflict, Title: "Action impossible maintenant", Status: http.StatusConflict, Detail: detail}
}

// TooManyRequests is a 429 problem saying when to try again.
func TooManyRequests(detail string, retryAfter time.Duration) *Problem {
	secs := int(math.Ceil(retryAfter.Seconds()))
	if secs < 1 {
		secs = 1
	}
	return (&Problem{Type: TypeTooManyRequests, Title: "Trop de requêtes", Status: http.StatusTooManyRequests, Detail: detail}).
		WithHeader("Retry-After", strconv.Itoa(secs))
}

// BadParam is a 400 problem about one parameter.
func BadParam(name, reason string, allowed ...string) *Problem {
	return &Problem{
		Type:          TypeInvalidParameter,
		Title:         "Paramètre invalide",
		Status:        http.StatusBadRequest,
		Detail:        name + " : " + reason,
		InvalidParams: []InvalidParam{{Name: name, Reason: reason, Allowed: allowed}},
	}
}

// NotFound is a 404 problem about the resource of the path.
func NotFound(detail string) *Problem {
	return &Problem{Type: TypeNotFound, Title: "Ressource introuvable", Status: http.StatusNotFound, Detail: detail}
}

// UnknownParam is a 404 problem about a parameter that names something
// well-formed but absent (a layer or a territory that is not imported):
// the same type as NotFound, with the parameter and what exists.
func UnknownParam(name, reason string, allowed ...string) *Problem {
	p := NotFound(name + " : " + reason)
	p.InvalidParams = []InvalidParam{{Name: name, Reason: reason, Allowed: allowed}}
	return p
}

// ErrorHandler is the adapter from errors to responses: problems are sent
// as they are, echo's own errors keep their status, and anything else is an
// internal error that is logged but never shown in detail to the client.
func ErrorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		var p *Problem
		var he *echo.HTTPError
		switch {
		case errors.As(err, &p):
		case errors.As(err, &he):
			p = &Problem{Type: "about:blank", Title: statusTitle(he.Code), Status: he.Code, Detail: statusTitle(he.Code)}
		default:
			log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
			p = &Problem{Type: "about:blank", Title: "Erreur interne", Status: http.StatusInternalServerError,
				Detail: "Le serveur n'a pas pu répondre ; l'erreur est consignée dans son journal."}
		}
		p.Instance = c.Request().URL.RequestURI()
		b, _ := json.Marshal(p)
		h := c.Response().Header()
		for k, vs := range p.headers {
			for _, v := range vs {
				h.Add(k, v)
			}
		}
		h.Set(echo.HeaderContentType, "application/problem+json")
		h.Del("ETag")
		h.Del(echo.HeaderContentEncoding)
		c.Response().WriteHeader(p.Status)
		if c.Request().Method != http.MethodHead {
			c.Response().Write(b) //nolint:errcheck // client gone
		}
	}
}

// statusTitle is the French title of the statuses echo itself answers
// with (unknown route, wrong method, body too large, ...).
func statusTitle(code int) string {
	switch code {
	case http.StatusNotFound:
		return "Ressource introuvable"
	case http.StatusMethodNotAllowed:
		return "Méthode non autorisée"
	case http.StatusRequestEntityTooLarge:
		return "Requête trop volumineuse"
	case http.StatusUnauthorized:
		return "Authentification requise"
	case http.StatusForbidden:
		return "Accès refusé"
	case http.StatusServiceUnavailable:
		return "Service indisponible"
	case http.StatusTooManyRequests:
		return "Trop de requêtes"
	}
	if code >= 500 {
		return "Erreur du serveur"
	}
	return "Requête refusée"
}
