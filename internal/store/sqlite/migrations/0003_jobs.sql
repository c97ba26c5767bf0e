-- Encoding job queue. The job resources live in resources (kind 'jobs');
-- a row here exists while a job waits or runs. Workers lease rows:
-- owner/lease_expires (Unix microseconds; 0 = never leased) say who holds
-- one until when, token fences every write of the holder, attempts counts
-- leases so that a job whose workers keep dying ends in Error instead of
-- looping. kind is always 'jobs'; it lets deletes reuse the resources'
-- subtree condition.
CREATE TABLE job_queue (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	kind          TEXT NOT NULL,
	scope         TEXT NOT NULL,
	name          TEXT NOT NULL,
	name_key      TEXT NOT NULL,
	priority      INTEGER NOT NULL,
	created       INTEGER NOT NULL,
	owner         TEXT NOT NULL DEFAULT '',
	lease_expires INTEGER NOT NULL DEFAULT 0,
	attempts      INTEGER NOT NULL DEFAULT 0,
	token         INTEGER NOT NULL DEFAULT 0,
	cancel        INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE UNIQUE INDEX job_queue_key ON job_queue (scope, name_key);
CREATE INDEX job_queue_next ON job_queue (lease_expires, priority, created);
