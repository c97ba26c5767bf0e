package deploy_test

import (
	"bufio"
	"encoding/json"
	"net"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

type composeFile struct {
	Networks map[string]struct {
		IPAM struct {
			Config []struct {
				Subnet  string `yaml:"subnet"`
				IPRange string `yaml:"ip_range"`
			} `yaml:"config"`
		} `yaml:"ipam"`
	} `yaml:"networks"`
	Services map[string]struct {
		Image           string `yaml:"image"`
		StopGracePeriod string `yaml:"stop_grace_period"`
		// Networks is a list of names or a map of name → settings.
		Networks    yaml.Node         `yaml:"networks"`
		Environment map[string]string `yaml:"environment"`
		Command     []string          `yaml:"command"`
		Ports       []string          `yaml:"ports"`
		Volumes     []string          `yaml:"volumes"`
		DependsOn   any               `yaml:"depends_on"`
		Build       struct {
			Context    string `yaml:"context"`
			Target     string `yaml:"target"`
			Dockerfile string `yaml:"dockerfile"`
		} `yaml:"build"`
	} `yaml:"services"`
}

func readCompose(t *testing.T) composeFile {
	t.Helper()
	b, err := os.ReadFile("../compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	return c
}

// haproxyCfg is what the tests read from deploy/haproxy.cfg.
type haproxyCfg struct {
	binds    map[string]string   // frontend → port
	backend  map[string]string   // frontend → backend
	servers  map[string][]string // backend → server lines' address and options
	checkGET map[string]string   // backend → health check path
	// inter and fall are the longest health-check interval and failure
	// count of any server (the defaults' default-server line or the
	// server's own): a failing node is out after at most (fall+1)·inter.
	inter time.Duration
	fall  int
}

// checkTiming raises h's inter and fall from a default-server or server
// line's options.
func (h *haproxyCfg) checkTiming(t *testing.T, opts []string) {
	t.Helper()
	for i := 0; i+1 < len(opts); i++ {
		switch opts[i] {
		case "inter":
			d, err := time.ParseDuration(opts[i+1])
			if err != nil {
				t.Fatalf("haproxy.cfg: inter %q: %v", opts[i+1], err)
			}
			h.inter = max(h.inter, d)
		case "fall":
			n, err := strconv.Atoi(opts[i+1])
			if err != nil {
				t.Fatalf("haproxy.cfg: fall %q: %v", opts[i+1], err)
			}
			h.fall = max(h.fall, n)
		}
	}
}

// outWindow is how long HAProxy may keep sending to a node whose /readyz
// fails.
func (h haproxyCfg) outWindow() time.Duration { return time.Duration(h.fall+1) * h.inter }

func readHAProxy(t *testing.T) haproxyCfg {
	t.Helper()
	f, err := os.Open("haproxy.cfg")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := haproxyCfg{inter: 2 * time.Second, fall: 3, binds: map[string]string{}, backend: map[string]string{}, servers: map[string][]string{}, checkGET: map[string]string{}}
	var section, name string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fl := strings.Fields(line)
		if !strings.HasPrefix(sc.Text(), " ") && !strings.HasPrefix(sc.Text(), "\t") {
			section, name = fl[0], ""
			if len(fl) > 1 {
				name = fl[1]
			}
			continue
		}
		switch {
		case section == "frontend" && fl[0] == "bind":
			h.binds[name] = strings.TrimPrefix(fl[1], ":")
		case section == "frontend" && fl[0] == "default_backend":
			h.backend[name] = fl[1]
		case section == "backend" && fl[0] == "server":
			h.servers[name] = append(h.servers[name], strings.Join(fl[2:], " "))
			h.checkTiming(t, fl[3:])
		case section == "defaults" && fl[0] == "default-server":
			h.checkTiming(t, fl[1:])
		case section == "backend" && len(fl) >= 4 && fl[0] == "option" && fl[1] == "httpchk":
			h.checkGET[name] = fl[3]
		}
	}
	return h
}

// TestCompose: both nodes' environments are a configuration the binary
// accepts, naming the compose services and the ports they listen on; the
// S3 credentials and bucket are the ones SeaweedFS is started with; the
// load balancer reaches the nodes' real listener ports and publishes the
// ports the public URLs name.
func TestCompose(t *testing.T) {
	c := readCompose(t)
	h := readHAProxy(t)
	for _, n := range []string{"postgres", "seaweedfs", "lockstream-1", "lockstream-2", "haproxy"} {
		if _, ok := c.Services[n]; !ok {
			t.Fatalf("compose.yaml lacks service %s", n)
		}
	}
	var kek, sig string
	for _, n := range []string{"lockstream-1", "lockstream-2"} {
		s := c.Services[n]
		if s.Build.Target != "runtime" || s.Build.Context != "." {
			t.Errorf("%s builds %+v; want the Dockerfile's runtime stage", n, s.Build)
		}
		cf := loadConf(t, "compose "+n, s.Environment, nil)
		if cf.Store.Driver != "postgres" || cf.Blob.Driver != "s3" {
			t.Errorf("%s: store %s, blob %s; want postgres and s3", n, cf.Store.Driver, cf.Blob.Driver)
		}
		dsn, err := url.Parse(cf.Store.DSN.Reveal())
		if err != nil || dsn.Hostname() != "postgres" || dsn.User.Username() != c.Services["postgres"].Environment["POSTGRES_USER"] {
			t.Errorf("%s: store DSN does not name the postgres service and its user", n)
		}
		if pw, _ := dsn.User.Password(); pw != c.Services["postgres"].Environment["POSTGRES_PASSWORD"] {
			t.Errorf("%s: store DSN password differs from the postgres service's", n)
		}
		ep, err := url.Parse(cf.Blob.S3.Endpoint)
		if err != nil || ep.Hostname() != "seaweedfs" || ep.Port() != "8333" || !cf.Blob.S3.PathStyle {
			t.Errorf("%s: S3 endpoint %q: want path style at http://seaweedfs:8333", n, cf.Blob.S3.Endpoint)
		}
		sw := strings.Join(c.Services["seaweedfs"].Command, " ")
		if !strings.Contains(sw, "-bucket="+cf.Blob.S3.Bucket) {
			t.Errorf("%s uses bucket %q, which seaweedfs does not create (%s)", n, cf.Blob.S3.Bucket, sw)
		}
		checkS3Identity(t, cf.Blob.S3.AccessKeyID, cf.Blob.S3.SecretAccessKey.Reveal())
		if kek == "" {
			kek, sig = cf.Keys.KEK.Reveal(), cf.Blob.SigningKey.Reveal()
		} else if kek != cf.Keys.KEK.Reveal() || sig != cf.Blob.SigningKey.Reveal() {
			t.Errorf("%s: KEK or blob signing key differs between the nodes", n)
		}
		if sig == "" || kek == "" {
			t.Errorf("%s: KEK and blob signing key must be set (shared by the nodes)", n)
		}
		// The load balancer's backends are this node's real listeners.
		listen := map[string]string{"api": cf.API.Listen, "origin": cf.Origin.Listen, "blob": cf.Blob.Listen}
		public := map[string]string{"api": cf.API.PublicURL, "origin": "http://" + cf.Origin.HostName, "blob": cf.Blob.PublicURL}
		for fe, l := range listen {
			be := h.backend[fe]
			found := false
			for _, srv := range h.servers[be] {
				addr, _, _ := strings.Cut(srv, " ")
				if addr == n+":"+portOf(t, fe, l) {
					found = true
				}
			}
			if !found {
				t.Errorf("haproxy backend %q (frontend %s) has no server %s:%s", be, fe, n, portOf(t, fe, l))
			}
			pu, err := url.Parse(public[fe])
			if err != nil || pu.Port() != h.binds[fe] {
				t.Errorf("%s public URL %q: port differs from haproxy's %s frontend (%s)", fe, public[fe], fe, h.binds[fe])
			}
			if !containsPort(c.Services["haproxy"].Ports, h.binds[fe]) {
				t.Errorf("haproxy does not publish port %s (%s)", h.binds[fe], fe)
			}
		}
	}
	for _, v := range append(c.Services["haproxy"].Volumes, c.Services["seaweedfs"].Volumes...) {
		if src, _, _ := strings.Cut(v, ":"); strings.HasPrefix(src, "./") {
			if _, err := os.Stat(filepath.Join("..", src)); err != nil {
				t.Errorf("compose mounts %s: %v", src, err)
			}
		}
	}
	if df := c.Services["seaweedfs"].Build.Dockerfile; df != "deploy/seaweedfs.Dockerfile" {
		t.Errorf("seaweedfs builds %q; want deploy/seaweedfs.Dockerfile (the pinned version the tests run)", df)
	}
	checkWeedFlags(t, c.Services["seaweedfs"].Command)
}

// serviceNetworks returns a compose service's networks and its fixed
// IPv4 address on each ("" when dynamic).
func serviceNetworks(t *testing.T, c composeFile, service string) map[string]string {
	t.Helper()
	n := c.Services[service].Networks
	out := map[string]string{}
	switch n.Kind {
	case yaml.SequenceNode:
		var names []string
		if err := n.Decode(&names); err != nil {
			t.Fatalf("%s networks: %v", service, err)
		}
		for _, name := range names {
			out[name] = ""
		}
	case yaml.MappingNode:
		var m map[string]struct {
			IPv4 string `yaml:"ipv4_address"`
		}
		if err := n.Decode(&m); err != nil {
			t.Fatalf("%s networks: %v", service, err)
		}
		for name, v := range m {
			out[name] = v.IPv4
		}
	}
	return out
}

// TestComposeOps: every node serves /metrics on all interfaces at the
// conventional port, trusts X-Forwarded-For from HAProxy's fixed address
// only (an address on the nodes' network that Docker cannot hand to
// another container), drains longer than HAProxy takes to mark it down,
// and compose waits for the drain before SIGKILL.
func TestComposeOps(t *testing.T) {
	c := readCompose(t)
	h := readHAProxy(t)
	lbNets := serviceNetworks(t, c, "haproxy")
	var lbNet, lbAddr string
	for n, a := range lbNets {
		if a != "" {
			lbNet, lbAddr = n, a
		}
	}
	lbIP, err := netip.ParseAddr(lbAddr)
	if err != nil {
		t.Fatalf("haproxy has no fixed IPv4 address on its network (%v): the nodes cannot name it as trusted proxy", lbNets)
	}
	nw, ok := c.Networks[lbNet]
	if !ok || len(nw.IPAM.Config) != 1 {
		t.Fatalf("network %q of haproxy is not declared with one IPAM config", lbNet)
	}
	subnet, err1 := netip.ParsePrefix(nw.IPAM.Config[0].Subnet)
	dyn, err2 := netip.ParsePrefix(nw.IPAM.Config[0].IPRange)
	if err1 != nil || err2 != nil || !subnet.Contains(lbIP) || dyn.Contains(lbIP) {
		t.Errorf("haproxy's address %s must be in subnet %q and outside the dynamic range %q", lbIP, nw.IPAM.Config[0].Subnet, nw.IPAM.Config[0].IPRange)
	}
	for _, n := range []string{"lockstream-1", "lockstream-2"} {
		s := c.Services[n]
		cf := loadConf(t, "compose "+n, s.Environment, nil)
		if host, port, err := net.SplitHostPort(cf.Metrics.Listen); err != nil || host != "0.0.0.0" || port != "9464" {
			t.Errorf("%s: metrics listen %q; want 0.0.0.0:9464", n, cf.Metrics.Listen)
		}
		if _, ok := serviceNetworks(t, c, n)[lbNet]; !ok {
			t.Errorf("%s is not on haproxy's network %s", n, lbNet)
		}
		if !trusts(t, cf.RateLimit.TrustedProxies, lbIP) {
			t.Errorf("%s: trusted proxies %v do not include haproxy (%s)", n, cf.RateLimit.TrustedProxies, lbIP)
		}
		for _, p := range cf.RateLimit.TrustedProxies {
			if pfx, err := netip.ParsePrefix(p); err == nil && pfx.Bits() < 32 {
				t.Errorf("%s: trusted proxy %s is a range; only haproxy sends X-Forwarded-For", n, p)
			}
		}
		if d := cf.DrainDelay.Std(); d <= h.outWindow() {
			t.Errorf("%s: drain delay %v; haproxy may keep sending for %v (fall %d+1 × inter %v)", n, d, h.outWindow(), h.fall, h.inter)
		}
		grace, err := time.ParseDuration(s.StopGracePeriod)
		if err != nil || grace <= cf.DrainDelay.Std()+5*time.Second {
			t.Errorf("%s: stop_grace_period %q; want well over the drain delay %v (compose SIGKILLs after it)", n, s.StopGracePeriod, cf.DrainDelay.Std())
		}
	}
}

// trusts reports whether the trusted-proxy list (IPs or CIDRs) covers ip.
func trusts(t *testing.T, list []string, ip netip.Addr) bool {
	t.Helper()
	for _, p := range list {
		if a, err := netip.ParseAddr(p); err == nil && a == ip {
			return true
		}
		if pfx, err := netip.ParsePrefix(p); err == nil && pfx.Contains(ip) {
			return true
		}
	}
	return false
}

func containsPort(ports []string, p string) bool {
	for _, s := range ports {
		if s == p+":"+p {
			return true
		}
	}
	return false
}

// checkS3Identity: the keys the nodes use are an identity of the S3
// server's configuration, with write access.
func checkS3Identity(t *testing.T, id, secret string) {
	t.Helper()
	b, err := os.ReadFile("seaweedfs-s3.json")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Identities []struct {
			Credentials []struct{ AccessKey, SecretKey string }
			Actions     []string
		}
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatalf("seaweedfs-s3.json: %v", err)
	}
	for _, ident := range cfg.Identities {
		for _, c := range ident.Credentials {
			if c.AccessKey == id && c.SecretKey == secret {
				if !strings.Contains(strings.Join(ident.Actions, ","), "Write") {
					t.Errorf("S3 identity %s cannot write", id)
				}
				return
			}
		}
	}
	t.Errorf("S3 access key %q is not an identity in seaweedfs-s3.json", id)
}

// checkWeedFlags: every flag compose passes to weed exists in the pinned
// SeaweedFS (the binary the tests build), so a SeaweedFS upgrade that
// renames one fails here.
func checkWeedFlags(t *testing.T, args []string) {
	t.Helper()
	bin := os.Getenv("LOCKSTREAM_WEED")
	if bin == "" {
		bin = "../.bin/weed"
	}
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("weed not built (%v); scripts/test builds it (CI=true: refusing to skip)", err)
		}
		t.Logf("weed not built; skipping the SeaweedFS flag check")
		return
	}
	out, _ := exec.Command(bin, "help", args[0]).CombinedOutput()
	help := string(out)
	for _, a := range args[1:] {
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !regexp.MustCompile(`(?m)^\s+-` + regexp.QuoteMeta(name) + `\b`).MatchString(help) {
			t.Errorf("weed %s has no flag -%s", args[0], name)
		}
	}
}

// TestHAProxyConfig: haproxy itself accepts the configuration (the node
// names resolve only inside compose; nothing else may be wrong), every
// frontend has a backend with servers, and the health checks use a path
// the nodes serve.
func TestHAProxyConfig(t *testing.T) {
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("haproxy is not installed (scripts/test installs it; CI=true: refusing to skip)")
		}
		t.Skip("haproxy is not installed")
	}
	out, err := exec.Command(bin, "-c", "-f", "haproxy.cfg").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Configuration file is valid") {
		t.Fatalf("haproxy -c: %v\n%s", err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "[WARNING]") && !strings.Contains(l, "could not resolve address") {
			t.Errorf("haproxy -c warns: %s", l)
		}
	}
	h := readHAProxy(t)
	for fe, be := range h.backend {
		if len(h.servers[be]) == 0 {
			t.Errorf("frontend %s → backend %s has no servers", fe, be)
		}
		if p := h.checkGET[be]; p != "/readyz" && p != "/healthz" {
			t.Errorf("backend %s checks %q; want /readyz or /healthz", be, p)
		}
	}
	if len(h.binds) != 3 {
		t.Errorf("frontends %v; want api, origin and blob", h.binds)
	}
}
