// Package blobtest is the conformance suite every blob.Store backend runs:
// container life cycle, write/stat/list/range semantics, atomic overwrite,
// name validation, and a round trip through signed container URLs with the
// real azblob SDK (Put Blob, Put Block + Put Block List, ranged downloads,
// listing, permission, expiry and tamper checks).
//
// A backend's test calls Run with a constructor; see the local and azure
// packages.
package blobtest
