// Package kxtest starts a real Lockstream node (API listener, identity
// provider, store, key delivery) for the key-exchange packages' tests and
// speaks to it with real tokens.
package kxtest
