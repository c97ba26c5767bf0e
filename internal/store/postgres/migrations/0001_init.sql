-- Lockstream metadata schema, PostgreSQL flavour. Every compared text
-- column is COLLATE "C" so comparisons and ORDER BY are bytewise whatever
-- the database's default collation, matching SQLite and Go. doc is json
-- (not jsonb): it keeps the document byte for byte and never converts
-- numbers, so any document Go accepts is stored.

CREATE TABLE resources (
	seq      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kind     text COLLATE "C" NOT NULL,
	scope    text COLLATE "C" NOT NULL,
	name     text NOT NULL,
	name_key text COLLATE "C" NOT NULL,
	id       text COLLATE "C" NOT NULL DEFAULT '',
	created  text COLLATE "C" NOT NULL,
	modified text COLLATE "C" NOT NULL,
	doc      json,
	meta     bytea,
	secret   bytea,
	version  bigint NOT NULL
);

CREATE UNIQUE INDEX resources_key ON resources (kind, scope, name_key);
CREATE UNIQUE INDEX resources_id ON resources (kind, id) WHERE id <> '';
CREATE INDEX resources_scope ON resources (scope);
CREATE INDEX resources_created ON resources (kind, scope, created, name_key);
CREATE INDEX resources_modified ON resources (kind, scope, modified, name_key);

CREATE TABLE refs (
	from_kind     text COLLATE "C" NOT NULL,
	from_scope    text COLLATE "C" NOT NULL,
	from_name_key text COLLATE "C" NOT NULL,
	to_kind       text COLLATE "C" NOT NULL,
	to_scope      text COLLATE "C" NOT NULL,
	to_name_key   text COLLATE "C" NOT NULL,
	PRIMARY KEY (from_kind, from_scope, from_name_key, to_kind, to_scope, to_name_key)
);

CREATE INDEX refs_from_scope ON refs (from_scope);
CREATE INDEX refs_to ON refs (to_scope, to_kind, to_name_key);

CREATE TABLE content_keys (
	seq              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	scope            text COLLATE "C" NOT NULL,
	locator_name_key text COLLATE "C" NOT NULL,
	locator_name     text NOT NULL,
	locator_id       text NOT NULL,
	kid              text COLLATE "C" NOT NULL,
	type             text NOT NULL,
	label            text NOT NULL,
	policy_name      text NOT NULL,
	tracks           bytea,
	sealed           bytea NOT NULL
);

CREATE UNIQUE INDEX content_keys_locator ON content_keys (scope, locator_name_key, kid);
CREATE INDEX content_keys_kid ON content_keys (kid);
