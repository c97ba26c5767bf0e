-- Events (issue 18): the transactional outbox, per-subscription
-- deliveries leased by delivery workers, and delivery counters.
-- Times are Unix microseconds.

-- event_outbox holds events written in the same transaction as the state
-- change that caused them, until a dispatcher fans them out to the
-- matching subscriptions (and deletes them) in one transaction.
CREATE TABLE event_outbox (
	seq     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id      text COLLATE "C" NOT NULL,
	scope   text COLLATE "C" NOT NULL,
	type    text COLLATE "C" NOT NULL,
	subject text NOT NULL,
	time    bigint NOT NULL,
	body    bytea NOT NULL
);

-- event_deliveries: one row per (subscription, event) until delivered
-- (deleted) or dead-lettered (state 1, kept for replay). lease_owner and
-- lease_until make a worker the only one sending the row until the lease
-- ends; workers claim rows with FOR UPDATE SKIP LOCKED.
CREATE TABLE event_deliveries (
	seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	scope        text COLLATE "C" NOT NULL,
	subscription text COLLATE "C" NOT NULL,
	event_id     text COLLATE "C" NOT NULL,
	event_type   text COLLATE "C" NOT NULL,
	body         bytea NOT NULL,
	published    bigint NOT NULL,
	due          bigint NOT NULL,
	attempts     bigint NOT NULL DEFAULT 0,
	state        bigint NOT NULL DEFAULT 0,
	lease_owner  text NOT NULL DEFAULT '',
	lease_until  bigint NOT NULL DEFAULT 0,
	last_attempt bigint NOT NULL DEFAULT 0,
	last_status  bigint NOT NULL DEFAULT 0,
	last_outcome text NOT NULL DEFAULT '',
	dead_reason  text NOT NULL DEFAULT ''
);

CREATE UNIQUE INDEX event_deliveries_event ON event_deliveries (scope, subscription, event_id);
CREATE INDEX event_deliveries_due ON event_deliveries (state, due);

CREATE TABLE event_subscription_stats (
	scope               text COLLATE "C" NOT NULL,
	subscription        text COLLATE "C" NOT NULL,
	delivered           bigint NOT NULL DEFAULT 0,
	failed_attempts     bigint NOT NULL DEFAULT 0,
	dead_lettered       bigint NOT NULL DEFAULT 0,
	last_delivered      bigint NOT NULL DEFAULT 0,
	last_failure        bigint NOT NULL DEFAULT 0,
	last_failure_reason text NOT NULL DEFAULT '',
	PRIMARY KEY (scope, subscription)
);
