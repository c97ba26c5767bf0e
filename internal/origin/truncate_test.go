package origin_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/httpx"
	"github.com/lockstream/lockstream/internal/test/mediatest"
	"github.com/lockstream/lockstream/internal/test/nodetest"
)

// truncatingBlob truncates a blob's file right after mapping it, as
// something outside the store could while a segment is being written:
// reading the mapping then faults (SIGBUS).
type truncatingBlob struct {
	pinnedBlob
	dir       string
	truncated atomic.Int32
}

func (b *truncatingBlob) MapRange(ctx context.Context, container, name string, off, n int64) ([]byte, func(), error) {
	data, release, err := b.pinnedBlob.MapRange(ctx, container, name, off, n)
	if err == nil && b.truncated.Add(1) == 1 {
		if terr := os.Truncate(filepath.Join(b.dir, container, name), 0); terr != nil {
			release()
			return nil, nil, terr
		}
	}
	return data, release, err
}

// TestMappedFileTruncatedUnderneath: a mapped file truncated while its
// segment is written makes that request fail (a 500 here, where nothing
// was sent yet, through the same Recover middleware the node uses), not
// the process; the next request is answered.
func TestMappedFileTruncatedUnderneath(t *testing.T) {
	set := mediatest.Ladder(t)
	n := nodetest.Start(t, slog.LevelWarn)
	nd := &node{t: t, core: n.Core, api: n.API, origin: n.Origin, acct: n.Account, token: n.Token(t)}
	nd.upload("trunc", set)
	p := nd.locator("trunc", "trunc", "Predefined_ClearStreamingOnly", nil)

	o := goldenOrigin(t, n, goldenMapped)
	tb := &truncatingBlob{pinnedBlob: o.Blob.(pinnedBlob), dir: filepath.Join(n.Conf.DataDir, "blobs")}
	o.Blob = tb
	var panics atomic.Int32
	srv := httptest.NewServer(httpx.Recover(slog.New(slog.DiscardHandler), func(w http.ResponseWriter, _ *http.Request) {
		panics.Add(1)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}, o))
	defer srv.Close()
	var seg string
	for _, u := range segmentURLs(t, nd, o, p.find(t, "Dash", "format=mpd-time-csf")) {
		if !strings.Contains(u, "=i,") {
			seg = u
			break
		}
	}
	must(t, seg != "", "no media segment URL")
	get := func(u string) (int, int64, []byte, error) {
		resp, err := http.Get(srv.URL + u)
		if err != nil {
			return 0, 0, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.ContentLength, b, err
	}
	// The status line was written before the samples: the connection is
	// aborted (the client sees no response, or fewer bytes than
	// Content-Length), the fault recovered, no error text appended to
	// the bytes sent.
	code, length, b, err := get(seg)
	must(t, panics.Load() == 0, "onPanic wrote into a started response")
	must(t, err != nil && int64(len(b)) < max(length, 1), "segment of a file truncated under its mapping: %d, %d of %d bytes, %v; want an aborted response", code, len(b), length, err)
	must(t, tb.truncated.Load() == 1, "the file was not truncated (MapRange called %d times)", tb.truncated.Load())
	// The origin is still there. The file now reads as shorter than the
	// (cached, pinned-version) sample table: an error, never the old bytes.
	code, length, b, err = get(seg)
	must(t, code >= 400 || err != nil, "after truncation: %d, %d of %d bytes", code, len(b), length)
	code, _, _, err = get(p.find(t, "Dash", "format=mpd-time-csf"))
	must(t, code == http.StatusOK && err == nil, "manifest after the fault: %d %v", code, err)
	var _ blob.Mapper = tb
}
