package widevine_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/drm/widevine"
	"github.com/lockstream/lockstream/internal/keys"
)

func TestDataURI(t *testing.T) {
	kid := mustKID(t, "8ba94ade-6eb9-449d-b44f-a5beefaf43b0")
	p, err := widevine.PsshData{KeyIDs: []keys.KID{kid}, ProtectionScheme: "cbcs"}.PSSH()
	if err != nil {
		t.Fatal(err)
	}
	uri, err := widevine.DataURI(p)
	if err != nil {
		t.Fatal(err)
	}
	box, _ := p.Marshal()
	if want := "data:text/plain;base64," + base64.StdEncoding.EncodeToString(box); uri != want {
		t.Fatalf("got %s\nwant %s", uri, want)
	}
	back, err := widevine.ParseDataURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	d, err := widevine.UnmarshalPsshData(back.Data)
	if err != nil || d.ProtectionScheme != "cbcs" || d.KeyIDs[0] != kid {
		t.Errorf("data %+v, %v", d, err)
	}
	if widevine.KeyFormat != drm.Widevine.URN() {
		t.Errorf("KeyFormat %s", widevine.KeyFormat)
	}
}

func TestDataURIErrors(t *testing.T) {
	if _, err := widevine.DataURI(drm.PSSH{SystemID: drm.PlayReady}); err == nil {
		t.Error("DataURI accepted a PlayReady box")
	}
	pr, _ := drm.PSSH{SystemID: drm.PlayReady}.Marshal()
	tests := []struct {
		name string
		uri  string
	}{
		{"no prefix", "AAAA"},
		{"other media type", "data:application/octet-stream;base64,AAAA"},
		{"bad base64", "data:text/plain;base64,!!!!"},
		{"unpadded", "data:text/plain;base64,AAA"},
		{"not a box", "data:text/plain;base64,AAAA"},
		{"playready box", "data:text/plain;base64," + base64.StdEncoding.EncodeToString(pr)},
		{"huge", "data:text/plain;base64," + strings.Repeat("A", 2*drm.MaxPSSHSize)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := widevine.ParseDataURI(tt.uri)
			if !errors.Is(err, widevine.ErrInvalidDataURI) && !errors.Is(err, drm.ErrInvalidPSSH) {
				t.Errorf("err = %v", err)
			}
		})
	}
}
