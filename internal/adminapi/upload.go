package adminapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/admin"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
	"github.com/atlas-sante-travail/atlas/internal/importer"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// partSpec is one file part an upload accepts (multipart/form-data: the
// part's name, and its file name, whose extension says the format).
type partSpec struct {
	name     string
	required bool
	exts     []string
}

var (
	indicatorParts = []partSpec{
		{name: "meta", required: true, exts: []string{".json", ".yaml", ".yml"}},
		{name: "values", required: true, exts: []string{".csv"}},
	}
	territoryParts = []partSpec{
		{name: "file", required: true, exts: []string{".geojson", ".json", ".zip"}},
		{name: "parent-table", exts: []string{".csv"}},
	}
)

// spooled is one part written to disk, at dir/<part name>/<file name>.
type spooled struct {
	file   string // the file name as uploaded (base name)
	path   string // in the upload's directory, slash-separated
	size   int64
	sha256 string
}

// upload is a request's parts, on disk in dir until the request ends.
type upload struct {
	dir   string
	parts map[string]spooled
}

// Problems of uploads, beyond httpx's.
const (
	typeTooLarge          = "/problems/too-large"
	typeUnsupportedMedia  = "/problems/unsupported-media-type"
	typeInterrupted       = "/problems/upload-interrupted"
	typeInvalidFile       = "/problems/invalid-file"
	typeIdempotencyBusy   = "/problems/idempotency-key-in-use"
	typeIdempotencyReused = "/problems/idempotency-key-reused"
)

func (a *api) tooLarge() *httpx.Problem {
	return &httpx.Problem{Type: typeTooLarge, Title: "Requête trop volumineuse", Status: http.StatusRequestEntityTooLarge,
		Detail: fmt.Sprintf("Le téléversement dépasse la limite de %d octets (%s) ; rien n'a été importé (atlas serve --admin-max-upload-mb).",
			a.cfg.MaxUpload, mebibytes(a.cfg.MaxUpload))}
}

func mebibytes(n int64) string {
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', -1, 64) + " Mio"
}

// idempotencyKey reads the Idempotency-Key header: a string of 1 to 255
// printable ASCII characters, quoted as a structured field or bare.
func idempotencyKey(h http.Header) (string, error) {
	raw, ok := h["Idempotency-Key"]
	if !ok {
		return "", nil
	}
	k := strings.TrimSpace(strings.Join(raw, ","))
	if len(k) >= 2 && k[0] == '"' && k[len(k)-1] == '"' {
		k = k[1 : len(k)-1]
	}
	if k == "" || len(k) > 255 || strings.ContainsFunc(k, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		return "", httpx.BadParam("Idempotency-Key", "de 1 à 255 caractères ASCII imprimables, sans espace")
	}
	return k, nil
}

// receive runs one upload: checks its media type and announced size,
// claims its Idempotency-Key (refusing a concurrent duplicate before
// reading anything), streams its parts to a temporary directory, replays
// the answer kept for the key when the same request comes again (422 when
// the key came with another request), and otherwise calls run and answers
// with what it returns. An *admin.InputError from run is answered 422 with
// the file, line and column at fault. The directory is removed whatever
// happens, a client that goes away included; a claim is kept only with a
// 2xx or 422 answer, the ones that do not change when the request is
// repeated.
func (a *api) receive(c echo.Context, specs []partSpec, run func(ctx context.Context, up *upload) (int, any, error)) error {
	req := c.Request()
	ctx := req.Context()
	mt, params, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEMultipartForm || params["boundary"] == "" {
		return &httpx.Problem{Type: typeUnsupportedMedia, Title: "Type de contenu non pris en charge", Status: http.StatusUnsupportedMediaType,
			Detail: "Le téléversement doit être en multipart/form-data (curl -F partie=@fichier)."}
	}
	if req.ContentLength > a.cfg.MaxUpload {
		return a.tooLarge()
	}
	key, err := idempotencyKey(req.Header)
	if err != nil {
		return err
	}
	// An upload may take longer than the server's read and write
	// timeouts, which are meant for ordinary requests.
	rc := http.NewResponseController(c.Response().Writer)
	deadline := time.Now().Add(a.cfg.UploadTimeout)
	// A writer without deadlines has none in the way: errors are moot.
	_ = rc.SetReadDeadline(deadline)
	_ = rc.SetWriteDeadline(deadline)
	claimed := false
	var prev admin.Answer
	if key != "" {
		if claimed, prev, err = a.adm.Claim(ctx, key); err != nil {
			return err
		}
		if !claimed && prev.Status == 0 {
			p := httpx.Conflict("Une requête avec la même Idempotency-Key est en cours : réessayez quand elle aura répondu.")
			p.Type = typeIdempotencyBusy
			return p
		}
	}
	kept := false
	if claimed {
		defer func() {
			if !kept {
				if err := a.adm.Release(context.WithoutCancel(ctx), key); err != nil {
					a.log.Error("release idempotency key", "err", err)
				}
			}
		}()
	}
	dir, err := os.MkdirTemp(a.cfg.TempDir, "atlas-upload-*")
	if err != nil {
		return fmt.Errorf("upload directory: %w", err)
	}
	defer func() {
		if err := os.RemoveAll(dir); err != nil {
			a.log.Error("remove upload directory", "dir", dir, "err", err)
		}
	}()
	up := &upload{dir: dir, parts: map[string]spooled{}}
	if err := a.spool(c, params["boundary"], specs, up); err != nil {
		return err
	}
	fp := fingerprint(req, up)
	if key != "" && !claimed {
		if prev.Fingerprint != fp {
			return &httpx.Problem{Type: typeIdempotencyReused, Title: "Idempotency-Key déjà utilisée", Status: http.StatusUnprocessableEntity,
				Detail: "Cette Idempotency-Key a servi à une autre requête (autres fichiers ou autres options) ; prenez-en une nouvelle."}
		}
		c.Response().Header().Set("Idempotent-Replayed", "true")
		return c.Blob(prev.Status, prev.ContentType, prev.Body)
	}
	status, body, err := run(ctx, up)
	ct := echo.MIMEApplicationJSON
	var ie *admin.InputError
	switch {
	case err == nil:
	case errors.As(err, &ie):
		p := inputProblem(ie)
		p.Instance = req.URL.RequestURI()
		status, body, ct = p.Status, p, "application/problem+json"
	default:
		return err
	}
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	if claimed {
		if err := a.adm.Complete(context.WithoutCancel(ctx), key, admin.Answer{Fingerprint: fp, Status: status, ContentType: ct, Body: b}); err != nil {
			a.log.Error("keep idempotent answer", "err", err)
		} else {
			kept = true
		}
	}
	return c.Blob(status, ct, b)
}

// spool streams the parts of the body to up.dir, each through a SHA-256,
// under the size limit of the whole body. Nothing is kept in memory but
// io.Copy's buffer: the multipart reader is read part by part, never
// through ParseMultipartForm.
func (a *api) spool(c echo.Context, boundary string, specs []partSpec, up *upload) error {
	body := http.MaxBytesReader(c.Response(), c.Request().Body, a.cfg.MaxUpload)
	mr := multipart.NewReader(body, boundary)
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.name
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return a.readError(err)
		}
		name := p.FormName()
		i := slices.Index(names, name)
		if i < 0 {
			return httpx.BadParam(name, "partie inconnue", names...)
		}
		if _, dup := up.parts[name]; dup {
			return httpx.BadParam(name, "partie donnée deux fois")
		}
		file, err := fileName(p.FileName(), specs[i].exts)
		if err != nil {
			return httpx.BadParam(name, err.Error(), specs[i].exts...)
		}
		if err := os.Mkdir(filepath.Join(up.dir, name), 0o700); err != nil {
			return err
		}
		f, err := os.Create(filepath.Join(up.dir, name, file))
		if err != nil {
			return err
		}
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(f, h), p)
		if cerr := f.Close(); err == nil && cerr != nil {
			return cerr
		}
		if err != nil {
			return a.readError(err)
		}
		up.parts[name] = spooled{file: file, path: name + "/" + file, size: n, sha256: hex.EncodeToString(h.Sum(nil))}
	}
	for _, s := range specs {
		if _, ok := up.parts[s.name]; s.required && !ok {
			return httpx.BadParam(s.name, "partie manquante : le fichier ("+strings.Join(s.exts, ", ")+") est requis")
		}
	}
	return nil
}

// readError is the answer to a body that could not be read: over the
// limit (413), or cut short or malformed (400; a client that went away
// gets no answer, but its upload is dropped the same way).
func (a *api) readError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return a.tooLarge()
	}
	return &httpx.Problem{Type: typeInterrupted, Title: "Téléversement interrompu", Status: http.StatusBadRequest,
		Detail: "Le corps de la requête est incomplet ou mal formé (multipart/form-data) ; rien n'a été importé."}
}

// maxFileName is the longest file name most file systems take, in bytes.
const maxFileName = 255

// fileName checks an uploaded file's name, which names it in the
// dataset's provenance and whose extension says its format.
func fileName(raw string, exts []string) (string, error) {
	n := path.Base(strings.ReplaceAll(raw, `\`, "/"))
	if raw == "" || n == "." || n == "/" || n == ".." || strings.HasPrefix(n, ".") ||
		strings.ContainsFunc(n, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", errors.New("nom de fichier manquant ou invalide (curl -F partie=@fichier le donne)")
	}
	if len(n) > maxFileName {
		// The file is written under its name: beyond, the file system
		// refuses it and the upload would fail as an internal error.
		return "", fmt.Errorf("nom de fichier de %d octets, au plus %d", len(n), maxFileName)
	}
	if !slices.Contains(exts, strings.ToLower(path.Ext(n))) {
		return "", fmt.Errorf("extension de %s non prise en charge", n)
	}
	return n, nil
}

// fingerprint identifies a request for its Idempotency-Key: method, path,
// options and each part's name, file name and digest; not the multipart
// boundaries, which differ between two sends of the same files.
func fingerprint(req *http.Request, up *upload) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n%s\n", req.Method, req.URL.Path, req.URL.Query().Encode())
	names := make([]string, 0, len(up.parts))
	for n := range up.parts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := up.parts[n]
		fmt.Fprintf(h, "%s\x00%s\x00%s\n", n, p.file, p.sha256)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// inputProblem is the 422 answer to a file the importer refused, locating
// the problem as the importer did.
func inputProblem(ie *admin.InputError) *httpx.Problem {
	where := ie.File
	if where == "" {
		where = ie.Part
	}
	if ie.Line > 0 {
		where += fmt.Sprintf(", ligne %d", ie.Line)
	}
	switch {
	case ie.Column > 0 && ie.Field != "":
		where += fmt.Sprintf(", colonne %d (%s)", ie.Column, ie.Field)
	case ie.Column > 0:
		where += fmt.Sprintf(", colonne %d", ie.Column)
	case ie.Field != "":
		where += ", champ " + ie.Field
	}
	ip := httpx.InvalidParam{Name: ie.Part, Reason: ie.Reason(), File: ie.File, Line: ie.Line, Column: ie.Column, Field: ie.Field}
	if ie.Feature >= 0 {
		where += fmt.Sprintf(", entité %d", ie.Feature)
		f := ie.Feature
		ip.Feature = &f
	}
	return &httpx.Problem{Type: typeInvalidFile, Title: "Fichier invalide", Status: http.StatusUnprocessableEntity,
		Detail: "Rien n'a été importé. " + where + " : " + ip.Reason, InvalidParams: []httpx.InvalidParam{ip}}
}

// queryOptions checks that the query names only known options, each once.
func queryOptions(q url.Values, known []string) error {
	for k, vs := range q {
		if !slices.Contains(known, k) {
			return httpx.BadParam(k, "paramètre inconnu", known...)
		}
		if len(vs) > 1 && !strings.HasPrefix(k, "parent") {
			return httpx.BadParam(k, "donné plusieurs fois")
		}
	}
	return nil
}

// indicatorOptions reads the import's options from the query, named as the
// flags of `atlas import indicators`.
func indicatorOptions(q url.Values) (importer.IndicatorOptions, error) {
	var opt importer.IndicatorOptions
	known := []string{"layout", "level"}
	cols := importer.DefaultColumns()
	for _, c := range cols {
		known = append(known, c.Flag)
	}
	if err := queryOptions(q, known); err != nil {
		return opt, err
	}
	opt.Layout = q.Get("layout")
	if opt.Layout != "" && opt.Layout != importer.LayoutLong && opt.Layout != importer.LayoutWide {
		return opt, httpx.BadParam("layout", "disposition inconnue", importer.LayoutLong, importer.LayoutWide)
	}
	if l := q.Get("level"); l != "" {
		lv, err := territory.ParseLevel(l)
		if err != nil {
			return opt, httpx.BadParam("level", "niveau inconnu", levelNames()...)
		}
		opt.Level = string(lv)
	}
	for _, c := range cols {
		*c.Field(&opt) = q.Get(c.Flag)
	}
	return opt, nil
}

func levelNames() []string {
	out := make([]string, len(territory.Levels))
	for i, l := range territory.Levels {
		out[i] = string(l)
	}
	return out
}

func (a *api) uploadIndicator(c echo.Context) error {
	opt, err := indicatorOptions(c.QueryParams())
	if err != nil {
		return err
	}
	return a.receive(c, indicatorParts, func(ctx context.Context, up *upload) (int, any, error) {
		opt.FS = os.DirFS(up.dir)
		opt.Meta, opt.Values = up.parts["meta"].path, up.parts["values"].path
		res, err := a.adm.ImportIndicator(ctx, opt)
		if err != nil {
			return 0, nil, err
		}
		if res.Unchanged {
			return http.StatusOK, res, nil
		}
		return http.StatusCreated, res, nil
	})
}

// levelPairs reads repeated LEVEL=NAME options (parent=region=REG).
func levelPairs(q url.Values, key string) (map[territory.Level]string, error) {
	out := map[territory.Level]string{}
	for _, v := range q[key] {
		l, name, ok := strings.Cut(v, "=")
		lv, err := territory.ParseLevel(l)
		if !ok || err != nil || name == "" {
			return nil, httpx.BadParam(key, "attendu NIVEAU=NOM, le niveau parmi ceux-ci", levelNames()...)
		}
		out[lv] = name
	}
	return out, nil
}

// territoryOptions reads the import's options from the query, named as
// the flags of `atlas import territories`.
func territoryOptions(q url.Values, lv territory.Level) (importer.TerritoryOptions, error) {
	opt := importer.TerritoryOptions{Level: lv}
	known := []string{"code-field", "name-field", "srid", "vintage", "attribution", "parent-field", "parent-key", "parent", "parent-skip", "parent-encoding"}
	if err := queryOptions(q, known); err != nil {
		return opt, err
	}
	get := func(k, def string) string {
		if v := q.Get(k); v != "" {
			return v
		}
		return def
	}
	opt.CodeField, opt.NameField = get("code-field", "code"), get("name-field", "nom")
	opt.Vintage, opt.Attribution, opt.ParentKey = q.Get("vintage"), q.Get("attribution"), q.Get("parent-key")
	var err error
	if s := q.Get("srid"); s != "" {
		if opt.SRID, err = strconv.Atoi(s); err != nil || opt.SRID <= 0 {
			return opt, httpx.BadParam("srid", "un code EPSG (2154 pour le Lambert-93)")
		}
	}
	if s := q.Get("parent-skip"); s != "" {
		if opt.ParentSkip, err = strconv.Atoi(s); err != nil || opt.ParentSkip < 0 {
			return opt, httpx.BadParam("parent-skip", "un nombre de lignes, 0 ou plus")
		}
	}
	switch e := strings.ToLower(q.Get("parent-encoding")); e {
	case "", "utf-8", "windows-1252":
		opt.ParentEncoding = e
	default:
		return opt, httpx.BadParam("parent-encoding", "encodage inconnu", "utf-8", "windows-1252")
	}
	if opt.ParentFields, err = levelPairs(q, "parent-field"); err != nil {
		return opt, err
	}
	if opt.ParentColumns, err = levelPairs(q, "parent"); err != nil {
		return opt, err
	}
	return opt, nil
}

func (a *api) uploadTerritories(c echo.Context) error {
	lv, err := pathLevel(c)
	if err != nil {
		return err
	}
	opt, err := territoryOptions(c.QueryParams(), lv)
	if err != nil {
		return err
	}
	return a.receive(c, territoryParts, func(ctx context.Context, up *upload) (int, any, error) {
		pt, table := up.parts["parent-table"]
		switch {
		case table && (opt.ParentKey == "" || len(opt.ParentColumns) == 0):
			return 0, nil, httpx.BadParam("parent-key", "une table des parents demande parent-key et au moins un parent=NIVEAU=COLONNE")
		case !table && (opt.ParentKey != "" || len(opt.ParentColumns) > 0):
			return 0, nil, httpx.BadParam("parent-table", "partie manquante : parent-key et parent nomment les colonnes d'une table des parents (.csv)")
		}
		arch, err := admin.OpenTerritoryFile(up.dir, up.parts["file"].path, 4*a.cfg.MaxUpload)
		if err != nil {
			return 0, nil, err
		}
		defer arch.Close()
		opt.FS, opt.Files = arch.FS, arch.Files
		if table {
			opt.ParentTable = pt.path
		}
		res, err := a.adm.ImportTerritories(ctx, opt)
		if err != nil {
			return 0, nil, err
		}
		if res.Unchanged {
			return http.StatusOK, res, nil
		}
		return http.StatusCreated, res, nil
	})
}
