package policy

import (
	"fmt"

	"github.com/lockstream/lockstream/internal/defs"
)

// Kind is what a request asks for; it selects the options whose
// configuration can serve it.
type Kind int

// Request kinds.
const (
	// KindEnvelope is the raw 16-byte key of HLS AES-128 (envelope)
	// encryption.
	KindEnvelope Kind = iota + 1
	// KindClearKey is a W3C Clear Key (EME org.w3.clearkey) license.
	KindClearKey
	KindWidevine
	KindPlayReady
	KindFairPlay
)

// String returns a short name for logs.
func (k Kind) String() string {
	switch k {
	case KindEnvelope:
		return "envelope"
	case KindClearKey:
		return "clearkey"
	case KindWidevine:
		return "widevine"
	case KindPlayReady:
		return "playready"
	case KindFairPlay:
		return "fairplay"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// serves reports whether configuration c can answer a request of kind k.
// AMS used its Clear Key configuration for the envelope key; Lockstream
// also lets it answer W3C Clear Key licenses, which deliver the same key in
// the clear. The Unknown configuration serves nothing.
func (k Kind) serves(c defs.ContentKeyPolicyConfiguration) bool {
	switch c.(type) {
	case *defs.ContentKeyPolicyClearKeyConfiguration:
		return k == KindEnvelope || k == KindClearKey
	case *defs.ContentKeyPolicyWidevineConfiguration:
		return k == KindWidevine
	case *defs.ContentKeyPolicyPlayReadyConfiguration:
		return k == KindPlayReady
	case *defs.ContentKeyPolicyFairPlayConfiguration:
		return k == KindFairPlay
	}
	return false
}
