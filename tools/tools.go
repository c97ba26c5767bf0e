//go:build tools

// Package tools pins the versions of programs the tests run, in a module
// of their own so that their dependencies stay out of Lockstream's
// go.mod. scripts/test builds them into .bin/:
//
//	(cd tools && GOBIN=$PWD/../.bin go install github.com/zitadel/oidc/v3/example/server)
//
// The zitadel example server is a real OpenID Connect provider: the
// policy tests verify its ID tokens through OIDC discovery.
package tools

import _ "github.com/zitadel/oidc/v3/example/server"
