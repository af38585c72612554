package server

import (
	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/httpapi"
)

// NewFiles builds a server of tile files alone (`atlas serve --mbtiles`):
// the shared middleware, /metrics and the tile files' surface, with no
// database, read side or workshop behind it. Of cfg it uses the
// middleware's settings (CORS origins, metrics, log), Cache, Timeout and
// Web.
func NewFiles(cfg Config, files []httpapi.NamedTileFile) *echo.Echo {
	e := Base(&cfg)
	httpapi.MountFiles(e, httpapi.FilesConfig{Files: files, Cache: cfg.Cache, Timeout: cfg.Timeout, Web: cfg.Web})
	return e
}
