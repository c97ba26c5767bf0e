package teste2e

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/mediaservices/armmediaservices/v3"
)

// Step 9 of the SDK scenario: errors through the SDK.

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
