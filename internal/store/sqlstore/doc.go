// Package sqlstore implements store.Store over database/sql. The SQLite and
// PostgreSQL backends are thin wrappers that supply a Dialect (placeholder
// style, JSON member extraction, error classification, isolation level and
// embedded schema migrations), so both run the same queries and the same
// conformance suite.
//
// Schema (see the backends' migrations):
//
//   - resources: one row per resource, unique (kind, scope, name_key) and
//     unique (kind, id) for non-empty ids. Times are FormatTime text, so text
//     order is time order; doc is JSON text kept byte for byte.
//   - refs: (from kind/scope/name_key) -> (to kind/scope/name_key).
//   - content_keys: a streaming locator's content keys, in seq order.
//   - cpix_keys: key-exchange keys (SPEKE, Widevine key server), unique per
//     (account scope, kid).
//   - token_uses: use counters of max-uses tokens, upserted by one
//     statement outside transactions (UseToken), swept when expired.
//   - sts_users, sts_memberships: the security token service's users
//     and their groups.
//   - schema_migrations: applied migration versions.
//
// Every text comparison and ORDER BY is bytewise (SQLite's BINARY
// collation, PostgreSQL's "C"), matching Go string comparison and the
// reference semantics in package store (Cond.Match, CompareOrder).
//
// A subtree is a resource plus everything whose scope is its Path() or
// starts with Path()+"/". Scope prefixes are matched with the range
// [p+"/", p+"0") rather than LIKE: '0' is the byte after '/', so the range
// holds exactly the strings starting with p+"/" under bytewise order, needs
// no escaping of LIKE wildcards, and can use an index.
package sqlstore
