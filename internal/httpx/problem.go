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
	"net/http"

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
}

// InvalidParam names a request parameter at fault and what it accepts.
type InvalidParam struct {
	Name    string   `json:"name"`
	Reason  string   `json:"reason"`
	Allowed []string `json:"allowed,omitempty"`
}

func (p *Problem) Error() string { return p.Title + " : " + p.Detail }

// Problem types.
const (
	// TypeInvalidParameter: a parameter is malformed or not allowed (400).
	TypeInvalidParameter = "/problems/invalid-parameter"
	// TypeNotFound: what the path or a parameter names does not exist (404).
	TypeNotFound = "/problems/not-found"
)

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
