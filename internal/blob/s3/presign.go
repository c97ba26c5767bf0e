package s3

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/lockstream/lockstream/internal/blob"
)

// Op is what a presigned S3 URL allows: one HTTP request shape.
type Op string

// Presignable operations.
const (
	OpRead   Op = "read"   // GET object
	OpWrite  Op = "write"  // PUT object (one request, up to 5 GiB)
	OpDelete Op = "delete" // DELETE object
	OpList   Op = "list"   // GET bucket ?list-type=2 (ListObjectsV2), limited to the container
)

// OpsFor maps an AMS permission to the S3 operations it allows, as the
// SAS letters do: Read → read, list; ReadWrite → also write;
// ReadWriteDelete → also delete.
func OpsFor(p blob.Permission) ([]Op, error) {
	switch p {
	case blob.PermRead:
		return []Op{OpRead, OpList}, nil
	case blob.PermReadWrite:
		return []Op{OpRead, OpList, OpWrite}, nil
	case blob.PermReadWriteDelete:
		return []Op{OpRead, OpList, OpWrite, OpDelete}, nil
	}
	return nil, fmt.Errorf("s3: unknown permission %q", p)
}

// PresignedURL returns a plain S3 presigned URL (SigV4, query-signed) for
// op on one blob of the container (name is ignored for OpList, which
// lists the container's keys), valid until expiry (at most 7 days, the
// SigV4 limit). These are for operators who give clients direct S3
// access; listContainerSas returns the Azure-compatible URL of
// SignedContainerURL. In the one-bucket layout keys carry the container
// prefix ("{container}/{name}"), so a client listing must strip it.
func (s *Store) PresignedURL(ctx context.Context, container, name string, op Op, expiry time.Time) (string, error) {
	if err := blob.ValidateContainer(container); err != nil {
		return "", err
	}
	if op != OpList {
		if err := blob.ValidateName(name); err != nil {
			return "", err
		}
	}
	now := s.now().UTC()
	ttl := expiry.Sub(now).Truncate(time.Second)
	if ttl < time.Second || ttl > maxPresignExpiry {
		return "", fmt.Errorf("s3: presign: expiry must be between 1s and %s from now", maxPresignExpiry)
	}
	cl := s.containerLoc(container)
	method, key := http.MethodGet, cl.key+name
	q := url.Values{}
	switch op {
	case OpRead:
	case OpWrite:
		method = http.MethodPut
	case OpDelete:
		method = http.MethodDelete
	case OpList:
		key = ""
		q.Set("list-type", "2")
		if cl.key != "" {
			q.Set("prefix", cl.key)
		}
	default:
		return "", fmt.Errorf("s3: presign: unknown operation %q", op)
	}
	u, err := s.objectURL(cl.bucket, key)
	if err != nil {
		return "", err
	}
	q.Set("X-Amz-Expires", strconv.FormatInt(int64(ttl/time.Second), 10))
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return "", fmt.Errorf("s3: presign: %w", err)
	}
	creds, err := s.client.Options().Credentials.Retrieve(ctx)
	if err != nil {
		return "", fmt.Errorf("s3: presign: credentials: %w", err)
	}
	signed, _, err := v4.NewSigner().PresignHTTP(ctx, creds, req, "UNSIGNED-PAYLOAD", "s3", s.cfg.Region, now,
		func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err != nil {
		return "", fmt.Errorf("s3: presign: %w", err)
	}
	return signed, nil
}

// objectURL is the URL of key in bucket on the configured endpoint.
func (s *Store) objectURL(bucket, key string) (*url.URL, error) {
	base := s.cfg.Endpoint
	if base == "" {
		base = "https://s3." + s.cfg.Region + ".amazonaws.com"
	}
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil {
		return nil, fmt.Errorf("s3: presign: endpoint: %w", err)
	}
	if s.cfg.PathStyle {
		u.Path += "/" + bucket + "/" + key
	} else {
		u.Host = bucket + "." + u.Host
		u.Path += "/" + key
	}
	return u, nil
}
