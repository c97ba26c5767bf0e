// Package origin is the streaming endpoint: it answers AMS streaming URLs
// (/{locatorId}/{name}.ism/manifest(format=…)) by resolving the locator,
// enforcing its time window, streaming policy and filters, and handing the
// asset's presentation to the format packagers (hls, dash, smooth).
//
// Responses are deterministic (same request, same bytes), carry a strong
// ETag derived from what produced them, and honour Range, HEAD and CORS as
// CDNs and browser players expect.
package origin
