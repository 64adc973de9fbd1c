// Versioned schema migrations, applied in order on start; `PRAGMA user_version` records the last one.
// Never edit a released migration: append a new one.

export const MIGRATIONS: readonly string[] = [
  // 1: keys, stats, patterns, policies, settings, pins
  `
  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('ingest', 'admin')),
    services TEXT,
    hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE TABLE stats_minute (
    service TEXT NOT NULL, environment TEXT NOT NULL, signature TEXT NOT NULL, level TEXT NOT NULL,
    minute INTEGER NOT NULL,
    seen INTEGER NOT NULL, kept INTEGER NOT NULL, bytes REAL NOT NULL, kept_bytes REAL NOT NULL,
    PRIMARY KEY (service, environment, signature, level, minute)
  ) WITHOUT ROWID;
  CREATE INDEX stats_minute_time ON stats_minute (minute);
  CREATE TABLE stats_hour (
    service TEXT NOT NULL, environment TEXT NOT NULL, signature TEXT NOT NULL, level TEXT NOT NULL,
    hour INTEGER NOT NULL,
    seen INTEGER NOT NULL, kept INTEGER NOT NULL, bytes REAL NOT NULL, kept_bytes REAL NOT NULL,
    PRIMARY KEY (service, environment, signature, level, hour)
  ) WITHOUT ROWID;
  CREATE TABLE patterns (
    service TEXT NOT NULL, environment TEXT NOT NULL, signature TEXT NOT NULL, level TEXT NOT NULL,
    template TEXT NOT NULL, example TEXT,
    first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,
    ema_rate REAL, ema_var REAL, bytes_per_event REAL, samples INTEGER, state_at INTEGER,
    PRIMARY KEY (service, environment, signature, level)
  ) WITHOUT ROWID;
  CREATE TABLE policies (
    service TEXT NOT NULL, environment TEXT NOT NULL, version INTEGER NOT NULL,
    source TEXT NOT NULL, author TEXT, reason TEXT, created_at TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (service, environment, version)
  );
  CREATE TABLE settings (
    service TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE pins (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    service TEXT NOT NULL, signature TEXT NOT NULL, level TEXT, rate REAL NOT NULL,
    reason TEXT NOT NULL, author TEXT, created_at TEXT NOT NULL, expires_at TEXT
  );
  CREATE INDEX pins_service ON pins (service);
  `,
  // 2: the `viewer` key scope (SQLite cannot alter a CHECK: the table is rebuilt); dashboard sessions
  `
  CREATE TABLE api_keys_v2 (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('ingest', 'admin', 'viewer')),
    services TEXT,
    hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  INSERT INTO api_keys_v2 (id, name, scope, services, hash, created_at, revoked_at)
    SELECT id, name, scope, services, hash, created_at, revoked_at FROM api_keys;
  DROP TABLE api_keys;
  ALTER TABLE api_keys_v2 RENAME TO api_keys;
  CREATE TABLE ui_sessions (
    id_hash TEXT PRIMARY KEY,
    key_id TEXT NOT NULL, name TEXT NOT NULL, scope TEXT NOT NULL, services TEXT,
    csrf TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL
  );
  CREATE INDEX ui_sessions_expiry ON ui_sessions (expires_at);
  `,
  // 3 (issue 18): clamp counts written before rows saturated, so sums can never overflow again; overflow
  // counts of patterns past a service's cap; patterns looked up by last sighting for pruning.
  `
  UPDATE stats_minute SET seen = min(seen, 8796093022208), kept = min(kept, 8796093022208),
    bytes = min(bytes, 1.4757395258967641e20), kept_bytes = min(kept_bytes, 1.4757395258967641e20)
    WHERE seen > 8796093022208 OR kept > 8796093022208 OR bytes > 1.4757395258967641e20
      OR kept_bytes > 1.4757395258967641e20;
  UPDATE stats_hour SET seen = min(seen, 527765581332480), kept = min(kept, 527765581332480)
    WHERE seen > 527765581332480 OR kept > 527765581332480;
  CREATE TABLE stats_overflow_minute (
    service TEXT NOT NULL, environment TEXT NOT NULL, minute INTEGER NOT NULL,
    seen INTEGER NOT NULL, kept INTEGER NOT NULL, bytes REAL NOT NULL, kept_bytes REAL NOT NULL,
    PRIMARY KEY (service, environment, minute)
  ) WITHOUT ROWID;
  CREATE INDEX patterns_last_seen ON patterns (last_seen);
  `,
  // 4 (issue 15): merges an admin undid (a split pattern's members, a forbidden pair), kept across generations
  `
  CREATE TABLE pattern_separations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    service TEXT NOT NULL, environment TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('split', 'forbid')),
    pattern TEXT, signatures TEXT NOT NULL, author TEXT, created_at TEXT NOT NULL
  );
  CREATE INDEX pattern_separations_group ON pattern_separations (service, environment);
  `,
  // 5: plain bytes (issue 14): what the seen lines cost without Logsieve's fields, the "before" of every
  // saving; NULL (rows written before) reads as the written bytes.
  `
  ALTER TABLE stats_minute ADD COLUMN plain_bytes REAL;
  ALTER TABLE stats_hour ADD COLUMN plain_bytes REAL;
  ALTER TABLE patterns ADD COLUMN plain_bytes_per_event REAL;
  `,
  // 6 (issue 17): when each SDK instance last reported, so every replica counts the same instances
  `
  CREATE TABLE instances (
    service TEXT NOT NULL, environment TEXT NOT NULL, instance TEXT NOT NULL, last_report INTEGER NOT NULL,
    PRIMARY KEY (service, environment, instance)
  ) WITHOUT ROWID;
  CREATE INDEX instances_last_report ON instances (last_report);
  `,
  // 7 (issue 17): nothing here; PostgreSQL's step 7 adds the stats inbox replicas write to. One process
  // writes its minute rows directly.
  '',
]
