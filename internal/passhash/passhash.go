package passhash

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

const (
	saltLen = 16
	hashLen = 32
	// Bounds on parameters read back from storage: a corrupt or forged
	// record must not make one verification allocate gigabytes.
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 16
)

// MaxSecretLen bounds presented secrets; callers refuse longer ones before
// hashing.
const MaxSecretLen = 1024

// ErrMalformed reports a stored hash that is not a PHC string this package
// can verify.
var ErrMalformed = errors.New("passhash: malformed stored hash")

// Params are the argon2id parameters for new hashes. Zero fields take the
// OWASP defaults: t=2, m=19 MiB, p=1; MaxConcurrent defaults to 4.
type Params struct {
	Time      uint32
	MemoryKiB uint32
	Threads   uint8
	// MaxConcurrent bounds simultaneous hash computations, so that a flood
	// of requests cannot exhaust memory.
	MaxConcurrent int
}

// WithDefaults returns p with zero fields set to their defaults.
func (p Params) WithDefaults() Params {
	if p.Time == 0 {
		p.Time = 2
	}
	if p.MemoryKiB == 0 {
		p.MemoryKiB = 19 * 1024
	}
	if p.Threads == 0 {
		p.Threads = 1
	}
	if p.MaxConcurrent == 0 {
		p.MaxConcurrent = 4
	}
	return p
}

// Hasher hashes and verifies secrets. It is safe for concurrent use.
type Hasher struct {
	p    Params
	sem  chan struct{}
	rand func([]byte) error
	// dummy is a hash of a random value, verified when there is no real
	// hash to check.
	dummy string
}

// New returns a Hasher with p (defaults applied) drawing salts from rand,
// which must fill its argument with random bytes.
func New(p Params, rand func([]byte) error) (*Hasher, error) {
	p = p.WithDefaults()
	if p.Time < 1 || p.MemoryKiB < 1024 || p.MaxConcurrent < 1 {
		return nil, errors.New("passhash: need Time ≥ 1, MemoryKiB ≥ 1024, MaxConcurrent ≥ 1")
	}
	h := &Hasher{p: p, sem: make(chan struct{}, p.MaxConcurrent), rand: rand}
	v := make([]byte, 32)
	if err := rand(v); err != nil {
		return nil, fmt.Errorf("passhash: read random: %w", err)
	}
	dummy, err := h.Hash(context.Background(), base64.RawURLEncoding.EncodeToString(v))
	if err != nil {
		return nil, err
	}
	h.dummy = dummy
	return h, nil
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("passhash: wait to hash: %w", ctx.Err())
	}
}

func (h *Hasher) release() { <-h.sem }

// Hash returns the PHC string of secret under a fresh salt.
func (h *Hasher) Hash(ctx context.Context, secret string) (string, error) {
	salt := make([]byte, saltLen)
	if err := h.rand(salt); err != nil {
		return "", fmt.Errorf("passhash: read random: %w", err)
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

// Verify reports whether secret matches the PHC string phc, comparing in
// constant time. An empty phc verifies against a dummy hash and fails, so
// it takes as long as a real check.
func (h *Hasher) Verify(ctx context.Context, phc, secret string) (bool, error) {
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

func parsePHC(s string) (m, t uint32, p uint8, salt, sum []byte, err error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return 0, 0, 0, nil, nil, ErrMalformed
	}
	var p32 uint32
	if n, serr := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p32); serr != nil || n != 3 {
		return 0, 0, 0, nil, nil, ErrMalformed
	}
	if m < 8 || m > maxMemoryKiB || t < 1 || t > maxTime || p32 < 1 || p32 > 255 {
		return 0, 0, 0, nil, nil, ErrMalformed
	}
	enc := base64.RawStdEncoding
	if salt, err = enc.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return 0, 0, 0, nil, nil, ErrMalformed
	}
	if sum, err = enc.DecodeString(parts[5]); err != nil || len(sum) < 16 || len(sum) > 64 {
		return 0, 0, 0, nil, nil, ErrMalformed
	}
	return m, t, uint8(p32), salt, sum, nil
}
