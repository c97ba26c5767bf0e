// Package deploy holds no code: it is the home of the container and
// Kubernetes manifests (../Dockerfile, ../compose.yaml, haproxy.cfg,
// helm/lockstream) and of the tests that check them against the binary's
// real settings (conf.Keys), roles, listeners and health paths, so the
// manifests cannot drift from the code while no Docker daemon or cluster
// is at hand to run them.
package deploy
