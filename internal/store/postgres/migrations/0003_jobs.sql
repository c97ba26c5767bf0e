-- Encoding job queue. The job resources live in resources (kind 'jobs');
-- a row here exists while a job waits or runs. Workers lease rows:
-- owner/lease_expires (Unix microseconds; 0 = never leased) say who holds
-- one until when, token fences every write of the holder, attempts counts
-- leases so that a job whose workers keep dying ends in Error instead of
-- looping. kind is always 'jobs'; it lets deletes reuse the resources'
-- subtree condition.
CREATE TABLE job_queue (
	id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kind          text COLLATE "C" NOT NULL,
	scope         text COLLATE "C" NOT NULL,
	name          text NOT NULL,
	name_key      text COLLATE "C" NOT NULL,
	priority      integer NOT NULL,
	created       bigint NOT NULL,
	owner         text NOT NULL DEFAULT '',
	lease_expires bigint NOT NULL DEFAULT 0,
	attempts      integer NOT NULL DEFAULT 0,
	token         bigint NOT NULL DEFAULT 0,
	cancel        integer NOT NULL DEFAULT 0
);

CREATE UNIQUE INDEX job_queue_key ON job_queue (scope, name_key);
CREATE INDEX job_queue_next ON job_queue (lease_expires, priority, created);
