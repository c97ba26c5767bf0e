-- Security token service: use counters of max-uses tokens and the
-- entitlement source (users, their groups and extra claims).

-- token_uses counts uses per token (id: SHA-256 of its signature).
-- expires is Unix microseconds; rows past it are dead and swept.
CREATE TABLE token_uses (
	id      bytea PRIMARY KEY,
	uses    bigint NOT NULL,
	expires bigint NOT NULL
);

CREATE INDEX token_uses_expires ON token_uses (expires);

CREATE TABLE sts_users (
	seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name         text NOT NULL,
	name_key     text COLLATE "C" NOT NULL,
	id           text COLLATE "C" NOT NULL,
	display_name text NOT NULL,
	secret       bytea,
	claims       text,
	created      text COLLATE "C" NOT NULL,
	modified     text COLLATE "C" NOT NULL,
	version      bigint NOT NULL
);

CREATE UNIQUE INDEX sts_users_name ON sts_users (name_key);
CREATE UNIQUE INDEX sts_users_id ON sts_users (id);

CREATE TABLE sts_memberships (
	user_seq   bigint NOT NULL REFERENCES sts_users (seq) ON DELETE CASCADE,
	group_name text COLLATE "C" NOT NULL,
	PRIMARY KEY (user_seq, group_name)
);

CREATE INDEX sts_memberships_group ON sts_memberships (group_name);
