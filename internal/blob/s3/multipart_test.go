package s3_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/blob/azfront"
	s3store "github.com/lockstream/lockstream/internal/blob/s3"
	"github.com/lockstream/lockstream/internal/test/s3test"
)

func randBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func readAll(t *testing.T, st blob.Store, c, name string) []byte {
	t.Helper()
	rc, err := st.ReadRange(t.Context(), c, name, 0, -1)
	if err != nil {
		t.Fatalf("ReadRange(%q): %v", name, err)
	}
	defer func() { _ = rc.Close() }()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %q: %v", name, err)
	}
	return b
}

// failAfter yields n random bytes, then fails like a dropped client.
type failAfter struct{ n int }

func (f *failAfter) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errors.New("simulated upload failure")
	}
	k := min(len(p), f.n)
	_, _ = rand.Read(p[:k])
	f.n -= k
	return k, nil
}

// testMultipartWrite writes a blob larger than the part size: the upload
// must be a multipart upload (S3's ETag of a completed multipart upload
// ends in "-<parts>"), read back intact, ranged reads across part
// boundaries included; a failing large write leaves the old version and
// no pending multipart upload behind.
func testMultipartWrite(t *testing.T, srv *s3test.Server) {
	bucket := srv.NewBucket(t, "ls-mp-")
	st := newServed(t, srv, s3store.Config{Bucket: bucket, PartSize: 5 << 20})
	ctx := t.Context()
	if err := st.CreateContainer(ctx, "big"); err != nil {
		t.Fatal(err)
	}
	data := randBytes(t, 12<<20+777)
	if err := st.Write(ctx, "big", "out/video.mp4", bytes.NewReader(data), -1, "video/mp4"); err != nil {
		t.Fatalf("Write 12 MiB: %v", err)
	}
	info, err := st.Stat(ctx, "big", "out/video.mp4")
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != int64(len(data)) || !strings.HasSuffix(strings.Trim(info.ETag, `"`), "-3") {
		t.Errorf("Stat = %+v; want size %d and a 3-part multipart ETag", info, len(data))
	}
	if got := readAll(t, st, "big", "out/video.mp4"); !bytes.Equal(got, data) {
		t.Fatal("multipart blob read back differs")
	}
	rc, err := st.ReadRange(ctx, "big", "out/video.mp4", 5<<20-10, 20)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	_ = rc.Close()
	if !bytes.Equal(got, data[5<<20-10:5<<20+10]) {
		t.Error("range across a part boundary differs")
	}

	if err := st.Write(ctx, "big", "out/video.mp4", &failAfter{n: 11 << 20}, -1, "video/mp4"); err == nil {
		t.Fatal("Write from a reader failing after two parts succeeded")
	}
	if err := st.Write(ctx, "big", "out/video.mp4", bytes.NewReader(data[:11<<20]), int64(len(data)), "video/mp4"); err == nil {
		t.Fatal("Write shorter than its declared size succeeded")
	}
	if got := readAll(t, st, "big", "out/video.mp4"); !bytes.Equal(got, data) {
		t.Error("a failed multipart write changed the blob")
	}
	ups, err := srv.Client().ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups.Uploads) != 0 {
		t.Errorf("%d multipart uploads left pending after failed writes; want them aborted", len(ups.Uploads))
	}
}

// testBlockListAcrossNodes stages blocks through one node's endpoint and
// commits them through another's (two Stores and handlers on one
// bucket, as behind a load balancer): two 6 MiB blocks (copied
// server-side) around small ones (concatenated), then a re-commit that
// reuses committed blocks by range. Staged blocks are gone afterwards.
func testBlockListAcrossNodes(t *testing.T, srv *s3test.Server) {
	bucket := srv.NewBucket(t, "ls-bl-")
	nodeA := newServed(t, srv, s3store.Config{Bucket: bucket})
	nodeB := newServed(t, srv, s3store.Config{Bucket: bucket})
	ctx := t.Context()
	if err := nodeA.CreateContainer(ctx, "asset-1"); err != nil {
		t.Fatal(err)
	}
	client := func(st *s3store.Store) *blockblob.Client {
		u, err := st.SignedContainerURL(ctx, "asset-1", blob.PermReadWrite, time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		cc, err := container.NewClientWithNoCredential(u, nil)
		if err != nil {
			t.Fatal(err)
		}
		return cc.NewBlockBlobClient("video 1.mp4")
	}
	onA, onB := client(nodeA), client(nodeB)
	id := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	blocks := map[string][]byte{"a": randBytes(t, 6<<20), "b": randBytes(t, 1000), "c": randBytes(t, 6<<20+5), "d": randBytes(t, 10)}
	for _, k := range []string{"a", "b", "c", "d"} {
		if _, err := onA.StageBlock(ctx, id(k), nopRSC(blocks[k]), nil); err != nil {
			t.Fatalf("StageBlock(%s) on node A: %v", k, err)
		}
	}
	order := []string{"b", "a", "d", "c"}
	var ids []string
	var want []byte
	for _, k := range order {
		ids = append(ids, id(k))
		want = append(want, blocks[k]...)
	}
	if _, err := onB.CommitBlockList(ctx, ids, nil); err != nil {
		t.Fatalf("CommitBlockList on node B: %v", err)
	}
	if got := readAll(t, nodeA, "asset-1", "video 1.mp4"); !bytes.Equal(got, want) {
		t.Fatalf("committed content differs (%d bytes, want %d)", len(got), len(want))
	}
	bl, err := onA.GetBlockList(ctx, blockblob.BlockListTypeAll, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(bl.CommittedBlocks) != 4 || len(bl.UncommittedBlocks) != 0 || *bl.CommittedBlocks[1].Size != 6<<20 {
		t.Errorf("block list after commit: %d committed, %d uncommitted", len(bl.CommittedBlocks), len(bl.UncommittedBlocks))
	}
	staged, err := srv.Client().ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(".lockstream/staged/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(staged.Contents) != 0 {
		t.Errorf("%d staged block objects left after commit", len(staged.Contents))
	}
	// Re-commit reusing committed blocks (ranges of the current version,
	// the 6 MiB ones copied by range) plus one new block.
	e := randBytes(t, 3)
	if _, err := onA.StageBlock(ctx, id("e"), nopRSC(e), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := onB.CommitBlockList(ctx, []string{id("c"), id("e"), id("a")}, nil); err != nil {
		t.Fatalf("re-commit with committed blocks: %v", err)
	}
	want = append(append(append([]byte{}, blocks["c"]...), e...), blocks["a"]...)
	if got := readAll(t, nodeB, "asset-1", "video 1.mp4"); !bytes.Equal(got, want) {
		t.Fatal("re-committed content differs")
	}
}

// testPresignedURLs uses plain HTTP with presigned URLs: each operation
// works within its expiry, an expired URL is refused by S3, and the
// permission mapping matches the SAS letters.
func testPresignedURLs(t *testing.T, srv *s3test.Server) {
	clock := time.Now()
	st := newServed(t, srv, s3store.Config{Bucket: srv.NewBucket(t, "ls-ps-"), Now: func() time.Time { return clock }})
	ctx := t.Context()
	if err := st.CreateContainer(ctx, "media"); err != nil {
		t.Fatal(err)
	}
	exp := clock.Add(time.Hour)
	do := func(op s3store.Op, name string, body []byte) (int, []byte) {
		t.Helper()
		u, err := st.PresignedURL(ctx, "media", name, op, exp)
		if err != nil {
			t.Fatalf("PresignedURL(%s): %v", op, err)
		}
		method := map[s3store.Op]string{s3store.OpRead: "GET", s3store.OpList: "GET", s3store.OpWrite: "PUT", s3store.OpDelete: "DELETE"}[op]
		req, _ := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
		if body == nil {
			req.Body = nil
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	if code, b := do(s3store.OpWrite, "dir/a b.txt", []byte("hello s3")); code != http.StatusOK {
		t.Fatalf("presigned PUT: %d %s", code, b)
	}
	if code, b := do(s3store.OpRead, "dir/a b.txt", nil); code != http.StatusOK || string(b) != "hello s3" {
		t.Fatalf("presigned GET: %d %q", code, b)
	}
	if code, b := do(s3store.OpList, "", nil); code != http.StatusOK || !strings.Contains(string(b), "media/dir/a b.txt") {
		t.Fatalf("presigned LIST: %d %s", code, b)
	}
	if code, b := do(s3store.OpDelete, "dir/a b.txt", nil); code != http.StatusNoContent {
		t.Fatalf("presigned DELETE: %d %s", code, b)
	}
	if _, err := st.Stat(ctx, "media", "dir/a b.txt"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Stat after presigned DELETE: %v", err)
	}
	// Signed two hours ago for one hour: expired now.
	clock = time.Now().Add(-2 * time.Hour)
	exp = clock.Add(time.Hour)
	if code, _ := do(s3store.OpRead, "dir/x", nil); code != http.StatusForbidden {
		t.Errorf("expired presigned GET: %d; want 403", code)
	}
	if _, err := st.PresignedURL(ctx, "media", "x", s3store.OpRead, time.Now().Add(8*24*time.Hour)); err == nil {
		t.Error("presign beyond 7 days succeeded")
	}
	ops, _ := s3store.OpsFor(blob.PermRead)
	if len(ops) != 2 {
		t.Errorf("OpsFor(Read) = %v", ops)
	}
}

type rsc struct{ *bytes.Reader }

func (rsc) Close() error { return nil }

func nopRSC(b []byte) rsc { return rsc{bytes.NewReader(b)} }

// testCleanupStaging: staged blocks older than the cut-off are deleted,
// younger ones kept (the node's janitor runs this every few hours).
func testCleanupStaging(t *testing.T, srv *s3test.Server) {
	clock := time.Now()
	st := newServed(t, srv, s3store.Config{Bucket: srv.NewBucket(t, "ls-gc-"), Now: func() time.Time { return clock }})
	ctx := t.Context()
	if err := st.CreateContainer(ctx, "gc-1"); err != nil {
		t.Fatal(err)
	}
	if err := st.StageBlock(ctx, "gc-1", "upload.bin", []byte("b1"), bytes.NewReader([]byte("data")), 4, azfront.Limits{}); err != nil {
		t.Fatal(err)
	}
	if err := st.CleanupStaging(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, staged, err := st.Blocks(ctx, "gc-1", "upload.bin"); err != nil || len(staged) != 1 {
		t.Fatalf("a fresh staged block was cleaned up: %v, %v", staged, err)
	}
	clock = clock.Add(2 * time.Hour)
	if err := st.CleanupStaging(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Blocks(ctx, "gc-1", "upload.bin"); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Blocks after cleanup: %v; want ErrNotFound (nothing staged, no blob)", err)
	}
}

// testReadRangeVersion: a read pinned to an ETag serves that version and
// reports a replaced blob as azfront.ErrVersionChanged (the front then
// describes the new version again instead of mixing the two).
func testReadRangeVersion(t *testing.T, srv *s3test.Server) {
	st := newServed(t, srv, s3store.Config{Bucket: srv.NewBucket(t, "ls-ver-")})
	ctx := t.Context()
	if err := st.CreateContainer(ctx, "ver"); err != nil {
		t.Fatal(err)
	}
	if err := st.Write(ctx, "ver", "v.txt", strings.NewReader("version one"), -1, ""); err != nil {
		t.Fatal(err)
	}
	old, err := st.Stat(ctx, "ver", "v.txt")
	if err != nil {
		t.Fatal(err)
	}
	rc, err := st.ReadRangeVersion(ctx, "ver", "v.txt", old.ETag, 8, 3)
	if err != nil {
		t.Fatalf("ReadRangeVersion of the current version: %v", err)
	}
	b, _ := io.ReadAll(rc)
	_ = rc.Close()
	if string(b) != "one" {
		t.Errorf("read %q; want one", b)
	}
	if err := st.Write(ctx, "ver", "v.txt", strings.NewReader("version two"), -1, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ReadRangeVersion(ctx, "ver", "v.txt", old.ETag, 0, 3); !errors.Is(err, azfront.ErrVersionChanged) {
		t.Errorf("ReadRangeVersion of a replaced version: %v; want ErrVersionChanged", err)
	}
}
