// Package invalidate tells every node that store data its caches hold
// has changed, so that a deleted locator, a stopped streaming endpoint or
// a rotated policy key takes effect everywhere at once rather than after
// the caches' TTLs.
//
// The writer side is a store wrapper (WrapStore): a committed transaction
// that created, replaced or deleted a resource of a kind the caches hold
// (accounts, assets, filters, policies, locators, endpoints, license
// servers) publishes one message after the commit. Frequent writes of
// other kinds (jobs, event deliveries, lockout counters) publish nothing,
// so they cannot flush the caches.
//
// A Bus carries the messages: Local within one process (SQLite, one
// node), Postgres across nodes sharing a PostgreSQL database with
// LISTEN/NOTIFY on a dedicated connection. Subscribers drop their caches;
// after a lost connection the listener drops them too, since it may have
// missed messages.
package invalidate
