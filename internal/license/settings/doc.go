// Package settings holds an account's license servers, a Lockstream
// addition to the AMS API (AMS issued Widevine and PlayReady licenses
// with Microsoft's own agreements; a self-hosted node needs the
// operator's):
//
//	PUT …/mediaServices/{account}/licenseServers/{name}?api-version=…
//	{"properties": {"drm": "Widevine", "type": "WidevineLicenseService",
//	  "url": "https://license.uat.widevine.com/cenc/getlicense/widevine_test",
//	  "widevine": {"provider": "widevine_test", "signingKey": "<hex 32 B>", "signingIv": "<hex 16 B>"}}}
//
// One entry per DRM system serves every license request of that system
// in the account (the first by name when several match). Types: the
// Widevine license service (proxy envelope), Axinom, PallyCon
// (DoveRunner) and Generic (any vendor, with placeholders). Secrets
// (signing keys, communication keys, site keys, generic headers) are
// write-only: responses omit them, the store seals them under the KEK,
// and a PATCH that omits them keeps them.
package settings
