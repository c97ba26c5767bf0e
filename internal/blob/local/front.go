package local

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/blob/azfront"
)

const (
	// PathPrefix is the default Config.URLPrefix: where the server mounts
	// NewBlobHandler; signed URLs are PublicBaseURL + URLPrefix + container.
	PathPrefix = "/blob/"
	// MinSigningKeyBytes is the shortest accepted HMAC key (256 bits).
	MinSigningKeyBytes = azfront.MinKeyBytes
)

var errNoSigningKey = errors.New("local: no signing key configured")

// NewBlobHandler returns the signed-URL endpoint (package azfront) for
// URLs minted by store. Mount it at the store's URLPrefix on the server
// whose address is the store's PublicBaseURL:
//
//	mux.Handle(local.PathPrefix, local.NewBlobHandler(store, azfront.Options{}))
//
// or, with URLPrefix "/", serve it as the whole listener's handler.
//
// The signing key is the store's own (Config.SigningKey), so URLs and
// their verification cannot drift apart. opts bounds request sizes;
// opts.PathPrefix defaults to the store's URLPrefix and opts.Logger to
// the store's logger.
func NewBlobHandler(store *Store, opts azfront.Options) http.Handler {
	if opts.PathPrefix == "" {
		opts.PathPrefix = store.prefix
	}
	if opts.Logger == nil {
		opts.Logger = store.log
	}
	return azfront.NewHandler(store, store.sig, opts)
}

// SignedContainerURL returns
// {PublicBaseURL}{URLPrefix}{container}?sv=…&se=…&sp=…&sr=c&sig=…, which the
// Azure SDK's container.NewClientWithNoCredential accepts as is. The expiry
// is not checked against the clock so callers (and tests) can mint
// already-expired URLs; the handler rejects those.
func (s *Store) SignedContainerURL(ctx context.Context, container string, perm blob.Permission, expiry time.Time) (string, error) {
	if err := blob.ValidateContainer(container); err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if s.sig == nil {
		return "", errNoSigningKey
	}
	if s.baseURL == "" {
		return "", errors.New("local: signed url: PublicBaseURL is not configured")
	}
	return s.sig.Sign(ctx, container, perm, expiry)
}
