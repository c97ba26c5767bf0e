package protect

import (
	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/streamurl"
)

// KeyType is a content key's type (store.ContentKey.Type), named as
// streaming policies name their encryption blocks: the one vocabulary the
// API, the origin and key delivery share.
type KeyType = defs.StreamingLocatorContentKeyType

// The key types.
const (
	KeyEnvelope = defs.StreamingLocatorContentKeyTypeEnvelopeEncryption
	KeyCenc     = defs.StreamingLocatorContentKeyTypeCommonEncryptionCenc
	KeyCbcs     = defs.StreamingLocatorContentKeyTypeCommonEncryptionCbcs
)

// KeyTypeOf returns the type of the keys scheme e encrypts with ("" for
// clear).
func KeyTypeOf(e streamurl.Encryption) KeyType {
	switch e {
	case streamurl.EncCBC:
		return KeyEnvelope
	case streamurl.EncCENC:
		return KeyCenc
	case streamurl.EncCBCS:
		return KeyCbcs
	}
	return ""
}

// Encrypts reports whether the policy has any encrypting block, so that
// clear-only locators never unseal keys.
func Encrypts(p *defs.StreamingPolicyProperties) bool {
	return p.EnvelopeEncryption != nil || p.CommonEncryptionCenc != nil || p.CommonEncryptionCbcs != nil
}
