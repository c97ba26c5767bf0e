package s3test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lockstream/lockstream/internal/test/proctest"
)

// Server is a running S3 server.
type Server struct {
	Endpoint  string // http://127.0.0.1:port
	Region    string
	AccessKey string
	SecretKey string
}

const (
	// startTimeout bounds start-up (master election, volume and filer
	// registration take a few seconds on a loaded machine).
	startTimeout = 90 * time.Second
	stopTimeout  = 10 * time.Second
)

// Start runs SeaweedFS on 127.0.0.1 and stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := findBinary()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v (CI=true: refusing to skip)", err)
		}
		t.Skipf("%v; skipping", err)
	}
	var lastErr error
	for range 3 {
		srv, err := launch(t, bin)
		if err == nil {
			return srv
		}
		lastErr = err
		if !errors.Is(err, errPortTaken) {
			break
		}
	}
	t.Fatalf("s3test: %v", lastErr)
	return nil
}

var errPortTaken = errors.New("port already in use")

func findBinary() (string, error) {
	if p := os.Getenv("LOCKSTREAM_WEED"); p != "" {
		return p, nil
	}
	if root, err := proctest.ModuleRoot(); err == nil {
		p := filepath.Join(root, ".bin", "weed")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	if p, err := exec.LookPath("weed"); err == nil {
		return p, nil
	}
	return "", errors.New("s3test: SeaweedFS (weed) not found in .bin/ nor on PATH; build it with scripts/test (or: cd tools/seaweedfs && go build -o ../../.bin/weed github.com/seaweedfs/seaweedfs/weed)")
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func launch(t testing.TB, bin string) (*Server, error) {
	t.Helper()
	p, err := proctest.FreePorts(8)
	if err != nil {
		return nil, fmt.Errorf("pick free ports: %w", err)
	}
	dir := t.TempDir()
	srv := &Server{
		Endpoint:  "http://127.0.0.1:" + strconv.Itoa(p[6]),
		Region:    "us-east-1",
		AccessKey: "lockstream" + randomHex(5),
		SecretKey: randomHex(20),
	}
	// One identity with every action: SeaweedFS refuses anonymous S3
	// requests once an identity is configured.
	ident := map[string]any{"identities": []any{map[string]any{
		"name":        "lockstream-test",
		"credentials": []any{map[string]string{"accessKey": srv.AccessKey, "secretKey": srv.SecretKey}},
		"actions":     []string{"Admin", "Read", "Write", "List", "Tagging"},
	}}}
	cfg, _ := json.Marshal(ident)
	cfgPath := filepath.Join(dir, "s3.json")
	if err := os.WriteFile(cfgPath, cfg, 0o600); err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o700); err != nil {
		return nil, err
	}
	// Every bucket is a SeaweedFS collection with volumes of its own, so
	// volumes are kept small and plenty (sparse files, nothing is
	// preallocated).
	args := []string{"server",
		"-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-dir=" + data,
		"-master.port=" + strconv.Itoa(p[0]), "-master.port.grpc=" + strconv.Itoa(p[1]),
		"-master.volumeSizeLimitMB=32", "-master.telemetry=false",
		"-volume.port=" + strconv.Itoa(p[2]), "-volume.port.grpc=" + strconv.Itoa(p[3]), "-volume.max=1000",
		"-filer", "-filer.port=" + strconv.Itoa(p[4]), "-filer.port.grpc=" + strconv.Itoa(p[5]),
		"-s3", "-s3.port=" + strconv.Itoa(p[6]), "-s3.port.grpc=" + strconv.Itoa(p[7]),
		"-s3.config=" + cfgPath, "-s3.autoCreateBucket=false",
		"-s3.port.iceberg=0", "-s3.port.lance=0",
	}
	// Ready when an authenticated request gets through to the filer:
	// creating and deleting a probe bucket exercises master, volume,
	// filer and gateway together.
	probe := func(ctx context.Context, client *s3.Client) error {
		b := "probe-" + randomHex(4)
		if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			return err
		}
		_, _ = client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(b)})
		return nil
	}
	return run(t, bin, args, dir, srv, probe)
}

// StartMini runs `weed mini` with args (as a deployment passes them, for
// instance compose.yaml's; a -dir among them is replaced by a temporary
// directory) on 127.0.0.1, every port moved to a free one, and returns it
// with the given credentials, which args' S3 configuration must hold. It
// is ready once those credentials can list buckets and the buckets -bucket
// names exist.
func StartMini(t testing.TB, accessKey, secretKey string, args ...string) *Server {
	t.Helper()
	bin, err := findBinary()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v (CI=true: refusing to skip)", err)
		}
		t.Skipf("%v; skipping", err)
	}
	p, err := proctest.FreePorts(11)
	if err != nil {
		t.Fatalf("s3test: pick free ports: %v", err)
	}
	dir := t.TempDir()
	full := []string{"mini", "-dir=" + filepath.Join(dir, "data")}
	for _, a := range args {
		if !strings.HasPrefix(a, "-dir=") {
			full = append(full, a)
		}
	}
	full = append(full, "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
		"-master.port="+strconv.Itoa(p[0]), "-master.port.grpc="+strconv.Itoa(p[1]),
		"-volume.port="+strconv.Itoa(p[2]), "-volume.port.grpc="+strconv.Itoa(p[3]),
		"-filer.port="+strconv.Itoa(p[4]), "-filer.port.grpc="+strconv.Itoa(p[5]),
		"-s3.port="+strconv.Itoa(p[6]), "-s3.port.grpc="+strconv.Itoa(p[7]),
		"-s3.port.iceberg=0", "-s3.port.lance=0", "-webdav=false", "-admin.ui=false",
		"-admin.port="+strconv.Itoa(p[8]), "-admin.port.grpc="+strconv.Itoa(p[9]), "-admin.port.legacy=0",
		"-debug.port="+strconv.Itoa(p[10]))
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	srv := &Server{Endpoint: "http://127.0.0.1:" + strconv.Itoa(p[6]), Region: "us-east-1", AccessKey: accessKey, SecretKey: secretKey}
	// Buckets named by -bucket are created once the gateway is up; wait
	// for them too, so callers see the state the deployment promises.
	var want []string
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "-bucket="); ok {
			want = append(want, strings.Split(v, ",")...)
		}
	}
	probe := func(ctx context.Context, client *s3.Client) error {
		out, err := client.ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil {
			return err
		}
		have := map[string]bool{}
		for _, b := range out.Buckets {
			have[aws.ToString(b.Name)] = true
		}
		for _, b := range want {
			if !have[b] {
				return fmt.Errorf("bucket %q not created yet", b)
			}
		}
		return nil
	}
	s, err := run(t, bin, full, dir, srv, probe)
	if err != nil {
		t.Fatalf("s3test: %v", err)
	}
	return s
}

// run starts bin with args and waits until probe succeeds with srv's
// credentials; the process is stopped when the test ends.
func run(t testing.TB, bin string, args []string, dir string, srv *Server, probe func(context.Context, *s3.Client) error) (*Server, error) {
	t.Helper()
	proc, err := proctest.Start(bin, args, dir)
	if err != nil {
		return nil, err
	}
	client := srv.Client()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	err = proc.WaitReady(ctx, 200*time.Millisecond, func(ctx context.Context) error {
		pctx, pcancel := context.WithTimeout(ctx, 5*time.Second)
		defer pcancel()
		return probe(pctx, client)
	})
	switch {
	case err == nil:
		t.Cleanup(func() {
			proc.Stop(stopTimeout)
			if t.Failed() {
				t.Logf("s3test: SeaweedFS output (tail):\n%s", tail(proc.Output()))
			}
		})
		return srv, nil
	case errors.Is(err, proctest.ErrExited):
		if strings.Contains(proc.Output(), "address already in use") {
			return nil, errPortTaken
		}
		return nil, fmt.Errorf("%s exited before serving S3; output:\n%s", bin, tail(proc.Output()))
	default:
		proc.Stop(stopTimeout)
		return nil, fmt.Errorf("%s did not serve S3 on %s within %s (%w); output:\n%s", bin, srv.Endpoint, startTimeout, err, tail(proc.Output()))
	}
}

func tail(s string) string {
	if len(s) > 8000 {
		return "…" + s[len(s)-8000:]
	}
	return s
}

// Client returns an SDK client for the server (path-style, static keys).
func (s *Server) Client() *s3.Client {
	return s3.New(s3.Options{
		Region:                     s.Region,
		BaseEndpoint:               aws.String(s.Endpoint),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		HTTPClient:                 &http.Client{Timeout: time.Minute},
	})
}

// NewBucket creates a uniquely named bucket (prefix + random) and
// returns its name.
func (s *Server) NewBucket(t testing.TB, prefix string) string {
	t.Helper()
	b := prefix + randomHex(5)
	if _, err := s.Client().CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
		t.Fatalf("s3test: create bucket %q: %v", b, err)
	}
	return b
}
