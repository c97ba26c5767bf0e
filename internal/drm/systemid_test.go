package drm_test

import (
	"errors"
	"testing"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/drm"
)

func TestSystemIDConstants(t *testing.T) {
	// The constants are raw bytes; check them against the UUID text of the
	// reference and, where mp4ff has one, against mp4ff's constant.
	tests := []struct {
		name string
		id   drm.SystemID
		want string
		mp4  string
	}{
		{"common", drm.Common, "1077efec-c0b2-4d02-ace3-3c1e52e2fb4b", mp4.UUID_W3C_COMMON},
		{"clearkey dash", drm.ClearKeyDASH, "e2719d58-a985-b3c9-781a-b030af78d30e", ""},
		{"widevine", drm.Widevine, "edef8ba9-79d6-4ace-a3c8-27dcd51d21ed", mp4.UUIDWidevine},
		{"playready", drm.PlayReady, "9a04f079-9840-4286-ab92-e65be0885f95", mp4.UUIDPlayReady},
		{"fairplay", drm.FairPlay, "94ce86fb-07ff-4f43-adb8-93d2fa968ca2", mp4.UUIDFairPlay},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.id.Valid() {
				t.Fatalf("constant has %d bytes", len(tt.id))
			}
			if got := tt.id.String(); got != tt.want {
				t.Errorf("String() = %s, want %s", got, tt.want)
			}
			if tt.mp4 != "" && tt.mp4 != tt.want {
				t.Errorf("mp4ff has %s", tt.mp4)
			}
			if got := tt.id.URN(); got != "urn:uuid:"+tt.want {
				t.Errorf("URN() = %s", got)
			}
			if tt.id.Name() == "" {
				t.Error("Name() is empty")
			}
			parsed, err := drm.ParseSystemID(tt.want)
			if err != nil || parsed != tt.id {
				t.Errorf("ParseSystemID(%s) = %v, %v", tt.want, parsed, err)
			}
		})
	}
}

func TestParseSystemID(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    drm.SystemID
		wantErr bool
	}{
		{"upper case", "EDEF8BA9-79D6-4ACE-A3C8-27DCD51D21ED", drm.Widevine, false},
		{"urn prefix", "urn:uuid:9a04f079-9840-4286-ab92-e65be0885f95", drm.PlayReady, false},
		{"urn prefix upper", "URN:UUID:9a04f079-9840-4286-ab92-e65be0885f95", drm.PlayReady, false},
		{"braces", "{1077efec-c0b2-4d02-ace3-3c1e52e2fb4b}", drm.Common, false},
		{"empty", "", "", true},
		{"urn only", "urn:uuid:", "", true},
		{"no dashes", "edef8ba979d64acea3c827dcd51d21ed", "", true},
		{"bad hex", "edef8ba9-79d6-4ace-a3c8-27dcd51d21eg", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := drm.ParseSystemID(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSystemIDFromBytes(t *testing.T) {
	b := drm.Widevine.Bytes()
	id, err := drm.SystemIDFromBytes(b[:])
	if err != nil || id != drm.Widevine {
		t.Fatalf("SystemIDFromBytes = %v, %v", id, err)
	}
	if _, err := drm.SystemIDFromBytes(b[:15]); !errors.Is(err, drm.ErrInvalidSystemID) {
		t.Errorf("15 bytes: err = %v, want ErrInvalidSystemID", err)
	}
	bad := drm.SystemID("short")
	if bad.Valid() || bad.Bytes() != [16]byte{} || bad.String() == "" || bad.Name() != "" {
		t.Errorf("invalid id: Valid %v Bytes %x String %q", bad.Valid(), bad.Bytes(), bad.String())
	}
}
