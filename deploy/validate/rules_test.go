package validate

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	"sigs.k8s.io/yaml"
)

// promql parses as Prometheus does, with its default functions.
var promql = parser.NewParser(parser.Options{})

type alertRule struct {
	Alert       string            `json:"alert"`
	Expr        string            `json:"expr"`
	For         string            `json:"for"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

func alertRules(t *testing.T) []alertRule {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(k8sDir, "prometheusrule.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var pr struct {
		Spec struct {
			Groups []struct {
				Name  string      `json:"name"`
				Rules []alertRule `json:"rules"`
			} `json:"groups"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(raw, &pr); err != nil {
		t.Fatal(err)
	}
	var out []alertRule
	for _, g := range pr.Spec.Groups {
		out = append(out, g.Rules...)
	}
	return out
}

// TestAlertRules parses every alert's PromQL as Prometheus does, and checks
// that the atlas series it reads are the ones the server exports and the
// routes it names are routes of the server: an alert on a renamed metric
// would never fire.
func TestAlertRules(t *testing.T) {
	metricsSrc, err := os.ReadFile("../../internal/httpx/metrics.go")
	if err != nil {
		t.Fatal(err)
	}
	exported := map[string]bool{}
	for _, m := range regexp.MustCompile(`Name: "(atlas_[a-z_]+)"`).FindAllStringSubmatch(string(metricsSrc), -1) {
		exported[m[1]] = true
	}
	if len(exported) == 0 {
		t.Fatal("no atlas_ metric found in internal/httpx/metrics.go")
	}
	routesSrc, err := os.ReadFile("../../internal/httpapi/api.go")
	if err != nil {
		t.Fatal(err)
	}
	rules := alertRules(t)
	if len(rules) == 0 {
		t.Fatal("no alert rule")
	}
	for _, r := range rules {
		expr, err := promql.ParseExpr(r.Expr)
		if err != nil {
			t.Errorf("%s: %v", r.Alert, err)
			continue
		}
		if r.Labels["severity"] == "" || r.Annotations["summary"] == "" {
			t.Errorf("%s: no severity or summary", r.Alert)
		}
		for _, sel := range parser.ExtractSelectors(expr) {
			for _, m := range sel {
				switch {
				case m.Name == labels.MetricName && strings.HasPrefix(m.Value, "atlas_"):
					// Histograms are read through their _bucket series.
					if name := strings.TrimSuffix(m.Value, "_bucket"); !exported[name] {
						t.Errorf("%s reads %s, which atlas does not export (%v)", r.Alert, m.Value, exported)
					}
				case m.Name == "route" && m.Type == labels.MatchEqual:
					route := strings.TrimPrefix(m.Value, "/api/v1")
					if !strings.Contains(string(routesSrc), `"`+route+`"`) {
						t.Errorf("%s names route %s, which internal/httpapi/api.go does not register", r.Alert, m.Value)
					}
				}
			}
		}
		t.Logf("%s: %s", r.Alert, expr)
	}
}

func TestBrokenAlertExpr(t *testing.T) {
	for _, expr := range []string{
		`sum(rate(atlas_http_requests_total[5m]) > `,
		`histogram_quantile(0.99, rate(atlas_http_request_duration_seconds_bucket[5x]))`,
	} {
		if _, err := promql.ParseExpr(expr); err == nil {
			t.Errorf("%q parsed", expr)
		}
	}
}
