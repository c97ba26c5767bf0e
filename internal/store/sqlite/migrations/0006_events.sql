-- Events (issue 18): the transactional outbox, per-subscription
-- deliveries leased by delivery workers, and delivery counters.
-- Times are Unix microseconds.

-- event_outbox holds events written in the same transaction as the state
-- change that caused them, until a dispatcher fans them out to the
-- matching subscriptions (and deletes them) in one transaction.
CREATE TABLE event_outbox (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	id      TEXT NOT NULL,
	scope   TEXT NOT NULL,
	type    TEXT NOT NULL,
	subject TEXT NOT NULL,
	time    INTEGER NOT NULL,
	body    BLOB NOT NULL
) STRICT;

-- event_deliveries: one row per (subscription, event) until delivered
-- (deleted) or dead-lettered (state 1, kept for replay). lease_owner and
-- lease_until make a worker the only one sending the row until the lease
-- ends.
CREATE TABLE event_deliveries (
	seq          INTEGER PRIMARY KEY AUTOINCREMENT,
	scope        TEXT NOT NULL,
	subscription TEXT NOT NULL,
	event_id     TEXT NOT NULL,
	event_type   TEXT NOT NULL,
	body         BLOB NOT NULL,
	published    INTEGER NOT NULL,
	due          INTEGER NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	state        INTEGER NOT NULL DEFAULT 0,
	lease_owner  TEXT NOT NULL DEFAULT '',
	lease_until  INTEGER NOT NULL DEFAULT 0,
	last_attempt INTEGER NOT NULL DEFAULT 0,
	last_status  INTEGER NOT NULL DEFAULT 0,
	last_outcome TEXT NOT NULL DEFAULT '',
	dead_reason  TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE UNIQUE INDEX event_deliveries_event ON event_deliveries (scope, subscription, event_id);
CREATE INDEX event_deliveries_due ON event_deliveries (state, due);

CREATE TABLE event_subscription_stats (
	scope               TEXT NOT NULL,
	subscription        TEXT NOT NULL,
	delivered           INTEGER NOT NULL DEFAULT 0,
	failed_attempts     INTEGER NOT NULL DEFAULT 0,
	dead_lettered       INTEGER NOT NULL DEFAULT 0,
	last_delivered      INTEGER NOT NULL DEFAULT 0,
	last_failure        INTEGER NOT NULL DEFAULT 0,
	last_failure_reason TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (scope, subscription)
) STRICT, WITHOUT ROWID;
