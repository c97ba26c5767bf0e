// Package auth authenticates management API callers and decides what their
// roles allow. The core issue ships the bootstrap Owner principal; the
// identity issue adds OAuth2 client credentials and role assignments.
package auth
