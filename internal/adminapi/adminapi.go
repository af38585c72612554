// Package adminapi is the administration surface of Atlas, under
// /api/v1/admin: upload an indicator (metadata and values) or a level's
// territories, list the datasets with their provenance, delete an
// indicator or a level nothing depends on. Every route wants a bearer
// token whose SHA-256 is in the configuration; a server configured with
// none answers 403 to all of them, so that the surface is off unless an
// operator turns it on. Uploads are streamed to temporary files (never
// held in memory), bounded in size, and imported by package admin through
// the importer, in the same transaction as `atlas import`; api/openapi.yaml
// (tag admin) is the contract.
package adminapi

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/admin"
	"github.com/atlas-sante-travail/atlas/internal/auth"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// Defaults of Options.
const (
	DefaultMaxUpload     = 256 << 20
	DefaultUploadTimeout = 10 * time.Minute
)

// Options are what an operator configures.
type Options struct {
	// TokenHashes are the SHA-256 of the bearer tokens accepted (several,
	// so that a new one can be given out before the old one is removed).
	// None: every admin route answers 403.
	TokenHashes []auth.Hash
	// MaxUpload bounds a request's body in bytes (413 beyond); 0:
	// DefaultMaxUpload. A zip archive may expand to four times as much.
	MaxUpload int64
	// TempDir is where uploads are written while they are read and
	// imported, and removed afterwards whatever happens; "": the system's.
	TempDir string
	// UploadTimeout is how long an upload may take to arrive and be
	// imported, beyond the server's read and write timeouts; 0:
	// DefaultUploadTimeout.
	UploadTimeout time.Duration
}

// Config is everything the surface needs.
type Config struct {
	Options
	Admin *admin.Service
	Log   *slog.Logger
}

type api struct {
	cfg Config
	adm *admin.Service
	log *slog.Logger
}

// Prefix is where the surface is mounted.
const Prefix = "/api/v1/admin"

// Mount adds the admin routes to e; they are there whatever the
// configuration (the contract does not change with it), refusing
// everything when no token is configured.
func Mount(e *echo.Echo, cfg Config) {
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = DefaultMaxUpload
	}
	if cfg.UploadTimeout <= 0 {
		cfg.UploadTimeout = DefaultUploadTimeout
	}
	if cfg.TempDir == "" {
		cfg.TempDir = os.TempDir()
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	a := &api{cfg: cfg, adm: cfg.Admin, log: cfg.Log}
	mw := []echo.MiddlewareFunc{a.authorize, noStore}
	e.GET(Prefix+"/datasets", a.datasets, mw...)
	e.POST(Prefix+"/indicators", a.uploadIndicator, mw...)
	e.DELETE(Prefix+"/indicators/:id", a.deleteIndicator, mw...)
	e.POST(Prefix+"/territories/:level", a.uploadTerritories, mw...)
	e.DELETE(Prefix+"/territories/:level", a.deleteTerritories, mw...)
}

// noStore keeps admin answers out of every cache.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}

// authorize lets a request through when its bearer token hashes to one of
// the configured hashes. Every hash is compared (in constant time, by
// auth.Verify, on the SHA-256 of both sides, so that neither the length
// nor the content of a token leaks through timing) whatever matched
// before. The token is never logged: the request log has no headers.
func (a *api) authorize(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if len(a.cfg.TokenHashes) == 0 || a.adm == nil {
			why := "aucun jeton n'est configuré (atlas serve --admin-token-sha256, ou ATLAS_ADMIN_TOKENS_SHA256 ; atlas admin token en crée un)"
			if a.adm == nil {
				why = "il sert des fichiers sans base de données"
			}
			p := httpx.Forbidden("L'API d'administration est désactivée sur ce serveur : " + why + ".")
			p.Type = "/problems/admin-disabled"
			return p
		}
		scheme, token, _ := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
		token = strings.TrimSpace(token)
		if !strings.EqualFold(scheme, "Bearer") || token == "" {
			return httpx.Unauthorized("Jeton d'administration requis : en-tête « Authorization: Bearer <jeton> ».")
		}
		ok := false
		for _, h := range a.cfg.TokenHashes {
			if auth.Verify(auth.Token(token), h) {
				ok = true
			}
		}
		if !ok {
			return (&httpx.Problem{Type: httpx.TypeUnauthorized, Title: "Authentification requise", Status: http.StatusUnauthorized,
				Detail: "Jeton d'administration invalide."}).
				WithHeader("WWW-Authenticate", `Bearer realm="atlas", error="invalid_token"`)
		}
		return next(c)
	}
}

func (a *api) datasets(c echo.Context) error {
	ds, err := a.adm.Datasets(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ds)
}

func (a *api) deleteIndicator(c echo.Context) error {
	return a.deleted(c, a.adm.DeleteIndicator(c.Request().Context(), c.Param("id")))
}

func (a *api) deleteTerritories(c echo.Context) error {
	lv, err := pathLevel(c)
	if err != nil {
		return err
	}
	return a.deleted(c, a.adm.DeleteLevel(c.Request().Context(), lv))
}

// deleted answers a deletion: 204, 404 for what does not exist, 409
// naming what depends on a level.
func (a *api) deleted(c echo.Context, err error) error {
	var nf *admin.NotFoundError
	var de *admin.DependentsError
	switch {
	case err == nil:
		return c.NoContent(http.StatusNoContent)
	case errors.As(err, &nf):
		return httpx.NotFound(notFoundText(c))
	case errors.As(err, &de):
		var uses []string
		if len(de.Indicators) > 0 {
			uses = append(uses, "les indicateurs "+strings.Join(de.Indicators, ", "))
		}
		if len(de.Workshops) > 0 {
			uses = append(uses, "les ateliers "+strings.Join(de.Workshops, ", "))
		}
		p := httpx.Conflict(fmt.Sprintf("Le niveau %s est utilisé par %s : supprimez-les d'abord.", de.Level, strings.Join(uses, " et ")))
		p.Type = "/problems/dataset-in-use"
		return p
	}
	return err
}

func notFoundText(c echo.Context) string {
	if id := c.Param("id"); id != "" {
		return "Indicateur " + id + " introuvable."
	}
	return "Le niveau " + c.Param("level") + " n'est pas importé."
}

// pathLevel is the level of the path, by its name (departement) or its
// layer's (departements).
func pathLevel(c echo.Context) (territory.Level, error) {
	lv, err := territory.ParseLevel(c.Param("level"))
	if err != nil {
		allowed := make([]string, len(territory.Levels))
		for i, l := range territory.Levels {
			allowed[i] = string(l)
		}
		return "", httpx.BadParam("level", "niveau inconnu", allowed...)
	}
	return lv, nil
}
