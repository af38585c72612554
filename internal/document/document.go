// Package document assembles the diagnostic's deliverables (the chiffres
// clés of a territory, the focus sheets, the synthesis of workshops) as a
// report.Document, from the read side: every figure comes from diagnostic
// (maps, values, profiles), so through indicator.Gate, and is written out
// here, a secret one as "secret statistique". The renderers (report/html,
// report/pdf, report/svg) only print what this package wrote.
//
// A document is chosen by query parameters (the territory, the period, the
// themes, indicators and sections), so the same link regenerates it after
// the next data release. Encoded documents are cached by the catalogue's
// and the layers' versions with every normalised parameter, as maps are.
package document

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/report"
	"github.com/atlas-sante-travail/atlas/internal/report/html"
	"github.com/atlas-sante-travail/atlas/internal/report/pdf"
	"github.com/atlas-sante-travail/atlas/internal/territory"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

// Formats a document is rendered in.
const (
	FormatHTML = "html"
	FormatPDF  = "pdf"
)

// Service assembles documents; it is safe for concurrent use.
type Service struct {
	diag  *diagnostic.Service
	tiles *tiles.Service
	cache blob.Cache
	now   func() time.Time
}

// New returns the documents over the read side and the loaded layers (for
// the maps' geometry); cache keeps encoded documents (nil: none kept).
func New(diag *diagnostic.Service, t *tiles.Service, cache blob.Cache) *Service {
	if cache == nil {
		cache = blob.NewLRU(0)
	}
	return &Service{diag: diag, tiles: t, cache: cache, now: time.Now}
}

// ParamError is a document parameter at fault, as diagnostic's are (the
// surface turns both into the same problem).
type ParamError = diagnostic.ParamError

func badParam(name, reason string, allowed ...string) error {
	return &diagnostic.ParamError{Name: name, Reason: reason, Allowed: allowed}
}

// Rendered is an encoded document and how to send it.
type Rendered struct {
	Body        *blob.Body
	ContentType string
	// FileName is the download's name, with its extension.
	FileName string
}

// CheckFormat validates format= ("" is html).
func CheckFormat(f string) (string, error) {
	switch strings.ToLower(f) {
	case "", FormatHTML:
		return FormatHTML, nil
	case FormatPDF:
		return FormatPDF, nil
	}
	return "", badParam("format", "format inconnu", FormatHTML, FormatPDF)
}

// render encodes the document that build makes, once per key and format;
// name is the download's name without its extension.
func (s *Service) render(ctx context.Context, key, name, format string, build func() (*report.Document, error)) (*Rendered, error) {
	format, err := CheckFormat(format)
	if err != nil {
		return nil, err
	}
	ver, err := s.version(ctx)
	if err != nil {
		return nil, err
	}
	full := strings.Join([]string{"document", ver, key, format}, "|")
	b, ok := s.cache.Get(ctx, full)
	if !ok {
		doc, err := build()
		if err != nil {
			return nil, err
		}
		doc.FileName = name
		if b, err = encode(doc, format); err != nil {
			return nil, err
		}
		s.cache.Set(ctx, full, b)
	}
	return &Rendered{Body: b, ContentType: contentType(format), FileName: name + "." + format}, nil
}

// encode renders doc in format (checked).
func encode(doc *report.Document, format string) (*blob.Body, error) {
	var buf bytes.Buffer
	var err error
	if format == FormatPDF {
		err = pdf.Write(&buf, doc)
	} else {
		err = html.Write(&buf, doc)
	}
	if err != nil {
		return nil, err
	}
	return blob.New(buf.Bytes())
}

func contentType(format string) string {
	if format == FormatPDF {
		return "application/pdf"
	}
	return "text/html; charset=utf-8"
}

// version is what every document depends on: the indicators and layers.
func (s *Service) version(ctx context.Context) (string, error) {
	c, err := s.diag.Catalogue(ctx)
	if err != nil {
		return "", err
	}
	return c.Version + "/" + s.tiles.LayerVersions(), nil
}

// slug makes a file name of a key: letters, digits and dashes.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		ok := (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9')
		if ok {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// place is a territory a document is about.
type place struct {
	territory.Territory
	// Region is the région's code and name (the territory's own for a
	// région).
	Region, RegionName string
}

// parsePlace resolves "LEVEL:CODE" (param names the parameter) to a loaded
// or known territory of one of levels.
func (s *Service) parsePlace(param, v string, levels ...territory.Level) (place, error) {
	ls, code, ok := strings.Cut(strings.TrimSpace(v), ":")
	lv, err := territory.ParseLevel(strings.ToLower(ls))
	if !ok || err != nil || !slices.Contains(levels, lv) {
		return place{}, badParam(param, "attendu NIVEAU:CODE, par exemple region:76, departement:31 ou zone-emploi:7601", names(levels)...)
	}
	code = territory.NormaliseCode(lv, code)
	if territory.ValidateCode(lv, code) != nil {
		return place{}, badParam(param, "code invalide pour le niveau "+lv.Label())
	}
	reg := s.tiles.Territories()
	t, found := reg.Get(lv, code)
	if !found {
		if !reg.Known(lv, code) {
			return place{}, &diagnostic.ParamError{Name: param, Reason: "territoire inconnu : " + lv.Label() + " " + code, Unknown: true}
		}
		name, fid := reg.Ref(lv, code)
		t = territory.Territory{Level: lv, Code: code, Name: name, FID: fid}
	}
	p := place{Territory: t, Region: t.Region}
	if lv == territory.Region {
		p.Region = code
	}
	if p.Region != "" {
		p.RegionName, _ = reg.Ref(territory.Region, p.Region)
	}
	if p.Name == "" {
		p.Name = lv.Label() + " " + code
	}
	return p, nil
}

// title is the territory named for a title: "Occitanie", "Haute-Garonne (31)".
func (p place) title() string {
	if p.Level == territory.Region {
		return p.Name
	}
	return p.Name + " (" + p.Code + ")"
}

func names[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// list reads a comma-separated parameter.
func list(v string) []string {
	var out []string
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// figure writes a gated value: its figure with the unit, or why there is
// none.
func figure(v *float64, st indicator.Status, decimals int, unit string) (string, bool) {
	switch {
	case v != nil:
		return indicator.FormatValue(*v, decimals, unit), false
	case st == indicator.StatusSecret:
		return indicator.SecretLabel, true
	}
	return indicator.MissingLabel, false
}

// signed writes a change with its sign ("+0,4 point").
func signed(x float64, decimals int, unit string) string {
	s := indicator.FormatValue(x, decimals, unit)
	if x > 0 {
		s = "+" + s
	}
	return s
}

// changeUnit is the unit of a difference: points for a percentage.
func changeUnit(unit string) string {
	if strings.HasPrefix(strings.TrimSpace(unit), "%") {
		return "point(s)"
	}
	return unit
}

// stamp joins the normalised options of a request into its key.
func stamp(parts ...string) string { return strings.Join(parts, "|") }
