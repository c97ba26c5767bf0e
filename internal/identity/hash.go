package identity

import (
	"context"

	"github.com/lockstream/lockstream/internal/passhash"
)

// Client secrets are stored only as argon2id hashes in PHC string form
// (package passhash), sealed with the principal's other credentials.

// maxSecretLen bounds presented secrets before hashing.
const maxSecretLen = passhash.MaxSecretLen

// hasher adapts passhash.Hasher to the identity configuration.
type hasher struct{ h *passhash.Hasher }

func newHasher(p HashParams, rand func([]byte) error) (*hasher, error) {
	h, err := passhash.New(passhash.Params{Time: p.Time, MemoryKiB: p.MemoryKiB, Threads: p.Threads, MaxConcurrent: p.MaxConcurrent}, rand)
	if err != nil {
		return nil, err
	}
	return &hasher{h: h}, nil
}

// hash returns the PHC string of secret under a fresh salt.
func (h *hasher) hash(ctx context.Context, secret string) (string, error) {
	return h.h.Hash(ctx, secret)
}

// verify reports whether secret matches phc in constant time; an empty
// phc costs a dummy verification and fails.
func (h *hasher) verify(ctx context.Context, phc, secret string) (bool, error) {
	return h.h.Verify(ctx, phc, secret)
}
