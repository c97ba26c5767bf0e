package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Sealed blob layout, version 1:
//
//	version (1 byte) = 1 | kekID (4) | nonce (12) | ciphertext | tag (16)
//
// The GCM additional data is the 5-byte header followed by the caller's
// associated data, so the version and KEK id are authenticated too.
const (
	blobVersion = 1
	headerSize  = 1 + 4
	nonceSize   = 12
	tagSize     = 16
	// Overhead is how many bytes Seal adds to a plaintext.
	Overhead = headerSize + nonceSize + tagSize
)

// Errors from Open, wrapped with detail; test them with errors.Is. Neither
// the error nor anything else returned by a failed Open holds plaintext.
var (
	// ErrUnknownKEK means the blob names a KEK the keyring does not hold.
	ErrUnknownKEK = errors.New("sealed under an unknown key-encryption key")
	// ErrCorrupt means the blob is truncated, has an unknown format
	// version, or fails authentication: tampered with, or opened with
	// different associated data than it was sealed with.
	ErrCorrupt = errors.New("sealed blob is corrupt")
)

// Sealer seals secrets at rest. Open must accept whatever Seal returns, given
// the same associated data (aad), which is authenticated but not encrypted:
// bind each blob to where it is stored so that blobs cannot be swapped.
type Sealer interface {
	Seal(pt, aad []byte) ([]byte, error)
	Open(ct, aad []byte) ([]byte, error)
}

var _ Sealer = (*Keyring)(nil)

// Keyring is a [Sealer] holding one primary KEK, which seals, and any number
// of older KEKs, which only open. Open picks the KEK by the id in the blob.
//
// Nonces are 12 random bytes read from the keyring's reader for every Seal,
// never a counter and never reused by design. With random nonces AES-GCM
// stays within its bounds for about 2^32 seals under one KEK; rotate the
// primary KEK (and store.Rewrap) long before that.
//
// A Keyring is immutable after [NewKeyring] and safe for concurrent use;
// reads from its reader are serialized, so the reader need not be.
type Keyring struct {
	mu      sync.Mutex // serializes reads from rand
	rand    io.Reader
	primary *ringEntry
	byID    map[[4]byte]*ringEntry
}

type ringEntry struct {
	kek  KEK
	aead cipher.AEAD
}

// NewKeyring returns a keyring that seals with primary and opens blobs
// sealed under primary or any of older. Nonces are read from r; nil means
// crypto/rand.Reader, which production should use. The zero KEK, and two
// different KEKs with the same id, are refused; repeated KEKs are ignored.
func NewKeyring(r io.Reader, primary KEK, older ...KEK) (*Keyring, error) {
	if r == nil {
		r = rand.Reader
	}
	k := &Keyring{rand: r, byID: make(map[[4]byte]*ringEntry, 1+len(older))}
	for i, kek := range append([]KEK{primary}, older...) {
		if kek.isZero() {
			return nil, fmt.Errorf("keys: new keyring: KEK %d is the zero value", i)
		}
		if e, ok := k.byID[kek.id]; ok {
			if e.kek.key != kek.key {
				return nil, fmt.Errorf("keys: new keyring: two different KEKs have id %s", kek.ID())
			}
			continue
		}
		block, err := aes.NewCipher(kek.key[:])
		if err != nil {
			return nil, fmt.Errorf("keys: new keyring: %w", err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("keys: new keyring: %w", err)
		}
		e := &ringEntry{kek: kek, aead: aead}
		k.byID[kek.id] = e
		if i == 0 {
			k.primary = e
		}
	}
	return k, nil
}

// String describes the keyring by KEK ids, e.g. "Keyring(primary=1a2b3c4d, 2 KEKs)".
func (k *Keyring) String() string {
	return fmt.Sprintf("Keyring(primary=%s, %d KEKs)", k.PrimaryID(), len(k.byID))
}

// PrimaryID returns the id of the KEK that Seal uses.
func (k *Keyring) PrimaryID() string { return k.primary.kek.ID() }

// Seal encrypts and authenticates plaintext, authenticates aad, and returns
// a new blob of len(plaintext)+[Overhead] bytes naming the primary KEK. It
// fails only when the reader does.
func (k *Keyring) Seal(plaintext, aad []byte) ([]byte, error) {
	var nonce [nonceSize]byte
	k.mu.Lock()
	_, err := io.ReadFull(k.rand, nonce[:])
	k.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("keys: seal: read nonce: %w", err)
	}
	out := make([]byte, headerSize+nonceSize, Overhead+len(plaintext))
	out[0] = blobVersion
	copy(out[1:headerSize], k.primary.kek.id[:])
	copy(out[headerSize:], nonce[:])
	ad := additionalData(out[:headerSize], aad)
	return k.primary.aead.Seal(out, nonce[:], plaintext, ad), nil
}

// Open authenticates and decrypts a blob made by Seal with the same aad,
// under any KEK of the keyring. Errors wrap [ErrCorrupt] or
// [ErrUnknownKEK]. The plaintext is a new slice, empty but not nil for an
// empty plaintext.
func (k *Keyring) Open(sealed, aad []byte) ([]byte, error) {
	id, err := parseHeader(sealed)
	if err != nil {
		return nil, fmt.Errorf("keys: open: %w", err)
	}
	e := k.byID[id]
	if e == nil {
		return nil, fmt.Errorf("keys: open: %w (id %x)", ErrUnknownKEK, id[:])
	}
	ad := additionalData(sealed[:headerSize], aad)
	pt, err := e.aead.Open(nil, sealed[headerSize:headerSize+nonceSize], sealed[headerSize+nonceSize:], ad)
	if err != nil {
		return nil, fmt.Errorf("keys: open: %w: authentication failed (tampered, or different associated data)", ErrCorrupt)
	}
	if pt == nil {
		pt = []byte{}
	}
	return pt, nil
}

// SealedByPrimary reports whether sealed is a well-formed blob naming the
// primary KEK. It reads only the header and authenticates nothing.
func (k *Keyring) SealedByPrimary(sealed []byte) bool {
	id, err := parseHeader(sealed)
	return err == nil && id == k.primary.kek.id
}

// SealedKEKID returns the id of the KEK named by a sealed blob's header,
// without authenticating it. Errors wrap [ErrCorrupt].
func SealedKEKID(sealed []byte) (string, error) {
	id, err := parseHeader(sealed)
	if err != nil {
		return "", fmt.Errorf("keys: sealed kek id: %w", err)
	}
	return hex.EncodeToString(id[:]), nil
}

func parseHeader(sealed []byte) ([4]byte, error) {
	switch {
	case len(sealed) == 0:
		return [4]byte{}, fmt.Errorf("%w: empty", ErrCorrupt)
	case sealed[0] != blobVersion:
		return [4]byte{}, fmt.Errorf("%w: unsupported format version %d", ErrCorrupt, sealed[0])
	case len(sealed) < Overhead:
		return [4]byte{}, fmt.Errorf("%w: truncated to %d bytes, shorter than the minimum %d", ErrCorrupt, len(sealed), Overhead)
	}
	return [4]byte(sealed[1:headerSize]), nil
}

func additionalData(header, aad []byte) []byte {
	ad := make([]byte, 0, len(header)+len(aad))
	return append(append(ad, header...), aad...)
}
