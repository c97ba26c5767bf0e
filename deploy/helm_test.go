package deploy_test

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/test/nodetest"
)

const chart = "helm/lockstream"

// probePaths are the health paths the manifests may probe; TestProbePaths
// proves the nodes serve them.
var probePaths = []string{"/healthz", "/readyz"}

// TestHelmStatic checks what needs no rendering: every LOCKSTREAM_*
// variable the chart's values and templates name is one the binary reads,
// the role groups' --roles values are valid, and probes use served paths.
func TestHelmStatic(t *testing.T) {
	known := envKeys()
	var all bytes.Buffer
	files, _ := filepath.Glob(filepath.Join(chart, "templates", "*"))
	files = append(files, filepath.Join(chart, "values.yaml"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
		for _, v := range regexp.MustCompile(`LOCKSTREAM_[A-Z0-9_]+`).FindAllString(string(b), -1) {
			if !known[v] {
				t.Errorf("%s names %s, which the binary does not read", f, v)
			}
		}
	}
	// Probe and Ingress paths (not the prometheus.io/path annotation).
	for _, m := range regexp.MustCompile(`(?m)^\s*(?:- )?path: (\S+)`).FindAllStringSubmatch(all.String(), -1) {
		if m[1] != "/" && !slices.Contains(probePaths, m[1]) {
			t.Errorf("chart probes %s; the nodes serve %v", m[1], probePaths)
		}
	}
	var values struct {
		Roles map[string]struct {
			Roles     string         `yaml:"roles"`
			Ports     map[string]int `yaml:"ports"`
			ProbePort string         `yaml:"probePort"`
		} `yaml:"roles"`
	}
	b, _ := os.ReadFile(filepath.Join(chart, "values.yaml"))
	if err := yaml.Unmarshal(b, &values); err != nil {
		t.Fatalf("values.yaml: %v", err)
	}
	covered := map[string]bool{}
	for name, r := range values.Roles {
		for _, role := range strings.Split(r.Roles, ",") {
			if !slices.Contains(conf.AllRoles, role) {
				t.Errorf("role group %s: unknown role %q (the binary has %v)", name, role, conf.AllRoles)
			}
			covered[role] = true
		}
		// Health is served on the API and origin listeners only.
		if r.ProbePort != "api" && r.ProbePort != "origin" || r.Ports[r.ProbePort] == 0 {
			t.Errorf("role group %s probes port %q; want its api or origin port", name, r.ProbePort)
		}
	}
	for _, role := range conf.AllRoles {
		if !covered[role] {
			t.Errorf("no role group runs role %s", role)
		}
	}
}

// findHelm returns the helm binary: $LOCKSTREAM_HELM, .bin/helm (built by
// scripts/test from tools/helm), or one on PATH.
func findHelm(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("LOCKSTREAM_HELM"), "../.bin/helm"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("helm"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("helm not found in .bin/ nor on PATH; scripts/test builds it (CI=true: refusing to skip)")
	}
	t.Skip("helm not found in .bin/ nor on PATH; scripts/test builds it")
	return ""
}

// TestHelmRendered lints and renders the chart with secrets set, then
// checks every Deployment's environment (ConfigMap + Secret + its own
// env) is a configuration the binary accepts, that its container ports
// are the listeners that configuration opens, that probes hit served
// paths on the API or origin port, and that Services, HPAs, PDBs and the
// Ingress point at what exists.
func TestHelmRendered(t *testing.T) {
	helm := findHelm(t)
	if out, err := exec.Command(helm, "lint", chart).CombinedOutput(); err != nil {
		t.Fatalf("helm lint: %v\n%s", err, out)
	}
	out, err := exec.Command(helm, "template", "rel", chart,
		"--set", "secret.values.LOCKSTREAM_KEK=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		"--set", "secret.values.LOCKSTREAM_STORE_DSN=postgres://u:p@db:5432/lockstream",
		"--set", "secret.values.LOCKSTREAM_BLOB_SIGNING_KEY=helm-test-signing-key-0123456789abcdef",
	).CombinedOutput()
	if err != nil {
		t.Fatalf("helm template: %v\n%s", err, out)
	}
	docs := map[string]map[string]map[string]any{} // kind → name → doc
	dec := yaml.NewDecoder(bytes.NewReader(out))
	for {
		var d map[string]any
		if err := dec.Decode(&d); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("rendered YAML: %v", err)
		}
		if d == nil {
			continue
		}
		kind := d["kind"].(string)
		name := dig(d, "metadata", "name").(string)
		if docs[kind] == nil {
			docs[kind] = map[string]map[string]any{}
		}
		docs[kind][name] = d
	}
	cm := docs["ConfigMap"]["rel-lockstream"]
	sec := docs["Secret"]["rel-lockstream"]
	if cm == nil || sec == nil || len(docs["Deployment"]) != 3 {
		t.Fatalf("rendered: ConfigMap %v, Secret %v, %d Deployments", cm != nil, sec != nil, len(docs["Deployment"]))
	}
	podLabels := map[string]map[string]any{}
	podPorts := map[string][]string{}
	for name, d := range docs["Deployment"] {
		env := map[string]string{}
		for k, v := range dig(cm, "data").(map[string]any) {
			env[k] = v.(string)
		}
		for k, v := range dig(sec, "stringData").(map[string]any) {
			env[k] = v.(string)
		}
		ctr := dig(d, "spec", "template", "spec", "containers").([]any)[0].(map[string]any)
		for _, e := range ctr["env"].([]any) {
			e := e.(map[string]any)
			env[e["name"].(string)] = e["value"].(string)
		}
		if args := ctr["args"].([]any); len(args) != 1 || args[0] != "serve" {
			t.Errorf("%s runs %v; want serve", name, args)
		}
		podLabels[name] = dig(d, "spec", "template", "metadata", "labels").(map[string]any)
		ports := map[string]string{}
		for _, p := range ctr["ports"].([]any) {
			p := p.(map[string]any)
			ports[p["name"].(string)] = strconv.Itoa(p["containerPort"].(int))
			podPorts[name] = append(podPorts[name], p["name"].(string))
		}
		cf := loadConfEnv(t, "Deployment "+name, env)
		opened := map[string]string{}
		if cf.HasRole(conf.RoleAPI) || cf.HasRole(conf.RoleKeys) || cf.HasRole(conf.RoleEncode) {
			opened["api"] = portOf(t, "api", cf.API.Listen)
		}
		if cf.HasRole(conf.RoleAPI) && cf.Blob.Driver != "azure" {
			opened["blob"] = portOf(t, "blob", cf.Blob.Listen)
		}
		if cf.HasRole(conf.RoleOrigin) {
			opened["origin"] = portOf(t, "origin", cf.Origin.Listen)
		}
		if cf.Metrics.Listen != "" {
			opened["metrics"] = portOf(t, "metrics", cf.Metrics.Listen)
		}
		checkHelmOps(t, name, cf, d, ctr, ports)
		if len(opened) != len(ports) {
			t.Errorf("%s: container ports %v; the node opens %v", name, ports, opened)
		}
		for n, p := range opened {
			if ports[n] != p {
				t.Errorf("%s: container port %s=%s; the node listens on %s", name, n, ports[n], p)
			}
		}
		for _, probe := range []string{"livenessProbe", "readinessProbe", "startupProbe"} {
			pr, ok := ctr[probe].(map[string]any)
			if !ok {
				t.Errorf("%s has no %s", name, probe)
				continue
			}
			path, port := dig(pr, "httpGet", "path").(string), dig(pr, "httpGet", "port").(string)
			if !slices.Contains(probePaths, path) || (port != "api" && port != "origin") || ports[port] == "" {
				t.Errorf("%s %s: %s on port %q; want %v on the api or origin port", name, probe, path, port, probePaths)
			}
		}
		if sc := dig(d, "spec", "template", "spec", "securityContext").(map[string]any); sc["runAsNonRoot"] != true {
			t.Errorf("%s: pods must run as non-root", name)
		}
	}
	matches := func(sel map[string]any) string {
		for dep, l := range podLabels {
			ok := true
			for k, v := range sel {
				if l[k] != v {
					ok = false
				}
			}
			if ok {
				return dep
			}
		}
		return ""
	}
	svcPorts := map[string][]string{}
	for name, s := range docs["Service"] {
		dep := matches(dig(s, "spec", "selector").(map[string]any))
		if dep == "" {
			t.Errorf("Service %s selects no Deployment's pods", name)
			continue
		}
		for _, p := range dig(s, "spec", "ports").([]any) {
			tp := p.(map[string]any)["targetPort"].(string)
			if !slices.Contains(podPorts[dep], tp) {
				t.Errorf("Service %s targets port %s, which %s does not expose", name, tp, dep)
			}
			svcPorts[name] = append(svcPorts[name], p.(map[string]any)["name"].(string))
		}
	}
	for name, h := range docs["HorizontalPodAutoscaler"] {
		if target := dig(h, "spec", "scaleTargetRef", "name").(string); docs["Deployment"][target] == nil {
			t.Errorf("HPA %s scales %s, which is not rendered", name, target)
		}
		if dig(h, "spec", "metrics").([]any)[0].(map[string]any)["resource"].(map[string]any)["name"] != "cpu" {
			t.Errorf("HPA %s does not scale on CPU", name)
		}
	}
	if len(docs["HorizontalPodAutoscaler"]) != 3 || len(docs["PodDisruptionBudget"]) != 3 {
		t.Errorf("%d HPAs and %d PDBs; want one of each per role group", len(docs["HorizontalPodAutoscaler"]), len(docs["PodDisruptionBudget"]))
	}
	for name, p := range docs["PodDisruptionBudget"] {
		if matches(dig(p, "spec", "selector", "matchLabels").(map[string]any)) == "" {
			t.Errorf("PDB %s selects no Deployment's pods", name)
		}
	}
	for _, ing := range docs["Ingress"] {
		for _, r := range dig(ing, "spec", "rules").([]any) {
			for _, p := range dig(r.(map[string]any), "http", "paths").([]any) {
				svc := dig(p.(map[string]any), "backend", "service").(map[string]any)
				sn, pn := svc["name"].(string), dig(svc, "port", "name").(string)
				if !slices.Contains(svcPorts[sn], pn) {
					t.Errorf("Ingress routes to %s:%s, which no Service has", sn, pn)
				}
			}
		}
	}
}

func loadConfEnv(t *testing.T, what string, env map[string]string) conf.Conf {
	t.Helper()
	return loadConf(t, what, env, nil)
}

// dig walks nested maps by key.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// TestProbePaths: the paths every manifest probes answer 200 on the
// listeners they are probed on, for a node with every role and for an
// origin-only node (the chart's origin group).
func TestProbePaths(t *testing.T) {
	full := nodetest.Start(t, slog.LevelWarn)
	originOnly := nodetest.Start(t, slog.LevelWarn, func(c *conf.Conf) {
		c.Roles = []string{conf.RoleOrigin}
		c.Demo.Enabled = false
	})
	for _, base := range []string{full.API, full.Origin, originOnly.Origin} {
		for _, p := range probePaths {
			resp, err := http.Get(base + p)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s%s: %d; want 200", base, p, resp.StatusCode)
			}
		}
	}
}

// helmValues are the chart's operational values.
type helmValues struct {
	Metrics struct {
		Enabled bool `yaml:"enabled"`
		Port    int  `yaml:"port"`
	} `yaml:"metrics"`
	RateLimit struct {
		TrustedProxies string `yaml:"trustedProxies"`
	} `yaml:"rateLimit"`
}

// checkHelmOps: a rendered Deployment d (container ctr, ports by name)
// runs nodes that serve /metrics on all interfaces at the values' port,
// exposed and annotated for Prometheus; trust the values' proxies for
// X-Forwarded-For; and drain longer than the readiness probe takes to
// take the pod out, within the termination grace period.
func checkHelmOps(t *testing.T, name string, cf conf.Conf, d, ctr map[string]any, ports map[string]string) {
	t.Helper()
	var v helmValues
	b, _ := os.ReadFile(filepath.Join(chart, "values.yaml"))
	if err := yaml.Unmarshal(b, &v); err != nil {
		t.Fatalf("values.yaml: %v", err)
	}
	if !v.Metrics.Enabled || v.Metrics.Port == 0 {
		t.Fatalf("values: metrics %+v; want enabled on a port", v.Metrics)
	}
	want := strconv.Itoa(v.Metrics.Port)
	if cf.Metrics.Listen != "0.0.0.0:"+want || ports["metrics"] != want {
		t.Errorf("%s: metrics listen %q, container port %q; want 0.0.0.0:%s exposed as \"metrics\"", name, cf.Metrics.Listen, ports["metrics"], want)
	}
	ann, _ := dig(d, "spec", "template", "metadata", "annotations").(map[string]any)
	if ann["prometheus.io/scrape"] != "true" || ann["prometheus.io/port"] != want || ann["prometheus.io/path"] != "/metrics" {
		t.Errorf("%s: pod annotations %v; want prometheus.io scrape, port %s and path /metrics", name, ann, want)
	}
	if strings.Join(cf.RateLimit.TrustedProxies, ",") != strings.ReplaceAll(v.RateLimit.TrustedProxies, " ", "") {
		t.Errorf("%s: trusted proxies %v; want the values' %q", name, cf.RateLimit.TrustedProxies, v.RateLimit.TrustedProxies)
	}
	rp := ctr["readinessProbe"].(map[string]any)
	window := time.Duration(rp["periodSeconds"].(int)*rp["failureThreshold"].(int)) * time.Second
	if cf.DrainDelay.Std() <= window {
		t.Errorf("%s: drain delay %v; the readiness probe takes up to %v to take the pod out", name, cf.DrainDelay.Std(), window)
	}
	grace := time.Duration(dig(d, "spec", "template", "spec", "terminationGracePeriodSeconds").(int)) * time.Second
	if grace <= cf.DrainDelay.Std()+10*time.Second {
		t.Errorf("%s: terminationGracePeriodSeconds %v; want well over the drain delay %v (Kubernetes SIGKILLs after it)", name, grace, cf.DrainDelay.Std())
	}
}
