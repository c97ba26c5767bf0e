// Package cluster tests Lockstream as operators scale it out: several
// lockstream processes (the real binary, built by the test) on one
// PostgreSQL and one shared blob directory, behind HAProxy (the Debian
// package) on loopback, under a bounded load of players fetching
// manifests, segments and keys. The package has no code of its own;
// its tests are the point.
package cluster
