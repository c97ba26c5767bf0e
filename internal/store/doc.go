// Package store defines Lockstream's metadata store: the interface every
// backend implements, the resource record it keeps, and the errors callers
// map to HTTP status codes.
//
// Resources are stored as JSON documents keyed by (kind, scope, name), where
// scope is the lower-cased ARM path of the parent resource. This keeps the
// backends small and identical in behaviour; type-specific validation lives
// in the API layer. Backends live in sub-packages (sqlite, postgres) and are
// checked by one conformance suite (storetest).
package store
