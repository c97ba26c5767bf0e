package keystest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/keys"
)

// KEK parses s (64 hex digits) or fails the test.
func KEK(t testing.TB, s string) keys.KEK {
	t.Helper()
	k, err := keys.ParseKEK(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Hex returns a KEK whose 32 bytes all equal b, in hex.
func Hex(b byte) string { return strings.Repeat(fmt.Sprintf("%02x", b), 32) }

// Keyring returns a key ring sealing under primary and opening with it
// and older, or fails the test.
func Keyring(t testing.TB, primary keys.KEK, older ...keys.KEK) *keys.Keyring {
	t.Helper()
	k, err := keys.NewKeyring(nil, primary, older...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
