package odata_test

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/odata"
	"github.com/lockstream/lockstream/internal/store"
)

func TestSkipTokenRoundTrip(t *testing.T) {
	hash := odata.QueryHash("assets", "/subscriptions/s/resourcegroups/rg", "name eq 'a'", "name", "asc")
	tests := []struct {
		name string
		c    store.Cursor
	}{
		{name: "zero", c: store.Cursor{}},
		{name: "name order", c: store.Cursor{Value: "Asset-7", NameKey: "asset-7"}},
		{name: "time order", c: store.Cursor{Value: "2021-06-01T08:00:00.0000000Z", NameKey: "loc1"}},
		{name: "empty value", c: store.Cursor{Value: "", NameKey: "x"}},
		{name: "unicode", c: store.Cursor{Value: "Видео ✓", NameKey: "видео ✓"}},
		{name: "long value", c: store.Cursor{Value: strings.Repeat("v", 300), NameKey: strings.Repeat("n", 260)}},
		{name: "with scope", c: store.Cursor{Value: "acct", NameKey: "acct",
			Scope: "/subscriptions/s/resourcegroups/rg"}},
		{name: "only scope", c: store.Cursor{Scope: "/x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := odata.EncodeSkipToken(tt.c, hash)
			if strings.ContainsAny(tok, "+/=") {
				t.Fatalf("token %q is not URL-safe unpadded base64", tok)
			}
			got, err := odata.DecodeSkipToken(tok, hash)
			if err != nil {
				t.Fatalf("DecodeSkipToken(%q): %v", tok, err)
			}
			if got != tt.c {
				t.Fatalf("round trip = %+v, want %+v", got, tt.c)
			}
		})
	}
}

// rawToken builds a token from its layout (see EncodeSkipToken).
func rawToken(version byte, hash string, body ...byte) string {
	sum := sha256.Sum256([]byte(hash))
	b := append([]byte{version}, sum[:8]...)
	return base64.RawURLEncoding.EncodeToString(append(b, body...))
}

func TestDecodeSkipTokenErrors(t *testing.T) {
	hash := odata.QueryHash("assets", "scope", "", "name", "asc")
	good := odata.EncodeSkipToken(store.Cursor{Value: "a", NameKey: "a"}, hash) // 13 bytes
	// flipped sets a padding bit in the last character of good, which
	// lenient base64 decoding would ignore.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	flipped := good[:len(good)-1] + string(alphabet[strings.IndexByte(alphabet, good[len(good)-1])^1])
	if _, err := base64.RawURLEncoding.DecodeString(flipped); err != nil {
		t.Fatalf("lenient decoding of %q: %v", flipped, err)
	}
	const (
		malformed = "$skiptoken: malformed token"
		foreign   = "$skiptoken: token was issued for a different query; restart the listing without $skiptoken"
	)
	tests := []struct {
		name string
		tok  string
		err  string
	}{
		{name: "empty", tok: "", err: "$skiptoken: empty token"},
		{name: "other query", tok: odata.EncodeSkipToken(store.Cursor{Value: "a", NameKey: "a"},
			odata.QueryHash("assets", "scope", "name eq 'b'", "name", "asc")), err: foreign},
		{name: "other direction", tok: odata.EncodeSkipToken(store.Cursor{Value: "a", NameKey: "a"},
			odata.QueryHash("assets", "scope", "", "name", "desc")), err: foreign},
		{name: "AMS style name", tok: "asset-7", err: malformed},
		{name: "padding", tok: good + "==", err: malformed},
		{name: "standard alphabet", tok: strings.ReplaceAll(base64.StdEncoding.EncodeToString([]byte{1, 0xfb, 0xff}), "=", ""), err: malformed},
		{name: "not base64", tok: "!!!!", err: malformed},
		{name: "non-zero trailing bits", tok: flipped, err: malformed},
		{name: "truncated", tok: good[:8], err: malformed},
		{name: "wrong version", tok: rawToken(2, hash, 0), err: malformed},
		{name: "value beyond end", tok: rawToken(1, hash, 5, 'a', 0), err: malformed},
		{name: "name key beyond end", tok: rawToken(1, hash, 1, 'a', 2, 'a'), err: malformed},
		{name: "name key length missing", tok: rawToken(1, hash, 1, 'a'), err: malformed},
		{name: "overlong varint", tok: rawToken(1, hash, 0x81, 0x00, 'a', 0), err: malformed},
		{name: "unterminated varint", tok: rawToken(1, hash, 0x80, 0x80), err: malformed},
		{name: "invalid UTF-8 value", tok: rawToken(1, hash, 1, 0xff, 0), err: malformed},
		{name: "invalid UTF-8 name key", tok: rawToken(1, hash, 0, 1, 0xc3), err: malformed},
		{name: "invalid UTF-8 scope", tok: rawToken(1, hash, 0, 0, 0xe2, 0x82), err: malformed},
		{name: "NUL in value", tok: rawToken(1, hash, 1, 0, 0), err: malformed},
		{name: "NUL in scope", tok: rawToken(1, hash, 0, 0, '/', 0), err: malformed},
		{name: "too long", tok: strings.Repeat("A", odata.MaxSkipTokenLength+1), err: "$skiptoken: token longer than 4096 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := odata.DecodeSkipToken(tt.tok, hash)
			if err == nil || err.Error() != tt.err {
				t.Fatalf("DecodeSkipToken(%q) = %+v, %v; want error %s", tt.tok, c, err, tt.err)
			}
		})
	}
	// The hand-built layout matches the encoder, so the rows above test
	// what they claim.
	if tok := rawToken(1, hash, 1, 'a', 1, 'a'); tok != good {
		t.Fatalf("rawToken = %q, EncodeSkipToken = %q", tok, good)
	}
}

func TestQueryHash(t *testing.T) {
	tests := []struct {
		name  string
		a, b  []string
		equal bool
	}{
		{name: "same parts", a: []string{"assets", "x"}, b: []string{"assets", "x"}, equal: true},
		{name: "boundaries matter", a: []string{"ab", "c"}, b: []string{"a", "bc"}},
		{name: "order matters", a: []string{"a", "b"}, b: []string{"b", "a"}},
		{name: "empty part counts", a: []string{"a"}, b: []string{"a", ""}},
		{name: "kind matters", a: []string{"assets", ""}, b: []string{"jobs", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ha, hb := odata.QueryHash(tt.a...), odata.QueryHash(tt.b...)
			if (ha == hb) != tt.equal {
				t.Fatalf("QueryHash(%q) = %s, QueryHash(%q) = %s; equal = %v, want %v", tt.a, ha, tt.b, hb, ha == hb, tt.equal)
			}
		})
	}
}
