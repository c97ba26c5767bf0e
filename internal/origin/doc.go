// Package origin is the streaming endpoint: it answers AMS streaming URLs
// (/{locatorId}/{name}.ism/manifest(format=…)) by resolving the locator,
// enforcing its time window, streaming policy and filters, and handing the
// asset's presentation to the format packagers (hls, dash, smooth) and
// their output to the protection layer (package protect), which encrypts
// it and writes the DRM signalling. The origin knows no key, license or
// policy-evaluation details: a new key source or DRM system changes
// protect, not this package.
//
// Responses are deterministic (same request, same bytes), carry a strong
// ETag derived from what produced them, and honour Range, HEAD and CORS as
// CDNs and browser players expect. testdata/golden_origin.json pins every
// byte for the test assets (TestGoldenOutput; -update regenerates it).
package origin
