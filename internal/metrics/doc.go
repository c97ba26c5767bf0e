// Package metrics is Lockstream's Prometheus instrumentation: one
// registry per node (never the client library's global default), the
// HTTP middleware that counts requests by bounded labels (listener, route
// family, and at the origin the format and scheme parsed from the URL),
// timing wrappers for the metadata store and the blob store, key-delivery
// outcomes, token verification time, and scrape-time collectors for the
// caches. core serves the registry on its own listener (--metrics-listen).
//
// No label ever holds a key, a token, a user, a locator, an asset or a
// path: every label value comes from a fixed set, so the number of series
// is bounded whatever the traffic.
package metrics
