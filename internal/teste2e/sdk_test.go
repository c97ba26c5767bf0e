package teste2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/mediaservices/armmediaservices/v3"
	azblobblob "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/google/uuid"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/demo"
	"github.com/lockstream/lockstream/internal/test/pgtest"
)

// TestSDKScenario drives one management scenario through the official
// armmediaservices/v3 SDK (and azblob for uploads) against each metadata
// store backend.
func TestSDKScenario(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		runScenario(t, startServer(t, nil))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		dsn := pgtest.Start(t)
		runScenario(t, startServer(t, func(c *conf.Conf) {
			c.Store.Driver = "postgres"
			c.Store.DSN = conf.Secret(dsn)
		}))
	})
}

// scenario is the state shared by the steps of one run.
type scenario struct {
	h    *harness
	rg   string
	acct string
	// dc2 is a second account in the same resource group, standing in for
	// a second data center.
	dc2 string

	assetName  string // asset holding the uploaded media (step 2)
	policyName string // multi-option content key policy (step 3)
}

func runScenario(t *testing.T, h *harness) {
	s := &scenario{h: h, rg: "e2e-rg", acct: "e2eacct", dc2: "e2edc2"}
	if !t.Run("accounts", s.accounts) {
		return // everything else lives in the account
	}
	t.Run("assets_and_upload", s.assetsAndUpload)
	t.Run("content_key_policy", s.contentKeyPolicy)
	t.Run("streaming_locators", s.streamingLocators)
	t.Run("streaming_policies", s.streamingPolicies)
	t.Run("streaming_endpoints", s.streamingEndpoints)
	t.Run("filters", s.filters)
	t.Run("paging", s.paging)
	t.Run("errors", s.errors)
}

// ---------------------------------------------------------------------------
// 1. Accounts
// ---------------------------------------------------------------------------

func (s *scenario) createAccount(t *testing.T, ctx context.Context, name string) armmediaservices.MediaService {
	t.Helper()
	h := s.h
	poller, err := h.Accounts.BeginCreateOrUpdate(ctx, s.rg, name, armmediaservices.MediaService{
		Location: to.Ptr("local"),
		Tags:     map[string]*string{"env": to.Ptr("e2e")},
		Properties: &armmediaservices.MediaServiceProperties{
			StorageAccounts: []*armmediaservices.StorageAccount{{
				Type: to.Ptr(armmediaservices.StorageAccountTypePrimary),
				ID:   to.Ptr("/subscriptions/" + h.Sub + "/resourceGroups/" + s.rg + "/providers/Microsoft.Storage/storageAccounts/e2estorage"),
			}},
		},
	}, nil)
	if err != nil {
		t.Fatalf("BeginCreateOrUpdate(account %s): %v", name, err)
	}
	res, err := poller.PollUntilDone(ctx, pollOpts)
	if err != nil {
		t.Fatalf("PollUntilDone(account %s): %v", name, err)
	}
	return res.MediaService
}

func (s *scenario) accounts(t *testing.T) {
	h := s.h
	ctx := testCtx(t, 30*time.Second)

	acct := s.createAccount(t, ctx, s.acct)
	wantID := "/subscriptions/" + h.Sub + "/resourceGroups/" + s.rg + "/providers/Microsoft.Media/mediaservices/" + s.acct
	if deref(acct.Name) != s.acct || !strings.EqualFold(deref(acct.ID), wantID) {
		t.Errorf("created account name/id = %q %q; want %q %q", deref(acct.Name), deref(acct.ID), s.acct, wantID)
	}
	if deref(acct.Location) != "local" || deref(acct.Tags["env"]) != "e2e" {
		t.Errorf("created account location/tags = %q %v", deref(acct.Location), acct.Tags)
	}
	if acct.Properties == nil {
		t.Fatal("created account has no properties")
	}
	msID := deref(acct.Properties.MediaServiceID)
	if _, err := uuid.Parse(msID); err != nil {
		t.Errorf("mediaServiceId %q is not a GUID", msID)
	}
	if ps := deref(acct.Properties.ProvisioningState); ps != armmediaservices.ProvisioningStateSucceeded {
		t.Errorf("provisioningState = %q; want Succeeded", ps)
	}
	if acct.SystemData == nil || deref(acct.SystemData.CreatedBy) != testClientID {
		t.Errorf("systemData.createdBy = %+v; want %q", acct.SystemData, testClientID)
	}

	got, err := h.Accounts.Get(ctx, s.rg, s.acct, nil)
	if err != nil {
		t.Fatalf("Get(account): %v", err)
	}
	if deref(got.Properties.MediaServiceID) != msID || deref(got.Name) != s.acct {
		t.Errorf("Get(account) = %s/%s; want %s/%s", deref(got.Name), deref(got.Properties.MediaServiceID), s.acct, msID)
	}

	// Re-PUT keeps the account's identity.
	again := s.createAccount(t, ctx, s.acct)
	if deref(again.Properties.MediaServiceID) != msID {
		t.Errorf("re-PUT changed mediaServiceId: %s -> %s", msID, deref(again.Properties.MediaServiceID))
	}

	// Account PATCH is an LRO answered 202 only: the SDK polls the
	// Azure-AsyncOperation URL, then GETs the Location URL for the result.
	cctx, status := capture(ctx)
	upd, err := h.Accounts.BeginUpdate(cctx, s.rg, s.acct, armmediaservices.MediaServiceUpdate{
		Tags: map[string]*string{"env": to.Ptr("e2e"), "patched": to.Ptr("yes")},
	}, nil)
	if err != nil {
		t.Fatalf("BeginUpdate(account): %v", err)
	}
	if st := status(); st != http.StatusAccepted {
		t.Errorf("account PATCH status = %d; want 202", st)
	}
	patched, err := upd.PollUntilDone(ctx, pollOpts)
	if err != nil {
		t.Fatalf("account PATCH PollUntilDone: %v", err)
	}
	if deref(patched.Tags["patched"]) != "yes" || deref(patched.Properties.MediaServiceID) != msID {
		t.Errorf("account after PATCH: tags %v mediaServiceId %q", patched.Tags, deref(patched.Properties.MediaServiceID))
	}

	second := s.createAccount(t, ctx, s.dc2)
	if deref(second.Properties.MediaServiceID) == msID {
		t.Error("two accounts share a mediaServiceId")
	}

	var names []string
	pager := h.Accounts.NewListPager(s.rg, nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatalf("list accounts: %v", err)
		}
		for _, a := range page.Value {
			names = append(names, deref(a.Name))
		}
	}
	slices.Sort(names)
	if want := []string{s.acct, s.dc2}; !slices.Equal(names, want) {
		t.Errorf("accounts in %s = %v; want %v", s.rg, names, want)
	}
	// Another resource group is empty.
	other := h.Accounts.NewListPager("other-rg", nil)
	for other.More() {
		page, err := other.NextPage(ctx)
		if err != nil {
			t.Fatalf("list accounts of other-rg: %v", err)
		}
		if len(page.Value) != 0 {
			t.Errorf("other-rg lists %d accounts; want 0", len(page.Value))
		}
	}
}

// ---------------------------------------------------------------------------
// 2. Assets, container SAS, uploads
// ---------------------------------------------------------------------------

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
	if _, err := uuid.Parse(assetID); err != nil {
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
	cc := blobClient(t, rw)
	demoBytes, err := demo.Media.ReadFile("media/demo_320x180_250.mp4")
	if err != nil {
		t.Fatal(err)
	}
	small := cc.NewBlockBlobClient("demo_320x180_250.mp4")
	if _, err := small.UploadBuffer(ctx, demoBytes, &blockblob.UploadBufferOptions{
		HTTPHeaders: &azblobblob.HTTPHeaders{BlobContentType: to.Ptr("video/mp4")},
	}); err != nil {
		t.Fatalf("UploadBuffer(demo mp4): %v", err)
	}
	big := make([]byte, 5<<20+4321)
	_, _ = rand.Read(big)
	large := cc.NewBlockBlobClient("extra/random.bin")
	// UploadBuffer sends anything up to 256 MiB as one Put Blob whatever
	// the BlockSize, so the multi-block path is driven with UploadStream.
	if _, err := large.UploadStream(ctx, bytes.NewReader(big), &blockblob.UploadStreamOptions{BlockSize: 1 << 20, Concurrency: 3}); err != nil {
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
	if n, err := large.DownloadBuffer(ctx, whole, &azblobblob.DownloadBufferOptions{BlockSize: 1 << 20, Concurrency: 3}); err != nil || n != int64(len(big)) || !bytes.Equal(whole, big) {
		t.Errorf("DownloadBuffer(big): n=%d err=%v equal=%v", n, err, bytes.Equal(whole, big))
	}
	off, cnt := int64(1<<20-7), int64(100_003)
	if got := downloadAll(t, ctx, large, azblobblob.HTTPRange{Offset: off, Count: cnt}); !bytes.Equal(got, big[off:off+cnt]) {
		t.Errorf("ranged download [%d,+%d) returned %d bytes, not the uploaded range", off, cnt, len(got))
	}

	// A Read SAS lists and reads but must refuse writes.
	ro := blobClient(t, s.containerSAS(t, ctx, name, armmediaservices.AssetContainerPermissionRead))
	var listed []string
	lp := ro.NewListBlobsFlatPager(nil)
	for lp.More() {
		page, err := lp.NextPage(ctx)
		if err != nil {
			t.Fatalf("list blobs with Read SAS: %v", err)
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

func blobClient(t *testing.T, sasURL string) *container.Client {
	t.Helper()
	cc, err := container.NewClientWithNoCredential(sasURL, &container.ClientOptions{ClientOptions: policy.ClientOptions{
		Retry: policy.RetryOptions{MaxRetries: 2, RetryDelay: 10 * time.Millisecond, MaxRetryDelay: 100 * time.Millisecond},
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

// ---------------------------------------------------------------------------
// 3. Content key policy with secrets
// ---------------------------------------------------------------------------

// tokenKeys is key material shared by every run (RSA generation is slow).
var tokenKeys = sync.OnceValues(func() (*rsa.PrivateKey, []byte) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42),
		Subject:      pkix.Name{CommonName: "lockstream e2e token signer"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		panic(err)
	}
	return k, der
})

const widevineTemplate = `{"allowed_track_types":"SD_HD","content_key_specs":[{"track_type":"SD","security_level":1,"required_output_protection":{"hdcp":"HDCP_NONE"}}],"policy_overrides":{"can_play":true,"can_persist":false,"can_renew":false}}`

func (s *scenario) contentKeyPolicy(t *testing.T) {
	h := s.h
	ctx := testCtx(t, 30*time.Second)
	rsaKey, certDER := tokenKeys()
	sym := make([]byte, 64)
	_, _ = rand.Read(sym)
	modulus := rsaKey.N.Bytes()
	exponent := big.NewInt(int64(rsaKey.E)).Bytes()

	claims := []*armmediaservices.ContentKeyPolicyTokenClaim{
		{ClaimType: to.Ptr("urn:microsoft:azure:mediaservices:contentkeyidentifier")},
		{ClaimType: to.Ptr("entitlement"), ClaimValue: to.Ptr("premium")},
	}
	in := armmediaservices.ContentKeyPolicy{Properties: &armmediaservices.ContentKeyPolicyProperties{
		Description: to.Ptr("e2e multi-option policy"),
		Options: []*armmediaservices.ContentKeyPolicyOption{
			{
				Name:          to.Ptr("clearkey-token"),
				Configuration: &armmediaservices.ContentKeyPolicyClearKeyConfiguration{},
				Restriction: &armmediaservices.ContentKeyPolicyTokenRestriction{
					Issuer:                    to.Ptr("https://issuer.e2e.test"),
					Audience:                  to.Ptr("urn:e2e:audience"),
					RestrictionTokenType:      to.Ptr(armmediaservices.ContentKeyPolicyRestrictionTokenTypeJwt),
					PrimaryVerificationKey:    &armmediaservices.ContentKeyPolicySymmetricTokenKey{KeyValue: sym},
					AlternateVerificationKeys: []armmediaservices.ContentKeyPolicyRestrictionTokenKeyClassification{&armmediaservices.ContentKeyPolicyRsaTokenKey{Modulus: modulus, Exponent: exponent}},
					RequiredClaims:            claims,
				},
			},
			{
				Name:          to.Ptr("widevine-open"),
				Configuration: &armmediaservices.ContentKeyPolicyWidevineConfiguration{WidevineTemplate: to.Ptr(widevineTemplate)},
				Restriction:   &armmediaservices.ContentKeyPolicyOpenRestriction{},
			},
			{
				Name: to.Ptr("playready-x509"),
				Configuration: &armmediaservices.ContentKeyPolicyPlayReadyConfiguration{Licenses: []*armmediaservices.ContentKeyPolicyPlayReadyLicense{{
					AllowTestDevices:   to.Ptr(false),
					LicenseType:        to.Ptr(armmediaservices.ContentKeyPolicyPlayReadyLicenseTypeNonPersistent),
					ContentKeyLocation: &armmediaservices.ContentKeyPolicyPlayReadyContentEncryptionKeyFromHeader{},
					ContentType:        to.Ptr(armmediaservices.ContentKeyPolicyPlayReadyContentTypeUnspecified),
				}}},
				Restriction: &armmediaservices.ContentKeyPolicyTokenRestriction{
					Issuer:                 to.Ptr("https://issuer.e2e.test"),
					Audience:               to.Ptr("urn:e2e:playready"),
					RestrictionTokenType:   to.Ptr(armmediaservices.ContentKeyPolicyRestrictionTokenTypeJwt),
					PrimaryVerificationKey: &armmediaservices.ContentKeyPolicyX509CertificateTokenKey{RawBody: certDER},
				},
			},
		},
	}}
	const name = "multi-drm"
	cctx, status := capture(ctx)
	created, err := h.ContentKeyPolicies.CreateOrUpdate(cctx, s.rg, s.acct, name, in, nil)
	if err != nil {
		t.Fatalf("create content key policy: %v", err)
	}
	if st := status(); st != http.StatusCreated {
		t.Errorf("first PUT content key policy status = %d; want 201", st)
	}
	policyID := deref(created.Properties.PolicyID)
	if _, err := uuid.Parse(policyID); err != nil {
		t.Errorf("policyId %q is not a GUID", policyID)
	}
	checkPolicyShape(t, "PUT response", created.Properties, claims, false)

	got, err := h.ContentKeyPolicies.Get(ctx, s.rg, s.acct, name, nil)
	if err != nil {
		t.Fatalf("get content key policy: %v", err)
	}
	if deref(got.Properties.PolicyID) != policyID {
		t.Errorf("Get policyId = %q; want %q", deref(got.Properties.PolicyID), policyID)
	}
	checkPolicyShape(t, "Get", got.Properties, claims, false)
	optionIDs := map[string]string{}
	for _, o := range got.Properties.Options {
		id := deref(o.PolicyOptionID)
		if _, err := uuid.Parse(id); err != nil {
			t.Errorf("option %s policyOptionId %q is not a GUID", deref(o.Name), id)
		}
		optionIDs[deref(o.Name)] = id
	}

	// The list shows the policy, blanked too.
	pager := h.ContentKeyPolicies.NewListPager(s.rg, s.acct, nil)
	found := false
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatalf("list content key policies: %v", err)
		}
		for _, p := range page.Value {
			if deref(p.Name) == name {
				found = true
				checkPolicyShape(t, "List", p.Properties, claims, false)
			}
		}
	}
	if !found {
		t.Errorf("content key policy %s not listed", name)
	}

	sec, err := h.ContentKeyPolicies.GetPolicyPropertiesWithSecrets(ctx, s.rg, s.acct, name, nil)
	if err != nil {
		t.Fatalf("GetPolicyPropertiesWithSecrets: %v", err)
	}
	if deref(sec.PolicyID) != policyID {
		t.Errorf("with secrets: policyId = %q; want %q", deref(sec.PolicyID), policyID)
	}
	checkPolicyShape(t, "GetPolicyPropertiesWithSecrets", &sec.ContentKeyPolicyProperties, claims, true)
	if len(sec.Options) == 3 {
		tr0, _ := sec.Options[0].Restriction.(*armmediaservices.ContentKeyPolicyTokenRestriction)
		if tr0 != nil {
			if k, ok := tr0.PrimaryVerificationKey.(*armmediaservices.ContentKeyPolicySymmetricTokenKey); !ok || !bytes.Equal(k.KeyValue, sym) {
				t.Errorf("with secrets: symmetric key differs from the one sent")
			}
			if len(tr0.AlternateVerificationKeys) == 1 {
				k, ok := tr0.AlternateVerificationKeys[0].(*armmediaservices.ContentKeyPolicyRsaTokenKey)
				if !ok || !bytes.Equal(k.Modulus, modulus) || !bytes.Equal(k.Exponent, exponent) {
					t.Errorf("with secrets: RSA modulus/exponent differ from the ones sent")
				}
			}
		}
		if tr2, _ := sec.Options[2].Restriction.(*armmediaservices.ContentKeyPolicyTokenRestriction); tr2 != nil {
			if k, ok := tr2.PrimaryVerificationKey.(*armmediaservices.ContentKeyPolicyX509CertificateTokenKey); !ok || !bytes.Equal(k.RawBody, certDER) {
				t.Errorf("with secrets: X.509 rawBody differs from the certificate sent")
			}
		}
	}

	// A PUT of the same options keeps the policy and option ids.
	cctx, status = capture(ctx)
	again, err := h.ContentKeyPolicies.CreateOrUpdate(cctx, s.rg, s.acct, name, in, nil)
	if err != nil {
		t.Fatalf("re-PUT content key policy: %v", err)
	}
	if st := status(); st != http.StatusOK {
		t.Errorf("second PUT content key policy status = %d; want 200", st)
	}
	if deref(again.Properties.PolicyID) != policyID {
		t.Errorf("re-PUT changed policyId")
	}
	for _, o := range again.Properties.Options {
		if deref(o.PolicyOptionID) != optionIDs[deref(o.Name)] {
			t.Errorf("re-PUT changed policyOptionId of %s", deref(o.Name))
		}
	}

	// PATCH without the secrets keeps them.
	pd, err := h.ContentKeyPolicies.Update(ctx, s.rg, s.acct, name, armmediaservices.ContentKeyPolicy{Properties: &armmediaservices.ContentKeyPolicyProperties{
		Description: to.Ptr("patched description"),
	}}, nil)
	if err != nil {
		t.Fatalf("PATCH content key policy: %v", err)
	}
	if deref(pd.Properties.Description) != "patched description" || len(pd.Properties.Options) != 3 {
		t.Errorf("PATCH content key policy: description %q, %d options", deref(pd.Properties.Description), len(pd.Properties.Options))
	}
	sec, err = h.ContentKeyPolicies.GetPolicyPropertiesWithSecrets(ctx, s.rg, s.acct, name, nil)
	if err != nil {
		t.Fatalf("GetPolicyPropertiesWithSecrets after PATCH: %v", err)
	}
	if len(sec.Options) != 3 {
		t.Fatalf("after PATCH: %d options", len(sec.Options))
	}
	if tr, _ := sec.Options[0].Restriction.(*armmediaservices.ContentKeyPolicyTokenRestriction); tr == nil {
		t.Errorf("after PATCH: option 0 restriction is %T", sec.Options[0].Restriction)
	} else if k, ok := tr.PrimaryVerificationKey.(*armmediaservices.ContentKeyPolicySymmetricTokenKey); !ok || !bytes.Equal(k.KeyValue, sym) {
		t.Errorf("PATCH without secrets lost the symmetric key")
	}
	s.policyName = name
}

// checkPolicyShape checks the three options of the scenario's policy, with
// secrets present (withSecrets) or blanked.
func checkPolicyShape(t *testing.T, what string, p *armmediaservices.ContentKeyPolicyProperties, claims []*armmediaservices.ContentKeyPolicyTokenClaim, withSecrets bool) {
	t.Helper()
	if p == nil {
		t.Errorf("%s: no properties", what)
		return
	}
	if deref(p.Description) != "e2e multi-option policy" {
		t.Errorf("%s: description = %q", what, deref(p.Description))
	}
	if len(p.Options) != 3 {
		t.Errorf("%s: %d options; want 3", what, len(p.Options))
		return
	}
	secret := func(field string, b []byte) {
		t.Helper()
		if withSecrets && len(b) == 0 {
			t.Errorf("%s: %s is empty; want the secret", what, field)
		}
		if !withSecrets && len(b) != 0 {
			t.Errorf("%s: %s leaks %d secret bytes; want it blanked", what, field, len(b))
		}
	}

	o := p.Options[0]
	if deref(o.Name) != "clearkey-token" {
		t.Errorf("%s: option 0 name = %q", what, deref(o.Name))
	}
	if _, ok := o.Configuration.(*armmediaservices.ContentKeyPolicyClearKeyConfiguration); !ok {
		t.Errorf("%s: option 0 configuration is %T; want ClearKey", what, o.Configuration)
	}
	tr, ok := o.Restriction.(*armmediaservices.ContentKeyPolicyTokenRestriction)
	if !ok {
		t.Errorf("%s: option 0 restriction is %T; want token", what, o.Restriction)
	} else {
		if deref(tr.Issuer) != "https://issuer.e2e.test" || deref(tr.Audience) != "urn:e2e:audience" ||
			deref(tr.RestrictionTokenType) != armmediaservices.ContentKeyPolicyRestrictionTokenTypeJwt {
			t.Errorf("%s: token restriction issuer/audience/type = %q %q %q", what, deref(tr.Issuer), deref(tr.Audience), deref(tr.RestrictionTokenType))
		}
		if k, ok := tr.PrimaryVerificationKey.(*armmediaservices.ContentKeyPolicySymmetricTokenKey); !ok {
			t.Errorf("%s: primary key is %T; want symmetric", what, tr.PrimaryVerificationKey)
		} else {
			secret("option 0 keyValue", k.KeyValue)
		}
		if len(tr.AlternateVerificationKeys) != 1 {
			t.Errorf("%s: %d alternate keys; want 1", what, len(tr.AlternateVerificationKeys))
		} else if k, ok := tr.AlternateVerificationKeys[0].(*armmediaservices.ContentKeyPolicyRsaTokenKey); !ok {
			t.Errorf("%s: alternate key is %T; want RSA", what, tr.AlternateVerificationKeys[0])
		} else {
			secret("option 0 RSA modulus", k.Modulus)
			secret("option 0 RSA exponent", k.Exponent)
		}
		var gotClaims [][2]string
		for _, c := range tr.RequiredClaims {
			gotClaims = append(gotClaims, [2]string{deref(c.ClaimType), deref(c.ClaimValue)})
		}
		var wantClaims [][2]string
		for _, c := range claims {
			wantClaims = append(wantClaims, [2]string{deref(c.ClaimType), deref(c.ClaimValue)})
		}
		if !reflect.DeepEqual(gotClaims, wantClaims) {
			t.Errorf("%s: required claims = %v; want %v", what, gotClaims, wantClaims)
		}
	}

	o = p.Options[1]
	if wv, ok := o.Configuration.(*armmediaservices.ContentKeyPolicyWidevineConfiguration); !ok {
		t.Errorf("%s: option 1 configuration is %T; want Widevine", what, o.Configuration)
	} else if !jsonEqual(deref(wv.WidevineTemplate), widevineTemplate) {
		t.Errorf("%s: widevineTemplate = %s; want %s", what, deref(wv.WidevineTemplate), widevineTemplate)
	}
	if _, ok := o.Restriction.(*armmediaservices.ContentKeyPolicyOpenRestriction); !ok {
		t.Errorf("%s: option 1 restriction is %T; want open", what, o.Restriction)
	}

	o = p.Options[2]
	if pr, ok := o.Configuration.(*armmediaservices.ContentKeyPolicyPlayReadyConfiguration); !ok {
		t.Errorf("%s: option 2 configuration is %T; want PlayReady", what, o.Configuration)
	} else if len(pr.Licenses) != 1 {
		t.Errorf("%s: %d PlayReady licenses; want 1", what, len(pr.Licenses))
	} else {
		l := pr.Licenses[0]
		if _, ok := l.ContentKeyLocation.(*armmediaservices.ContentKeyPolicyPlayReadyContentEncryptionKeyFromHeader); !ok ||
			deref(l.LicenseType) != armmediaservices.ContentKeyPolicyPlayReadyLicenseTypeNonPersistent ||
			deref(l.ContentType) != armmediaservices.ContentKeyPolicyPlayReadyContentTypeUnspecified || l.AllowTestDevices == nil || *l.AllowTestDevices {
			t.Errorf("%s: PlayReady license = %+v (location %T)", what, l, l.ContentKeyLocation)
		}
	}
	if tr, ok := o.Restriction.(*armmediaservices.ContentKeyPolicyTokenRestriction); !ok {
		t.Errorf("%s: option 2 restriction is %T; want token", what, o.Restriction)
	} else if k, ok := tr.PrimaryVerificationKey.(*armmediaservices.ContentKeyPolicyX509CertificateTokenKey); !ok {
		t.Errorf("%s: option 2 primary key is %T; want X509", what, tr.PrimaryVerificationKey)
	} else {
		secret("option 2 X.509 rawBody", k.RawBody)
	}
}

func jsonEqual(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// ---------------------------------------------------------------------------
// 4. Streaming locators
// ---------------------------------------------------------------------------

func (s *scenario) streamingLocators(t *testing.T) {
	h := s.h
	ctx := testCtx(t, 30*time.Second)
	if s.assetName == "" || s.policyName == "" {
		t.Fatal("needs the asset and content key policy of the earlier steps")
	}
	const cencPolicy = "Predefined_MultiDrmCencStreaming"

	cctx, status := capture(ctx)
	loc, err := h.StreamingLocators.Create(cctx, s.rg, s.acct, "loc-cenc", armmediaservices.StreamingLocator{Properties: &armmediaservices.StreamingLocatorProperties{
		AssetName:                   to.Ptr(s.assetName),
		StreamingPolicyName:         to.Ptr(cencPolicy),
		DefaultContentKeyPolicyName: to.Ptr(s.policyName),
	}}, nil)
	if err != nil {
		t.Fatalf("create locator: %v", err)
	}
	if st := status(); st != http.StatusCreated {
		t.Errorf("create locator status = %d; want 201", st)
	}
	locID := deref(loc.Properties.StreamingLocatorID)
	if _, err := uuid.Parse(locID); err != nil {
		t.Fatalf("streamingLocatorId %q is not a GUID", locID)
	}
	if e := deref(loc.Properties.EndTime); e.Year() != 9999 {
		t.Errorf("endTime = %v; want 9999-12-31 when unset", e)
	}

	got, err := h.StreamingLocators.Get(ctx, s.rg, s.acct, "loc-cenc", nil)
	if err != nil {
		t.Fatalf("get locator: %v", err)
	}
	if deref(got.Properties.StreamingLocatorID) != locID || deref(got.Properties.AssetName) != s.assetName ||
		deref(got.Properties.StreamingPolicyName) != cencPolicy || deref(got.Properties.DefaultContentKeyPolicyName) != s.policyName {
		t.Errorf("Get(locator) properties = %+v", got.Properties)
	}
	if len(got.Properties.ContentKeys) != 1 {
		t.Errorf("Get(locator) has %d content keys; want 1", len(got.Properties.ContentKeys))
	}
	for _, k := range got.Properties.ContentKeys {
		if k.Value != nil {
			t.Errorf("Get(locator) returns a content key value")
		}
	}

	keys, err := h.StreamingLocators.ListContentKeys(ctx, s.rg, s.acct, "loc-cenc", nil)
	if err != nil {
		t.Fatalf("ListContentKeys: %v", err)
	}
	if len(keys.ContentKeys) != 1 {
		t.Fatalf("ListContentKeys returned %d keys; want 1", len(keys.ContentKeys))
	}
	k := keys.ContentKeys[0]
	if deref(k.Type) != armmediaservices.StreamingLocatorContentKeyTypeCommonEncryptionCenc {
		t.Errorf("content key type = %q; want CommonEncryptionCenc", deref(k.Type))
	}
	if _, err := uuid.Parse(deref(k.ID)); err != nil {
		t.Errorf("content key id %q is not a GUID", deref(k.ID))
	}
	if len(got.Properties.ContentKeys) == 1 && deref(got.Properties.ContentKeys[0].ID) != deref(k.ID) {
		t.Errorf("Get and ListContentKeys disagree on the key id: %s vs %s", deref(got.Properties.ContentKeys[0].ID), deref(k.ID))
	}
	if v, err := base64.StdEncoding.DecodeString(deref(k.Value)); err != nil || len(v) != 16 {
		t.Errorf("content key value %q: %d bytes, err %v; want 16 bytes of standard base64", deref(k.Value), len(v), err)
	}
	if deref(k.PolicyName) != s.policyName {
		t.Errorf("content key policyName = %q; want %q", deref(k.PolicyName), s.policyName)
	}

	paths, err := h.StreamingLocators.ListPaths(ctx, s.rg, s.acct, "loc-cenc", nil)
	if err != nil {
		t.Fatalf("ListPaths: %v", err)
	}
	protos := map[armmediaservices.StreamingPolicyStreamingProtocol]bool{}
	for _, sp := range paths.StreamingPaths {
		proto := deref(sp.StreamingProtocol)
		protos[proto] = true
		if deref(sp.EncryptionScheme) != armmediaservices.EncryptionSchemeCommonEncryptionCenc {
			t.Errorf("%s path scheme = %q; want CommonEncryptionCenc", proto, deref(sp.EncryptionScheme))
		}
		if len(sp.Paths) == 0 {
			t.Errorf("%s has no paths", proto)
		}
		for _, p := range sp.Paths {
			if !strings.HasPrefix(deref(p), "/"+locID+"/") || !strings.Contains(deref(p), "encryption=cenc") || !strings.Contains(deref(p), ".ism/manifest") {
				t.Errorf("%s path %q; want /%s/….ism/manifest(…encryption=cenc)", proto, deref(p), locID)
			}
		}
	}
	for _, want := range []armmediaservices.StreamingPolicyStreamingProtocol{armmediaservices.StreamingPolicyStreamingProtocolDash, armmediaservices.StreamingPolicyStreamingProtocolSmoothStreaming} {
		if !protos[want] {
			t.Errorf("ListPaths lacks %s (got %v)", want, protos)
		}
	}
	if len(paths.DownloadPaths) != 0 {
		t.Errorf("encrypted locator lists download paths %v", paths.DownloadPaths)
	}

	// A locator is immutable: PUT over it is refused.
	_, err = h.StreamingLocators.Create(ctx, s.rg, s.acct, "loc-cenc", armmediaservices.StreamingLocator{Properties: &armmediaservices.StreamingLocatorProperties{
		AssetName: to.Ptr(s.assetName), StreamingPolicyName: to.Ptr(cencPolicy), DefaultContentKeyPolicyName: to.Ptr(s.policyName),
	}}, nil)
	wantResponseError(t, "PUT over an existing locator", err, http.StatusConflict, "")

	// Caller-supplied key: the same key id and value served by two data
	// centers (here two accounts on one node).
	kid := uuid.NewString()
	val := make([]byte, 16)
	_, _ = rand.Read(val)
	val64 := base64.StdEncoding.EncodeToString(val)
	supplied := func(policy string) *armmediaservices.StreamingLocatorProperties {
		return &armmediaservices.StreamingLocatorProperties{
			AssetName: to.Ptr(s.assetName), StreamingPolicyName: to.Ptr(cencPolicy), DefaultContentKeyPolicyName: to.Ptr(policy),
			ContentKeys: []*armmediaservices.StreamingLocatorContentKey{{ID: to.Ptr(kid), Value: to.Ptr(val64)}},
		}
	}
	if _, err := h.StreamingLocators.Create(ctx, s.rg, s.acct, "loc-own-key", armmediaservices.StreamingLocator{Properties: supplied(s.policyName)}, nil); err != nil {
		t.Fatalf("create locator with own key: %v", err)
	}
	s.wantKey(t, ctx, s.acct, "loc-own-key", kid, val64)

	// dc2: same asset name, a policy of its own, the same key.
	if _, err := h.Assets.CreateOrUpdate(ctx, s.rg, s.dc2, s.assetName, armmediaservices.Asset{Properties: &armmediaservices.AssetProperties{}}, nil); err != nil {
		t.Fatalf("dc2 asset: %v", err)
	}
	if _, err := h.ContentKeyPolicies.CreateOrUpdate(ctx, s.rg, s.dc2, "wv", armmediaservices.ContentKeyPolicy{Properties: &armmediaservices.ContentKeyPolicyProperties{
		Options: []*armmediaservices.ContentKeyPolicyOption{{
			Name:          to.Ptr("wv"),
			Configuration: &armmediaservices.ContentKeyPolicyWidevineConfiguration{WidevineTemplate: to.Ptr("{}")},
			Restriction:   &armmediaservices.ContentKeyPolicyOpenRestriction{},
		}},
	}}, nil); err != nil {
		t.Fatalf("dc2 content key policy: %v", err)
	}
	dc2Asset := s.assetName
	sp := supplied("wv")
	sp.AssetName = to.Ptr(dc2Asset)
	if _, err := h.StreamingLocators.Create(ctx, s.rg, s.dc2, "loc-own-key", armmediaservices.StreamingLocator{Properties: sp}, nil); err != nil {
		t.Fatalf("create dc2 locator with the same key: %v", err)
	}
	s.wantKey(t, ctx, s.dc2, "loc-own-key", kid, val64)

	// The asset lists both of its locators (and not dc2's).
	al, err := h.Assets.ListStreamingLocators(ctx, s.rg, s.acct, s.assetName, nil)
	if err != nil {
		t.Fatalf("Assets.ListStreamingLocators: %v", err)
	}
	var names []string
	for _, l := range al.StreamingLocators {
		names = append(names, deref(l.Name))
		if deref(l.AssetName) != s.assetName || deref(l.StreamingPolicyName) != cencPolicy || deref(l.DefaultContentKeyPolicyName) != s.policyName {
			t.Errorf("asset locator %s = %+v", deref(l.Name), l)
		}
		if deref(l.Name) == "loc-cenc" && deref(l.StreamingLocatorID) != locID {
			t.Errorf("asset locator loc-cenc id = %q; want %q", deref(l.StreamingLocatorID), locID)
		}
	}
	slices.Sort(names)
	if want := []string{"loc-cenc", "loc-own-key"}; !slices.Equal(names, want) {
		t.Errorf("asset locators = %v; want %v", names, want)
	}

	// A clear locator lists streaming and download paths.
	if _, err := h.StreamingLocators.Create(ctx, s.rg, s.acct, "loc-clear", armmediaservices.StreamingLocator{Properties: &armmediaservices.StreamingLocatorProperties{
		AssetName: to.Ptr(s.assetName), StreamingPolicyName: to.Ptr("Predefined_DownloadAndClearStreaming"),
	}}, nil); err != nil {
		t.Fatalf("create clear locator: %v", err)
	}
	clear, err := h.StreamingLocators.ListPaths(ctx, s.rg, s.acct, "loc-clear", nil)
	if err != nil {
		t.Fatalf("ListPaths(clear): %v", err)
	}
	clearProtos := map[armmediaservices.StreamingPolicyStreamingProtocol]bool{}
	for _, sp := range clear.StreamingPaths {
		clearProtos[deref(sp.StreamingProtocol)] = true
		if deref(sp.EncryptionScheme) != armmediaservices.EncryptionSchemeNoEncryption {
			t.Errorf("clear locator %s scheme = %q", deref(sp.StreamingProtocol), deref(sp.EncryptionScheme))
		}
	}
	if len(clearProtos) != 3 {
		t.Errorf("clear locator protocols = %v; want Hls, Dash, SmoothStreaming", clearProtos)
	}
	var dl []string
	for _, p := range clear.DownloadPaths {
		dl = append(dl, deref(p))
	}
	if len(dl) != 2 || !slices.ContainsFunc(dl, func(p string) bool { return strings.HasSuffix(p, "/demo_320x180_250.mp4") }) {
		t.Errorf("clear locator download paths = %v; want the two uploaded files", dl)
	}
	cctx, status = capture(ctx)
	if _, err := h.StreamingLocators.Delete(cctx, s.rg, s.acct, "loc-clear", nil); err != nil || status() != http.StatusOK {
		t.Errorf("delete clear locator: status %d err %v", status(), err)
	}

	// Referential integrity: policy and asset are in use.
	_, err = h.ContentKeyPolicies.Delete(ctx, s.rg, s.acct, s.policyName, nil)
	wantResponseError(t, "delete content key policy used by a locator", err, http.StatusConflict, "")
	_, err = h.Assets.Delete(ctx, s.rg, s.acct, s.assetName, nil)
	wantResponseError(t, "delete asset used by a locator", err, http.StatusConflict, "")

	for _, l := range []string{"loc-cenc", "loc-own-key"} {
		cctx, status := capture(ctx)
		if _, err := h.StreamingLocators.Delete(cctx, s.rg, s.acct, l, nil); err != nil {
			t.Fatalf("delete locator %s: %v", l, err)
		}
		if st := status(); st != http.StatusOK {
			t.Errorf("delete locator %s status = %d; want 200", l, st)
		}
	}
	_, err = h.StreamingLocators.Get(ctx, s.rg, s.acct, "loc-cenc", nil)
	wantResponseError(t, "get deleted locator", err, http.StatusNotFound, "ResourceNotFound")
	cctx, status = capture(ctx)
	if _, err := h.StreamingLocators.Delete(cctx, s.rg, s.acct, "loc-cenc", nil); err != nil || status() != http.StatusNoContent {
		t.Errorf("delete absent locator: status %d err %v; want 204", status(), err)
	}

	if _, err := h.ContentKeyPolicies.Delete(ctx, s.rg, s.acct, s.policyName, nil); err != nil {
		t.Errorf("delete content key policy after its locators: %v", err)
	}
	if _, err := h.Assets.Delete(ctx, s.rg, s.acct, s.assetName, nil); err != nil {
		t.Errorf("delete asset after its locators: %v", err)
	}
	_, err = h.Assets.Get(ctx, s.rg, s.acct, s.assetName, nil)
	wantResponseError(t, "get deleted asset", err, http.StatusNotFound, "ResourceNotFound")
	_, err = h.ContentKeyPolicies.Get(ctx, s.rg, s.acct, s.policyName, nil)
	wantResponseError(t, "get deleted content key policy", err, http.StatusNotFound, "ResourceNotFound")

	// dc2 is untouched by dc1's deletes.
	s.wantKey(t, ctx, s.dc2, "loc-own-key", kid, val64)
}

// wantKey checks that a locator's only content key is id/value.
func (s *scenario) wantKey(t *testing.T, ctx context.Context, account, locator, id, value string) {
	t.Helper()
	res, err := s.h.StreamingLocators.ListContentKeys(ctx, s.rg, account, locator, nil)
	if err != nil {
		t.Fatalf("ListContentKeys(%s/%s): %v", account, locator, err)
	}
	if len(res.ContentKeys) != 1 {
		t.Fatalf("ListContentKeys(%s/%s) = %d keys; want 1", account, locator, len(res.ContentKeys))
	}
	k := res.ContentKeys[0]
	if deref(k.ID) != id || deref(k.Value) != value {
		t.Errorf("ListContentKeys(%s/%s) = %s/%s; want the supplied %s/%s", account, locator, deref(k.ID), deref(k.Value), id, value)
	}
	if deref(k.Type) != armmediaservices.StreamingLocatorContentKeyTypeCommonEncryptionCenc {
		t.Errorf("ListContentKeys(%s/%s) type = %q", account, locator, deref(k.Type))
	}
}

// ---------------------------------------------------------------------------
// 5. Streaming policies
// ---------------------------------------------------------------------------

var predefinedPolicies = []string{
	"Predefined_ClearKey",
	"Predefined_ClearStreamingOnly",
	"Predefined_DownloadAndClearStreaming",
	"Predefined_DownloadOnly",
	"Predefined_MultiDrmCencStreaming",
	"Predefined_MultiDrmStreaming",
}

func (s *scenario) listPolicies(t *testing.T, ctx context.Context) map[string]*armmediaservices.StreamingPolicy {
	t.Helper()
	out := map[string]*armmediaservices.StreamingPolicy{}
	pager := s.h.StreamingPolicies.NewListPager(s.rg, s.acct, nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatalf("list streaming policies: %v", err)
		}
		for _, p := range page.Value {
			if _, dup := out[deref(p.Name)]; dup {
				t.Errorf("streaming policy %s listed twice", deref(p.Name))
			}
			out[deref(p.Name)] = p
		}
	}
	return out
}

func (s *scenario) streamingPolicies(t *testing.T) {
	h := s.h
	ctx := testCtx(t, 30*time.Second)
	all := s.listPolicies(t, ctx)
	var names []string
	for n := range all {
		names = append(names, n)
	}
	slices.Sort(names)
	if !slices.Equal(names, predefinedPolicies) {
		t.Errorf("streaming policies = %v; want the six predefined %v", names, predefinedPolicies)
	}
	if p := all["Predefined_MultiDrmCencStreaming"]; p == nil || p.Properties == nil || p.Properties.CommonEncryptionCenc == nil {
		t.Errorf("Predefined_MultiDrmCencStreaming has no commonEncryptionCenc block")
	}
	if p := all["Predefined_ClearKey"]; p == nil || p.Properties == nil || p.Properties.EnvelopeEncryption == nil {
		t.Errorf("Predefined_ClearKey has no envelopeEncryption block")
	}

	in := armmediaservices.StreamingPolicy{Properties: &armmediaservices.StreamingPolicyProperties{
		EnvelopeEncryption: &armmediaservices.EnvelopeEncryption{
			EnabledProtocols: &armmediaservices.EnabledProtocols{Dash: to.Ptr(true), Hls: to.Ptr(true), SmoothStreaming: to.Ptr(false), Download: to.Ptr(false)},
			ContentKeys:      &armmediaservices.StreamingPolicyContentKeys{DefaultKey: &armmediaservices.DefaultKey{Label: to.Ptr("aes")}},
			CustomKeyAcquisitionURLTemplate: to.Ptr("https://keys.e2e.test/{AlternativeMediaId}/{ContentKeyId}"),
		},
	}}
	cctx, status := capture(ctx)
	created, err := h.StreamingPolicies.Create(cctx, s.rg, s.acct, "custom-aes", in, nil)
	if err != nil {
		t.Fatalf("create streaming policy: %v", err)
	}
	if st := status(); st != http.StatusCreated {
		t.Errorf("create streaming policy status = %d; want 201", st)
	}
	if created.Properties == nil || created.Properties.Created == nil {
		t.Errorf("created streaming policy has no created time")
	}
	_, err = h.StreamingPolicies.Create(ctx, s.rg, s.acct, "custom-aes", in, nil)
	wantResponseError(t, "re-create streaming policy", err, http.StatusConflict, "")
	_, err = h.StreamingPolicies.Create(ctx, s.rg, s.acct, "Predefined_Mine", in, nil)
	wantResponseError(t, "create streaming policy with a reserved name", err, http.StatusBadRequest, "")

	all = s.listPolicies(t, ctx)
	p := all["custom-aes"]
	if p == nil {
		t.Fatalf("custom-aes not listed (got %d policies)", len(all))
	}
	if len(all) != len(predefinedPolicies)+1 {
		t.Errorf("%d policies listed; want %d", len(all), len(predefinedPolicies)+1)
	}
	env := p.Properties.EnvelopeEncryption
	if env == nil || env.EnabledProtocols == nil || !deref(env.EnabledProtocols.Dash) || !deref(env.EnabledProtocols.Hls) ||
		deref(env.EnabledProtocols.SmoothStreaming) || deref(env.EnabledProtocols.Download) ||
		env.ContentKeys == nil || env.ContentKeys.DefaultKey == nil || deref(env.ContentKeys.DefaultKey.Label) != "aes" ||
		deref(env.CustomKeyAcquisitionURLTemplate) != "https://keys.e2e.test/{AlternativeMediaId}/{ContentKeyId}" {
		b, _ := json.Marshal(p.Properties)
		t.Errorf("listed custom-aes = %s", b)
	}
	_, err = h.StreamingPolicies.Delete(ctx, s.rg, s.acct, "Predefined_ClearKey", nil)
	if err == nil {
		t.Error("deleting a predefined streaming policy succeeded")
	}
}

// ---------------------------------------------------------------------------
// 6. Streaming endpoints
// ---------------------------------------------------------------------------

func (s *scenario) streamingEndpoints(t *testing.T) {
	h := s.h
	ctx := testCtx(t, 30*time.Second)
	get := func() *armmediaservices.StreamingEndpoint {
		t.Helper()
		r, err := h.StreamingEndpoints.Get(ctx, s.rg, s.acct, "default", nil)
		if err != nil {
			t.Fatalf("get default endpoint: %v", err)
		}
		if r.Properties == nil {
			t.Fatal("default endpoint has no properties")
		}
		return &r.StreamingEndpoint
	}
	se := get()
	if st := deref(se.Properties.ResourceState); st != armmediaservices.StreamingEndpointResourceStateStopped {
		t.Errorf("default endpoint state = %q; want Stopped", st)
	}
	if hn := deref(se.Properties.HostName); hn != h.OriginAddr {
		t.Errorf("default endpoint hostName = %q; want the origin %q", hn, h.OriginAddr)
	}
	if deref(se.Location) == "" {
		t.Error("default endpoint has no location")
	}

	var listed []string
	pager := h.StreamingEndpoints.NewListPager(s.rg, s.acct, nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatalf("list endpoints: %v", err)
		}
		for _, e := range page.Value {
			listed = append(listed, deref(e.Name))
		}
	}
	if !slices.Equal(listed, []string{"default"}) {
		t.Errorf("endpoints = %v; want [default]", listed)
	}

	start, err := h.StreamingEndpoints.BeginStart(ctx, s.rg, s.acct, "default", nil)
	if err != nil {
		t.Fatalf("BeginStart: %v", err)
	}
	if _, err := start.PollUntilDone(ctx, pollOpts); err != nil {
		t.Fatalf("start PollUntilDone: %v", err)
	}
	if st := deref(get().Properties.ResourceState); st != armmediaservices.StreamingEndpointResourceStateRunning {
		t.Errorf("after start state = %q; want Running", st)
	}

	scale, err := h.StreamingEndpoints.BeginScale(ctx, s.rg, s.acct, "default", armmediaservices.StreamingEntityScaleUnit{ScaleUnit: to.Ptr[int32](2)}, nil)
	if err != nil {
		t.Fatalf("BeginScale: %v", err)
	}
	if _, err := scale.PollUntilDone(ctx, pollOpts); err != nil {
		t.Fatalf("scale PollUntilDone: %v", err)
	}
	se = get()
	if deref(se.Properties.ScaleUnits) != 2 {
		t.Errorf("after scale scaleUnits = %d; want 2", deref(se.Properties.ScaleUnits))
	}
	if se.SKU == nil || deref(se.SKU.Capacity) != 2 || deref(se.SKU.Name) != "Premium" {
		t.Errorf("after scale sku = %+v; want Premium capacity 2", se.SKU)
	}
	if st := deref(se.Properties.ResourceState); st != armmediaservices.StreamingEndpointResourceStateRunning {
		t.Errorf("after scale state = %q; want Running", st)
	}

	// A second endpoint, auto-started, then deleted.
	cp, err := h.StreamingEndpoints.BeginCreate(ctx, s.rg, s.acct, "second", armmediaservices.StreamingEndpoint{
		Location:   to.Ptr("local"),
		Properties: &armmediaservices.StreamingEndpointProperties{ScaleUnits: to.Ptr[int32](0), Description: to.Ptr("e2e")},
	}, &armmediaservices.StreamingEndpointsClientBeginCreateOptions{AutoStart: to.Ptr(true)})
	if err != nil {
		t.Fatalf("BeginCreate(endpoint): %v", err)
	}
	se2, err := cp.PollUntilDone(ctx, pollOpts)
	if err != nil {
		t.Fatalf("create endpoint PollUntilDone: %v", err)
	}
	if deref(se2.Properties.ResourceState) != armmediaservices.StreamingEndpointResourceStateRunning || deref(se2.Properties.Description) != "e2e" {
		t.Errorf("auto-started endpoint: state %q description %q", deref(se2.Properties.ResourceState), deref(se2.Properties.Description))
	}
	dp, err := h.StreamingEndpoints.BeginDelete(ctx, s.rg, s.acct, "second", nil)
	if err != nil {
		t.Fatalf("BeginDelete(endpoint): %v", err)
	}
	if _, err := dp.PollUntilDone(ctx, pollOpts); err != nil {
		t.Fatalf("delete endpoint PollUntilDone: %v", err)
	}
	_, err = h.StreamingEndpoints.Get(ctx, s.rg, s.acct, "second", nil)
	wantResponseError(t, "get deleted endpoint", err, http.StatusNotFound, "ResourceNotFound")

	stop, err := h.StreamingEndpoints.BeginStop(ctx, s.rg, s.acct, "default", nil)
	if err != nil {
		t.Fatalf("BeginStop: %v", err)
	}
	if _, err := stop.PollUntilDone(ctx, pollOpts); err != nil {
		t.Fatalf("stop PollUntilDone: %v", err)
	}
	if st := deref(get().Properties.ResourceState); st != armmediaservices.StreamingEndpointResourceStateStopped {
		t.Errorf("after stop state = %q; want Stopped", st)
	}
}

// ---------------------------------------------------------------------------
// 7. Account and asset filters
// ---------------------------------------------------------------------------

func filterProps() *armmediaservices.MediaFilterProperties {
	cond := func(p armmediaservices.FilterTrackPropertyType, op armmediaservices.FilterTrackPropertyCompareOperation, v string) *armmediaservices.FilterTrackPropertyCondition {
		return &armmediaservices.FilterTrackPropertyCondition{Property: to.Ptr(p), Operation: to.Ptr(op), Value: to.Ptr(v)}
	}
	return &armmediaservices.MediaFilterProperties{
		PresentationTimeRange: &armmediaservices.PresentationTimeRange{
			StartTimestamp: to.Ptr[int64](0), EndTimestamp: to.Ptr[int64](170_000_000), Timescale: to.Ptr[int64](10_000_000),
			PresentationWindowDuration: to.Ptr[int64](9_223_372_036_854_775_807), LiveBackoffDuration: to.Ptr[int64](0), ForceEndTimestamp: to.Ptr(false),
		},
		Tracks: []*armmediaservices.FilterTrackSelection{
			{TrackSelections: []*armmediaservices.FilterTrackPropertyCondition{
				cond(armmediaservices.FilterTrackPropertyTypeType, armmediaservices.FilterTrackPropertyCompareOperationEqual, "Video"),
				cond(armmediaservices.FilterTrackPropertyTypeBitrate, armmediaservices.FilterTrackPropertyCompareOperationEqual, "0-2427000"),
			}},
			{TrackSelections: []*armmediaservices.FilterTrackPropertyCondition{
				cond(armmediaservices.FilterTrackPropertyTypeType, armmediaservices.FilterTrackPropertyCompareOperationEqual, "Audio"),
				cond(armmediaservices.FilterTrackPropertyTypeLanguage, armmediaservices.FilterTrackPropertyCompareOperationNotEqual, "en"),
			}},
		},
	}
}

// checkFilter compares a returned filter with filterProps (plus firstQuality
// when fq > 0).
func checkFilter(t *testing.T, what string, got *armmediaservices.MediaFilterProperties, fq int32) {
	t.Helper()
	want := filterProps()
	if fq > 0 {
		want.FirstQuality = &armmediaservices.FirstQuality{Bitrate: to.Ptr(fq)}
	}
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	if !jsonEqual(string(gb), string(wb)) {
		t.Errorf("%s:\n got %s\nwant %s", what, gb, wb)
	}
}

func (s *scenario) filters(t *testing.T) {
	h := s.h
	ctx := testCtx(t, 30*time.Second)

	t.Run("account", func(t *testing.T) {
		cctx, status := capture(ctx)
		f, err := h.AccountFilters.CreateOrUpdate(cctx, s.rg, s.acct, "hd-video", armmediaservices.AccountFilter{Properties: filterProps()}, nil)
		if err != nil {
			t.Fatalf("create account filter: %v", err)
		}
		if st := status(); st != http.StatusCreated {
			t.Errorf("create account filter status = %d; want 201", st)
		}
		checkFilter(t, "PUT account filter", f.Properties, 0)
		g, err := h.AccountFilters.Get(ctx, s.rg, s.acct, "hd-video", nil)
		if err != nil {
			t.Fatalf("get account filter: %v", err)
		}
		checkFilter(t, "Get account filter", g.Properties, 0)
		if !strings.HasSuffix(deref(g.ID), "/accountFilters/hd-video") {
			t.Errorf("account filter id = %q", deref(g.ID))
		}
		cctx, status = capture(ctx)
		if _, err := h.AccountFilters.CreateOrUpdate(cctx, s.rg, s.acct, "hd-video", armmediaservices.AccountFilter{Properties: filterProps()}, nil); err != nil || status() != http.StatusOK {
			t.Errorf("re-PUT account filter: status %d err %v; want 200", status(), err)
		}
		u, err := h.AccountFilters.Update(ctx, s.rg, s.acct, "hd-video", armmediaservices.AccountFilter{Properties: &armmediaservices.MediaFilterProperties{
			FirstQuality: &armmediaservices.FirstQuality{Bitrate: to.Ptr[int32](128000)},
		}}, nil)
		if err != nil {
			t.Fatalf("PATCH account filter: %v", err)
		}
		checkFilter(t, "PATCH account filter", u.Properties, 128000)
		var names []string
		pager := h.AccountFilters.NewListPager(s.rg, s.acct, nil)
		for pager.More() {
			page, err := pager.NextPage(ctx)
			if err != nil {
				t.Fatalf("list account filters: %v", err)
			}
			for _, f := range page.Value {
				names = append(names, deref(f.Name))
				checkFilter(t, "listed account filter", f.Properties, 128000)
			}
		}
		if !slices.Equal(names, []string{"hd-video"}) {
			t.Errorf("account filters = %v", names)
		}
		if _, err := h.AccountFilters.Delete(ctx, s.rg, s.acct, "hd-video", nil); err != nil {
			t.Fatalf("delete account filter: %v", err)
		}
		_, err = h.AccountFilters.Get(ctx, s.rg, s.acct, "hd-video", nil)
		wantResponseError(t, "get deleted account filter", err, http.StatusNotFound, "ResourceNotFound")
	})

	t.Run("asset", func(t *testing.T) {
		const asset = "filtered-asset"
		if _, err := h.Assets.CreateOrUpdate(ctx, s.rg, s.acct, asset, armmediaservices.Asset{Properties: &armmediaservices.AssetProperties{}}, nil); err != nil {
			t.Fatalf("create asset: %v", err)
		}
		cctx, status := capture(ctx)
		f, err := h.AssetFilters.CreateOrUpdate(cctx, s.rg, s.acct, asset, "first-17s", armmediaservices.AssetFilter{Properties: filterProps()}, nil)
		if err != nil {
			t.Fatalf("create asset filter: %v", err)
		}
		if st := status(); st != http.StatusCreated {
			t.Errorf("create asset filter status = %d; want 201", st)
		}
		checkFilter(t, "PUT asset filter", f.Properties, 0)
		if !strings.HasSuffix(deref(f.ID), "/assets/"+asset+"/assetFilters/first-17s") {
			t.Errorf("asset filter id = %q", deref(f.ID))
		}
		u, err := h.AssetFilters.Update(ctx, s.rg, s.acct, asset, "first-17s", armmediaservices.AssetFilter{Properties: &armmediaservices.MediaFilterProperties{
			FirstQuality: &armmediaservices.FirstQuality{Bitrate: to.Ptr[int32](400000)},
		}}, nil)
		if err != nil {
			t.Fatalf("PATCH asset filter: %v", err)
		}
		checkFilter(t, "PATCH asset filter", u.Properties, 400000)
		g, err := h.AssetFilters.Get(ctx, s.rg, s.acct, asset, "first-17s", nil)
		if err != nil {
			t.Fatalf("get asset filter: %v", err)
		}
		checkFilter(t, "Get asset filter", g.Properties, 400000)
		var names []string
		pager := h.AssetFilters.NewListPager(s.rg, s.acct, asset, nil)
		for pager.More() {
			page, err := pager.NextPage(ctx)
			if err != nil {
				t.Fatalf("list asset filters: %v", err)
			}
			for _, f := range page.Value {
				names = append(names, deref(f.Name))
			}
		}
		if !slices.Equal(names, []string{"first-17s"}) {
			t.Errorf("asset filters = %v", names)
		}
		_, err = h.AssetFilters.Get(ctx, s.rg, s.acct, "no-such-asset", "first-17s", nil)
		wantResponseError(t, "asset filter of a missing asset", err, http.StatusNotFound, "ResourceNotFound")
		if _, err := h.AssetFilters.Delete(ctx, s.rg, s.acct, asset, "first-17s", nil); err != nil {
			t.Fatalf("delete asset filter: %v", err)
		}
		_, err = h.AssetFilters.Get(ctx, s.rg, s.acct, asset, "first-17s", nil)
		wantResponseError(t, "get deleted asset filter", err, http.StatusNotFound, "ResourceNotFound")
	})
}

// ---------------------------------------------------------------------------
// 8. Paging, $filter, $orderby
// ---------------------------------------------------------------------------

// listedAsset is what the paging checks keep of a listed asset.
type listedAsset struct {
	name    string
	created time.Time
}

// walkAssets runs the SDK pager to the end and returns the assets in list
// order and the number of pages.
func (s *scenario) walkAssets(t *testing.T, ctx context.Context, opts *armmediaservices.AssetsClientListOptions, maxPage int) ([]listedAsset, int) {
	t.Helper()
	var out []listedAsset
	pages := 0
	pager := s.h.Assets.NewListPager(s.rg, s.acct, opts)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatalf("list assets (page %d, %+v): %v", pages+1, opts, err)
		}
		pages++
		if maxPage > 0 && len(page.Value) > maxPage {
			t.Errorf("page %d has %d assets; want at most %d", pages, len(page.Value), maxPage)
		}
		for _, a := range page.Value {
			var c time.Time
			if a.Properties != nil && a.Properties.Created != nil {
				c = *a.Properties.Created
			}
			out = append(out, listedAsset{name: deref(a.Name), created: c})
		}
	}
	return out, pages
}

func countNames(items []listedAsset) map[string]int {
	m := map[string]int{}
	for _, it := range items {
		m[it.name]++
	}
	return m
}

// forEachConcurrently runs fn for every name with n workers and returns
// the first error.
func forEachConcurrently(names []string, n int, fn func(string) error) error {
	ch := make(chan string)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name := range ch {
				if err := fn(name); err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("%s: %w", name, err)
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, name := range names {
		ch <- name
	}
	close(ch)
	wg.Wait()
	return first
}

// odataTime formats t as an OData date-time literal (7 fractional digits).
func odataTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }

func (s *scenario) paging(t *testing.T) {
	h := s.h
	ctx := testCtx(t, 60*time.Second)
	const n = 250
	var names []string
	for i := range n {
		names = append(names, fmt.Sprintf("page-%03d", i))
	}
	create := func(name string) error {
		_, err := h.Assets.CreateOrUpdate(ctx, s.rg, s.acct, name, armmediaservices.Asset{Properties: &armmediaservices.AssetProperties{}}, nil)
		return err
	}
	if err := forEachConcurrently(names, 8, create); err != nil {
		t.Fatalf("create %d assets: %v", n, err)
	}

	before, _ := s.walkAssets(t, ctx, nil, 0)
	t.Run("top10_once_each", func(t *testing.T) {
		items, pages := s.walkAssets(t, ctx, &armmediaservices.AssetsClientListOptions{Top: to.Ptr[int32](10)}, 10)
		seen := countNames(items)
		for _, name := range names {
			if seen[name] != 1 {
				t.Errorf("asset %s seen %d times; want once", name, seen[name])
			}
		}
		for name, c := range seen {
			if c != 1 {
				t.Errorf("asset %s seen %d times", name, c)
			}
		}
		if len(items) != len(before) {
			t.Errorf("$top=10 walk saw %d assets; a plain walk saw %d", len(items), len(before))
		}
		if want := (len(before) + 9) / 10; pages < 25 || pages < want {
			t.Errorf("$top=10 walk took %d pages; want at least %d", pages, max(25, want))
		}
	})

	t.Run("top10_under_churn", func(t *testing.T) {
		stop := make(chan struct{})
		done := make(chan error, 1)
		var ops atomic.Int64
		go func() {
			// Insert and delete other assets, spread over the whole name
			// range, until the walk is over; then remove what is left.
			var live []string
			var err error
			for i := 0; err == nil; i++ {
				select {
				case <-stop:
					for _, name := range live {
						if _, e := h.Assets.Delete(ctx, s.rg, s.acct, name, nil); e != nil && err == nil {
							err = e
						}
					}
					done <- err
					return
				default:
				}
				name := fmt.Sprintf("page-%03d-churn-%d", mrand.IntN(n), i)
				if err = create(name); err != nil {
					break
				}
				ops.Add(1)
				live = append(live, name)
				if len(live) > 5 {
					victim := live[mrand.IntN(len(live))]
					live = slices.DeleteFunc(live, func(s string) bool { return s == victim })
					if _, err = h.Assets.Delete(ctx, s.rg, s.acct, victim, nil); err != nil {
						break
					}
					ops.Add(1)
				}
			}
			<-stop
			done <- err
		}()
		var items []listedAsset
		pages := 0
		pager := h.Assets.NewListPager(s.rg, s.acct, &armmediaservices.AssetsClientListOptions{Top: to.Ptr[int32](10)})
		for pager.More() {
			page, err := pager.NextPage(ctx)
			if err != nil {
				close(stop)
				<-done
				t.Fatalf("list assets under churn (page %d): %v", pages+1, err)
			}
			pages++
			for _, a := range page.Value {
				items = append(items, listedAsset{name: deref(a.Name)})
			}
			time.Sleep(5 * time.Millisecond) // let the writer interleave
		}
		close(stop)
		if err := <-done; err != nil {
			t.Errorf("concurrent writer: %v", err)
		}
		t.Logf("walk: %d pages, %d items, %d concurrent writes", pages, len(items), ops.Load())
		if ops.Load() == 0 {
			t.Error("no concurrent write happened during the walk")
		}
		seen := countNames(items)
		for _, it := range before {
			if seen[it.name] != 1 {
				t.Errorf("asset %s existed throughout but was seen %d times", it.name, seen[it.name])
			}
		}
		for name, c := range seen {
			if c > 1 {
				t.Errorf("asset %s seen %d times", name, c)
			}
		}
	})

	// After the churn the set is back to `before`.
	all, _ := s.walkAssets(t, ctx, nil, 0)
	var allNames []string
	for _, it := range all {
		allNames = append(allNames, it.name)
	}
	if len(all) != len(before) {
		t.Fatalf("after churn %d assets; want %d", len(all), len(before))
	}

	t.Run("filter_name_gt", func(t *testing.T) {
		items, _ := s.walkAssets(t, ctx, &armmediaservices.AssetsClientListOptions{Filter: to.Ptr("name gt 'page-200'")}, 0)
		var got, want []string
		for _, it := range items {
			got = append(got, it.name)
		}
		for _, name := range allNames {
			if strings.ToLower(name) > "page-200" {
				want = append(want, name)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("name gt 'page-200' = %d assets %v…; want %d %v…", len(got), head(got), len(want), head(want))
		}
	})

	t.Run("filter_range_orderby_name_desc", func(t *testing.T) {
		items, _ := s.walkAssets(t, ctx, &armmediaservices.AssetsClientListOptions{
			Filter: to.Ptr("name ge 'page-100' and name lt 'page-110'"), Orderby: to.Ptr("name desc"), Top: to.Ptr[int32](3),
		}, 3)
		var got []string
		for _, it := range items {
			got = append(got, it.name)
		}
		var want []string
		for i := 109; i >= 100; i-- {
			want = append(want, fmt.Sprintf("page-%03d", i))
		}
		if !slices.Equal(got, want) {
			t.Errorf("range desc = %v; want %v", got, want)
		}
	})

	t.Run("filter_created_gt", func(t *testing.T) {
		time.Sleep(5 * time.Millisecond)
		cutoff := time.Now()
		time.Sleep(5 * time.Millisecond)
		late := []string{"late-0", "late-1", "late-2"}
		for _, name := range late {
			if err := create(name); err != nil {
				t.Fatal(err)
			}
		}
		t.Cleanup(func() {
			for _, name := range late {
				_, _ = h.Assets.Delete(context.Background(), s.rg, s.acct, name, nil)
			}
		})
		items, _ := s.walkAssets(t, ctx, &armmediaservices.AssetsClientListOptions{
			Filter: to.Ptr("properties/created gt " + odataTime(cutoff)), Orderby: to.Ptr("properties/created"),
		}, 0)
		var got []string
		for _, it := range items {
			got = append(got, it.name)
			if !it.created.After(cutoff) {
				t.Errorf("%s created %v is not after %v", it.name, it.created, cutoff)
			}
		}
		if !slices.Equal(got, late) {
			t.Errorf("properties/created gt cutoff = %v; want %v in creation order", got, late)
		}
		// A cutoff in the middle of the bulk creation splits it exactly.
		mid := all[len(all)/2].created
		items, _ = s.walkAssets(t, ctx, &armmediaservices.AssetsClientListOptions{Filter: to.Ptr("properties/created gt " + odataTime(mid))}, 0)
		want := 0
		for _, it := range all {
			if it.created.After(mid) {
				want++
			}
		}
		if len(items) != want+len(late) {
			t.Errorf("properties/created gt %s = %d assets; want %d", odataTime(mid), len(items), want+len(late))
		}
	})

	t.Run("orderby_created_desc", func(t *testing.T) {
		items, pages := s.walkAssets(t, ctx, &armmediaservices.AssetsClientListOptions{Orderby: to.Ptr("properties/created desc"), Top: to.Ptr[int32](40)}, 40)
		if len(items) != len(all) {
			t.Errorf("created desc listed %d assets in %d pages; want %d", len(items), pages, len(all))
		}
		for i := 1; i < len(items); i++ {
			if items[i].created.After(items[i-1].created) {
				t.Errorf("created desc: %s (%v) after %s (%v)", items[i].name, items[i].created, items[i-1].name, items[i-1].created)
				break
			}
		}
		for name, c := range countNames(items) {
			if c != 1 {
				t.Errorf("created desc: %s seen %d times", name, c)
			}
		}
	})

	t.Run("orderby_name_desc", func(t *testing.T) {
		items, _ := s.walkAssets(t, ctx, &armmediaservices.AssetsClientListOptions{Orderby: to.Ptr("name desc"), Top: to.Ptr[int32](33)}, 33)
		if len(items) != len(all) {
			t.Errorf("name desc listed %d assets; want %d", len(items), len(all))
		}
		for i := 1; i < len(items); i++ {
			if strings.ToLower(items[i].name) >= strings.ToLower(items[i-1].name) {
				t.Errorf("name desc: %s after %s", items[i].name, items[i-1].name)
				break
			}
		}
	})

	t.Run("bad_filter", func(t *testing.T) {
		pager := h.Assets.NewListPager(s.rg, s.acct, &armmediaservices.AssetsClientListOptions{Filter: to.Ptr("properties/description eq 'x'")})
		_, err := pager.NextPage(ctx)
		wantResponseError(t, "$filter on an unsupported property", err, http.StatusBadRequest, "")
	})
}

func head(s []string) []string {
	if len(s) > 5 {
		return s[:5]
	}
	return s
}

// ---------------------------------------------------------------------------
// 9. Errors through the SDK
// ---------------------------------------------------------------------------

func (s *scenario) errors(t *testing.T) {
	h := s.h
	ctx := testCtx(t, 30*time.Second)

	_, err := h.Assets.Get(ctx, s.rg, s.acct, "does-not-exist", nil)
	wantResponseError(t, "get missing asset", err, http.StatusNotFound, "ResourceNotFound")

	_, err = h.Assets.Get(ctx, s.rg, "nosuchaccount", "whatever", nil)
	wantResponseError(t, "get asset of a missing account", err, http.StatusNotFound, "ResourceNotFound")

	_, err = h.Assets.CreateOrUpdate(ctx, s.rg, s.acct, "bad-container", armmediaservices.Asset{Properties: &armmediaservices.AssetProperties{
		Container: to.Ptr("Invalid_Container!"),
	}}, nil)
	wantResponseError(t, "PUT asset with an invalid container name", err, http.StatusBadRequest, "")
	_, err = h.Assets.Get(ctx, s.rg, s.acct, "bad-container", nil)
	wantResponseError(t, "asset after a refused PUT", err, http.StatusNotFound, "ResourceNotFound")

	_, err = h.StreamingLocators.Create(ctx, s.rg, s.acct, "loc-missing-asset", armmediaservices.StreamingLocator{Properties: &armmediaservices.StreamingLocatorProperties{
		AssetName: to.Ptr("does-not-exist"), StreamingPolicyName: to.Ptr("Predefined_ClearStreamingOnly"),
	}}, nil)
	wantResponseError(t, "locator of a missing asset", err, http.StatusBadRequest, "")

	// A wrong secret is a 401, not a 404 or 500.
	bad, err := armmediaservices.NewAssetsClient(h.Sub, newBootstrapCredential(testClientID, "wrong-secret-0123456789"), h.Options)
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.Get(ctx, s.rg, s.acct, "does-not-exist", nil)
	wantResponseError(t, "wrong secret", err, http.StatusUnauthorized, "")
	var re *azcore.ResponseError
	if errors.As(err, &re) && re.ErrorCode == "" {
		t.Errorf("401 without an error code")
	}
}
