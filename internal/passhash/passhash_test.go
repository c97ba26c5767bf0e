package passhash_test

import (
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/passhash"
)

func newHasher(t *testing.T) *passhash.Hasher {
	t.Helper()
	h, err := passhash.New(passhash.Params{MemoryKiB: 1024, Time: 1}, func(b []byte) error { _, err := rand.Read(b); return err })
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHashVerify(t *testing.T) {
	h := newHasher(t)
	ctx := t.Context()
	phc, err := h.Hash(ctx, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(phc, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("PHC string %q", phc)
	}
	again, _ := h.Hash(ctx, "correct horse")
	if again == phc {
		t.Fatal("two hashes of one secret are equal: salt not fresh")
	}
	tests := []struct {
		name, phc, secret string
		ok                bool
		err               error
	}{
		{"right secret", phc, "correct horse", true, nil},
		{"wrong secret", phc, "correct horsf", false, nil},
		{"no hash", "", "anything", false, nil},
		{"malformed", "$argon2id$v=19$m=1024$x$y", "x", false, passhash.ErrMalformed},
		{"huge memory", "$argon2id$v=19$m=99999999,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA", "x", false, passhash.ErrMalformed},
		{"other algorithm", strings.Replace(phc, "argon2id", "argon2i", 1), "correct horse", false, passhash.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := h.Verify(ctx, tt.phc, tt.secret)
			if ok != tt.ok || !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("Verify = %v, %v; want %v, %v", ok, err, tt.ok, tt.err)
			}
		})
	}
}
