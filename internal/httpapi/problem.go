// Package httpapi is the HTTP face of Atlas: echo handlers, middleware and
// the one adapter that turns handler errors into problem+json responses.
package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
)

// Problem is an RFC 9457 problem detail.
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

func (p *Problem) Error() string { return p.Title + ": " + p.Detail }

// BadParam is a 400 problem about one parameter.
func BadParam(name, reason string, allowed ...string) *Problem {
	return &Problem{
		Type:          "/problems/invalid-parameter",
		Title:         "Paramètre invalide",
		Status:        http.StatusBadRequest,
		Detail:        name + ": " + reason,
		InvalidParams: []InvalidParam{{Name: name, Reason: reason, Allowed: allowed}},
	}
}

// NotFound is a 404 problem.
func NotFound(detail string) *Problem {
	return &Problem{Type: "/problems/not-found", Title: "Ressource introuvable", Status: http.StatusNotFound, Detail: detail}
}

// UnknownParam is a 404 problem about a parameter that names something
// well-formed but absent (a territory that is not imported).
func UnknownParam(name, reason string) *Problem {
	p := NotFound(name + ": " + reason)
	p.InvalidParams = []InvalidParam{{Name: name, Reason: reason}}
	return p
}

// errorHandler is the adapter from errors to responses: problems are sent
// as they are, echo's own errors keep their status, and anything else is an
// internal error that is logged but never shown in detail to the client.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		var p *Problem
		var he *echo.HTTPError
		switch {
		case errors.As(err, &p):
		case errors.As(err, &he):
			msg := http.StatusText(he.Code)
			if s, ok := he.Message.(string); ok {
				msg = s
			}
			p = &Problem{Type: "about:blank", Title: http.StatusText(he.Code), Status: he.Code, Detail: msg}
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
