package keys_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/lockstream/lockstream/internal/keys"
)

// testKey has distinctive bytes so that any leak of it is easy to spot.
var testKey = keys.Key{0xde, 0xad, 0xbe, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xed, 0xfa, 0xce}

// leaks reports which representation of k's value s contains, if any.
func leaks(s string, k keys.Key) string {
	for _, form := range []string{
		k.Base64(),
		strings.TrimRight(k.Base64(), "="),
		k.Base64URL(),
		hex.EncodeToString(k[:]),
		strings.ToUpper(hex.EncodeToString(k[:])),
		fmt.Sprint([16]byte(k)),         // [222 173 ...]
		fmt.Sprintf("%#v", [16]byte(k)), // [16]uint8{0xde, ...}
		fmt.Sprintf("% x", [16]byte(k)), // de ad be ef ...
		fmt.Sprint([16]byte(k))[1:12],   // a prefix of the decimal form
		fmt.Sprintf("%#v", [16]byte(k))[9:30],
	} {
		if strings.Contains(s, form) {
			return form
		}
	}
	if strings.Contains(s, "222") && strings.Contains(s, "173") {
		return "decimal bytes"
	}
	return ""
}

func TestParseKeyBase64(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    keys.Key
		wantErr string
	}{
		{name: "valid", in: "3q2+7wEjRWeJq83v/u36zg==", want: testKey},
		{name: "zeros", in: "AAAAAAAAAAAAAAAAAAAAAA==", want: keys.Key{}},
		{name: "empty", in: "", wantErr: "keys: parse key: empty string"},
		{name: "unpadded", in: "3q2+7wEjRWeJq83v/u36zg", wantErr: "missing '=' padding"},
		{name: "url alphabet", in: "3q2-7wEjRWeJq83v_u36zg==", wantErr: "URL-safe alphabet"},
		{name: "url alphabet unpadded", in: "3q2-7wEjRWeJq83v_u36zg", wantErr: "unpadded URL-safe alphabet"},
		{name: "bad character", in: "3q2+7wEj*WeJq83v/u36zg==", wantErr: "invalid base64 at offset 8"},
		{name: "too short", in: "3q2+7wEjRWeJq83v/u36", wantErr: "decodes to 15 bytes, want 16"},
		{name: "too long", in: "3q2+7wEjRWeJq83v/u36zgAA", wantErr: "decodes to 18 bytes, want 16"},
		{name: "32 bytes", in: "3q2+7wEjRWeJq83v/u36zt6tvu8BI0VniavN7/7t+s4=", wantErr: "decodes to 32 bytes, want 16"},
		{name: "huge", in: strings.Repeat("A", 1000), wantErr: "1000 characters, want 24"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := keys.ParseKeyBase64(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseKeyBase64(%q) error = %v, want containing %q", tt.in, err, tt.wantErr)
				}
				if len(tt.in) >= 8 && strings.Contains(err.Error(), tt.in[:8]) {
					t.Errorf("error %q repeats the input", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseKeyBase64(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("ParseKeyBase64(%q) = %x, want %x", tt.in, got[:], tt.want[:])
			}
			if s := got.Base64(); s != tt.in {
				t.Errorf("Base64() = %q, want %q", s, tt.in)
			}
		})
	}
}

func TestKeyBase64URL(t *testing.T) {
	if got, want := testKey.Base64URL(), "3q2-7wEjRWeJq83v_u36zg"; got != want {
		t.Errorf("Base64URL() = %q, want %q", got, want)
	}
}

func TestLeaksDetector(t *testing.T) {
	// The detector must catch the unredacted forms, or the tests below
	// would pass vacuously.
	for _, s := range []string{
		fmt.Sprint([16]byte(testKey)), fmt.Sprintf("%x", [16]byte(testKey)),
		fmt.Sprintf("%#v", [16]byte(testKey)), testKey.Base64(), testKey.Base64URL(),
	} {
		if leaks(s, testKey) == "" {
			t.Errorf("leaks(%q) found nothing", s)
		}
	}
}

func TestKeyRedactedFmt(t *testing.T) {
	type holder struct {
		Name string
		K    keys.Key
		P    *keys.Key
	}
	k := testKey
	tests := []struct {
		name   string
		format string
		arg    any
	}{
		{name: "v", format: "%v", arg: k},
		{name: "s", format: "%s", arg: k},
		{name: "plus v", format: "%+v", arg: k},
		{name: "sharp v", format: "%#v", arg: k},
		{name: "x", format: "%x", arg: k},
		{name: "X", format: "%X", arg: k},
		{name: "space x", format: "% x", arg: k},
		{name: "q", format: "%q", arg: k},
		{name: "d", format: "%d", arg: k},
		{name: "width", format: "%40v", arg: k},
		{name: "pointer v", format: "%v", arg: &k},
		{name: "pointer x", format: "%x", arg: &k},
		{name: "struct v", format: "%v", arg: holder{"n", k, &k}},
		{name: "struct plus v", format: "%+v", arg: holder{"n", k, &k}},
		{name: "struct sharp v", format: "%#v", arg: holder{"n", k, &k}},
		{name: "slice", format: "%v", arg: []keys.Key{k, k}},
		{name: "map", format: "%v", arg: map[string]keys.Key{"a": k}},
		{name: "any slice", format: "%v", arg: []any{k}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fmt.Sprintf(tt.format, tt.arg)
			if form := leaks(s, k); form != "" {
				t.Fatalf("Sprintf(%q) = %q leaks the key as %q", tt.format, s, form)
			}
			if !strings.Contains(s, "Key(redacted)") {
				t.Fatalf("Sprintf(%q) = %q, want it to contain Key(redacted)", tt.format, s)
			}
		})
	}
	for _, s := range []string{k.String(), k.GoString(), fmt.Sprint(k), fmt.Sprintln(k)} {
		if strings.TrimSpace(s) != "Key(redacted)" {
			t.Errorf("got %q, want Key(redacted)", s)
		}
	}
	if err := fmt.Errorf("wrap %v: %w", k, errors.New("x")); leaks(err.Error(), k) != "" {
		t.Errorf("error %q leaks the key", err)
	}
}

func TestKeyRedactedSlog(t *testing.T) {
	tests := []struct {
		name    string
		handler func(*bytes.Buffer) slog.Handler
	}{
		{name: "json", handler: func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) }},
		{name: "text", handler: func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(tt.handler(&buf))
			k := testKey
			log.Info("msg", "key", k, "ptr", &k, slog.Any("any", k),
				slog.Group("g", "key", k), "slice", []keys.Key{k},
				"struct", struct{ K keys.Key }{k})
			out := buf.String()
			if form := leaks(out, k); form != "" {
				t.Fatalf("log output leaks the key as %q:\n%s", form, out)
			}
			if n := strings.Count(out, "Key(redacted)"); n < 4 {
				t.Fatalf("log output has %d redacted keys, want at least 4:\n%s", n, out)
			}
		})
	}
}

func TestKeyRedactedJSON(t *testing.T) {
	k := testKey
	tests := []struct {
		name string
		v    any
		want string
	}{
		{name: "value", v: k, want: `"Key(redacted)"`},
		{name: "pointer", v: &k, want: `"Key(redacted)"`},
		{name: "struct", v: struct{ K keys.Key }{k}, want: `{"K":"Key(redacted)"}`},
		{name: "map value", v: map[string]keys.Key{"a": k}, want: `{"a":"Key(redacted)"}`},
		{name: "slice", v: []keys.Key{k}, want: `["Key(redacted)"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Fatalf("json.Marshal = %s, want %s", b, tt.want)
			}
		})
	}
	var back keys.Key
	if err := json.Unmarshal([]byte(`"3q2+7wEjRWeJq83v/u36zg=="`), &back); err == nil {
		t.Error("json.Unmarshal into Key succeeded; keys must not travel as JSON text")
	}
}

func TestNewKey(t *testing.T) {
	src := bytes.NewReader(testKey[:])
	k, err := keys.NewKey(src)
	if err != nil || k != testKey {
		t.Fatalf("NewKey(fixed) = %x, %v; want %x", k[:], err, testKey[:])
	}
	seen := make(map[keys.Key]bool)
	for range 1000 {
		k, err := keys.NewKey(nil)
		if err != nil {
			t.Fatal(err)
		}
		if seen[k] {
			t.Fatal("NewKey(nil) repeated a key")
		}
		seen[k] = true
	}
	if _, err := keys.NewKey(bytes.NewReader(make([]byte, 10))); err == nil {
		t.Error("NewKey with a short reader succeeded")
	}
	boom := errors.New("boom")
	if _, err := keys.NewKey(iotest.ErrReader(boom)); !errors.Is(err, boom) {
		t.Errorf("NewKey(failing reader) error = %v, want wrapping %v", err, boom)
	}
}
