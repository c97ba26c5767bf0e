package teste2e

import (
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/mediaservices/armmediaservices/v3"
)

func TestExplore(t *testing.T) {
	h := startServer(t, nil)
	s := &scenario{h: h, rg: "rg", acct: "acct", dc2: "acct2"}
	ctx := testCtx(t, 30*time.Second)
	s.createAccount(t, ctx, s.acct)
	log := func(what string, v any, err error) { t.Logf("%s: %+v err=%v", what, v, err) }

	// Two assets on one container.
	a1, err := h.Assets.CreateOrUpdate(ctx, s.rg, s.acct, "a1", armmediaservices.Asset{Properties: &armmediaservices.AssetProperties{Container: to.Ptr("shared-container")}}, nil)
	log("a1", a1.Properties, err)
	a2, err := h.Assets.CreateOrUpdate(ctx, s.rg, s.acct, "a2", armmediaservices.Asset{Properties: &armmediaservices.AssetProperties{Container: to.Ptr("shared-container")}}, nil)
	log("a2 same container", a2.Properties, err)
	// in another account too
	s.createAccount(t, ctx, s.dc2)
	a3, err := h.Assets.CreateOrUpdate(ctx, s.rg, s.dc2, "a3", armmediaservices.Asset{Properties: &armmediaservices.AssetProperties{Container: to.Ptr("shared-container")}}, nil)
	log("a3 same container other account", a3.Properties, err)

	// SP pager with $top 2
	p := h.StreamingPolicies.NewListPager(s.rg, s.acct, &armmediaservices.StreamingPoliciesClientListOptions{Top: to.Ptr[int32](2)})
	n, pages := 0, 0
	for p.More() {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		n += len(pg.Value)
	}
	t.Logf("SP top2: %d items %d pages", n, pages)

	// subscription-wide accounts
	ap := h.Accounts.NewListBySubscriptionPager(nil)
	for ap.More() {
		pg, err := ap.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range pg.Value {
			t.Logf("sub account %s %s", *a.Name, *a.ID)
		}
	}
	// locator: Predefined_ClearKey with missing CKP
	_, err = h.StreamingLocators.Create(ctx, s.rg, s.acct, "l1", armmediaservices.StreamingLocator{Properties: &armmediaservices.StreamingLocatorProperties{AssetName: to.Ptr("a1"), StreamingPolicyName: to.Ptr("Predefined_ClearKey"), DefaultContentKeyPolicyName: to.Ptr("nope")}}, nil)
	log("locator missing ckp", nil, err)
	_, err = h.StreamingLocators.Create(ctx, s.rg, s.acct, "l2", armmediaservices.StreamingLocator{Properties: &armmediaservices.StreamingLocatorProperties{AssetName: to.Ptr("a1"), StreamingPolicyName: to.Ptr("Predefined_ClearKey")}}, nil)
	log("locator ClearKey without ckp", nil, err)
	l3, err := h.StreamingLocators.Create(ctx, s.rg, s.acct, "l3", armmediaservices.StreamingLocator{Properties: &armmediaservices.StreamingLocatorProperties{AssetName: to.Ptr("a1"), StreamingPolicyName: to.Ptr("Predefined_ClearStreamingOnly"), StreamingLocatorID: to.Ptr("not-a-guid")}}, nil)
	log("locator bad id", l3, err)
	// SE list skus
	sk, err := h.StreamingEndpoints.SKUs(ctx, s.rg, s.acct, "default", nil)
	log("skus", len(sk.Value), err)
	// checkNameAvailability
	loc, _ := armmediaservices.NewLocationsClient(h.Sub, h.Cred, h.Options)
	cn, err := loc.CheckNameAvailability(ctx, "local", armmediaservices.CheckNameAvailabilityInput{Name: to.Ptr(s.acct), Type: to.Ptr("Microsoft.Media/MediaServices")}, nil)
	t.Logf("checkname %v %v %v %v", deref(cn.NameAvailable), deref(cn.Reason), deref(cn.Message), err)
	ops, _ := armmediaservices.NewOperationsClient(h.Cred, h.Options)
	ol, err := ops.List(ctx, nil)
	log("ops", len(ol.Value), err)
	// delete a1 -> does a2 still have its files?
	_, err = h.Assets.Delete(ctx, s.rg, s.acct, "a1", nil)
	log("delete a1", nil, err)
	sas, err := h.Assets.ListContainerSas(ctx, s.rg, s.acct, "a2", armmediaservices.ListContainerSasInput{Permissions: to.Ptr(armmediaservices.AssetContainerPermissionReadWrite), ExpiryTime: to.Ptr(time.Now().Add(time.Hour))}, nil)
	log("sas a2", sas, err)
	// endpoint create 3rd (limit 2)
	for _, name := range []string{"se2", "se3"} {
		pl, err := h.StreamingEndpoints.BeginCreate(ctx, s.rg, s.acct, name, armmediaservices.StreamingEndpoint{Location: to.Ptr("local"), Properties: &armmediaservices.StreamingEndpointProperties{ScaleUnits: to.Ptr[int32](0)}}, nil)
		if err == nil {
			_, err = pl.PollUntilDone(ctx, pollOpts)
		}
		log("create "+name, nil, err)
	}
	// asset $top cap semantics & filter on alternateId
	ap2 := h.Assets.NewListPager(s.rg, s.acct, &armmediaservices.AssetsClientListOptions{Filter: to.Ptr("properties/alternateId eq 'x'")})
	pg, err := ap2.NextPage(ctx)
	log("filter alternateId", len(pg.Value), err)
}
