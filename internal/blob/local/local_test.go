package local_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/blob/azfront"
	"github.com/lockstream/lockstream/internal/blob/blobtest"
	"github.com/lockstream/lockstream/internal/blob/local"
)

var testKey = []byte("0123456789abcdef0123456789abcdef-test-only")

// newServedStore returns a Store whose signed URLs point at a running
// handler, mounted the way the server mounts it.
func newServedStore(t *testing.T) (*local.Store, *httptest.Server) {
	t.Helper()
	return newServedStoreAt(t, t.TempDir())
}

// newServedStoreAt is newServedStore over the directory root.
func newServedStoreAt(t *testing.T, root string) (*local.Store, *httptest.Server) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	st, err := local.New(local.Config{
		Root:          root,
		PublicBaseURL: "http://" + srv.Listener.Addr().String(),
		SigningKey:    testKey,
	})
	if err != nil {
		t.Fatalf("local.New: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle(local.PathPrefix, local.NewBlobHandler(st, azfront.Options{}))
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		_ = st.Close()
	})
	return st, srv
}

func TestConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		st, _ := newServedStore(t)
		return st
	})
}
