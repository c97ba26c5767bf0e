package core

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/blob/azfront"
	"github.com/lockstream/lockstream/internal/blob/azure"
	"github.com/lockstream/lockstream/internal/blob/local"
	s3store "github.com/lockstream/lockstream/internal/blob/s3"
	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/identity"
	"github.com/lockstream/lockstream/internal/store"
	"github.com/lockstream/lockstream/internal/store/postgres"
	"github.com/lockstream/lockstream/internal/store/sqlite"
)

// openStore opens the configured metadata store.
func openStore(ctx context.Context, c *conf.Conf) (store.Store, error) {
	switch c.Store.Driver {
	case "postgres":
		st, err := postgres.Open(ctx, c.Store.DSN.Reveal())
		if err != nil {
			return nil, fmt.Errorf("open postgres store: %w", err)
		}
		return st, nil
	default:
		path := c.Store.DSN.Reveal()
		if path == "" {
			path = filepath.Join(c.DataDir, "lockstream.db")
		}
		st, err := sqlite.Open(ctx, path)
		if err != nil {
			return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
		}
		return st, nil
	}
}

// openBlob opens the configured asset storage. blobURL is where the local
// backend's signed-URL endpoint (its own listener, containers at the
// root) is reachable; "" on nodes without one.
func openBlob(c *conf.Conf, blobURL string, log *slog.Logger) (blob.Store, error) {
	switch c.Blob.Driver {
	case "azure":
		st, err := azure.New(azure.Config{
			ServiceURL:  c.Blob.Azure.ServiceURL,
			AccountName: c.Blob.Azure.AccountName,
			AccountKey:  c.Blob.Azure.AccountKey.Reveal(),
		})
		if err != nil {
			return nil, fmt.Errorf("open azure blob store: %w", err)
		}
		return st, nil
	case "s3":
		return openS3(c, blobURL, log)
	default:
		dir := c.Blob.Dir
		if dir == "" {
			dir = filepath.Join(c.DataDir, "blobs")
		}
		key, err := blobSigningKey(c)
		if err != nil {
			return nil, err
		}
		st, err := local.New(local.Config{Root: dir, PublicBaseURL: blobURL, URLPrefix: "/", SigningKey: key, Logger: log.With("component", "blob")})
		if err != nil {
			return nil, fmt.Errorf("open local blob store %s: %w", dir, err)
		}
		return st, nil
	}
}

// blobHandler returns the signed-URL endpoint of the local or s3 backend
// mounted at prefix, or nil. The s3 backend's endpoint (package azfront)
// only has Azure's layout, at the root of the blob listener.
func (c *Core) blobHandler(prefix string) http.Handler {
	switch st := c.blob.(type) {
	case *local.Store:
		return local.NewBlobHandler(st, azfront.Options{PathPrefix: prefix})
	case *s3store.Store:
		if prefix != "/" {
			return nil
		}
		sig, err := s3Signer(&c.Conf, c.blobURL)
		if err != nil {
			// openS3 built the same signer before the handlers exist.
			c.Log.Error("s3 blob endpoint", "err", err)
			return nil
		}
		return azfront.NewHandler(st, sig, azfront.Options{Logger: c.Log.With("component", "blob")})
	}
	return nil
}

// s3Signer is the signer of the s3 backend's blob endpoint: the node's
// blob signing key, the blob listener's public URL.
func s3Signer(c *conf.Conf, blobURL string) (*azfront.Signer, error) {
	key, err := blobSigningKey(c)
	if err != nil {
		return nil, err
	}
	return azfront.NewSigner(key, blobURL, nil)
}

// openS3 opens the s3 backend and checks its bucket. Signed container
// URLs are the node's own blob endpoint's, so nodes behind one load
// balancer must share blob.signingKey; without it each node generates
// its own and URLs minted on one fail on another.
func openS3(c *conf.Conf, blobURL string, log *slog.Logger) (blob.Store, error) {
	cfg := s3store.Config{
		Endpoint:           c.Blob.S3.Endpoint,
		Region:             c.Blob.S3.Region,
		Bucket:             c.Blob.S3.Bucket,
		BucketPerContainer: c.Blob.S3.BucketPerContainer,
		BucketPrefix:       c.Blob.S3.BucketPrefix,
		PathStyle:          c.Blob.S3.PathStyle,
		AccessKeyID:        c.Blob.S3.AccessKeyID,
		SecretAccessKey:    c.Blob.S3.SecretAccessKey.Reveal(),
		PartSize:           int64(c.Blob.S3.PartSizeMB) << 20,
		Logger:             log.With("component", "blob"),
	}
	if blobURL != "" {
		sig, err := s3Signer(c, blobURL)
		if err != nil {
			return nil, fmt.Errorf("s3 blob endpoint: %w", err)
		}
		cfg.SignURL = sig.Sign
		if c.Blob.SigningKey == "" {
			log.Warn("blob.driver=s3 without blob.signingKey: signed container URLs verify only on this node; set the same key on every node behind a load balancer")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := s3store.New(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open s3 blob store: %w", err)
	}
	if err := st.Initialize(ctx); err != nil {
		return nil, fmt.Errorf("open s3 blob store: %w", err)
	}
	return st, nil
}

// blobSigningKey returns the configured key or one generated and kept in
// the data dir, so signed URLs survive restarts.
func blobSigningKey(c *conf.Conf) ([]byte, error) {
	if c.Blob.SigningKey != "" {
		return []byte(c.Blob.SigningKey.Reveal()), nil
	}
	path := filepath.Join(c.DataDir, "blob-signing-key")
	b, err := os.ReadFile(path)
	if err == nil {
		k, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(k) < 32 {
			return nil, fmt.Errorf("blob signing key file %s is corrupt; delete it to generate a new one", path)
		}
		return k, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read blob signing key: %w", err)
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("generate blob signing key: %w", err)
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(k)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write blob signing key: %w", err)
	}
	return k, nil
}

// Rewrap re-seals every secret in the configured store under the primary
// KEK; the previous KEKs must be configured so old blobs can be opened.
func Rewrap(ctx context.Context, c conf.Conf) (int, error) {
	ring, err := openKeyring(&c)
	if err != nil {
		return 0, err
	}
	st, err := openStore(ctx, &c)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	return store.Rewrap(ctx, st, ring, ring, 200)
}

// OpenIdentity opens the configured store and the identity service for
// offline administration (the sp and role commands). Call the returned
// close function when done.
func OpenIdentity(ctx context.Context, c conf.Conf) (*identity.Service, func() error, error) {
	ring, err := openKeyring(&c)
	if err != nil {
		return nil, nil, err
	}
	st, err := openStore(ctx, &c)
	if err != nil {
		return nil, nil, err
	}
	svc, err := identity.New(identity.Config{Store: st, Sealer: ring, Log: slog.New(slog.DiscardHandler),
		TenantID: c.Identity.TenantID, Audience: c.Identity.Audience, TokenLifetime: c.Identity.TokenLifetime.Std(),
		Keys: identity.KeyConfig{Lifetime: c.Identity.KeyLifetime.Std()}})
	if err != nil {
		_ = st.Close()
		return nil, nil, fmt.Errorf("identity: %w", err)
	}
	return svc, st.Close, nil
}
