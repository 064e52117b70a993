-- evdiag case database, first schema. Times are 100 ns ticks since 1970-01-01 UTC
-- (datetime(time / 10000000, 'unixepoch') shows one); hosts are keyed by the lowercased first
-- DNS label of their name, so WEB02 and web02.contoso.local are one host.

CREATE TABLE files (
        id          INTEGER PRIMARY KEY,
        path        TEXT NOT NULL,              -- as given, or as found in a folder
        sha256      TEXT NOT NULL UNIQUE,       -- of the contents: a file is imported once
        size        INTEGER NOT NULL,
        format      TEXT NOT NULL,              -- xml, text, csv, apphost, netsh
        host        TEXT,                       -- hosts.key its host-less rows belong to, or NULL
        attribution TEXT,                       -- how that host was chosen: option, folder,
                                                -- only-host, unknown; NULL when not needed
        tz          TEXT NOT NULL,              -- zone its local times were read in
        imported_at TEXT NOT NULL,              -- UTC, ISO 8601
        events      INTEGER NOT NULL DEFAULT 0, -- events added
        duplicates  INTEGER NOT NULL DEFAULT 0, -- events already present, not added again
        rows        INTEGER NOT NULL DEFAULT 0, -- configuration and binding rows added
        warnings    INTEGER NOT NULL DEFAULT 0  -- warnings raised while reading it
);

CREATE TABLE file_warnings (
        file_id     INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
        seq         INTEGER NOT NULL,
        line        INTEGER,                    -- 1-based; NULL when the place is an offset
        offset      INTEGER,                    -- byte offset; NULL when none
        message     TEXT NOT NULL,
        PRIMARY KEY (file_id, seq)
) WITHOUT ROWID;

CREATE TABLE hosts (
        key         TEXT PRIMARY KEY,           -- 'web02'
        name        TEXT NOT NULL               -- as first seen: 'WEB02.contoso.local'
) WITHOUT ROWID;

CREATE TABLE events (
        id            INTEGER PRIMARY KEY,
        file_id       INTEGER NOT NULL REFERENCES files(id),
        host          TEXT,                     -- hosts.key; NULL when unattributed
        computer      TEXT,                     -- <Computer> as written
        channel       TEXT,
        provider      TEXT,
        provider_guid TEXT,
        event_id      INTEGER NOT NULL,
        qualifiers    INTEGER,
        version       INTEGER,
        level         INTEGER,
        task          INTEGER,
        opcode        INTEGER,
        keywords      TEXT,                     -- hex from XML, names from text exports
        record_id     INTEGER,
        time          INTEGER NOT NULL,
        time_digits   INTEGER NOT NULL,         -- fraction digits the source had (0..7)
        user          TEXT,
        message       TEXT,                     -- rendered message, when the export has one
        binary        BLOB,
        data          TEXT,                     -- EventData/UserData in document order, as a
                                                -- JSON array of [name, value] pairs (name null
                                                -- for an unnamed <Data>); NULL when none
        line          INTEGER,                  -- where the event starts in its file
        offset        INTEGER,
        recovered     INTEGER NOT NULL DEFAULT 0,
        dedupe        BLOB NOT NULL             -- identity hash; see README
);
CREATE UNIQUE INDEX events_dedupe ON events(dedupe);
CREATE INDEX events_id_host_time ON events(event_id, host, time);
CREATE INDEX events_host_time ON events(host, time);

-- One row per EventData/UserData value: pos is 0-based, name NULL for an unnamed <Data>.
-- A malformed data column (a hand-edited database) reads as no values.
CREATE VIEW event_data (event, pos, name, value) AS
        SELECT e.id, j.key, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]')
        FROM events e, json_each(CASE WHEN json_valid(e.data) THEN e.data END) j;

CREATE TABLE config_properties (
        id          INTEGER PRIMARY KEY,
        file_id     INTEGER NOT NULL REFERENCES files(id),
        host        TEXT,
        key_path    TEXT NOT NULL,              -- 'LM/W3SVC/1'
        key_line    INTEGER,
        prop_id     INTEGER NOT NULL,           -- 5506 = SSL certificate hash
        data_type   TEXT,
        user_type   TEXT,
        attributes  TEXT,
        value       TEXT,
        decoded     TEXT,                       -- hex of a Binary value
        valid       INTEGER NOT NULL,           -- 0: not base64, or a 5506 not 20 bytes long
        line        INTEGER
);
CREATE INDEX config_properties_host ON config_properties(host, prop_id);

CREATE TABLE site_bindings (
        id          INTEGER PRIMARY KEY,
        file_id     INTEGER NOT NULL REFERENCES files(id),
        host        TEXT,
        site_name   TEXT,
        site_id     INTEGER,
        protocol    TEXT,                       -- NULL for a site without bindings
        binding_information TEXT,
        ip          TEXT,
        port        INTEGER,
        hostname    TEXT,
        ssl_flags   INTEGER,
        endpoint    TEXT,                       -- the HTTP.sys key it maps to
        site_line   INTEGER,
        line        INTEGER
);
CREATE INDEX site_bindings_host ON site_bindings(host, site_id);

CREATE TABLE netsh_bindings (
        id          INTEGER PRIMARY KEY,
        file_id     INTEGER NOT NULL REFERENCES files(id),
        host        TEXT,
        kind        TEXT NOT NULL,              -- ipport, hostnameport, ccs
        endpoint    TEXT,
        cert_hash   TEXT,
        app_id      TEXT,
        store_name  TEXT,
        line        INTEGER
);
CREATE INDEX netsh_bindings_host ON netsh_bindings(host);
