// Package s3test starts a throw-away S3 server for tests: SeaweedFS
// (`weed server -s3`), a real S3 implementation, on loopback ports with a
// temporary data directory and one static identity.
//
// The weed binary is built by scripts/test from the pinned tools module
// (tools/seaweedfs) into .bin/weed; $LOCKSTREAM_WEED or a weed on PATH
// also work. When it is missing Start skips the test, or fails it when
// CI=true so CI cannot go green by skipping.
package s3test
