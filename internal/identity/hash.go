package identity

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Client secrets are stored only as argon2id hashes in PHC string form,
//
//	$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>
//
// (unpadded standard base64), so that a stored hash carries the parameters
// it was made with and parameters can change without a migration.
const (
	saltLen = 16
	hashLen = 32
	// Bounds on parameters read back from the store: a corrupt or forged
	// record must not make one verification allocate gigabytes.
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 16
	// maxSecretLen bounds presented secrets before hashing.
	maxSecretLen = 1024
)

// hasher hashes and verifies secrets with at most MaxConcurrent
// computations at a time.
type hasher struct {
	p    HashParams
	sem  chan struct{}
	rand func([]byte) error
	// dummy is a hash of a random value, verified when there is no real
	// hash to check so that an unknown client costs the same time as a
	// wrong secret.
	dummy string
}

func newHasher(p HashParams, rand func([]byte) error) (*hasher, error) {
	h := &hasher{p: p, sem: make(chan struct{}, p.MaxConcurrent), rand: rand}
	v := make([]byte, 32)
	if err := rand(v); err != nil {
		return nil, err
	}
	dummy, err := h.hash(context.Background(), base64.RawURLEncoding.EncodeToString(v))
	if err != nil {
		return nil, err
	}
	h.dummy = dummy
	return h, nil
}

// acquire waits for a hashing slot.
func (h *hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("identity: wait to hash: %w", ctx.Err())
	}
}

func (h *hasher) release() { <-h.sem }

// hash returns the PHC string of secret under a fresh salt.
func (h *hasher) hash(ctx context.Context, secret string) (string, error) {
	salt := make([]byte, saltLen)
	if err := h.rand(salt); err != nil {
		return "", err
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	sum := argon2.IDKey([]byte(secret), salt, h.p.Time, h.p.MemoryKiB, h.p.Threads, hashLen)
	h.release()
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, h.p.MemoryKiB, h.p.Time, h.p.Threads, enc.EncodeToString(salt), enc.EncodeToString(sum)), nil
}

// verify reports whether secret matches the PHC string phc, comparing in
// constant time. An empty phc verifies against the dummy hash and fails.
func (h *hasher) verify(ctx context.Context, phc, secret string) (bool, error) {
	useDummy := phc == ""
	if useDummy {
		phc = h.dummy
	}
	m, t, p, salt, want, err := parsePHC(phc)
	if err != nil {
		return false, err
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(secret), salt, t, m, p, uint32(len(want)))
	h.release()
	ok := subtle.ConstantTimeCompare(got, want) == 1
	return ok && !useDummy, nil
}

var errBadHash = errors.New("identity: malformed stored secret hash")

func parsePHC(s string) (m, t uint32, p uint8, salt, sum []byte, err error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return 0, 0, 0, nil, nil, errBadHash
	}
	var p32 uint32
	if n, serr := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p32); serr != nil || n != 3 {
		return 0, 0, 0, nil, nil, errBadHash
	}
	if m < 8 || m > maxMemoryKiB || t < 1 || t > maxTime || p32 < 1 || p32 > 255 {
		return 0, 0, 0, nil, nil, errBadHash
	}
	enc := base64.RawStdEncoding
	if salt, err = enc.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return 0, 0, 0, nil, nil, errBadHash
	}
	if sum, err = enc.DecodeString(parts[5]); err != nil || len(sum) < 16 || len(sum) > 64 {
		return 0, 0, 0, nil, nil, errBadHash
	}
	return m, t, uint8(p32), salt, sum, nil
}
