package license_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/lockstream/lockstream/internal/license"
	"github.com/lockstream/lockstream/internal/license/settings"
	"github.com/lockstream/lockstream/internal/policy"
)

type finder map[string]*settings.Properties

func (f finder) Find(_ context.Context, account, drm string) (*settings.Properties, error) {
	return f[account+"|"+drm], nil
}

func named(name string) license.Handler {
	return license.HandlerFunc(func(_ context.Context, req license.Request) (license.Response, error) {
		srv := ""
		if req.Server != nil {
			srv = req.Server.Type
		}
		return license.Response{Body: []byte(name + ":" + srv)}, nil
	})
}

func TestRouter(t *testing.T) {
	r := &license.Router{
		Servers:  finder{"a|Widevine": {DRM: "Widevine", Type: settings.TypeWidevine}, "a|FairPlay": {DRM: "FairPlay", Type: settings.TypePallyCon}},
		ByType:   map[string]license.Handler{settings.TypeWidevine: named("wv"), settings.TypePallyCon: named("pc")},
		FairPlay: named("ksm"),
	}
	for _, tc := range []struct {
		account string
		kind    policy.Kind
		cert    bool
		want    string
	}{
		{"a", policy.KindWidevine, false, "wv:WidevineLicenseService"},
		{"a", policy.KindFairPlay, false, "pc:PallyCon"}, // the account's vendor wins over the built-in key server
		{"b", policy.KindFairPlay, false, "ksm:"},
		{"a", policy.KindFairPlay, true, "ksm:"}, // certificates come from the policy's own credentials
	} {
		resp, err := r.License(context.Background(), license.Request{Account: tc.account, Kind: tc.kind, Certificate: tc.cert})
		if err != nil || string(resp.Body) != tc.want {
			t.Errorf("%s %v: %q %v, want %q", tc.account, tc.kind, resp.Body, err, tc.want)
		}
	}
	_, err := r.License(context.Background(), license.Request{Account: "b", Kind: policy.KindPlayReady})
	var le *license.Error
	if !errors.As(err, &le) || le.Status != http.StatusNotImplemented || !errors.Is(err, license.ErrNotConfigured) {
		t.Fatalf("PlayReady without a server: %v", err)
	}
}
