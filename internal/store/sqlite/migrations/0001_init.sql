-- Lockstream metadata schema, SQLite flavour. STRICT tables make a value
-- of the wrong type (e.g. doc bound as a BLOB) an error instead of a
-- silently different comparison. Text uses the default BINARY collation,
-- i.e. bytewise order.

CREATE TABLE resources (
	seq      INTEGER PRIMARY KEY AUTOINCREMENT,
	kind     TEXT NOT NULL,
	scope    TEXT NOT NULL,
	name     TEXT NOT NULL,
	name_key TEXT NOT NULL,
	id       TEXT NOT NULL DEFAULT '',
	created  TEXT NOT NULL,
	modified TEXT NOT NULL,
	doc      TEXT,
	meta     BLOB,
	secret   BLOB,
	version  INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX resources_key ON resources (kind, scope, name_key);
CREATE UNIQUE INDEX resources_id ON resources (kind, id) WHERE id <> '';
CREATE INDEX resources_scope ON resources (scope);
CREATE INDEX resources_created ON resources (kind, scope, created, name_key);
CREATE INDEX resources_modified ON resources (kind, scope, modified, name_key);

CREATE TABLE refs (
	from_kind     TEXT NOT NULL,
	from_scope    TEXT NOT NULL,
	from_name_key TEXT NOT NULL,
	to_kind       TEXT NOT NULL,
	to_scope      TEXT NOT NULL,
	to_name_key   TEXT NOT NULL,
	PRIMARY KEY (from_kind, from_scope, from_name_key, to_kind, to_scope, to_name_key)
) STRICT, WITHOUT ROWID;

CREATE INDEX refs_from_scope ON refs (from_scope);
CREATE INDEX refs_to ON refs (to_scope, to_kind, to_name_key);

CREATE TABLE content_keys (
	seq              INTEGER PRIMARY KEY AUTOINCREMENT,
	scope            TEXT NOT NULL,
	locator_name_key TEXT NOT NULL,
	locator_name     TEXT NOT NULL,
	locator_id       TEXT NOT NULL,
	kid              TEXT NOT NULL,
	type             TEXT NOT NULL,
	label            TEXT NOT NULL,
	policy_name      TEXT NOT NULL,
	tracks           BLOB,
	sealed           BLOB NOT NULL
) STRICT;

CREATE UNIQUE INDEX content_keys_locator ON content_keys (scope, locator_name_key, kid);
CREATE INDEX content_keys_kid ON content_keys (kid);
