// Package httpx holds the HTTP middleware shared by Lockstream's listeners,
// one per file: request ids, access logs, panic recovery and body limits.
package httpx
