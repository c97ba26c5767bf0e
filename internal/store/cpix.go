package store

import "time"

// CPIXKey is a content key minted by a key-exchange endpoint (SPEKE /
// CPIX, the Widevine key-server API) for an encryptor outside Lockstream.
// Its KID is unique within the account, so a streaming locator can later
// reference it by kid and Lockstream serves the same content.
type CPIXKey struct {
	// Scope is the account path (the scope of the account's children).
	Scope string
	// ContentID is the encryptor's content id the key was minted for.
	ContentID string
	KID       string // lower-case uuid
	// Scheme is the common-encryption scheme the key was requested for
	// ("cenc", "cbcs", …), informational.
	Scheme string
	// Label tells keys of one content apart when the requester names no
	// kid (the Widevine key server: track type and crypto period).
	Label   string
	Created time.Time
	Sealed  []byte // KEK-sealed 16-byte key, AAD CPIXKeyAAD
}

// CPIXKeyAAD is the associated data for sealing a CPIXKey's value:
// "cpix:<scope>:<kid>" (the row's unique key).
func CPIXKeyAAD(scope, kid string) string {
	return "cpix:" + scope + ":" + kid
}
