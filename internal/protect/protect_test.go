package protect_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/protect"
	"github.com/lockstream/lockstream/internal/store"
	"github.com/lockstream/lockstream/internal/streamurl"
)

func fourCC(v string) []defs.TrackSelection {
	return []defs.TrackSelection{{TrackSelections: []defs.TrackPropertyCondition{{
		Property: defs.TrackPropertyTypeFourCC, Operation: defs.TrackPropertyCompareOperationEqual, Value: v}}}}
}

func TestTrackKey(t *testing.T) {
	video := &media.Track{Name: "video", FourCC: "avc1"}
	audio := &media.Track{Name: "audio", FourCC: "mp4a"}
	def := protect.ContentKey{KID: keys.KID{1}, Type: protect.KeyCenc}
	aud := protect.ContentKey{KID: keys.KID{2}, Type: protect.KeyCenc, Tracks: fourCC("MP4A")}
	env := protect.ContentKey{KID: keys.KID{3}, Type: protect.KeyEnvelope}
	cenc := &defs.StreamingPolicyProperties{CommonEncryptionCenc: &defs.CommonEncryptionCenc{}}
	clearAudio := &defs.StreamingPolicyProperties{CommonEncryptionCbcs: &defs.CommonEncryptionCbcs{ClearTracks: fourCC("mp4a")}}
	for _, tc := range []struct {
		name    string
		l       *protect.Locator
		e       streamurl.Encryption
		t       *media.Track
		want    keys.KID
		clear   bool
		wantErr error
	}{
		{"default key", &protect.Locator{Policy: cenc, Keys: []protect.ContentKey{env, def, aud}}, streamurl.EncCENC, video, def.KID, false, nil},
		{"mapped key wins (FourCC compares case-insensitively)", &protect.Locator{Policy: cenc, Keys: []protect.ContentKey{def, aud}}, streamurl.EncCENC, audio, aud.KID, false, nil},
		{"key of the scheme's type only", &protect.Locator{Policy: cenc, Keys: []protect.ContentKey{env, def}}, streamurl.EncCBC, video, env.KID, false, nil},
		{"clearTracks stay clear", &protect.Locator{Policy: clearAudio, Keys: []protect.ContentKey{{KID: keys.KID{4}, Type: protect.KeyCbcs}}}, streamurl.EncCBCS, audio, keys.KID{}, true, nil},
		{"no key is refused, never clear", &protect.Locator{Policy: cenc, Keys: []protect.ContentKey{env}}, streamurl.EncCENC, video, keys.KID{}, false, protect.ErrNoKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := tc.l.TrackKey(tc.e, tc.t)
			switch {
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) || k != nil {
					t.Fatalf("got %v, %v; want %v", k, err, tc.wantErr)
				}
			case tc.clear:
				if err != nil || k != nil {
					t.Fatalf("got %v, %v; want clear", k, err)
				}
			case err != nil || k == nil || k.KID != tc.want:
				t.Fatalf("got %v, %v; want key %s", k, err, tc.want)
			}
		})
	}
}

// TestOpenContentKey: a sealed key opens only under the account, locator
// and id it was sealed for.
func TestOpenContentKey(t *testing.T) {
	kek, err := keys.NewKEK(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ring, err := keys.NewKeyring(rand.Reader, kek)
	if err != nil {
		t.Fatal(err)
	}
	want := keys.Key{9, 8, 7}
	ck := store.ContentKey{Scope: "/subscriptions/s/resourcegroups/g/providers/microsoft.media/mediaservices/a", LocatorName: "L", KID: keys.KID{5}.String()}
	if ck.Sealed, err = ring.Seal(want[:], []byte(store.ContentKeyAAD(ck.Scope, ck.LocatorName, ck.KID))); err != nil {
		t.Fatal(err)
	}
	got, err := protect.OpenContentKey(ring, &ck)
	if err != nil || !bytes.Equal(got[:], want[:]) {
		t.Fatalf("open: %v", err)
	}
	moved := ck
	moved.LocatorName = "other"
	if _, err := protect.OpenContentKey(ring, &moved); err == nil {
		t.Fatal("a key sealed for another locator opened")
	}
}

func TestKeyTypeOf(t *testing.T) {
	for e, want := range map[streamurl.Encryption]protect.KeyType{
		streamurl.EncNone: "", streamurl.EncCBC: "EnvelopeEncryption", streamurl.EncCENC: "CommonEncryptionCenc", streamurl.EncCBCS: "CommonEncryptionCbcs",
	} {
		if got := protect.KeyTypeOf(e); got != want {
			t.Errorf("KeyTypeOf(%v) = %q; want %q", e, got, want)
		}
	}
}

func TestURLs(t *testing.T) {
	u := protect.URLs{Base: "https://media.example/", Account: "acct id"}
	kid := keys.KID{0xab}
	for got, want := range map[string]string{
		u.AES(kid):      "https://media.example/keydelivery/acct%20id/?kid=" + kid.String(),
		u.ClearKey():    "https://media.example/keydelivery/acct%20id/ClearKey/",
		u.PlayReady():   "https://media.example/keydelivery/acct%20id/PlayReady/",
		u.Widevine(kid): "https://media.example/keydelivery/acct%20id/Widevine/?kid=" + kid.String(),
		u.FairPlay(kid): "https://media.example/keydelivery/acct%20id/FairPlay/?kid=" + kid.String(),
	} {
		if got != want {
			t.Errorf("got %s; want %s", got, want)
		}
	}
}
