package blobtest

import (
	"bytes"
	"crypto/md5" //nolint:gosec // Azure's Content-MD5
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	azblobblob "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/lockstream/lockstream/internal/blob"
)

// sasClient builds an SDK container client from a signed URL exactly as an
// AMS client would (no credential), with quick retries so refused requests
// fail fast.
func sasClient(t *testing.T, s blob.Store, c string, perm blob.Permission, expiry time.Time) (*container.Client, string) {
	t.Helper()
	u, err := s.SignedContainerURL(ctxFor(t), c, perm, expiry)
	if err != nil {
		t.Fatalf("SignedContainerURL(%s): %v", perm, err)
	}
	return clientFor(t, u), u
}

func clientFor(t *testing.T, u string) *container.Client {
	t.Helper()
	cc, err := container.NewClientWithNoCredential(u, &container.ClientOptions{ClientOptions: policy.ClientOptions{
		Retry: policy.RetryOptions{MaxRetries: 2, RetryDelay: 10 * time.Millisecond, MaxRetryDelay: 100 * time.Millisecond},
	}})
	if err != nil {
		t.Fatalf("container.NewClientWithNoCredential(%q): %v", u, err)
	}
	return cc
}

func statusOf(err error) int {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return re.StatusCode
	}
	return 0
}

func download(t *testing.T, bb *blockblob.Client, r azblobblob.HTTPRange) []byte {
	t.Helper()
	resp, err := bb.DownloadStream(ctxFor(t), &azblobblob.DownloadStreamOptions{Range: r})
	if err != nil {
		t.Fatalf("DownloadStream(%+v): %v", r, err)
	}
	body := resp.NewRetryReader(ctxFor(t), nil)
	defer func() { _ = body.Close() }()
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("read download body: %v", err)
	}
	return b
}

// testSDKRoundTrip uploads with the azblob SDK through a ReadWrite signed
// URL — a small blob (one Put Blob) and a multi-MiB one streamed with 1 MiB
// blocks (Put Block × n + Put Block List) — and reads both back with the
// SDK (whole and ranged) and through the Store.
func testSDKRoundTrip(t *testing.T, s blob.Store) {
	ctx := ctxFor(t)
	c := newContainer(t, s)
	cc, _ := sasClient(t, s, c, blob.PermReadWrite, time.Now().Add(time.Hour))

	small := []byte("hello, lockstream")
	sb := cc.NewBlockBlobClient("sdk/small.txt")
	up, err := sb.UploadBuffer(ctx, small, &blockblob.UploadBufferOptions{
		HTTPHeaders: &azblobblob.HTTPHeaders{BlobContentType: to.Ptr("text/plain")},
	})
	if err != nil {
		t.Fatalf("UploadBuffer (Put Blob): %v", err)
	}
	if up.ETag == nil || *up.ETag == "" {
		t.Error("UploadBuffer: no ETag in response")
	}

	big := randomBytes(t, 3<<20+12345)
	bb := cc.NewBlockBlobClient("sdk/big file.bin")
	if _, err = bb.UploadStream(ctx, bytes.NewReader(big), &blockblob.UploadStreamOptions{
		BlockSize:   1 << 20,
		Concurrency: 3,
		HTTPHeaders: &azblobblob.HTTPHeaders{BlobContentType: to.Ptr("video/mp4")},
	}); err != nil {
		t.Fatalf("UploadStream (Put Block + Put Block List): %v", err)
	}
	bl, err := bb.GetBlockList(ctx, blockblob.BlockListTypeCommitted, nil)
	if err != nil {
		t.Fatalf("GetBlockList: %v", err)
	}
	if n := len(bl.CommittedBlocks); n != 4 {
		t.Errorf("committed blocks = %d; want 4 (the upload must use Put Block)", n)
	}

	// Whole downloads, parallel in 1 MiB chunks.
	got := make([]byte, len(big))
	n, err := bb.DownloadBuffer(ctx, got, &azblobblob.DownloadBufferOptions{BlockSize: 1 << 20, Concurrency: 3})
	if err != nil || n != int64(len(big)) || !bytes.Equal(got, big) {
		t.Fatalf("DownloadBuffer: n=%d err=%v equal=%v", n, err, bytes.Equal(got, big))
	}
	if d := download(t, sb, azblobblob.HTTPRange{}); !bytes.Equal(d, small) {
		t.Errorf("download small = %q", d)
	}
	// Ranged downloads: middle, to the end, past the end.
	if d := download(t, bb, azblobblob.HTTPRange{Offset: 1<<20 + 7, Count: 1000}); !bytes.Equal(d, big[1<<20+7:1<<20+1007]) {
		t.Error("ranged download (middle) differs")
	}
	if d := download(t, bb, azblobblob.HTTPRange{Offset: int64(len(big)) - 100}); !bytes.Equal(d, big[len(big)-100:]) {
		t.Error("ranged download (to end) differs")
	}
	if d := download(t, bb, azblobblob.HTTPRange{Offset: int64(len(big)) - 10, Count: 100}); !bytes.Equal(d, big[len(big)-10:]) {
		t.Error("ranged download (past end) differs")
	}
	_, err = bb.DownloadStream(ctx, &azblobblob.DownloadStreamOptions{Range: azblobblob.HTTPRange{Offset: int64(len(big)) + 10, Count: 5}})
	if statusOf(err) != http.StatusRequestedRangeNotSatisfiable || !bloberror.HasCode(err, bloberror.InvalidRange) {
		t.Errorf("download beyond the end: %v; want 416 InvalidRange", err)
	}

	// Properties agree with the Store's view.
	props, err := bb.GetProperties(ctx, nil)
	if err != nil {
		t.Fatalf("GetProperties: %v", err)
	}
	info, err := s.Stat(ctx, c, "sdk/big file.bin")
	if err != nil {
		t.Fatalf("Stat of SDK upload: %v", err)
	}
	if *props.ContentLength != int64(len(big)) || info.Size != int64(len(big)) || string(*props.ETag) != info.ETag {
		t.Errorf("GetProperties length %d etag %s; Stat %+v", *props.ContentLength, *props.ETag, info)
	}
	if info.ContentType != "video/mp4" || props.ContentType == nil || *props.ContentType != "video/mp4" {
		t.Errorf("content type: Stat %q, SDK %v; want video/mp4", info.ContentType, props.ContentType)
	}
	if got, rerr := readRange(t, s, c, "sdk/big file.bin", 2<<20, 4096); rerr != nil || !bytes.Equal(got, big[2<<20:2<<20+4096]) {
		t.Errorf("Store.ReadRange of SDK upload: %v", err)
	}
	if sinfo, serr := s.Stat(ctx, c, "sdk/small.txt"); serr != nil || sinfo.ContentType != "text/plain" {
		t.Errorf("Stat(small) = %+v, %v; want text/plain", sinfo, err)
	}
	if _, err = cc.NewBlockBlobClient("sdk/missing").GetProperties(ctx, nil); !bloberror.HasCode(err, bloberror.BlobNotFound) {
		t.Errorf("GetProperties of a missing blob: %v; want BlobNotFound", err)
	}

	// A blob written by the Store is visible to the SDK, listing included.
	write(t, s, c, "sdk/from-store.txt", []byte("from store"), "text/plain")
	var names []string
	pager := cc.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: to.Ptr("sdk/"), MaxResults: to.Ptr[int32](2)})
	pages := 0
	for pager.More() {
		page, perr := pager.NextPage(ctx)
		if perr != nil {
			t.Fatalf("list blobs: %v", perr)
		}
		pages++
		for _, it := range page.Segment.BlobItems {
			names = append(names, *it.Name)
			if *it.Name == "sdk/small.txt" && (it.Properties == nil || *it.Properties.ContentLength != int64(len(small))) {
				t.Errorf("listed small blob properties %+v", it.Properties)
			}
		}
	}
	if want := "sdk/big file.bin,sdk/from-store.txt,sdk/small.txt"; strings.Join(names, ",") != want || pages != 2 {
		t.Errorf("SDK listing = %q in %d pages; want %q in 2", names, pages, want)
	}

	// A wrong Content-MD5 is refused and leaves the blob as it was.
	wrong := md5.Sum([]byte("something else")) //nolint:gosec // test data
	_, err = sb.Upload(ctx, nopCloser("corrupted"), &blockblob.UploadOptions{
		TransactionalValidation: azblobblob.TransferValidationTypeMD5(wrong[:]),
	})
	if statusOf(err) != http.StatusBadRequest {
		t.Errorf("upload with a wrong Content-MD5: %v; want 400", err)
	}
	right := md5.Sum(small) //nolint:gosec // test data
	if _, err = sb.Upload(ctx, nopCloser(string(small)), &blockblob.UploadOptions{
		HTTPHeaders:             &azblobblob.HTTPHeaders{BlobContentType: to.Ptr("text/plain")},
		TransactionalValidation: azblobblob.TransferValidationTypeMD5(right[:]),
	}); err != nil {
		t.Errorf("upload with a correct Content-MD5: %v", err)
	}
	if d := download(t, sb, azblobblob.HTTPRange{}); !bytes.Equal(d, small) {
		t.Errorf("after refused upload the blob holds %q", d)
	}
	p2, err := sb.GetProperties(ctx, nil)
	if err != nil || base64.StdEncoding.EncodeToString(p2.ContentMD5) != base64.StdEncoding.EncodeToString(right[:]) {
		t.Errorf("Content-MD5 property = %x, %v; want %x", p2.ContentMD5, err, right)
	}
}

// testSDKBlockList exercises Put Block List's Latest/Committed/Uncommitted
// lookups and Get Block List.
func testSDKBlockList(t *testing.T, s blob.Store) {
	ctx := ctxFor(t)
	c := newContainer(t, s)
	cc, _ := sasClient(t, s, c, blob.PermReadWrite, time.Now().Add(time.Hour))
	bb := cc.NewBlockBlobClient("blocks/x.bin")
	id := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	stage := func(name, data string) {
		t.Helper()
		if _, err := bb.StageBlock(ctx, id(name), nopCloser(data), nil); err != nil {
			t.Fatalf("StageBlock(%s): %v", name, err)
		}
	}
	stage("block-a", "AAAA")
	stage("block-b", "BB")
	stage("block-z", "never committed")
	if _, err := bb.CommitBlockList(ctx, []string{id("block-a"), id("block-b")}, nil); err != nil {
		t.Fatalf("CommitBlockList: %v", err)
	}
	if d := download(t, bb, azblobblob.HTTPRange{}); string(d) != "AAAABB" {
		t.Fatalf("content after first commit = %q", d)
	}
	// Re-stage "block-a" with new data and stage "block-c": Latest picks
	// the new a, and b (no longer staged) comes from the committed list.
	stage("block-a", "aa")
	stage("block-c", "CCC")
	if _, err := bb.CommitBlockList(ctx, []string{id("block-c"), id("block-a"), id("block-b")}, nil); err != nil {
		t.Fatalf("CommitBlockList (latest): %v", err)
	}
	if d := download(t, bb, azblobblob.HTTPRange{}); string(d) != "CCCaaBB" {
		t.Fatalf("content after second commit = %q; want CCCaaBB", d)
	}
	bl, err := bb.GetBlockList(ctx, blockblob.BlockListTypeAll, nil)
	if err != nil {
		t.Fatalf("GetBlockList: %v", err)
	}
	var committed []string
	for _, b := range bl.CommittedBlocks {
		committed = append(committed, *b.Name)
	}
	if strings.Join(committed, ",") != strings.Join([]string{id("block-c"), id("block-a"), id("block-b")}, ",") || len(bl.UncommittedBlocks) != 0 {
		t.Errorf("block list after commit: committed %q, %d uncommitted; want c,a,b and none", committed, len(bl.UncommittedBlocks))
	}
	// A block that was never staged, or staged and discarded by the last
	// commit, is an invalid block list; the blob keeps its content.
	_, err = bb.CommitBlockList(ctx, []string{id("block-z")}, nil)
	if !bloberror.HasCode(err, bloberror.InvalidBlockList) {
		t.Errorf("commit of a discarded block: %v; want InvalidBlockList", err)
	}
	if d := download(t, bb, azblobblob.HTTPRange{}); string(d) != "CCCaaBB" {
		t.Errorf("content after refused commit = %q", d)
	}
	// An uncommitted-only upload is invisible until committed.
	nb := cc.NewBlockBlobClient("blocks/pending.bin")
	if _, err := nb.StageBlock(ctx, id("p"), nopCloser("pending"), nil); err != nil {
		t.Fatalf("StageBlock: %v", err)
	}
	if _, err := s.Stat(ctx, c, "blocks/pending.bin"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Stat of a blob with only staged blocks: %v; want ErrNotFound", err)
	}
}

// testSDKPermissions checks that signed URLs grant exactly their
// permission and that expired or tampered URLs are refused.
func testSDKPermissions(t *testing.T, s blob.Store) {
	ctx := ctxFor(t)
	c := newContainer(t, s)
	write(t, s, c, "p/readme.txt", []byte("read me"), "text/plain")

	ro, roURL := sasClient(t, s, c, blob.PermRead, time.Now().Add(time.Hour))
	if d := download(t, ro.NewBlockBlobClient("p/readme.txt"), azblobblob.HTTPRange{}); string(d) != "read me" {
		t.Errorf("read-only download = %q", d)
	}
	pager := ro.NewListBlobsFlatPager(nil)
	if _, err := pager.NextPage(ctx); err != nil {
		t.Errorf("read-only list: %v", err)
	}
	_, err := ro.NewBlockBlobClient("p/new.txt").UploadBuffer(ctx, []byte("nope"), nil)
	if statusOf(err) != http.StatusForbidden {
		t.Errorf("upload with a Read URL: %v; want 403", err)
	}
	_, err = ro.NewBlockBlobClient("p/readme.txt").Delete(ctx, nil)
	if statusOf(err) != http.StatusForbidden {
		t.Errorf("delete with a Read URL: %v; want 403", err)
	}

	rw, _ := sasClient(t, s, c, blob.PermReadWrite, time.Now().Add(time.Hour))
	_, err = rw.NewBlockBlobClient("p/readme.txt").Delete(ctx, nil)
	if statusOf(err) != http.StatusForbidden {
		t.Errorf("delete with a ReadWrite URL: %v; want 403", err)
	}
	rwd, _ := sasClient(t, s, c, blob.PermReadWriteDelete, time.Now().Add(time.Hour))
	if _, err = rwd.NewBlockBlobClient("p/readme.txt").Delete(ctx, nil); err != nil {
		t.Errorf("delete with a ReadWriteDelete URL: %v", err)
	}
	if _, err = s.Stat(ctx, c, "p/readme.txt"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Stat after SDK delete: %v; want ErrNotFound", err)
	}
	write(t, s, c, "p/readme.txt", []byte("read me"), "text/plain")

	expired, _ := sasClient(t, s, c, blob.PermRead, time.Now().Add(-time.Hour))
	_, err = expired.NewBlockBlobClient("p/readme.txt").DownloadStream(ctx, nil)
	if statusOf(err) != http.StatusForbidden {
		t.Errorf("download with an expired URL: %v; want 403", err)
	}

	for _, tamper := range []struct {
		name string
		fn   func(url.Values)
	}{
		{"sig", func(q url.Values) { q.Set("sig", flipFirst(q.Get("sig"))) }},
		{"sp", func(q url.Values) { q.Set("sp", "racwdl") }},
		{"se", func(q url.Values) {
			q.Set("se", time.Now().Add(48*time.Hour).UTC().Format("2006-01-02T15:04:05Z"))
		}},
		{"no sig", func(q url.Values) { q.Del("sig") }},
	} {
		u, perr := url.Parse(roURL)
		if perr != nil {
			t.Fatal(perr)
		}
		q := u.Query()
		tamper.fn(q)
		u.RawQuery = q.Encode()
		_, err = clientFor(t, u.String()).NewBlockBlobClient("p/readme.txt").DownloadStream(ctx, nil)
		if code := statusOf(err); code != http.StatusForbidden && code != http.StatusUnauthorized && code != http.StatusNotFound {
			t.Errorf("download with tampered %s: %v; want refusal", tamper.name, err)
		} else if tamper.name != "no sig" && code != http.StatusForbidden {
			t.Errorf("download with tampered %s: status %d; want 403", tamper.name, code)
		}
	}

	// A URL for one container does not open another.
	other := newContainer(t, s)
	write(t, s, other, "secret.txt", []byte("secret"), "text/plain")
	u, err := url.Parse(roURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = strings.Replace(u.Path, c, other, 1)
	_, err = clientFor(t, u.String()).NewBlockBlobClient("secret.txt").DownloadStream(ctx, nil)
	if statusOf(err) != http.StatusForbidden {
		t.Errorf("download from another container: %v; want 403", err)
	}
}

func flipFirst(s string) string {
	if s == "" {
		return "x"
	}
	b := []byte(s)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}

type readSeekNopCloser struct{ *strings.Reader }

func (readSeekNopCloser) Close() error { return nil }

func nopCloser(s string) readSeekNopCloser { return readSeekNopCloser{strings.NewReader(s)} }
