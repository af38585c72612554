package validate

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

const composeFile = "../docker/compose.yaml"

// loadCompose is `docker compose config`: compose-go reads the file,
// validates it against the Compose Specification's schema, interpolates
// the environment and checks the references between services.
func loadCompose(src []byte, env map[string]string) (*types.Project, error) {
	abs, err := filepath.Abs(composeFile)
	if err != nil {
		return nil, err
	}
	return loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  filepath.Dir(abs),
		ConfigFiles: []types.ConfigFile{{Filename: abs, Content: src}},
		Environment: env,
	}, func(o *loader.Options) { o.SetProjectName("atlas", true) })
}

func TestCompose(t *testing.T) {
	src, err := os.ReadFile(composeFile)
	if err != nil {
		t.Fatal(err)
	}
	p, err := loadCompose(src, map[string]string{"POSTGRES_PASSWORD": "example"})
	if err != nil {
		t.Fatalf("%s: %v", composeFile, err)
	}
	db, okDB := p.Services["db"]
	initSvc, okInit := p.Services["init"]
	atlas, okAtlas := p.Services["atlas"]
	if !okDB || !okInit || !okAtlas {
		t.Fatalf("services %v, want db, init and atlas", p.ServiceNames())
	}
	if !strings.HasPrefix(db.Image, "postgis/postgis:") || strings.HasSuffix(db.Image, ":latest") {
		t.Errorf("db image %q, want a pinned postgis/postgis", db.Image)
	}
	if len(db.Volumes) == 0 || db.Volumes[0].Type != types.VolumeTypeVolume || p.Volumes[db.Volumes[0].Source].Name == "" {
		t.Errorf("db data not on a named volume: %+v", db.Volumes)
	}
	if db.HealthCheck == nil {
		t.Error("db has no healthcheck: service_healthy would never hold")
	}
	for name, want := range map[string]string{"db": types.ServiceConditionHealthy} {
		if c := initSvc.DependsOn[name].Condition; c != want {
			t.Errorf("init depends on %s with %q, want %q", name, c, want)
		}
	}
	for name, want := range map[string]string{"db": types.ServiceConditionHealthy, "init": types.ServiceConditionCompletedSuccessfully} {
		if c := atlas.DependsOn[name].Condition; c != want {
			t.Errorf("atlas depends on %s with %q, want %q", name, c, want)
		}
	}
	for _, s := range []types.ServiceConfig{initSvc, atlas} {
		if s.Build == nil || s.Build.Dockerfile != "deploy/docker/Dockerfile" {
			t.Errorf("%s: not built from deploy/docker/Dockerfile (it would be pulled)", s.Name)
		}
		if !s.ReadOnly {
			t.Errorf("%s: root filesystem not read_only", s.Name)
		}
		if len(s.Tmpfs) == 0 {
			t.Errorf("%s: no tmpfs for /tmp", s.Name)
		}
		if s.Environment["DATABASE_URL"] == nil || !strings.Contains(*s.Environment["DATABASE_URL"], "@db:5432/") {
			t.Errorf("%s: DATABASE_URL does not name the db service", s.Name)
		}
	}
	if atlas.HealthCheck == nil || len(atlas.HealthCheck.Test) < 2 || atlas.HealthCheck.Test[1] != "/atlas" {
		t.Errorf("atlas healthcheck %+v, want the binary's own", atlas.HealthCheck)
	}
	t.Logf("%s: valid, services %v, volumes %d", composeFile, p.ServiceNames(), len(p.Volumes))
}

// TestBrokenCompose: each case breaks the file in one place, and loading
// it must fail, naming the cause.
func TestBrokenCompose(t *testing.T) {
	src, err := os.ReadFile(composeFile)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"POSTGRES_PASSWORD": "example"}
	for _, tc := range []struct {
		name, old, new, want string
		env                  map[string]string
	}{
		{name: "unknown key", old: "    read_only: true\n    tmpfs:\n      - /tmp\n    cap_drop", new: "    read_onyl: true\n    tmpfs:\n      - /tmp\n    cap_drop", want: "read_onyl", env: env},
		{name: "bad condition", old: "condition: service_completed_successfully", new: "condition: service_finished", want: "condition value must be one of", env: env},
		{name: "unknown dependency", old: "      init:\n        condition", new: "      setup:\n        condition", want: "setup", env: env},
		{name: "no password", old: "", new: "", want: "POSTGRES_PASSWORD", env: map[string]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(string(src), tc.old) {
				t.Fatalf("compose.yaml no longer holds %q: update the case", tc.old)
			}
			broken := src
			if tc.old != "" {
				broken = []byte(strings.Replace(string(src), tc.old, tc.new, 1))
			}
			_, err := loadCompose(broken, tc.env)
			t.Log(err)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error naming %q", err, tc.want)
			}
		})
	}
}
