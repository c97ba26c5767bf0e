package teste2e

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/mediaservices/armmediaservices/v3"
	"github.com/google/uuid"
)

// Step 1 of the SDK scenario: accounts.

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
		page, perr := pager.NextPage(ctx)
		if perr != nil {
			t.Fatalf("list accounts: %v", perr)
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
		page, perr := other.NextPage(ctx)
		if perr != nil {
			t.Fatalf("list accounts of other-rg: %v", perr)
		}
		if len(page.Value) != 0 {
			t.Errorf("other-rg lists %d accounts; want 0", len(page.Value))
		}
	}
}

// deleteAccount deletes the second account, which by now holds an asset,
// a content key policy and a locator, and checks that nothing of it
// survives: a re-created account of the same name starts empty.
func (s *scenario) deleteAccount(t *testing.T) {
	h := s.h
	ctx := testCtx(t, 30*time.Second)
	cctx, status := capture(ctx)
	if _, err := h.Accounts.Delete(cctx, s.rg, s.dc2, nil); err != nil {
		t.Fatalf("delete account %s: %v", s.dc2, err)
	}
	if st := status(); st != http.StatusOK {
		t.Errorf("delete account status = %d; want 200", st)
	}
	_, err := h.Accounts.Get(ctx, s.rg, s.dc2, nil)
	wantResponseError(t, "get deleted account", err, http.StatusNotFound, "ResourceNotFound")
	_, err = h.Assets.Get(ctx, s.rg, s.dc2, s.assetName, nil)
	wantResponseError(t, "asset of a deleted account", err, http.StatusNotFound, "ResourceNotFound")

	s.createAccount(t, ctx, s.dc2)
	var assets []string
	pager := h.Assets.NewListPager(s.rg, s.dc2, nil)
	for pager.More() {
		page, perr := pager.NextPage(ctx)
		if perr != nil {
			t.Fatalf("list assets of the re-created account: %v", perr)
		}
		for _, a := range page.Value {
			assets = append(assets, deref(a.Name))
		}
	}
	if len(assets) != 0 {
		t.Errorf("re-created account %s already has assets %v from its deleted predecessor", s.dc2, assets)
	}
	_, err = h.StreamingLocators.ListContentKeys(ctx, s.rg, s.dc2, "loc-own-key", nil)
	wantResponseError(t, "content keys of a deleted account's locator", err, http.StatusNotFound, "ResourceNotFound")
	_, err = h.ContentKeyPolicies.Get(ctx, s.rg, s.dc2, "wv", nil)
	wantResponseError(t, "content key policy of a deleted account", err, http.StatusNotFound, "ResourceNotFound")
}
