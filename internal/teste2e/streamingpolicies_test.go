package teste2e

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/mediaservices/armmediaservices/v3"
)

// Step 5 of the SDK scenario: streaming policies.

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
			EnabledProtocols:                &armmediaservices.EnabledProtocols{Dash: to.Ptr(true), Hls: to.Ptr(true), SmoothStreaming: to.Ptr(false), Download: to.Ptr(false)},
			ContentKeys:                     &armmediaservices.StreamingPolicyContentKeys{DefaultKey: &armmediaservices.DefaultKey{Label: to.Ptr("aes")}},
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
