package validate

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/yannh/kubeconform/pkg/validator"
	"sigs.k8s.io/yaml"
)

const k8sDir = "../k8s"

// newValidator is kubeconform reading only the schemas of the repository:
// a kind without one is an error, never a skip.
func newValidator(t *testing.T) validator.Validator {
	t.Helper()
	v, err := validator.New([]string{filepath.Join(k8sDir, "schemas", "{{ .ResourceKind }}{{ .KindSuffix }}.json")},
		validator.Opts{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// manifests are the YAML files of deploy/k8s, the kustomization aside (it
// is kustomize's file, not an object of the cluster).
func manifests(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(k8sDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	files = slices.DeleteFunc(files, func(f string) bool { return filepath.Base(f) == "kustomization.yaml" })
	if len(files) == 0 {
		t.Fatal("no manifest in " + k8sDir)
	}
	return files
}

// line is kubeconform's text output for one result.
func line(r validator.Result) string {
	name := r.Resource.Path
	if sig, err := r.Resource.Signature(); err == nil {
		name += " - " + sig.Kind + " " + sig.Name
	}
	switch r.Status {
	case validator.Valid:
		return name + " is valid"
	case validator.Invalid:
		var msgs []string
		for _, e := range r.ValidationErrors {
			msgs = append(msgs, e.Path+": "+e.Msg)
		}
		if len(msgs) == 0 && r.Err != nil {
			msgs = append(msgs, r.Err.Error())
		}
		return name + " is invalid: " + strings.Join(msgs, "; ")
	case validator.Empty:
		return name + " is empty"
	case validator.Skipped:
		return name + " is skipped"
	}
	return name + " failed validation: " + errString(r.Err)
}

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}

func TestManifests(t *testing.T) {
	v := newValidator(t)
	var valid, resources int
	files := manifests(t)
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range v.Validate(f, fh) {
			if r.Status == validator.Empty {
				continue
			}
			resources++
			t.Log(line(r))
			if r.Status != validator.Valid {
				t.Error(line(r))
				continue
			}
			valid++
		}
	}
	t.Logf("Summary: %d resources found in %d files - Valid: %d, Invalid or errors: %d", resources, len(files), valid, resources-valid)
}

// TestBrokenManifests proves the validation refuses what the API server
// would: each case breaks a valid manifest of the directory in one place.
func TestBrokenManifests(t *testing.T) {
	v := newValidator(t)
	for _, tc := range []struct {
		name, file, old, new, want string
	}{
		{name: "unknown field in a container", file: "deployment.yaml",
			old: "          readinessProbe:\n", new: "          readinesProbe:\n", want: "readinesProbe"},
		{name: "wrong type", file: "deployment.yaml",
			old: "  replicas: 2\n", new: "  replicas: two\n", want: "replicas"},
		{name: "missing required container name", file: "job.yaml",
			old: "        - name: import\n          image: atlas\n", new: "        - image: atlas\n", want: "name"},
		{name: "HPA without its target", file: "hpa.yaml",
			old: "  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: atlas\n", new: "", want: "scaleTargetRef"},
		{name: "CloudNativePG field misspelt", file: "postgres.yaml",
			old: "  instances: 3\n", new: "  instance: 3\n", want: "instance"},
		{name: "CloudNativePG wrong type", file: "postgres.yaml",
			old: "  instances: 3\n", new: "  instances: three\n", want: "instances"},
		{name: "alert rule without expr", file: "prometheusrule.yaml",
			old: "          expr: up{job=\"atlas\"} == 0\n", new: "", want: "expr"},
		{name: "kind with no schema", file: "service.yaml",
			old: "kind: Service\n", new: "kind: Servce\n", want: "could not find schema"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(k8sDir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(raw, []byte(tc.old)) {
				t.Fatalf("%s no longer holds %q: update the case", tc.file, tc.old)
			}
			broken := strings.Replace(string(raw), tc.old, tc.new, 1)
			rs := v.Validate(tc.file+" (broken)", io.NopCloser(strings.NewReader(broken)))
			if len(rs) != 1 {
				t.Fatalf("%d results, want 1", len(rs))
			}
			got := line(rs[0])
			t.Log(got)
			if rs[0].Status == validator.Valid || !strings.Contains(got, tc.want) {
				t.Errorf("got %q, want a refusal naming %q", got, tc.want)
			}
		})
	}
}

// TestKustomization: kustomize applies every manifest but the secret's
// example, and only files that exist.
func TestKustomization(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(k8sDir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		APIVersion string   `json:"apiVersion"`
		Kind       string   `json:"kind"`
		Namespace  string   `json:"namespace"`
		Resources  []string `json:"resources"`
		Images     []struct {
			Name    string `json:"name"`
			NewName string `json:"newName"`
			NewTag  string `json:"newTag"`
		} `json:"images"`
	}
	if err := yaml.UnmarshalStrict(raw, &k); err != nil {
		t.Fatalf("kustomization.yaml: %v", err)
	}
	if k.Kind != "Kustomization" || k.Namespace != "atlas" {
		t.Errorf("kustomization.yaml: kind %q namespace %q", k.Kind, k.Namespace)
	}
	var want []string
	for _, f := range manifests(t) {
		if b := filepath.Base(f); !strings.HasSuffix(b, ".example.yaml") {
			want = append(want, b)
		}
	}
	got := slices.Clone(k.Resources)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("kustomization.yaml resources %v, want the manifests %v", got, want)
	}
	for _, im := range k.Images {
		if im.NewTag == "" || im.NewTag == "latest" {
			t.Errorf("image %s: tag %q, want a pinned one", im.Name, im.NewTag)
		}
	}
}

// TestRestricted checks what the restricted Pod Security profile demands
// of every pod template, as the namespace label will enforce it, so that a
// refusal shows here rather than at rollout; and the probes.
func TestRestricted(t *testing.T) {
	type container struct {
		Name            string `json:"name"`
		Image           string `json:"image"`
		SecurityContext *struct {
			AllowPrivilegeEscalation *bool `json:"allowPrivilegeEscalation"`
			ReadOnlyRootFilesystem   *bool `json:"readOnlyRootFilesystem"`
			RunAsNonRoot             *bool `json:"runAsNonRoot"`
			Capabilities             *struct {
				Drop []string `json:"drop"`
			} `json:"capabilities"`
		} `json:"securityContext"`
		ReadinessProbe *struct {
			HTTPGet struct{ Path string } `json:"httpGet"`
		} `json:"readinessProbe"`
		LivenessProbe *struct {
			HTTPGet struct{ Path string } `json:"httpGet"`
		} `json:"livenessProbe"`
	}
	type podSpec struct {
		SecurityContext struct {
			RunAsNonRoot   *bool `json:"runAsNonRoot"`
			SeccompProfile struct {
				Type string `json:"type"`
			} `json:"seccompProfile"`
		} `json:"securityContext"`
		InitContainers []container `json:"initContainers"`
		Containers     []container `json:"containers"`
	}
	var obj struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Name   string            `json:"name"`
			Labels map[string]string `json:"labels"`
		} `json:"metadata"`
		Spec struct {
			Replicas *int `json:"replicas"`
			Template struct {
				Spec podSpec `json:"spec"`
			} `json:"template"`
		} `json:"spec"`
	}
	pods := 0
	for _, kind := range []string{"deployment.yaml", "job.yaml", "namespace.yaml"} {
		raw, err := os.ReadFile(filepath.Join(k8sDir, kind))
		if err != nil {
			t.Fatal(err)
		}
		obj.Spec.Template.Spec = podSpec{}
		if err := yaml.Unmarshal(raw, &obj); err != nil {
			t.Fatal(err)
		}
		if obj.Kind == "Namespace" {
			if obj.Metadata.Labels["pod-security.kubernetes.io/enforce"] != "restricted" {
				t.Errorf("namespace %s does not enforce the restricted profile", obj.Metadata.Name)
			}
			continue
		}
		pods++
		ps := obj.Spec.Template.Spec
		if ps.SecurityContext.RunAsNonRoot == nil || !*ps.SecurityContext.RunAsNonRoot {
			t.Errorf("%s: pod without runAsNonRoot", kind)
		}
		if ps.SecurityContext.SeccompProfile.Type != "RuntimeDefault" {
			t.Errorf("%s: seccompProfile %q, want RuntimeDefault", kind, ps.SecurityContext.SeccompProfile.Type)
		}
		for _, c := range append(slices.Clone(ps.InitContainers), ps.Containers...) {
			sc := c.SecurityContext
			switch {
			case sc == nil:
				t.Errorf("%s %s: no securityContext", kind, c.Name)
			case sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation:
				t.Errorf("%s %s: allowPrivilegeEscalation must be false", kind, c.Name)
			case sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem:
				t.Errorf("%s %s: readOnlyRootFilesystem must be true", kind, c.Name)
			case sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []string{"ALL"}):
				t.Errorf("%s %s: capabilities must drop ALL", kind, c.Name)
			}
			if obj.Kind == "Deployment" {
				if c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" {
					t.Errorf("%s %s: readiness must be /readyz", kind, c.Name)
				}
				if c.LivenessProbe == nil || c.LivenessProbe.HTTPGet.Path != "/healthz" {
					t.Errorf("%s %s: liveness must be /healthz", kind, c.Name)
				}
			}
		}
		if obj.Kind == "Deployment" && (obj.Spec.Replicas == nil || *obj.Spec.Replicas < 2) {
			t.Errorf("%s: fewer than 2 replicas", kind)
		}
	}
	if pods != 2 {
		t.Errorf("%d pod templates checked, want 2", pods)
	}
}
