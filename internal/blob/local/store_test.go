package local_test

import (
	"bytes"
	"context" //nolint:gosec // Azure's Content-MD5
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/blob/local"
)

func TestStoreDetails(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	now := time.Now()
	st, err := local.New(local.Config{Root: root, SigningKey: testKey, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	if err = st.CreateContainer(ctx, "media"); err != nil {
		t.Fatal(err)
	}

	// Names that cannot coexist on a file system.
	if err = st.Write(ctx, "media", "a", strings.NewReader("x"), 1, ""); err != nil {
		t.Fatal(err)
	}
	if err = st.Write(ctx, "media", "a/b", strings.NewReader("x"), 1, ""); !errors.Is(err, local.ErrNameConflict) || !errors.Is(err, blob.ErrInvalidName) {
		t.Errorf("Write a/b over blob a: %v; want ErrNameConflict", err)
	}
	if err = st.Write(ctx, "media", "d/e", strings.NewReader("x"), 1, ""); err != nil {
		t.Fatal(err)
	}
	if err = st.Write(ctx, "media", "d", strings.NewReader("x"), 1, ""); !errors.Is(err, local.ErrNameConflict) {
		t.Errorf("Write d over prefix d/: %v; want ErrNameConflict", err)
	}

	// A file replaced behind the store's back keeps no stale metadata: the
	// content type falls back to the extension.
	if err = st.Write(ctx, "media", "v/master.m3u8", strings.NewReader("#EXTM3U"), -1, "text/plain"); err != nil {
		t.Fatal(err)
	}
	if info, _ := st.Stat(ctx, "media", "v/master.m3u8"); info.ContentType != "text/plain" {
		t.Errorf("content type %q; want the stored text/plain", info.ContentType)
	}
	p := filepath.Join(root, "media", "v", "master.m3u8")
	if err = os.WriteFile(p+".new", []byte("#EXTM3U\n#changed"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err = os.Rename(p+".new", p); err != nil {
		t.Fatal(err)
	}
	if info, _ := st.Stat(ctx, "media", "v/master.m3u8"); info.ContentType != "application/vnd.apple.mpegurl" || info.Size != 16 {
		t.Errorf("after an out-of-band replace: %+v; want inferred type and new size", info)
	}

	// Symlinks left in a container are neither listed nor followed out.
	if err = os.Symlink("/etc/passwd", filepath.Join(root, "media", "link")); err != nil {
		t.Fatal(err)
	}
	l, err := st.List(ctx, "media", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range l {
		if i.Name == "link" {
			t.Error("List includes a symlink")
		}
	}
	if _, err := st.ReadRange(ctx, "media", "link", 0, -1); err == nil {
		t.Error("ReadRange followed a symlink out of the root")
	}

	// Signing needs a PublicBaseURL; short keys are refused.
	if _, err := st.SignedContainerURL(ctx, "media", blob.PermRead, now.Add(time.Hour)); err == nil {
		t.Error("SignedContainerURL without PublicBaseURL succeeded")
	}
	if _, err := local.New(local.Config{Root: t.TempDir(), SigningKey: []byte("short")}); err == nil {
		t.Error("New accepted a short signing key")
	}
	if _, err := st.SignedContainerURL(ctx, "media", "Everything", now.Add(time.Hour)); err == nil {
		t.Error("SignedContainerURL accepted an unknown permission")
	}
}

// stager stages blocks through the blob endpoint of a served store, as
// an SDK upload does.
type stager struct {
	t    *testing.T
	root string
	st   *local.Store
	c    string
	sas  string // signed container URL
}

func newStager(t *testing.T) *stager {
	t.Helper()
	root := t.TempDir()
	st, _ := newServedStoreAt(t, root)
	f := &stager{t: t, root: root, st: st, c: "media"}
	if err := st.CreateContainer(context.Background(), f.c); err != nil {
		t.Fatal(err)
	}
	u, err := st.SignedContainerURL(context.Background(), f.c, blob.PermReadWrite, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	f.sas = u
	return f
}

// putBlock sends Put Block for blob name and returns the status.
func (f *stager) putBlock(name, blockID string, body []byte) int {
	f.t.Helper()
	base, query, _ := strings.Cut(f.sas, "?")
	req, err := http.NewRequestWithContext(f.t.Context(), http.MethodPut, base+"/"+name+"?"+query+"&comp=block&blockid="+blockID, bytes.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

func TestCleanupStaging(t *testing.T) {
	f := newStager(t)
	id := url.QueryEscape(base64.StdEncoding.EncodeToString([]byte("blk")))
	if code := f.putBlock("abandoned", id, []byte("data")); code != http.StatusCreated {
		t.Fatalf("Put Block: %d", code)
	}
	staged := func() int {
		n := 0
		_ = filepath.WalkDir(filepath.Join(f.root, ".lockstream", "blocks"), func(_ string, d os.DirEntry, _ error) error {
			if d != nil && !d.IsDir() {
				n++
			}
			return nil
		})
		return n
	}
	if staged() != 1 {
		t.Fatalf("staged blocks = %d; want 1", staged())
	}
	if err := f.st.CleanupStaging(context.Background(), time.Hour); err != nil || staged() != 1 {
		t.Fatalf("fresh upload removed: %v, %d left", err, staged())
	}
	if err := f.st.CleanupStaging(context.Background(), -time.Hour); err != nil || staged() != 0 {
		t.Fatalf("abandoned upload kept: %v, %d left", err, staged())
	}
	// Deleting the container removes everything it owned.
	if code := f.putBlock("abandoned", id, []byte("data")); code != http.StatusCreated {
		t.Fatalf("Put Block: %d", code)
	}
	if err := f.st.DeleteContainer(context.Background(), f.c); err != nil {
		t.Fatal(err)
	}
	if staged() != 0 {
		t.Error("DeleteContainer left staged blocks")
	}
	for _, d := range []string{"media", ".lockstream/meta/media", ".lockstream/trash"} {
		entries, _ := os.ReadDir(filepath.Join(f.root, d))
		if len(entries) != 0 {
			t.Errorf("%s not empty after DeleteContainer", d)
		}
	}
}
