// Package teste2e holds Lockstream's end-to-end tests: a real server
// started in-process (temporary data dir, loopback listeners) driven only
// through the official Azure SDKs for Go — armmediaservices/v3 v3.1.0 for
// the management API and azblob for asset uploads — against every metadata
// store backend.
//
// TestPlaybackMatrix adds the viewer's side: resources made through the
// SDK, then real playback in headless Chromium (internal/test/browser)
// through the node's origin and key delivery, with tokens from its STS:
// who gets a key, and that whoever does not decodes no frame.
//
// The package has no non-test code; the reusable server harness is
// startServer in harness_test.go.
package teste2e
