// Package keyprovider makes Lockstream a client of a DRM vendor's key
// server: CPIX 2.3/2.4 over SPEKE v2.0/v2.1 (drm-and-tokens.md §7).
//
// An account's key providers are a Lockstream addition to the AMS API,
// managed like licenseServers:
//
//	PUT …/mediaServices/{account}/keyProviders/{name}?api-version=…
//	{"properties": {
//	  "url": "https://keys.vendor.example/speke/v2/tenant",
//	  "streamingPolicyNames": ["vendorCenc"],
//	  "drmSystems": ["Widevine", "PlayReady"],
//	  "authentication": {"type": "ApiKey", "headerName": "X-Api-Key", "headerValue": "…"},
//	  "recipientCertificate": "-----BEGIN CERTIFICATE-----…", "recipientPrivateKey": "-----BEGIN PRIVATE KEY-----…",
//	  "timeout": "10s", "retries": 1}}
//
// The marker is on the provider, not on the streaming policy: a provider
// names the streaming policies whose new locators take their keys from
// it, so streaming policies keep AMS's exact shape and AMS clients that
// never heard of providers are unaffected. A policy is named by one
// provider at most.
//
// Creating a locator under such a policy asks the provider (outside the
// store transaction, through the node's outbound guard) for every content
// key the policy needs — kids chosen by Lockstream, contentId the asset's
// alternateId or else the locator's streamingLocatorId — with the DRM
// signalling of the configured systems. The answer is checked completely
// (the kids asked for and no others, values, encrypted delivery when a
// recipient is set, each PSSH, ContentProtection fragment and HLS key
// tag), then the keys are stored sealed like any other content key and
// the signalling kept with the locator (Stored) in the locator's one
// write transaction. Any failure is an ARM 502 (504 on a timeout) naming
// the provider, and nothing is written.
//
// At the origin, Source attaches the stored signalling to the locator's
// keys and protect.PreferVendor signals them: manifests and init segments
// carry the vendor's PSSH boxes, ContentProtection data, HLS key tags and
// Smooth header instead of Lockstream's; the media is encrypted with the
// vendor's keys exactly as with Lockstream's own.
//
// Secrets (authentication token, API-key header value, client key,
// recipient private key) are write-only: responses omit them, the store
// seals them under the KEK, a PATCH that omits them keeps them.
package keyprovider
