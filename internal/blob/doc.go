// Package blob defines the asset storage interface: containers of named
// blobs read by byte range, written whole, and shared through time-limited
// signed container URLs. Backends: local (default, a directory per
// container) and azure (Azure Blob Storage, tested against Azurite).
package blob
