package httpapi

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/httpx"
	"github.com/atlas-sante-travail/atlas/internal/territory"
	"github.com/atlas-sante-travail/atlas/internal/workshop"
)

// idParam reads a numeric path parameter.
func idParam(c echo.Context, name string) (int, error) {
	n, err := strconv.Atoi(c.Param(name))
	if err != nil || n < 1 {
		return 0, httpx.BadParam(name, "un numéro, 1 ou plus")
	}
	return n, nil
}

func (h *handlers) contribute(c echo.Context) error {
	var req workshop.Contribute
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	out, err := h.ws.Contribute(c.Request().Context(), c.Param("code"), httpx.Bearer(c), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, out)
}

// updateContribution is the author's edit (kind, text) or the
// facilitator's moderation (hidden, retained, merged_into): one resource,
// two kinds of change, each refused to the other role.
func (h *handlers) updateContribution(c echo.Context) error {
	id, err := idParam(c, "contribution")
	if err != nil {
		return err
	}
	var req struct {
		workshop.Edit
		workshop.Moderation
	}
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	ctx, code, token := c.Request().Context(), c.Param("code"), httpx.Bearer(c)
	edit := req.Kind != nil || req.Text != nil
	moderate := req.Hidden != nil || req.Retained != nil || req.MergedInto != nil
	var out workshop.Contribution
	switch {
	case edit && moderate:
		return httpx.BadParam("body", "modifier le texte (auteur) ou modérer (animation), pas les deux à la fois")
	case edit:
		out, err = h.ws.EditContribution(ctx, code, token, id, req.Edit)
	case moderate:
		out, err = h.ws.Moderate(ctx, code, token, id, req.Moderation)
	default:
		return httpx.BadParam("body", "rien à changer : kind, text, hidden, retained ou merged_into")
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (h *handlers) deleteContribution(c echo.Context) error {
	id, err := idParam(c, "contribution")
	if err != nil {
		return err
	}
	if err := h.ws.DeleteContribution(c.Request().Context(), c.Param("code"), httpx.Bearer(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *handlers) putPhase(c echo.Context) error {
	var req struct {
		Phase string `json:"phase"`
	}
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	out, err := h.ws.SetPhase(c.Request().Context(), c.Param("code"), httpx.Bearer(c), req.Phase)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (h *handlers) updateBoard(c echo.Context) error {
	var req workshop.BoardSettings
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	out, err := h.ws.SetBoard(c.Request().Context(), c.Param("code"), httpx.Bearer(c), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (h *handlers) vote(c echo.Context) error {
	var t workshop.Target
	if err := decodeBody(c, &t); err != nil {
		return err
	}
	out, err := h.ws.Vote(c.Request().Context(), c.Param("code"), httpx.Bearer(c), t)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// unvote takes a dot back; the target is in the query (DELETE has no body
// many clients send).
func (h *handlers) unvote(c echo.Context) error {
	t := workshop.Target{Level: territory.Level(c.QueryParam("level")), Code: c.QueryParam("code")}
	if s := c.QueryParam("contribution"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return httpx.BadParam("contribution", "un numéro de contribution")
		}
		t.Contribution = n
	}
	out, err := h.ws.Unvote(c.Request().Context(), c.Param("code"), httpx.Bearer(c), t)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (h *handlers) createPoll(c echo.Context) error {
	var req workshop.NewPoll
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	out, err := h.ws.CreatePoll(c.Request().Context(), c.Param("code"), httpx.Bearer(c), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, out)
}

func (h *handlers) updatePoll(c echo.Context) error {
	id, err := idParam(c, "poll")
	if err != nil {
		return err
	}
	var req struct {
		Open *bool `json:"open"`
	}
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	if req.Open == nil {
		return httpx.BadParam("open", "requis : true ou false")
	}
	out, err := h.ws.SetPollOpen(c.Request().Context(), c.Param("code"), httpx.Bearer(c), id, *req.Open)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (h *handlers) answerPoll(c echo.Context) error {
	id, err := idParam(c, "poll")
	if err != nil {
		return err
	}
	var req struct {
		Choices []int `json:"choices"`
	}
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	out, err := h.ws.Answer(c.Request().Context(), c.Param("code"), httpx.Bearer(c), id, req.Choices)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// synthesis answers the workshop's synthesis in the format asked for, as
// an attachment named after the workshop.
func (h *handlers) synthesis(c echo.Context) error {
	format := c.QueryParam("format")
	if format == "" {
		format = workshop.FormatHTML
	}
	syn, err := h.ws.Synthesis(c.Request().Context(), c.Param("code"), httpx.Bearer(c))
	if err != nil {
		return err
	}
	body, ctype, err := workshop.Render(syn, format)
	if err != nil {
		return err
	}
	hd := c.Response().Header()
	hd.Set("Cache-Control", "no-store")
	if format != workshop.FormatHTML {
		hd.Set(echo.HeaderContentDisposition, `attachment; filename="synthese-atelier-`+syn.Code+`.`+format+`"`)
	} else {
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	}
	return c.Blob(http.StatusOK, ctype, body)
}

func (h *handlers) deleteWorkshop(c echo.Context) error {
	if err := h.ws.Delete(c.Request().Context(), c.Param("code"), httpx.Bearer(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
