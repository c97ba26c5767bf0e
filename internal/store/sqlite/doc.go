// Package sqlite is the single-node metadata store backend: package
// sqlstore over an SQLite file (modernc.org/sqlite, pure Go, no cgo).
//
// The database runs in WAL mode, so reads (a pool of read-only
// connections) proceed while a transaction writes. Writers are serialised
// on a single connection that begins transactions with BEGIN IMMEDIATE:
// concurrent WithTx calls queue in database/sql instead of failing with
// SQLITE_BUSY, and every transaction is effectively serializable.
package sqlite
