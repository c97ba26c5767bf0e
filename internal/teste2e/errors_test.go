package teste2e

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/mediaservices/armmediaservices/v3"

	"github.com/lockstream/lockstream/internal/identity"
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

	// A wrong secret fails at the token endpoint with AAD's 401
	// invalid_client, which azidentity reports as an authentication error
	// before any ARM request is sent.
	bad, err := armmediaservices.NewAssetsClient(h.Sub, h.credential(testClientID, "wrong-secret-0123456789"), h.Options)
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.Get(ctx, s.rg, s.acct, "does-not-exist", nil)
	var afe *azidentity.AuthenticationFailedError
	if !errors.As(err, &afe) || afe.RawResponse == nil || afe.RawResponse.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong secret: got %v; want *azidentity.AuthenticationFailedError with a 401 token response", err)
	} else if !strings.Contains(afe.Error(), "AADSTS7000215") {
		t.Errorf("wrong secret: error does not name AADSTS7000215: %v", afe)
	}

	// A token the API no longer accepts (its principal was deleted after
	// the SDK cached it) is a 401 with an ARM error code, not a 404 or 500.
	idsvc := h.Core.Identity()
	p, err := idsvc.CreatePrincipal(ctx, identity.CreatePrincipalOptions{DisplayName: "e2e-deleted"})
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := idsvc.AddSecret(ctx, p.ClientID, identity.SecretOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := idsvc.AssignRole(ctx, p.ClientID, "Reader", "*"); err != nil {
		t.Fatal(err)
	}
	gone, err := armmediaservices.NewAssetsClient(h.Sub, h.credential(p.ClientID, secret), h.Options)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gone.Get(ctx, s.rg, s.acct, "does-not-exist", nil); err != nil {
		wantResponseError(t, "reader before deletion", err, http.StatusNotFound, "ResourceNotFound")
	}
	if err := idsvc.DeletePrincipal(ctx, p.ClientID); err != nil {
		t.Fatal(err)
	}
	_, err = gone.Get(ctx, s.rg, s.acct, "does-not-exist", nil)
	wantResponseError(t, "deleted principal's cached token", err, http.StatusUnauthorized, "AuthenticationFailed")
	var re *azcore.ResponseError
	if errors.As(err, &re) && re.RawResponse != nil {
		if ch := re.RawResponse.Header.Get("WWW-Authenticate"); !strings.HasPrefix(ch, "Bearer ") || !strings.Contains(ch, `error="invalid_token"`) {
			t.Errorf("401 WWW-Authenticate = %q; want an RFC 6750 Bearer challenge with error=\"invalid_token\"", ch)
		}
	}
}
