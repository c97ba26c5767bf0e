// Package teste2e holds Lockstream's end-to-end tests: a real server
// started in-process (temporary data dir, loopback listeners) driven only
// through the official Azure SDKs for Go — armmediaservices/v3 v3.1.0 for
// the management API and azblob for asset uploads — against every metadata
// store backend.
//
// The package has no non-test code; the reusable server harness is
// startServer in harness_test.go.
package teste2e
