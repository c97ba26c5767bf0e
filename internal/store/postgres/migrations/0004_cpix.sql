-- Key-exchange keys (SPEKE / CPIX, Widevine key-server API): content keys
-- minted for encryptors outside Lockstream, one per (account, kid).
-- created is FormatTime text; sealed is the KEK-sealed 16-byte key.
CREATE TABLE cpix_keys (
	seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	scope      text COLLATE "C" NOT NULL,
	kid        text COLLATE "C" NOT NULL,
	content_id text COLLATE "C" NOT NULL,
	scheme     text NOT NULL,
	label      text COLLATE "C" NOT NULL,
	created    text COLLATE "C" NOT NULL,
	sealed     bytea NOT NULL
);

CREATE UNIQUE INDEX cpix_keys_kid ON cpix_keys (scope, kid);
CREATE INDEX cpix_keys_content ON cpix_keys (scope, content_id);
-- Keys asked for by content and label (the Widevine key server names a
-- track type, not a kid): at most one per (account, content, label).
CREATE UNIQUE INDEX cpix_keys_label ON cpix_keys (scope, content_id, label) WHERE label <> '';
