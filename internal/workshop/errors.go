package workshop

import (
	"fmt"
	"time"
)

// Kind classifies a refusal, for the surface to answer with.
type Kind int

// Kinds of refusal.
const (
	// Invalid: a field of the request is wrong (Field names it).
	Invalid Kind = iota + 1
	// Unauthorized: no token, or not one of this workshop.
	Unauthorized
	// Forbidden: the token may not do this.
	Forbidden
	// NotFound: no such workshop (or step).
	NotFound
	// Closed: the workshop is closed, and read-only.
	Closed
	// Conflict: the board's state refuses it (its phase, a closed poll,
	// a budget spent); it may pass later.
	Conflict
	// TooMany: too many requests from this token; RetryAfter says when.
	TooMany
)

// Error is a refusal: what kind, which field (for Invalid) and why, in
// French for the user.
type Error struct {
	Kind       Kind
	Field      string
	Reason     string
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s : %s", e.Field, e.Reason)
	}
	return e.Reason
}

func invalid(field, format string, a ...any) *Error {
	return &Error{Kind: Invalid, Field: field, Reason: fmt.Sprintf(format, a...)}
}

var (
	errUnauthorized = &Error{Kind: Unauthorized, Reason: "jeton absent ou qui n'est pas celui de cet atelier"}
	errFacilitator  = &Error{Kind: Forbidden, Reason: "réservé à l'animation de l'atelier"}
	errClosed       = &Error{Kind: Closed, Reason: "l'atelier est fermé : il est en lecture seule jusqu'à sa réouverture"}
)

func notFound(what string) *Error { return &Error{Kind: NotFound, Reason: what + " introuvable"} }
