package teste2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/mediaservices/armmediaservices/v3"
	azblobblob "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/google/uuid"

	"github.com/lockstream/lockstream/internal/demo"
)

// Step 2 of the SDK scenario: assets, container SAS, uploads.

func (s *scenario) assetsAndUpload(t *testing.T) {
	h := s.h
	ctx := testCtx(t, 45*time.Second)
	name := "main-asset"

	cctx, status := capture(ctx)
	created, err := h.Assets.CreateOrUpdate(cctx, s.rg, s.acct, name, armmediaservices.Asset{Properties: &armmediaservices.AssetProperties{
		Description: to.Ptr("first"), AlternateID: to.Ptr("alt-main"),
	}}, nil)
	if err != nil {
		t.Fatalf("create asset: %v", err)
	}
	if st := status(); st != http.StatusCreated {
		t.Errorf("first PUT asset status = %d; want 201", st)
	}
	p := created.Properties
	if p == nil {
		t.Fatal("created asset has no properties")
	}
	assetID := deref(p.AssetID)
	if _, err = uuid.Parse(assetID); err != nil {
		t.Errorf("assetId %q is not a GUID", assetID)
	}
	if c := deref(p.Container); c != "asset-"+assetID {
		t.Errorf("container = %q; want asset-<assetId> (%q)", c, "asset-"+assetID)
	}
	if deref(p.StorageEncryptionFormat) != armmediaservices.AssetStorageEncryptionFormatNone {
		t.Errorf("storageEncryptionFormat = %q; want None", deref(p.StorageEncryptionFormat))
	}
	if p.Created == nil || time.Since(*p.Created) > time.Minute || time.Until(*p.Created) > time.Minute {
		t.Errorf("created = %v; want about now", p.Created)
	}
	if deref(p.AlternateID) != "alt-main" || deref(p.Description) != "first" {
		t.Errorf("alternateId/description = %q/%q", deref(p.AlternateID), deref(p.Description))
	}

	cctx, status = capture(ctx)
	updated, err := h.Assets.CreateOrUpdate(cctx, s.rg, s.acct, name, armmediaservices.Asset{Properties: &armmediaservices.AssetProperties{
		Description: to.Ptr("second"), AlternateID: to.Ptr("alt-main"),
	}}, nil)
	if err != nil {
		t.Fatalf("re-PUT asset: %v", err)
	}
	if st := status(); st != http.StatusOK {
		t.Errorf("second PUT asset status = %d; want 200", st)
	}
	if deref(updated.Properties.AssetID) != assetID || deref(updated.Properties.Container) != deref(p.Container) {
		t.Errorf("re-PUT changed assetId/container: %s/%s", deref(updated.Properties.AssetID), deref(updated.Properties.Container))
	}
	if deref(updated.Properties.Description) != "second" {
		t.Errorf("re-PUT description = %q; want second", deref(updated.Properties.Description))
	}
	if !deref(updated.Properties.Created).Equal(deref(p.Created)) {
		t.Errorf("re-PUT changed created: %v -> %v", p.Created, updated.Properties.Created)
	}
	patched, err := h.Assets.Update(ctx, s.rg, s.acct, name, armmediaservices.Asset{Properties: &armmediaservices.AssetProperties{
		Description: to.Ptr("patched"),
	}}, nil)
	if err != nil {
		t.Fatalf("PATCH asset: %v", err)
	}
	if deref(patched.Properties.Description) != "patched" || deref(patched.Properties.AlternateID) != "alt-main" || deref(patched.Properties.AssetID) != assetID {
		t.Errorf("PATCH asset kept/changed the wrong fields: %+v", patched.Properties)
	}
	got, err := h.Assets.Get(ctx, s.rg, s.acct, name, nil)
	if err != nil {
		t.Fatalf("get asset: %v", err)
	}
	if deref(got.Properties.AssetID) != assetID || deref(got.Properties.Description) != "patched" {
		t.Errorf("Get(asset) = %+v", got.Properties)
	}

	// Upload through a ReadWrite SAS.
	rw := s.containerSAS(t, ctx, name, armmediaservices.AssetContainerPermissionReadWrite)
	cc := s.blobClient(t, rw)
	demoBytes, err := demo.Media.ReadFile("media/demo_320x180_250.mp4")
	if err != nil {
		t.Fatal(err)
	}
	small := cc.NewBlockBlobClient("demo_320x180_250.mp4")
	if _, err = small.UploadBuffer(ctx, demoBytes, &blockblob.UploadBufferOptions{
		HTTPHeaders: &azblobblob.HTTPHeaders{BlobContentType: to.Ptr("video/mp4")},
	}); err != nil {
		t.Fatalf("UploadBuffer(demo mp4): %v", err)
	}
	big := make([]byte, 5<<20+4321)
	_, _ = rand.Read(big)
	large := cc.NewBlockBlobClient("extra/random.bin")
	// UploadBuffer sends anything up to 256 MiB as one Put Blob whatever
	// the BlockSize, so the multi-block path is driven with UploadStream.
	if _, err = large.UploadStream(ctx, bytes.NewReader(big), &blockblob.UploadStreamOptions{BlockSize: 1 << 20, Concurrency: 3}); err != nil {
		t.Fatalf("UploadStream(5 MB, 1 MiB blocks): %v", err)
	}
	bl, err := large.GetBlockList(ctx, blockblob.BlockListTypeCommitted, nil)
	if err != nil {
		t.Fatalf("GetBlockList: %v", err)
	}
	if n := len(bl.CommittedBlocks); n != 6 {
		t.Errorf("committed blocks = %d; want 6 (Put Block x6 + Put Block List)", n)
	}

	if got := downloadAll(t, ctx, small, azblobblob.HTTPRange{}); !bytes.Equal(got, demoBytes) {
		t.Errorf("demo mp4 downloaded %d bytes, differs from the %d uploaded", len(got), len(demoBytes))
	}
	whole := make([]byte, len(big))
	if n, derr := large.DownloadBuffer(ctx, whole, &azblobblob.DownloadBufferOptions{BlockSize: 1 << 20, Concurrency: 3}); derr != nil || n != int64(len(big)) || !bytes.Equal(whole, big) {
		t.Errorf("DownloadBuffer(big): n=%d err=%v equal=%v", n, derr, bytes.Equal(whole, big))
	}
	off, cnt := int64(1<<20-7), int64(100_003)
	if got := downloadAll(t, ctx, large, azblobblob.HTTPRange{Offset: off, Count: cnt}); !bytes.Equal(got, big[off:off+cnt]) {
		t.Errorf("ranged download [%d,+%d) returned %d bytes, not the uploaded range", off, cnt, len(got))
	}

	// A Read SAS lists and reads but must refuse writes.
	ro := s.blobClient(t, s.containerSAS(t, ctx, name, armmediaservices.AssetContainerPermissionRead))
	var listed []string
	lp := ro.NewListBlobsFlatPager(nil)
	for lp.More() {
		page, perr := lp.NextPage(ctx)
		if perr != nil {
			t.Fatalf("list blobs with Read SAS: %v", perr)
		}
		for _, b := range page.Segment.BlobItems {
			listed = append(listed, deref(b.Name))
		}
	}
	if want := []string{"demo_320x180_250.mp4", "extra/random.bin"}; !slices.Equal(listed, want) {
		t.Errorf("blobs = %v; want %v", listed, want)
	}
	if got := downloadAll(t, ctx, ro.NewBlockBlobClient("demo_320x180_250.mp4"), azblobblob.HTTPRange{Count: 16}); !bytes.Equal(got, demoBytes[:16]) {
		t.Errorf("Read SAS download = %x; want %x", got, demoBytes[:16])
	}
	_, err = ro.NewBlockBlobClient("forbidden.txt").UploadBuffer(ctx, []byte("nope"), nil)
	wantResponseError(t, "upload with Read SAS", err, http.StatusForbidden, string(bloberror.AuthorizationPermissionMismatch))

	// An expiry beyond 24 h is refused.
	_, err = h.Assets.ListContainerSas(ctx, s.rg, s.acct, name, armmediaservices.ListContainerSasInput{
		Permissions: to.Ptr(armmediaservices.AssetContainerPermissionRead), ExpiryTime: to.Ptr(time.Now().Add(25 * time.Hour)),
	}, nil)
	wantResponseError(t, "listContainerSas 25 h", err, http.StatusBadRequest, "")

	s.assetName = name
}

func (s *scenario) containerSAS(t *testing.T, ctx context.Context, asset string, perm armmediaservices.AssetContainerPermission) string {
	t.Helper()
	res, err := s.h.Assets.ListContainerSas(ctx, s.rg, s.acct, asset, armmediaservices.ListContainerSasInput{
		Permissions: to.Ptr(perm), ExpiryTime: to.Ptr(time.Now().Add(time.Hour)),
	}, nil)
	if err != nil {
		t.Fatalf("ListContainerSas(%s): %v", perm, err)
	}
	if len(res.AssetContainerSasUrls) == 0 || deref(res.AssetContainerSasUrls[0]) == "" {
		t.Fatalf("ListContainerSas(%s) returned no URL", perm)
	}
	return deref(res.AssetContainerSasUrls[0])
}

// blobClient opens a SAS URL. Local blob URLs live on the API listener,
// so they are https with the node's development certificate.
func (s *scenario) blobClient(t *testing.T, sasURL string) *container.Client {
	t.Helper()
	cc, err := container.NewClientWithNoCredential(sasURL, &container.ClientOptions{ClientOptions: policy.ClientOptions{
		Transport: s.h.HTTP,
		Retry:     policy.RetryOptions{MaxRetries: 2, RetryDelay: 10 * time.Millisecond, MaxRetryDelay: 100 * time.Millisecond},
	}})
	if err != nil {
		t.Fatalf("container.NewClientWithNoCredential: %v", err)
	}
	return cc
}

func downloadAll(t *testing.T, ctx context.Context, bb *blockblob.Client, r azblobblob.HTTPRange) []byte {
	t.Helper()
	resp, err := bb.DownloadStream(ctx, &azblobblob.DownloadStreamOptions{Range: r})
	if err != nil {
		t.Fatalf("DownloadStream(%+v): %v", r, err)
	}
	body := resp.NewRetryReader(ctx, nil)
	defer func() { _ = body.Close() }()
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("read download: %v", err)
	}
	return b
}
