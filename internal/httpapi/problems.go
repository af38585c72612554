package httpapi

import (
	"errors"

	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
)

// problems turns the read side's typed errors into problem details, in
// one place: a ParamError names the parameter at fault (404 when it names
// something absent), a NotFoundError is a 404. Other errors go on to the
// error handler, which hides what is internal.
func problems(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		return problemOf(next(c))
	}
}

func problemOf(err error) error {
	var pe *diagnostic.ParamError
	var nf *diagnostic.NotFoundError
	switch {
	case err == nil:
		return nil
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
