package core_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/core"
	"github.com/lockstream/lockstream/internal/test/s3test"
)

// TestS3 runs nodes with --blob-driver s3 against one SeaweedFS server.
func TestS3(t *testing.T) {
	srv := s3test.Start(t)
	s3conf := func(t *testing.T, bucket string) conf.Conf {
		c := testConf(t, t.TempDir())
		c.Demo.Enabled = false
		c.Blob.Driver = "s3"
		c.Blob.S3.Endpoint = srv.Endpoint
		c.Blob.S3.Region = srv.Region
		c.Blob.S3.Bucket = bucket
		c.Blob.S3.PathStyle = true
		c.Blob.S3.AccessKeyID = srv.AccessKey
		c.Blob.S3.SecretAccessKey = conf.Secret(srv.SecretKey)
		c.Blob.SigningKey = "core-s3-test-signing-key-0123456789abcdef"
		return c
	}
	// The blob listener serves listContainerSas URLs over S3 with the
	// same Azure layout and client rewrites as the local driver.
	t.Run("ContainerSASAzureLayout", func(t *testing.T) {
		checkContainerSASLayout(t, s3conf(t, srv.NewBucket(t, "ls-core-")))
	})
	// A bucket that does not exist stops the node at start-up, named,
	// instead of failing uploads later.
	t.Run("BucketMissing", func(t *testing.T) {
		n := &core.Core{Conf: s3conf(t, "no-such-bucket-here"), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		err := n.Initialize(context.Background())
		if err == nil {
			_ = n.Close(context.Background())
		}
		if err == nil || !strings.Contains(err.Error(), "no-such-bucket-here") {
			t.Fatalf("Initialize with a missing bucket: %v; want an error naming it", err)
		}
	})
}
