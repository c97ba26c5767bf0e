package s3

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lockstream/lockstream/internal/blob"
)

// Config configures the S3 backend.
type Config struct {
	// Endpoint is the S3 API base URL, e.g. "http://127.0.0.1:8333" for
	// SeaweedFS; empty means AWS's regional endpoint.
	Endpoint string
	// Region signs requests (SigV4); S3-compatible servers mostly accept
	// any, "us-east-1" is the usual choice.
	Region string
	// Bucket holds every container in the one-bucket layout; with
	// BucketPerContainer it holds only Lockstream's private objects.
	// It must exist.
	Bucket string
	// BucketPerContainer maps container c to bucket BucketPrefix+c
	// (created by CreateContainer); otherwise containers are key prefixes
	// in Bucket.
	BucketPerContainer bool
	BucketPrefix       string
	// PathStyle addresses buckets as {endpoint}/{bucket} instead of
	// {bucket}.{endpoint}; most self-hosted servers need it.
	PathStyle bool
	// AccessKeyID and SecretAccessKey (and an optional SessionToken) are
	// static credentials; empty means the SDK's default chain
	// (AWS_ACCESS_KEY_ID…, shared config files, web identity, ECS/EC2
	// roles).
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	// PartSize is the multipart part size of Write and the size from which
	// it switches to multipart (default 8 MiB, minimum 5 MiB).
	PartSize int64
	// Concurrency bounds parallel part uploads of one Write (default 2);
	// Write buffers at most PartSize × Concurrency.
	Concurrency int
	// SignURL mints the signed container URL of Lockstream's
	// Azure-compatible blob endpoint that serves this store (see package
	// azfront). Nil makes SignedContainerURL fail.
	SignURL func(ctx context.Context, container string, perm blob.Permission, expiry time.Time) (string, error)
	// HTTPClient overrides the SDK's HTTP client (nil: the SDK default).
	HTTPClient *http.Client
	Logger     *slog.Logger
	// Now is the clock of presigned URLs and staging cleanup (nil:
	// time.Now); tests inject one.
	Now func() time.Time
}

const (
	defaultPartSize    = 8 << 20
	defaultConcurrency = 2
	// maxPresignExpiry is SigV4's limit on presigned URLs.
	maxPresignExpiry = 7 * 24 * time.Hour
)

// Store is a blob.Store on S3.
type Store struct {
	cfg     Config
	client  *s3.Client
	presign *s3.PresignClient
	// The upload manager is marked deprecated in favour of
	// feature/s3/transfermanager, which is not yet at a stable release in
	// the pinned SDK set; it is what the SDK still documents for
	// multipart uploads of streams of unknown size.
	up  *manager.Uploader //nolint:staticcheck // see above
	log *slog.Logger
	now func() time.Time
}

var _ blob.Store = (*Store)(nil)

// New checks cfg and builds the client. It does not contact the server;
// Initialize does.
func New(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("s3: config: Bucket is required")
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Endpoint != "" {
		u, err := url.Parse(cfg.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("s3: config: Endpoint %q is not an http(s) URL", cfg.Endpoint)
		}
	}
	if (cfg.AccessKeyID == "") != (cfg.SecretAccessKey == "") {
		return nil, errors.New("s3: config: AccessKeyID and SecretAccessKey must be set together")
	}
	if cfg.BucketPerContainer {
		// The longest container (63) must still give a valid bucket name.
		if err := validBucket(cfg.BucketPrefix + "abc"); err != nil || len(cfg.BucketPrefix) > 60 {
			return nil, fmt.Errorf("s3: config: BucketPrefix %q cannot prefix bucket names", cfg.BucketPrefix)
		}
	}
	if cfg.PartSize == 0 {
		cfg.PartSize = defaultPartSize
	}
	if cfg.PartSize < manager.MinUploadPartSize {
		return nil, fmt.Errorf("s3: config: PartSize must be at least %d", manager.MinUploadPartSize)
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = defaultConcurrency
	}
	opts := []func(*awsconfig.LoadOptions) error{awsconfig.WithRegion(cfg.Region)}
	if cfg.AccessKeyID != "" {
		opts = append(opts, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, cfg.SessionToken)))
	}
	if cfg.HTTPClient != nil {
		opts = append(opts, awsconfig.WithHTTPClient(cfg.HTTPClient))
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("s3: load AWS config: %w", err)
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		o.UsePathStyle = cfg.PathStyle
		// Flexible checksums (CRC32 trailers) are not implemented by every
		// S3-compatible server; send them only where the API requires.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	s := &Store{
		cfg:     cfg,
		client:  client,
		presign: s3.NewPresignClient(client),
		log:     cfg.Logger,
		now:     time.Now,
	}
	if cfg.Now != nil {
		s.now = cfg.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	//nolint:staticcheck // see Store.up
	s.up = manager.NewUploader(client, func(u *manager.Uploader) {
		u.PartSize = cfg.PartSize
		u.Concurrency = cfg.Concurrency
		u.LeavePartsOnError = false
	})
	return s, nil
}

// Initialize checks that the configured bucket is reachable with the
// credentials, so a misconfiguration fails at start-up rather than on the
// first upload.
func (s *Store) Initialize(ctx context.Context) error {
	if _, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(s.cfg.Bucket)}); err != nil {
		return fmt.Errorf("s3: bucket %q: %w", s.cfg.Bucket, err)
	}
	return nil
}

// Close releases nothing; present for the lifecycle contract.
func (s *Store) Close() error { return nil }

// validBucket checks S3's bucket naming rules (the subset without dots:
// dotted names break virtual-host TLS).
func validBucket(b string) error {
	if len(b) < 3 || len(b) > 63 {
		return fmt.Errorf("%w: bucket %q: length must be 3-63", blob.ErrInvalidName, b)
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && i > 0 && i < len(b)-1:
		default:
			return fmt.Errorf("%w: bucket %q: only a-z, 0-9 and inner '-'", blob.ErrInvalidName, b)
		}
	}
	return nil
}
