//go:build tools

// Package tools pins SeaweedFS, the S3 server the S3 blob backend's tests
// run (internal/test/s3test), in a module of its own: its dependency tree
// is large and must stay out of Lockstream's go.mod. scripts/test builds
// it into .bin/weed when missing or when this module changes:
//
//	(cd tools/seaweedfs && go build -o ../../.bin/weed github.com/seaweedfs/seaweedfs/weed)
package tools

import _ "github.com/seaweedfs/seaweedfs/weed"
