// Package ratelimit bounds the request volume of one client on the
// endpoints that cost the most per request or that attackers hammer: key
// delivery (per client IP and per bearer token) and the token endpoints of
// the identity provider and the STS (per client IP). Each client has a
// token bucket (golang.org/x/time/rate); buckets live in an LRU of fixed
// size, so memory stays bounded whatever the number of addresses or
// tokens. Over the limit a request gets 429 with Retry-After.
//
// Tokens are never kept: a bucket is keyed by a hash of the token. This
// is about volume; failed sign-ins are package lockout's.
package ratelimit
