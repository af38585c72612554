package httpapi

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
)

func (h *handlers) indicatorValues(c echo.Context) error {
	format := c.QueryParam("format")
	if format == "" {
		format = "json"
		if strings.Contains(c.Request().Header.Get(echo.HeaderAccept), "text/csv") {
			format = "csv"
		}
	}
	if format != "json" && format != "csv" {
		return httpx.BadParam("format", "format inconnu", "json", "csv")
	}
	sep, err := csvSeparator(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	sel, err := h.diag.Select(ctx, query(c), false)
	if err != nil {
		return err
	}
	vals, err := h.diag.Values(ctx, sel)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", catalogueCache)
	if format == "csv" {
		return writeValuesCSV(c, vals, sep)
	}
	return c.JSON(http.StatusOK, vals)
}

// csvSeparator reads sep: ',' (default), ';', or their names.
func csvSeparator(c echo.Context) (string, error) {
	sep := c.QueryParam("sep")
	raw := c.Request().URL.RawQuery
	if sep == "" && (strings.HasPrefix(raw, "sep=;") || strings.Contains(raw, "&sep=;")) {
		// Go drops query pairs holding a literal ';': accept it anyway,
		// it is what people type for French Excel.
		sep = ";"
	}
	switch sep {
	case "semicolon":
		sep = ";"
	case "comma":
		sep = ","
	}
	if sep != "" && sep != "," && sep != ";" {
		return "", httpx.BadParam("sep", "le séparateur CSV est ',' ou ';'", ",", ";")
	}
	return sep, nil
}

func writeValuesCSV(c echo.Context, vals *diagnostic.Values, sep string) error {
	e := vals.Entry()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if sep == ";" {
		buf.WriteString("\uFEFF") // lets French Excel read UTF-8
		w.Comma = ';'
	}
	header := []string{"indicator", "level", "code", "name", "period", "sex", "sector", "value", "numerator", "denominator", "status", "computed", "dataset", "source"}
	notice := e.Notice()
	if notice != "" {
		header = append(header, "notice")
	}
	w.Write(header) //nolint:errcheck // bytes.Buffer
	num := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', -1, 64)
	}
	for _, it := range vals.Values {
		rec := []string{vals.Indicator, string(it.Level), it.Code, it.Name, it.Period, it.Sex, it.Sector,
			num(it.Value), num(it.Numerator), num(it.Denominator), string(it.Status), strconv.FormatBool(it.Computed),
			strconv.FormatInt(it.Dataset, 10), vals.Source}
		if notice != "" {
			rec = append(rec, indicator.DemoNotice)
		}
		w.Write(rec) //nolint:errcheck // bytes.Buffer
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+vals.Indicator+`.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}
