// Package azurite starts a throw-away Azurite blob service for tests.
//
// Azurite comes from the npm package pinned in the repository's root
// package.json; `npm ci` at the repo root installs it into node_modules.
// When it (or Node.js) is missing, Start skips the test, or fails it when
// CI=true so CI cannot go green by skipping.
package azurite
