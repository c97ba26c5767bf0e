package s3_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/blob/azfront"
	"github.com/lockstream/lockstream/internal/blob/blobtest"
	s3store "github.com/lockstream/lockstream/internal/blob/s3"
	"github.com/lockstream/lockstream/internal/test/s3test"
)

var testKey = []byte("0123456789abcdef0123456789abcdef-test-only")

// newServed returns a Store on srv whose signed container URLs point at a
// running azfront handler over it, as the node mounts it.
func newServed(t *testing.T, srv *s3test.Server, cfg s3store.Config) *s3store.Store {
	t.Helper()
	hs := httptest.NewUnstartedServer(nil)
	sig, err := azfront.NewSigner(testKey, "http://"+hs.Listener.Addr().String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Endpoint, cfg.Region, cfg.PathStyle = srv.Endpoint, srv.Region, true
	cfg.AccessKeyID, cfg.SecretAccessKey = srv.AccessKey, srv.SecretKey
	cfg.SignURL = sig.Sign
	st, err := s3store.New(t.Context(), cfg)
	if err != nil {
		t.Fatalf("s3.New: %v", err)
	}
	if err := st.Initialize(t.Context()); err != nil {
		t.Fatalf("Initialize: %v", err)
	}
	hs.Config.Handler = azfront.NewHandler(st, sig, azfront.Options{})
	hs.Start()
	t.Cleanup(hs.Close)
	return st
}

// TestS3 runs the shared suite in both layouts and the S3-specific tests
// against one SeaweedFS server; every subtest gets a fresh bucket.
func TestS3(t *testing.T) {
	srv := s3test.Start(t)
	t.Run("MultipartWrite", func(t *testing.T) { testMultipartWrite(t, srv) })
	t.Run("BlockListAcrossNodes", func(t *testing.T) { testBlockListAcrossNodes(t, srv) })
	t.Run("PresignedURLs", func(t *testing.T) { testPresignedURLs(t, srv) })
	t.Run("CleanupStaging", func(t *testing.T) { testCleanupStaging(t, srv) })
	t.Run("ReadRangeVersion", func(t *testing.T) { testReadRangeVersion(t, srv) })
	t.Run("OneBucket", func(t *testing.T) {
		blobtest.Run(t, func(t *testing.T) blob.Store {
			// A small part size so Write exercises multipart uploads.
			return newServed(t, srv, s3store.Config{Bucket: srv.NewBucket(t, "ls-"), PartSize: 5 << 20})
		})
	})
	t.Run("BucketPerContainer", func(t *testing.T) {
		blobtest.Run(t, func(t *testing.T) blob.Store {
			return newServed(t, srv, s3store.Config{Bucket: srv.NewBucket(t, "ls-sys-"), BucketPerContainer: true, BucketPrefix: "lsc-"})
		})
	})
}

func TestNewValidatesConfig(t *testing.T) {
	for _, cfg := range []s3store.Config{
		{},
		{Bucket: "b", Endpoint: "ftp://x"},
		{Bucket: "b", AccessKeyID: "a"},
		{Bucket: "b", BucketPerContainer: true, BucketPrefix: "UPPER"},
		{Bucket: "b", PartSize: 1 << 20},
	} {
		if _, err := s3store.New(context.Background(), cfg); err == nil {
			t.Errorf("New(%+v) succeeded; want an error", cfg)
		}
	}
}

func TestSignedURLNeedsEndpoint(t *testing.T) {
	st, err := s3store.New(t.Context(), s3store.Config{Bucket: "b", AccessKeyID: "a", SecretAccessKey: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SignedContainerURL(t.Context(), "abc", blob.PermRead, time.Now().Add(time.Hour)); err == nil {
		t.Error("SignedContainerURL without SignURL succeeded")
	}
}
