package protect

import (
	"sync/atomic"

	"github.com/lockstream/lockstream/internal/defs"
)

// Locator is what protection needs to know of a streaming locator: its
// streaming policy and unsealed keys, and the names its key URLs and IVs
// are built from. The origin keeps one per cached locator; it is read-only
// once built.
type Locator struct {
	Policy *defs.StreamingPolicyProperties
	Keys   []ContentKey
	// AccountID is the account's mediaServiceId, which names its
	// key-delivery tree.
	AccountID string
	// AlternativeMediaID fills {AlternativeMediaId} in custom URL
	// templates.
	AlternativeMediaID string
	// Container is the asset's container: it names the stream in every
	// cenc IV (cenc.StreamID).
	Container string

	// id names this Locator in the layer's protection cache, given by
	// Layer.For on first use: unlike its address, it is never reused by
	// a later Locator (whose policy may signal other systems).
	id atomic.Uint64
}
