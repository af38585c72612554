package httpx

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// RequestLog logs every request at debug level, after answering errors
// (c.Error) so that the status logged is the one sent. Below debug it
// costs nothing: the attributes, boxed into interfaces, would be a
// handful of allocations on every tile.
func RequestLog(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !log.Enabled(c.Request().Context(), slog.LevelDebug) {
				err := next(c)
				if err != nil {
					c.Error(err)
				}
				return nil
			}
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			log.Debug("request", "method", method(c), "path", c.Request().URL.Path,
				"status", c.Response().Status, "bytes", c.Response().Size, "took", time.Since(start))
			return nil
		}
	}
}

// Timeout bounds the work of each request, its database queries included:
// the request's context gets a deadline, and a client that goes away still
// cancels it. Long-lived streams must not be mounted behind it.
func Timeout(d time.Duration) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ctx, cancel := context.WithTimeout(c.Request().Context(), d)
			defer cancel()
			c.SetRequest(c.Request().WithContext(ctx))
			return next(c)
		}
	}
}

// method is the request's method as the client sent it (HEAD is routed as
// GET: HeadAsGet).
func method(c echo.Context) string {
	if IsHead(c) {
		return http.MethodHead
	}
	return c.Request().Method
}
