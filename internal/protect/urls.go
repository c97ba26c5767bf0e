package protect

import (
	"net/url"
	"strings"

	"github.com/lockstream/lockstream/internal/keys"
)

// KeyDeliveryPrefix is the path prefix of key delivery on the API
// listener.
const KeyDeliveryPrefix = "/keydelivery"

// License paths below an account's tree, spelled as AMS spelled them;
// matching is case-insensitive.
const (
	PathClearKey  = "ClearKey/"
	PathPlayReady = "PlayReady/"
	PathWidevine  = "Widevine/"
	PathFairPlay  = "FairPlay/"
)

// URLs builds the key and license URLs of one account: the layout the
// keydelivery handler serves and manifests point players to. A license
// route added to key delivery gets its path constant and URL method here.
type URLs struct {
	// Base is the API listener's external base URL, e.g.
	// https://media.example.com (no trailing slash needed).
	Base string
	// Account is the account's mediaServiceId.
	Account string
}

func (u URLs) root() string {
	return strings.TrimSuffix(u.Base, "/") + KeyDeliveryPrefix + "/" + url.PathEscape(u.Account) + "/"
}

// AES returns the HLS AES-128 key URL of kid.
func (u URLs) AES(kid keys.KID) string { return u.root() + "?kid=" + kid.String() }

// ClearKey returns the W3C Clear Key license URL.
func (u URLs) ClearKey() string { return u.root() + PathClearKey }

// PlayReady returns the PlayReady license URL (the key id travels in the
// challenge's header).
func (u URLs) PlayReady() string { return u.root() + PathPlayReady }

// Widevine returns the Widevine license URL of kid.
func (u URLs) Widevine(kid keys.KID) string { return u.root() + PathWidevine + "?kid=" + kid.String() }

// FairPlay returns the FairPlay key server URL of kid.
func (u URLs) FairPlay(kid keys.KID) string { return u.root() + PathFairPlay + "?kid=" + kid.String() }
