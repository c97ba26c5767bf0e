package playready_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/lockstream/lockstream/internal/drm/playready"
	"github.com/lockstream/lockstream/internal/keys"
)

// Microsoft's public PlayReady test key seed (30 bytes, starts 5D 50 68 BE).
const testSeed = "XVBovsmzhP9gRIZxWfFta3VVRPzVEWmJsazEJ46I"

func mustKID(t testing.TB, s string) keys.KID {
	t.Helper()
	k, err := keys.ParseKID(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func seed(t testing.TB) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(testSeed)
	if err != nil || len(b) != 30 || !bytes.HasPrefix(b, []byte{0x5d, 0x50, 0x68, 0xbe}) {
		t.Fatalf("test seed: %x, %v", b, err)
	}
	return b
}

// knownAnswers are the public vectors: the first from the AMS .NET SDK
// test PlayReadyContentKeyGenerationKnownGoodTest, the second a public
// fixture; both keys derive from the test key seed.
var knownAnswers = []struct {
	name     string
	kid      string
	keyHex   string
	keyB64   string
	value    string
	checksum string
}{
	{
		name:     "AMS SDK known-good",
		kid:      "339C45B5-FB6D-4BD9-994C-EABD9D41C95B",
		keyHex:   "A537CDC0CA65841406D525E7BF22D754",
		keyB64:   "pTfNwMplhBQG1SXnvyLXVA==",
		value:    "tUWcM2372UuZTOq9nUHJWw==",
		checksum: "Dnd2+tOluB4=",
	},
	{
		name:     "public fixture",
		kid:      "8ba94ade-6eb9-449d-b44f-a5beefaf43b0",
		keyHex:   "DBFD6922C321C4BB486F4A1C44097ED6",
		keyB64:   "2/1pIsMhxLtIb0ocRAl+1g==",
		value:    "3kqpi7lunUS0T6W+769DsA==",
		checksum: "Me48z71nuqY=",
	},
}

func TestKnownAnswers(t *testing.T) {
	for _, tt := range knownAnswers {
		t.Run(tt.name, func(t *testing.T) {
			kid := mustKID(t, tt.kid)
			key, err := playready.KeyFromSeed(seed(t), kid)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(key[:]); got != hex.EncodeToString(mustHex(t, tt.keyHex)) {
				t.Errorf("key = %s, want %s", got, tt.keyHex)
			}
			if got := key.Base64(); got != tt.keyB64 {
				t.Errorf("key base64 = %s, want %s", got, tt.keyB64)
			}
			if got := base64.StdEncoding.EncodeToString(playready.Checksum(kid, key)); got != tt.checksum {
				t.Errorf("Checksum = %s, want %s", got, tt.checksum)
			}
			le := kid.PlayReadyBytes()
			if got := base64.StdEncoding.EncodeToString(le[:]); got != tt.value {
				t.Errorf("VALUE = %s, want %s", got, tt.value)
			}
			// The same values appear in a header built from the key.
			for _, v := range []playready.Version{playready.Version41, playready.Version42, playready.Version43} {
				x, err := playready.Header{Version: v, Algorithm: playready.AESCTR,
					Keys: []playready.HeaderKey{{KID: kid, Key: &key}}}.Marshal()
				if err != nil {
					t.Fatal(err)
				}
				if want := `<KID ALGID="AESCTR" CHECKSUM="` + tt.checksum + `" VALUE="` + tt.value + `"></KID>`; !bytes.Contains([]byte(x), []byte(want)) {
					t.Errorf("%s header %s\nlacks %s", v, x, want)
				}
			}
			x, err := playready.Header{Version: playready.Version40, Algorithm: playready.AESCTR,
				Keys: []playready.HeaderKey{{KID: kid, Key: &key}}}.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if want := `<KID>` + tt.value + `</KID><CHECKSUM>` + tt.checksum + `</CHECKSUM>`; !bytes.Contains([]byte(x), []byte(want)) {
				t.Errorf("4.0 header %s\nlacks %s", x, want)
			}
		})
	}
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestKeyFromSeedLength(t *testing.T) {
	kid := mustKID(t, knownAnswers[0].kid)
	want, err := playready.KeyFromSeed(seed(t), kid)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		seed    []byte
		wantErr bool
	}{
		{"29 bytes", seed(t)[:29], true},
		{"empty", nil, true},
		{"30 bytes", seed(t), false},
		{"longer seed is truncated to 30", append(seed(t), 1, 2, 3, 4), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := playready.KeyFromSeed(tt.seed, kid)
			if tt.wantErr {
				if !errors.Is(err, playready.ErrShortSeed) {
					t.Errorf("err = %v, want ErrShortSeed", err)
				}
				return
			}
			if err != nil || got != want {
				t.Errorf("got %x, %v; want %x", got[:], err, want[:])
			}
		})
	}
}
