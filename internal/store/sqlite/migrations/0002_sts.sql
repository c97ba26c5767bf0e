-- Security token service: use counters of max-uses tokens and the
-- entitlement source (users, their groups and extra claims).

-- token_uses counts uses per token (id: SHA-256 of its signature).
-- expires is Unix microseconds; rows past it are dead and swept.
CREATE TABLE token_uses (
	id      BLOB NOT NULL PRIMARY KEY,
	uses    INTEGER NOT NULL,
	expires INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX token_uses_expires ON token_uses (expires);

CREATE TABLE sts_users (
	seq          INTEGER PRIMARY KEY AUTOINCREMENT,
	name         TEXT NOT NULL,
	name_key     TEXT NOT NULL,
	id           TEXT NOT NULL,
	display_name TEXT NOT NULL,
	secret       BLOB,
	claims       TEXT,
	created      TEXT NOT NULL,
	modified     TEXT NOT NULL,
	version      INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX sts_users_name ON sts_users (name_key);
CREATE UNIQUE INDEX sts_users_id ON sts_users (id);

CREATE TABLE sts_memberships (
	user_seq   INTEGER NOT NULL REFERENCES sts_users (seq) ON DELETE CASCADE,
	group_name TEXT NOT NULL,
	PRIMARY KEY (user_seq, group_name)
) STRICT, WITHOUT ROWID;

CREATE INDEX sts_memberships_group ON sts_memberships (group_name);
