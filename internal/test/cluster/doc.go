// Package cluster tests Lockstream as operators scale it out: several
// lockstream processes (the real binary, built by the test) on one
// PostgreSQL and one S3 server (SeaweedFS), behind HAProxy (the Debian
// package) on loopback, under a bounded load of players fetching
// manifests, segments and keys. The package has no code of its own;
// its tests are the point.
package cluster
