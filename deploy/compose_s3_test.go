package deploy_test

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"testing"

	s3store "github.com/lockstream/lockstream/internal/blob/s3"
	"github.com/lockstream/lockstream/internal/test/s3test"
)

// TestComposeS3 runs SeaweedFS the way compose.yaml does (weed mini with
// its arguments and mounted S3 identities, on loopback ports) and opens
// the nodes' S3 settings against it: the bucket compose creates exists
// and the nodes' keys can write and read it.
func TestComposeS3(t *testing.T) {
	c := readCompose(t)
	sw := c.Services["seaweedfs"]
	if len(sw.Command) == 0 || sw.Command[0] != "mini" {
		t.Fatalf("seaweedfs command %q: want weed mini", sw.Command)
	}
	// Container paths of mounted files become the host paths.
	mounts := map[string]string{}
	for _, v := range sw.Volumes {
		parts := strings.Split(v, ":")
		if len(parts) >= 2 && strings.HasPrefix(parts[0], "./") {
			abs, err := filepath.Abs(filepath.Join("..", parts[0]))
			if err != nil {
				t.Fatal(err)
			}
			mounts[parts[1]] = abs
		}
	}
	var args []string
	for _, a := range sw.Command[1:] {
		if k, v, ok := strings.Cut(a, "="); ok && mounts[v] != "" {
			a = k + "=" + mounts[v]
		}
		args = append(args, a)
	}
	node := loadConf(t, "compose lockstream-1", c.Services["lockstream-1"].Environment, nil)
	s3c := node.Blob.S3
	srv := s3test.StartMini(t, s3c.AccessKeyID, s3c.SecretAccessKey.Reveal(), args...)
	st, err := s3store.New(t.Context(), s3store.Config{
		Endpoint: srv.Endpoint, Region: s3c.Region, Bucket: s3c.Bucket, PathStyle: s3c.PathStyle,
		BucketPerContainer: s3c.BucketPerContainer, BucketPrefix: s3c.BucketPrefix,
		AccessKeyID: s3c.AccessKeyID, SecretAccessKey: s3c.SecretAccessKey.Reveal(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Initialize(t.Context()); err != nil {
		t.Fatalf("the nodes' S3 settings against compose's SeaweedFS: %v", err)
	}
	if err := st.CreateContainer(t.Context(), "compose-check"); err != nil {
		t.Fatal(err)
	}
	if err := st.Write(t.Context(), "compose-check", "x.txt", strings.NewReader("written"), 7, "text/plain"); err != nil {
		t.Fatalf("write with the nodes' keys: %v", err)
	}
	rc, err := st.ReadRange(t.Context(), "compose-check", "x.txt", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	_ = rc.Close()
	if !bytes.Equal(b, []byte("written")) {
		t.Errorf("read back %q", b)
	}
}
