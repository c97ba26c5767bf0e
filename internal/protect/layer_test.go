package protect_test

import (
	"context"
	"errors"
	"testing"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/packager/dash"
	"github.com/lockstream/lockstream/internal/packager/hls"
	"github.com/lockstream/lockstream/internal/packager/smooth"
	"github.com/lockstream/lockstream/internal/protect"
	"github.com/lockstream/lockstream/internal/streamurl"
)

// providerKeys and providerSignals stand for a key provider plugged into
// the layer (the extension point protect/doc.go describes).
type providerKeys struct{ got protect.LocatorRef }

func (p *providerKeys) LocatorKeys(_ context.Context, ref protect.LocatorRef) ([]protect.ContentKey, error) {
	p.got = ref
	return []protect.ContentKey{{KID: keys.KID{7}, Type: protect.KeyCenc}}, nil
}

type providerSignals struct{}

func (providerSignals) PSSH(*protect.ContentKey) ([]*mp4.PsshBox, error) { return nil, nil }
func (providerSignals) HLSKeys([]*protect.ContentKey, streamurl.Format) ([]hls.Key, error) {
	return []hls.Key{{Method: "SAMPLE-AES-CTR", URI: "skd://provider"}}, nil
}
func (providerSignals) DASH(*protect.ContentKey) ([]dash.ContentProtection, error) { return nil, nil }
func (providerSignals) Smooth([]*protect.ContentKey) (*smooth.Protection, error)   { return nil, nil }

func TestLayerExtensionPoints(t *testing.T) {
	src := &providerKeys{}
	ly := &protect.Layer{Keys: src, KeyDeliveryBase: "https://keys.example",
		Signaller: func(l *protect.Locator, _ streamurl.Encryption) protect.Signaller {
			if l.AccountID == "provider" {
				return providerSignals{}
			}
			return nil
		}}
	if err := ly.Initialize(); err != nil {
		t.Fatal(err)
	}
	ref := protect.LocatorRef{Scope: "s", Name: "n", ID: "id", AssetName: "a", Policy: &defs.StreamingPolicyProperties{}}
	ks, err := ly.LocatorKeys(context.Background(), ref)
	if err != nil || len(ks) != 1 || src.got != ref {
		t.Fatalf("key source: %v, %v, asked %+v", ks, err, src.got)
	}
	cenc := &defs.StreamingPolicyProperties{CommonEncryptionCenc: &defs.CommonEncryptionCenc{}}
	for _, tc := range []struct {
		account string
		custom  bool
	}{{"provider", true}, {"other", false}} {
		p := ly.For(&protect.Locator{Policy: cenc, Keys: ks, AccountID: tc.account}, streamurl.EncCENC, "v1")
		tags, err := p.Signal.HLSKeys([]*protect.ContentKey{&ks[0]}, streamurl.FormatHLSCMAF)
		if err != nil || len(tags) == 0 {
			t.Fatalf("%s: %v, %v", tc.account, tags, err)
		}
		if custom := tags[0].URI == "skd://provider"; custom != tc.custom {
			t.Errorf("%s: provider signalling used = %v; want %v (%+v)", tc.account, custom, tc.custom, tags)
		}
	}
	if ly.For(&protect.Locator{Policy: cenc}, streamurl.EncNone, "v1") != nil {
		t.Error("clear output got a protection")
	}
	if err := (&protect.Layer{}).Initialize(); err == nil {
		t.Error("a layer without a key source initialized")
	}
}

// TestSupports: which scheme × format pairs are delivered, and where
// I-frame playlists exist.
func TestSupports(t *testing.T) {
	ly := &protect.Layer{Keys: &providerKeys{}}
	if err := ly.Initialize(); err != nil {
		t.Fatal(err)
	}
	l := &protect.Locator{Policy: &defs.StreamingPolicyProperties{}}
	formats := []streamurl.Format{streamurl.FormatHLS, streamurl.FormatHLSv3, streamurl.FormatHLSCMAF, streamurl.FormatDASHCSF, streamurl.FormatDASHCMAF, streamurl.FormatSmooth, streamurl.FormatSmooth20}
	want := map[streamurl.Encryption]string{ // per format above: y supported, i also I-frames
		streamurl.EncCBC:  "yyy----",
		streamurl.EncCENC: "--iyyyy",
		streamurl.EncCBCS: "yyiyy--",
	}
	for e, row := range want {
		p := ly.For(l, e, "")
		for i, f := range formats {
			err := p.Supports(f)
			if ok := err == nil; ok != (row[i] != '-') || !ok && !errors.Is(err, protect.ErrUnsupported) {
				t.Errorf("%v × %v: Supports = %v; want %c", e, f, err, row[i])
			}
			if row[i] != '-' && p.IFrames(f) != (row[i] == 'i') {
				t.Errorf("%v × %v: IFrames = %v", e, f, p.IFrames(f))
			}
		}
	}
	var none *protect.Protection
	if none.Supports(streamurl.FormatHLS) != nil || !none.IFrames(streamurl.FormatHLS) {
		t.Error("clear output refused or without I-frames")
	}
}
