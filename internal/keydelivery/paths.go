package keydelivery

import "github.com/lockstream/lockstream/internal/protect"

// The URL layout is protect's (protect/urls.go), shared with the origin
// that writes these URLs into manifests; the names here keep the
// handler's routing readable.
const (
	Prefix        = protect.KeyDeliveryPrefix
	PathClearKey  = protect.PathClearKey
	PathPlayReady = protect.PathPlayReady
	PathWidevine  = protect.PathWidevine
	PathFairPlay  = protect.PathFairPlay
)
