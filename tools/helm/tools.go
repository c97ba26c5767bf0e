//go:build tools

// Package tools pins Helm, which the deploy tests use to lint and render
// the chart (deploy/helm/lockstream), in a module of its own so that its
// Kubernetes dependencies stay out of Lockstream's go.mod. scripts/test
// builds it into .bin/helm when missing or when this module changes:
//
//	(cd tools/helm && go build -o ../../.bin/helm helm.sh/helm/v4/cmd/helm)
package tools

import _ "helm.sh/helm/v4/cmd/helm"
