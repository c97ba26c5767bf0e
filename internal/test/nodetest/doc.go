// Package nodetest starts a whole Lockstream node (every role, embedded
// store, demo account) on loopback for end-to-end tests in other
// packages, and gets management tokens from it the way clients do.
package nodetest
