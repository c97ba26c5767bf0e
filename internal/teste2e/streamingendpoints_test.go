package teste2e

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/mediaservices/armmediaservices/v3"
)

// Step 6 of the SDK scenario: streaming endpoints.

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
		page, perr := pager.NextPage(ctx)
		if perr != nil {
			t.Fatalf("list endpoints: %v", perr)
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
	if _, err = start.PollUntilDone(ctx, pollOpts); err != nil {
		t.Fatalf("start PollUntilDone: %v", err)
	}
	if st := deref(get().Properties.ResourceState); st != armmediaservices.StreamingEndpointResourceStateRunning {
		t.Errorf("after start state = %q; want Running", st)
	}

	scale, err := h.StreamingEndpoints.BeginScale(ctx, s.rg, s.acct, "default", armmediaservices.StreamingEntityScaleUnit{ScaleUnit: to.Ptr[int32](2)}, nil)
	if err != nil {
		t.Fatalf("BeginScale: %v", err)
	}
	if _, err = scale.PollUntilDone(ctx, pollOpts); err != nil {
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
	if _, err = dp.PollUntilDone(ctx, pollOpts); err != nil {
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
