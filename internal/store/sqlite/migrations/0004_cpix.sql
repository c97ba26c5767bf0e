-- Key-exchange keys (SPEKE / CPIX, Widevine key-server API): content keys
-- minted for encryptors outside Lockstream, one per (account, kid).
-- created is FormatTime text; sealed is the KEK-sealed 16-byte key.
CREATE TABLE cpix_keys (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	scope      TEXT NOT NULL,
	kid        TEXT NOT NULL,
	content_id TEXT NOT NULL,
	scheme     TEXT NOT NULL,
	label      TEXT NOT NULL,
	created    TEXT NOT NULL,
	sealed     BLOB NOT NULL
) STRICT;

CREATE UNIQUE INDEX cpix_keys_kid ON cpix_keys (scope, kid);
CREATE INDEX cpix_keys_content ON cpix_keys (scope, content_id);
-- Keys asked for by content and label (the Widevine key server names a
-- track type, not a kid): at most one per (account, content, label).
CREATE UNIQUE INDEX cpix_keys_label ON cpix_keys (scope, content_id, label) WHERE label <> '';
