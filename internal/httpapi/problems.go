package httpapi

import (
	"errors"

	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
	"github.com/atlas-sante-travail/atlas/internal/workshop"
)

// problems turns the read side's and the workshops' typed errors into
// problem details, in one place: a ParamError names the parameter at fault
// (404 when it names something absent), a NotFoundError is a 404, a
// workshop refusal gets the status of its kind. Other errors go on to the
// error handler, which hides what is internal.
func problems(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		// Not through problemOf when there is nothing to translate: its
		// errors.As targets escape, three allocations per tile.
		if err := next(c); err != nil {
			return problemOf(err)
		}
		return nil
	}
}

func problemOf(err error) error {
	var pe *diagnostic.ParamError
	var nf *diagnostic.NotFoundError
	var we *workshop.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &we):
		switch we.Kind {
		case workshop.Invalid:
			return httpx.BadParam(we.Field, we.Reason)
		case workshop.Unauthorized:
			return httpx.Unauthorized(we.Reason)
		case workshop.Forbidden:
			return httpx.Forbidden(we.Reason)
		case workshop.NotFound:
			return httpx.NotFound(we.Reason)
		case workshop.Closed:
			p := httpx.Conflict(we.Reason)
			p.Type = "/problems/workshop-closed"
			return p
		case workshop.Conflict:
			return httpx.Conflict(we.Reason)
		case workshop.TooMany:
			return httpx.TooManyRequests(we.Reason, we.RetryAfter)
		}
	case errors.As(err, &pe):
		if pe.Unknown {
			return httpx.UnknownParam(pe.Name, pe.Reason, pe.Allowed...)
		}
		return httpx.BadParam(pe.Name, pe.Reason, pe.Allowed...)
	case errors.As(err, &nf):
		return httpx.NotFound(nf.What + " introuvable")
	}
	return err
}
