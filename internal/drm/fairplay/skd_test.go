package fairplay_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/drm/fairplay"
	"github.com/lockstream/lockstream/internal/keys"
)

func mustKID(t testing.TB, s string) keys.KID {
	t.Helper()
	k, err := keys.ParseKID(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSKDURI(t *testing.T) {
	kid := mustKID(t, "8BA94ADE-6EB9-449D-B44F-A5BEEFAF43B0")
	tests := []struct {
		name string
		host string
		want string
	}{
		{"AMS host", "contoso.keydelivery.westus.media.azure.net",
			"skd://contoso.keydelivery.westus.media.azure.net/FairPlay/?kid=8ba94ade-6eb9-449d-b44f-a5beefaf43b0"},
		{"host and port", "localhost:8443", "skd://localhost:8443/FairPlay/?kid=8ba94ade-6eb9-449d-b44f-a5beefaf43b0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fairplay.SKDURI(tt.host, kid)
			if got != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
			host, back, err := fairplay.ParseSKDURI(got)
			if err != nil || host != tt.host || back != kid {
				t.Errorf("ParseSKDURI = %q %v %v", host, back, err)
			}
		})
	}
}

func TestParseSKDURI(t *testing.T) {
	kid := mustKID(t, "8ba94ade-6eb9-449d-b44f-a5beefaf43b0")
	tests := []struct {
		name     string
		in       string
		wantHost string
		wantErr  bool
	}{
		{name: "AMS form", in: "skd://acct.keydelivery.westus.media.azure.net/FairPlay/?kid=8ba94ade-6eb9-449d-b44f-a5beefaf43b0", wantHost: "acct.keydelivery.westus.media.azure.net"},
		{name: "upper-case scheme and kid", in: "SKD://h/FairPlay/?kid=8BA94ADE-6EB9-449D-B44F-A5BEEFAF43B0", wantHost: "h"},
		{name: "other path, extra params", in: "skd://h/keys?asset=x&kid=8ba94ade6eb9449db44fa5beefaf43b0&v=1", wantHost: "h"},
		{name: "query without path", in: "skd://h?kid=8ba94ade-6eb9-449d-b44f-a5beefaf43b0", wantHost: "h"},
		{name: "braced kid", in: "skd://h/?kid={8ba94ade-6eb9-449d-b44f-a5beefaf43b0}", wantHost: "h"},
		{name: "escaped braces", in: "skd://h/?kid=%7B8ba94ade-6eb9-449d-b44f-a5beefaf43b0%7D", wantHost: "h"},
		{name: "ipv6 host", in: "skd://[::1]:8443/FairPlay/?kid=8ba94ade-6eb9-449d-b44f-a5beefaf43b0", wantHost: "[::1]:8443"},
		{name: "bare uuid", in: "skd://8ba94ade-6eb9-449d-b44f-a5beefaf43b0"},
		{name: "bare hex", in: "skd://8ba94ade6eb9449db44fa5beefaf43b0"},
		{name: "bare hex with slash", in: "skd://8BA94ADE6EB9449DB44FA5BEEFAF43B0/"},
		{name: "empty", in: "", wantErr: true},
		{name: "https", in: "https://h/FairPlay/?kid=8ba94ade-6eb9-449d-b44f-a5beefaf43b0", wantErr: true},
		{name: "opaque", in: "skd:8ba94ade-6eb9-449d-b44f-a5beefaf43b0", wantErr: true},
		{name: "no kid", in: "skd://h/FairPlay/", wantErr: true},
		{name: "empty kid", in: "skd://h/FairPlay/?kid=", wantErr: true},
		{name: "two kids", in: "skd://h/?kid=8ba94ade-6eb9-449d-b44f-a5beefaf43b0&kid=8ba94ade-6eb9-449d-b44f-a5beefaf43b0", wantErr: true},
		{name: "short kid", in: "skd://h/?kid=8ba94ade", wantErr: true},
		{name: "bad hex", in: "skd://h/?kid=8ba94ade6eb9449db44fa5beefaf43bz", wantErr: true},
		{name: "asset id only", in: "skd://my-asset-42", wantErr: true},
		{name: "bad query escape", in: "skd://h/?kid=%zz", wantErr: true},
		{name: "user info", in: "skd://u@h/?kid=8ba94ade-6eb9-449d-b44f-a5beefaf43b0", wantErr: true},
		{name: "fragment", in: "skd://h/?kid=8ba94ade-6eb9-449d-b44f-a5beefaf43b0#x", wantErr: true},
		{name: "escaped host", in: "skd://h%20x/?kid=8ba94ade-6eb9-449d-b44f-a5beefaf43b0", wantErr: true},
		{name: "too long", in: "skd://h/?kid=8ba94ade-6eb9-449d-b44f-a5beefaf43b0&x=" + strings.Repeat("a", fairplay.MaxSKDURILength), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, got, err := fairplay.ParseSKDURI(tt.in)
			if tt.wantErr {
				if !errors.Is(err, fairplay.ErrInvalidSKDURI) {
					t.Fatalf("err = %v, want ErrInvalidSKDURI", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != kid || host != tt.wantHost {
				t.Errorf("got %q %v, want %q %v", host, got, tt.wantHost, kid)
			}
		})
	}
}
