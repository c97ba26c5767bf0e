package teste2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/mediaservices/armmediaservices/v3"
	"github.com/google/uuid"
)

// Step 4 of the SDK scenario: streaming locators.

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
	if _, err = uuid.Parse(locID); err != nil {
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
	if _, err = uuid.Parse(deref(k.ID)); err != nil {
		t.Errorf("content key id %q is not a GUID", deref(k.ID))
	}
	if len(got.Properties.ContentKeys) == 1 && deref(got.Properties.ContentKeys[0].ID) != deref(k.ID) {
		t.Errorf("Get and ListContentKeys disagree on the key id: %s vs %s", deref(got.Properties.ContentKeys[0].ID), deref(k.ID))
	}
	if v, derr := base64.StdEncoding.DecodeString(deref(k.Value)); derr != nil || len(v) != 16 {
		t.Errorf("content key value %q: %d bytes, err %v; want 16 bytes of standard base64", deref(k.Value), len(v), derr)
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
			// Sent upper-case; AMS answers GUIDs in lower case.
			ContentKeys: []*armmediaservices.StreamingLocatorContentKey{{ID: to.Ptr(strings.ToUpper(kid)), Value: to.Ptr(val64)}},
		}
	}
	if _, err = h.StreamingLocators.Create(ctx, s.rg, s.acct, "loc-own-key", armmediaservices.StreamingLocator{Properties: supplied(s.policyName)}, nil); err != nil {
		t.Fatalf("create locator with own key: %v", err)
	}
	s.wantKey(t, ctx, s.acct, "loc-own-key", kid, val64)

	// dc2: same asset name, a policy of its own, the same key.
	if _, err = h.Assets.CreateOrUpdate(ctx, s.rg, s.dc2, s.assetName, armmediaservices.Asset{Properties: &armmediaservices.AssetProperties{}}, nil); err != nil {
		t.Fatalf("dc2 asset: %v", err)
	}
	if _, err = h.ContentKeyPolicies.CreateOrUpdate(ctx, s.rg, s.dc2, "wv", armmediaservices.ContentKeyPolicy{Properties: &armmediaservices.ContentKeyPolicyProperties{
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
	if _, err = h.StreamingLocators.Create(ctx, s.rg, s.dc2, "loc-own-key", armmediaservices.StreamingLocator{Properties: sp}, nil); err != nil {
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

	// CENC + CBCS: two keys; a time window and an asset filter round-trip.
	if _, err = h.AssetFilters.CreateOrUpdate(ctx, s.rg, s.acct, s.assetName, "first-17s", armmediaservices.AssetFilter{Properties: filterProps()}, nil); err != nil {
		t.Fatalf("create asset filter: %v", err)
	}
	start := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	end := start.Add(48 * time.Hour)
	fixedID := strings.ToUpper(uuid.NewString())
	multi, err := h.StreamingLocators.Create(ctx, s.rg, s.acct, "loc-multi", armmediaservices.StreamingLocator{Properties: &armmediaservices.StreamingLocatorProperties{
		AssetName: to.Ptr(s.assetName), StreamingPolicyName: to.Ptr("Predefined_MultiDrmStreaming"), DefaultContentKeyPolicyName: to.Ptr(s.policyName),
		StartTime: to.Ptr(start), EndTime: to.Ptr(end), StreamingLocatorID: to.Ptr(fixedID), AlternativeMediaID: to.Ptr("alt-media"),
		Filters: []*string{to.Ptr("first-17s")},
	}}, nil)
	if err != nil {
		t.Fatalf("create multi-DRM locator: %v", err)
	}
	mp := multi.Properties
	if deref(mp.StreamingLocatorID) != strings.ToLower(fixedID) || !deref(mp.StartTime).Equal(start) || !deref(mp.EndTime).Equal(end) ||
		deref(mp.AlternativeMediaID) != "alt-media" || len(mp.Filters) != 1 || deref(mp.Filters[0]) != "first-17s" {
		b, _ := json.Marshal(mp)
		t.Errorf("multi-DRM locator = %s; want id %s (lower case), window %v..%v, alternativeMediaId, filter first-17s", b, strings.ToLower(fixedID), start, end)
	}
	mk, err := h.StreamingLocators.ListContentKeys(ctx, s.rg, s.acct, "loc-multi", nil)
	if err != nil {
		t.Fatalf("ListContentKeys(multi): %v", err)
	}
	types := map[armmediaservices.StreamingLocatorContentKeyType]string{}
	for _, k := range mk.ContentKeys {
		types[deref(k.Type)] = deref(k.ID)
	}
	cenc, cbcs := types[armmediaservices.StreamingLocatorContentKeyTypeCommonEncryptionCenc], types[armmediaservices.StreamingLocatorContentKeyTypeCommonEncryptionCbcs]
	if len(mk.ContentKeys) != 2 || cenc == "" || cbcs == "" || cenc == cbcs {
		t.Errorf("multi-DRM locator keys = %v; want one CENC and one CBCS key with different ids", types)
	}
	mpaths, err := h.StreamingLocators.ListPaths(ctx, s.rg, s.acct, "loc-multi", nil)
	if err != nil {
		t.Fatalf("ListPaths(multi): %v", err)
	}
	hlsCbcs := false
	for _, sp := range mpaths.StreamingPaths {
		if deref(sp.StreamingProtocol) == armmediaservices.StreamingPolicyStreamingProtocolHls && deref(sp.EncryptionScheme) == armmediaservices.EncryptionSchemeCommonEncryptionCbcs {
			hlsCbcs = len(sp.Paths) > 0 && strings.Contains(deref(sp.Paths[0]), "encryption=cbcs-aapl")
		}
	}
	if !hlsCbcs {
		t.Errorf("multi-DRM locator has no HLS cbcs-aapl path: %+v", mpaths.StreamingPaths)
	}
	_, err = h.AssetFilters.Delete(ctx, s.rg, s.acct, s.assetName, "first-17s", nil)
	wantResponseError(t, "delete asset filter used by a locator", err, http.StatusConflict, "")
	if _, err = h.StreamingLocators.Delete(ctx, s.rg, s.acct, "loc-multi", nil); err != nil {
		t.Fatalf("delete multi-DRM locator: %v", err)
	}

	// A clear locator lists streaming and download paths.
	if _, err = h.StreamingLocators.Create(ctx, s.rg, s.acct, "loc-clear", armmediaservices.StreamingLocator{Properties: &armmediaservices.StreamingLocatorProperties{
		AssetName: to.Ptr(s.assetName), StreamingPolicyName: to.Ptr("Predefined_DownloadAndClearStreaming"),
	}}, nil); err != nil {
		t.Fatalf("create clear locator: %v", err)
	}
	clearPaths, err := h.StreamingLocators.ListPaths(ctx, s.rg, s.acct, "loc-clear", nil)
	if err != nil {
		t.Fatalf("ListPaths(clear): %v", err)
	}
	clearProtos := map[armmediaservices.StreamingPolicyStreamingProtocol]bool{}
	for _, sp := range clearPaths.StreamingPaths {
		clearProtos[deref(sp.StreamingProtocol)] = true
		if deref(sp.EncryptionScheme) != armmediaservices.EncryptionSchemeNoEncryption {
			t.Errorf("clear locator %s scheme = %q", deref(sp.StreamingProtocol), deref(sp.EncryptionScheme))
		}
	}
	if len(clearProtos) != 3 {
		t.Errorf("clear locator protocols = %v; want Hls, Dash, SmoothStreaming", clearProtos)
	}
	var dl []string
	for _, p := range clearPaths.DownloadPaths {
		dl = append(dl, deref(p))
	}
	if len(dl) != 2 || !slices.ContainsFunc(dl, func(p string) bool { return strings.HasSuffix(p, "/demo_320x180_250.mp4") }) {
		t.Errorf("clear locator download paths = %v; want the two uploaded files", dl)
	}
	cctx, status = capture(ctx)
	if _, err = h.StreamingLocators.Delete(cctx, s.rg, s.acct, "loc-clear", nil); err != nil || status() != http.StatusOK {
		t.Errorf("delete clear locator: status %d err %v", status(), err)
	}

	// Referential integrity: policy and asset are in use.
	_, err = h.ContentKeyPolicies.Delete(ctx, s.rg, s.acct, s.policyName, nil)
	wantResponseError(t, "delete content key policy used by a locator", err, http.StatusConflict, "")
	_, err = h.Assets.Delete(ctx, s.rg, s.acct, s.assetName, nil)
	wantResponseError(t, "delete asset used by a locator", err, http.StatusConflict, "")

	for _, l := range []string{"loc-cenc", "loc-own-key"} {
		dctx, dstatus := capture(ctx)
		if _, err = h.StreamingLocators.Delete(dctx, s.rg, s.acct, l, nil); err != nil {
			t.Fatalf("delete locator %s: %v", l, err)
		}
		if st := dstatus(); st != http.StatusOK {
			t.Errorf("delete locator %s status = %d; want 200", l, st)
		}
	}
	_, err = h.StreamingLocators.Get(ctx, s.rg, s.acct, "loc-cenc", nil)
	wantResponseError(t, "get deleted locator", err, http.StatusNotFound, "ResourceNotFound")
	cctx, status = capture(ctx)
	if _, err = h.StreamingLocators.Delete(cctx, s.rg, s.acct, "loc-cenc", nil); err != nil || status() != http.StatusNoContent {
		t.Errorf("delete absent locator: status %d err %v; want 204", status(), err)
	}

	if _, err = h.ContentKeyPolicies.Delete(ctx, s.rg, s.acct, s.policyName, nil); err != nil {
		t.Errorf("delete content key policy after its locators: %v", err)
	}
	if _, err = h.Assets.Delete(ctx, s.rg, s.acct, s.assetName, nil); err != nil {
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
