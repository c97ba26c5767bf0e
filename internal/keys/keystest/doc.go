// Package keystest builds key-encryption keys and key rings for tests of
// the packages that seal secrets (keys, store).
package keystest
