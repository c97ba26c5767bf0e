package playready

import (
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/lockstream/lockstream/internal/keys"
)

// SeedSize is how many bytes of a key seed the derivation uses; longer
// seeds are truncated, as Microsoft's implementation does.
const SeedSize = 30

// ErrShortSeed means a key seed has fewer than SeedSize bytes.
var ErrShortSeed = errors.New("playready: key seed shorter than 30 bytes")

// KeyFromSeed derives the content key for kid from a PlayReady key seed,
// the algorithm PlayReady license servers (and Microsoft's test server) use
// so that they need to store only the seed:
//
//	A = SHA-256(seed‖kid), B = SHA-256(seed‖kid‖seed), C = SHA-256(seed‖kid‖seed‖kid)
//	key[i] = A[i] ^ A[i+16] ^ B[i] ^ B[i+16] ^ C[i] ^ C[i+16]
//
// where seed is the first 30 bytes and kid is in PlayReady (little-endian
// GUID) byte order. The error never includes the seed.
func KeyFromSeed(seed []byte, kid keys.KID) (keys.Key, error) {
	if len(seed) < SeedSize {
		return keys.Key{}, fmt.Errorf("derive playready key: %w (have %d)", ErrShortSeed, len(seed))
	}
	seed = seed[:SeedSize]
	le := kid.PlayReadyBytes()

	h := sha256.New()
	h.Write(seed)
	h.Write(le[:])
	a := h.Sum(nil)
	h.Write(seed) // the hash state continues: seed‖kid‖seed
	b := h.Sum(nil)
	h.Write(le[:])
	c := h.Sum(nil)

	var key keys.Key
	for i := range key {
		key[i] = a[i] ^ a[i+16] ^ b[i] ^ b[i+16] ^ c[i] ^ c[i+16]
	}
	clear(a)
	clear(b)
	clear(c)
	return key, nil
}
