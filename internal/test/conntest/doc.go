// Package conntest counts the TCP connections that reach a listener, so
// tests of the outbound-request guard can assert that a refused fetch
// never connected at all, without sleeping.
package conntest
