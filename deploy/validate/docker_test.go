package validate

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/opencontainers/go-digest"
)

const dockerfile = "../docker/Dockerfile"

// offlineImages answers BuildKit's questions about base images with an
// empty linux/amd64 configuration: the lint needs no registry.
type offlineImages struct{}

func (offlineImages) ResolveImageConfig(_ context.Context, ref string, _ sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	return ref, digest.FromString(ref), []byte(`{"architecture":"amd64","os":"linux","config":{}}`), nil
}

// lint is what `docker build --check` reports: BuildKit's own rules, on
// every stage.
func lint(t *testing.T, src []byte) []string {
	t.Helper()
	sm := llb.NewSourceMap(nil, "Dockerfile", "Dockerfile", src)
	sm.Definition = &llb.Definition{}
	res, err := dockerfile2llb.DockerfileLint(context.Background(), src, dockerfile2llb.ConvertOpt{
		MetaResolver: offlineImages{},
		SourceMap:    sm,
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, w := range res.Warnings {
		line := 0
		if w.Location != nil && len(w.Location.Ranges) > 0 {
			line = int(w.Location.Ranges[0].Start.Line)
		}
		out = append(out, w.RuleName+" (line "+strconv.Itoa(line)+"): "+w.Detail)
	}
	if res.Error != nil {
		out = append(out, "error: "+res.Error.Message)
	}
	return out
}

// rules are this project's demands on the image, beyond BuildKit's: the
// ones hadolint would check, and what the deployment relies on.
func rules(t *testing.T, src []byte) []string {
	t.Helper()
	ast, err := parser.Parse(strings.NewReader(string(src)))
	if err != nil {
		return []string{"parse: " + err.Error()}
	}
	stages, metaArgs, err := instructions.Parse(ast.AST, nil)
	if err != nil {
		return []string{"parse: " + err.Error()}
	}
	if len(stages) < 2 {
		return []string{"not multi-stage"}
	}
	defaults := map[string]string{}
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			if kv.Value != nil {
				defaults[kv.Key] = *kv.Value
			}
		}
	}
	var out []string
	for _, s := range stages {
		image := s.BaseName
		if strings.HasPrefix(image, "${") && strings.HasSuffix(image, "}") {
			image = defaults[strings.TrimSuffix(strings.TrimPrefix(image, "${"), "}")]
		}
		if slices.ContainsFunc(stages, func(o instructions.Stage) bool { return o.Name == image }) {
			continue // FROM an earlier stage
		}
		name, tag, _ := strings.Cut(image[strings.LastIndex(image, "/")+1:], ":")
		switch {
		case image == "":
			out = append(out, "stage "+s.Name+": base image not set")
		case strings.Contains(image, "@sha256:"):
		case tag == "" || tag == "latest":
			out = append(out, "stage "+s.Name+": base image "+image+" not pinned (no tag, or latest)")
		case name != "static-debian12" && !strings.ContainsAny(tag, "0123456789"):
			out = append(out, "stage "+s.Name+": base image "+image+" pinned by a tag with no version")
		}
	}
	final := stages[len(stages)-1]
	var user string
	var health, entry bool
	for _, c := range final.Commands {
		switch c := c.(type) {
		case *instructions.UserCommand:
			user = c.User
		case *instructions.HealthCheckCommand:
			health = len(c.Health.Test) > 0 && c.Health.Test[0] != "NONE"
			if health && c.Health.Test[0] != "CMD" {
				out = append(out, "HEALTHCHECK through a shell: the image has none")
			}
		case *instructions.EntrypointCommand:
			entry = !c.PrependShell
		case *instructions.RunCommand:
			out = append(out, "RUN in the final stage: it has no shell")
		}
	}
	uid, _, _ := strings.Cut(user, ":")
	if uid == "" || uid == "0" || uid == "root" {
		out = append(out, "final stage runs as root (USER "+user+")")
	} else if strings.Trim(uid, "0123456789") != "" {
		out = append(out, "USER "+user+" is a name: runAsNonRoot needs a numeric UID")
	}
	if !health {
		out = append(out, "final stage has no HEALTHCHECK")
	}
	if !entry {
		out = append(out, "final stage has no exec-form ENTRYPOINT")
	}
	if !strings.Contains(string(src), "CGO_ENABLED=0") {
		out = append(out, "binary not built with CGO_ENABLED=0: it would need a libc")
	}
	return out
}

func TestDockerfile(t *testing.T) {
	src, err := os.ReadFile(dockerfile)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range lint(t, src) {
		t.Errorf("%s: buildkit lint: %s", dockerfile, w)
	}
	for _, p := range rules(t, src) {
		t.Errorf("%s: %s", dockerfile, p)
	}
	t.Logf("%s: buildkit lint and %d-stage rules: no warning", dockerfile, strings.Count(string(src), "\nFROM "))
}

// TestBrokenDockerfiles: each case breaks the Dockerfile in one place, and
// the lint or the rules must say so.
func TestBrokenDockerfiles(t *testing.T) {
	src, err := os.ReadFile(dockerfile)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, old, new, want string }{
		{name: "root", old: "USER 65532:65532\n", new: "USER root\n", want: "root"},
		{name: "no user", old: "USER 65532:65532\n", new: "", want: "root"},
		{name: "user by name", old: "USER 65532:65532\n", new: "USER nonroot\n", want: "numeric"},
		{name: "no healthcheck", old: "HEALTHCHECK ", new: "# HEALTHCHECK ", want: "no HEALTHCHECK"},
		{name: "latest", old: "ARG GO_IMAGE=golang:1.26.8-bookworm", new: "ARG GO_IMAGE=golang:latest", want: "not pinned"},
		{name: "untagged", old: "ARG NODE_IMAGE=node:22.22.0-bookworm-slim", new: "ARG NODE_IMAGE=node", want: "not pinned"},
		{name: "cgo", old: "CGO_ENABLED=0 ", new: "", want: "CGO_ENABLED"},
		{name: "shell form entrypoint", old: `ENTRYPOINT ["/atlas"]`, new: "ENTRYPOINT /atlas", want: "JSONArgsRecommended"},
		{name: "casing", old: "AS build\n", new: "as build\n", want: "FromAsCasing"},
		{name: "undefined variable", old: "COPY --from=build /out/atlas /atlas", new: "COPY --from=build /out/$BINARY /atlas", want: "UndefinedVar"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(string(src), tc.old) {
				t.Fatalf("the Dockerfile no longer holds %q: update the case", tc.old)
			}
			broken := []byte(strings.Replace(string(src), tc.old, tc.new, 1))
			got := append(lint(t, broken), rules(t, broken)...)
			t.Log(got)
			if !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, tc.want) }) {
				t.Errorf("got %q, want a finding with %q", got, tc.want)
			}
		})
	}
}

// TestDockerignore: the build context leaves out what the image builds
// itself and the private cluster's data.
func TestDockerignore(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{".git", ".atlas", "web-map/node_modules", "web-map/dist"} {
		if !slices.Contains(strings.Split(string(raw), "\n"), p) {
			t.Errorf(".dockerignore does not leave out %s", p)
		}
	}
}
