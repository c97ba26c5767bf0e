//go:build tools

// Package tools pins the versions of programs the tests run, in a module
// of their own so that their dependencies stay out of Lockstream's
// go.mod. scripts/test builds them into .bin/:
//
//	(cd tools && go build -o ../.bin/zitadel-oidc-server github.com/zitadel/oidc/v3/example/server)
//	(cd tools && go build -o ../.bin/golangci-lint github.com/golangci/golangci-lint/v2/cmd/golangci-lint)
//
// The zitadel example server is a real OpenID Connect provider: the
// policy tests verify its ID tokens through OIDC discovery. golangci-lint
// runs the linters .golangci.yml enables.
package tools

import (
	_ "github.com/golangci/golangci-lint/v2/cmd/golangci-lint"
	_ "github.com/zitadel/oidc/v3/example/server"
)
