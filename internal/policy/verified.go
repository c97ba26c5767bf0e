package policy

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/subtle"
	"sync/atomic"
)

// verifiedMemo remembers the key that last verified a parsed (cached)
// token's signature. A signature check is a pure function of the token's
// bytes and the key, so the same token meeting the same key again needs
// no second check: for HS256 that skips go-jose's header re-parse, for
// RS256 the RSA operation. Claims, expiry and max uses are still checked
// on every request; a rotated key is a different key and is checked
// afresh.
type verifiedMemo struct {
	key atomic.Pointer[verifiedKey]
}

type verifiedKey struct{ key any }

// by reports whether key verified the token before.
func (m *verifiedMemo) by(key any) bool {
	v := m.key.Load()
	return v != nil && sameKey(v.key, key)
}

// remember records that key verified the token. A symmetric key is
// copied: the caller's bytes may be cleared.
func (m *verifiedMemo) remember(key any) {
	if b, ok := key.([]byte); ok {
		key = bytes.Clone(b)
	}
	m.key.Store(&verifiedKey{key: key})
}

// sameKey compares verification keys by value (symmetric keys in
// constant time).
func sameKey(a, b any) bool {
	switch a := a.(type) {
	case []byte:
		b, ok := b.([]byte)
		return ok && len(a) == len(b) && subtle.ConstantTimeCompare(a, b) == 1
	case *rsa.PublicKey:
		// Public keys need no constant-time compare, and rsa's Equal
		// does one through big.Int.Bytes (two allocations a request, half
		// of an RS256 evaluation in a profile). The verifier cache hands
		// out the same pointer for the same key, so that is tried first.
		b, ok := b.(*rsa.PublicKey)
		return ok && (a == b || a.E == b.E && a.N.Cmp(b.N) == 0)
	case *ecdsa.PublicKey:
		b, ok := b.(*ecdsa.PublicKey)
		return ok && (a == b || a.Equal(b))
	}
	return false
}
