package origin

import (
	"context"
	"io"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/store"
)

// metaReader is what the origin reads from the metadata store: the
// locator and what it names, the account's endpoints and filters, and
// (through the built-in protection layer) the locator's content keys.
// store.Reader satisfies it.
type metaReader interface {
	Get(ctx context.Context, k store.Key) (*store.Resource, error)
	GetByID(ctx context.Context, kind store.Kind, id string) (*store.Resource, error)
	List(ctx context.Context, q store.ListQuery) ([]*store.Resource, error)
	ContentKeys(ctx context.Context, scope, locatorName string) ([]store.ContentKey, error)
}

// assetReader is what the origin reads from asset storage: listings,
// file versions and byte ranges. blob.Store satisfies it.
type assetReader interface {
	List(ctx context.Context, container, prefix string) ([]blob.Info, error)
	Stat(ctx context.Context, container, name string) (blob.Info, error)
	ReadRange(ctx context.Context, container, name string, off, n int64) (io.ReadCloser, error)
}

var (
	_ metaReader  = store.Reader(nil)
	_ assetReader = blob.Store(nil)
)
