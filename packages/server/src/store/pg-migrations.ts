// PostgreSQL schema, step for step the SQLite one (migrations.ts): step N here mirrors SQLite's step N, so
// both engines report the same schema version. `logsieve_schema.version` records the last step applied.
// Never edit a released step: append a new one, in both files.
// Times are ms since epoch (bigint), counts bigint, byte sums double precision; bodies stay text (not
// jsonb) so a policy's stored bytes, and so its ETag, are the same on every replica.

export const PG_MIGRATIONS: readonly string[] = [
  // 1: keys, stats, patterns, policies, settings, pins (as SQLite's step 1), plus what replicas share:
  // the last version per service (versions are assigned here) and stats not yet used by a generation.
  `
  CREATE TABLE api_keys (
    id text PRIMARY KEY,
    name text NOT NULL,
    scope text NOT NULL CHECK (scope IN ('ingest', 'admin')),
    services text,
    hash text NOT NULL,
    created_at bigint NOT NULL,
    revoked_at bigint
  );
  CREATE TABLE stats_minute (
    service text NOT NULL, environment text NOT NULL, signature text NOT NULL, level text NOT NULL,
    minute bigint NOT NULL,
    seen bigint NOT NULL, kept bigint NOT NULL, bytes double precision NOT NULL,
    kept_bytes double precision NOT NULL,
    PRIMARY KEY (service, environment, signature, level, minute)
  );
  CREATE INDEX stats_minute_time ON stats_minute (minute);
  CREATE TABLE stats_hour (
    service text NOT NULL, environment text NOT NULL, signature text NOT NULL, level text NOT NULL,
    hour bigint NOT NULL,
    seen bigint NOT NULL, kept bigint NOT NULL, bytes double precision NOT NULL,
    kept_bytes double precision NOT NULL,
    PRIMARY KEY (service, environment, signature, level, hour)
  );
  CREATE TABLE patterns (
    service text NOT NULL, environment text NOT NULL, signature text NOT NULL, level text NOT NULL,
    template text NOT NULL, example text,
    first_seen bigint NOT NULL, last_seen bigint NOT NULL,
    ema_rate double precision, ema_var double precision, bytes_per_event double precision, samples bigint,
    state_at bigint,
    PRIMARY KEY (service, environment, signature, level)
  );
  CREATE TABLE policies (
    service text NOT NULL, environment text NOT NULL, version integer NOT NULL,
    source text NOT NULL, author text, reason text, created_at text NOT NULL,
    body text NOT NULL,
    PRIMARY KEY (service, environment, version)
  );
  CREATE TABLE settings (
    service text PRIMARY KEY,
    body text NOT NULL,
    updated_at bigint NOT NULL
  );
  CREATE TABLE pins (
    id bigserial PRIMARY KEY,
    service text NOT NULL, signature text NOT NULL, level text, rate double precision NOT NULL,
    reason text NOT NULL, author text, created_at text NOT NULL, expires_at text
  );
  CREATE INDEX pins_service ON pins (service);
  CREATE TABLE policy_heads (
    service text NOT NULL, environment text NOT NULL, version integer NOT NULL,
    PRIMARY KEY (service, environment)
  );
  CREATE TABLE pending_stats (
    id bigserial PRIMARY KEY,
    service text NOT NULL, environment text NOT NULL, at bigint NOT NULL,
    body text NOT NULL
  );
  CREATE INDEX pending_stats_group ON pending_stats (service, environment);
  CREATE TABLE generation_taken (
    service text NOT NULL, environment text NOT NULL, at bigint NOT NULL,
    PRIMARY KEY (service, environment)
  );
  `,
  // 2: the \`viewer\` key scope; dashboard sessions (as SQLite's step 2)
  `
  ALTER TABLE api_keys DROP CONSTRAINT api_keys_scope_check;
  ALTER TABLE api_keys ADD CONSTRAINT api_keys_scope_check CHECK (scope IN ('ingest', 'admin', 'viewer'));
  CREATE TABLE ui_sessions (
    id_hash text PRIMARY KEY,
    key_id text NOT NULL, name text NOT NULL, scope text NOT NULL, services text,
    csrf text NOT NULL, created_at bigint NOT NULL, expires_at bigint NOT NULL
  );
  CREATE INDEX ui_sessions_expiry ON ui_sessions (expires_at);
  `,
  // 3 (issue 18, as SQLite's step 3): clamp counts written before rows saturated; overflow counts of
  // patterns past a service's cap; patterns looked up by last sighting for pruning.
  `
  UPDATE stats_minute SET seen = least(seen, 8796093022208), kept = least(kept, 8796093022208),
    bytes = least(bytes, 1.4757395258967641e20), kept_bytes = least(kept_bytes, 1.4757395258967641e20)
    WHERE seen > 8796093022208 OR kept > 8796093022208 OR bytes > 1.4757395258967641e20
      OR kept_bytes > 1.4757395258967641e20;
  UPDATE stats_hour SET seen = least(seen, 527765581332480), kept = least(kept, 527765581332480)
    WHERE seen > 527765581332480 OR kept > 527765581332480;
  CREATE TABLE stats_overflow_minute (
    service text NOT NULL, environment text NOT NULL, minute bigint NOT NULL,
    seen bigint NOT NULL, kept bigint NOT NULL, bytes double precision NOT NULL,
    kept_bytes double precision NOT NULL,
    PRIMARY KEY (service, environment, minute)
  );
  CREATE INDEX patterns_last_seen ON patterns (last_seen);
  `,
  // 4 (issue 15, as SQLite's step 4): merges an admin undid, kept across generations
  `
  CREATE TABLE pattern_separations (
    id bigserial PRIMARY KEY,
    service text NOT NULL, environment text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('split', 'forbid')),
    pattern text, signatures text NOT NULL, author text, created_at text NOT NULL
  );
  CREATE INDEX pattern_separations_group ON pattern_separations (service, environment);
  `,
  // 5: plain bytes (issue 14), as SQLite's step 5: NULL (rows written before) reads as written bytes.
  `
  ALTER TABLE stats_minute ADD COLUMN plain_bytes double precision;
  ALTER TABLE stats_hour ADD COLUMN plain_bytes double precision;
  ALTER TABLE patterns ADD COLUMN plain_bytes_per_event double precision;
  `,
  // 6 (issue 17), as SQLite's step 6: when each SDK instance last reported, one count for every replica
  `
  CREATE TABLE instances (
    service text NOT NULL, environment text NOT NULL, instance text NOT NULL, last_report bigint NOT NULL,
    PRIMARY KEY (service, environment, instance)
  );
  CREATE INDEX instances_last_report ON instances (last_report);
  `,
  // 7 (issue 17): the stats inbox, PostgreSQL only (SQLite's step 7 is empty). A replica's flush inserts
  // its minute and overflow rows here, one row of arrays per flush; one process at a time folds them into
  // stats_minute and stats_overflow_minute (pg-stats-inbox.ts), so replicas share no row lock on ingest.
  `
  CREATE TABLE stats_inbox (
    id bigserial PRIMARY KEY,
    at bigint NOT NULL,
    service text[] NOT NULL, environment text[] NOT NULL, signature text[] NOT NULL, level text[] NOT NULL,
    minute bigint[] NOT NULL, seen bigint[] NOT NULL, kept bigint[] NOT NULL,
    bytes double precision[] NOT NULL, kept_bytes double precision[] NOT NULL,
    plain_bytes double precision[] NOT NULL,
    o_service text[] NOT NULL, o_environment text[] NOT NULL, o_minute bigint[] NOT NULL,
    o_seen bigint[] NOT NULL, o_kept bigint[] NOT NULL, o_bytes double precision[] NOT NULL,
    o_kept_bytes double precision[] NOT NULL
  );
  -- Flushes are written once and soon deleted: lz4 compresses their arrays (and pending bodies) in a seventh
  -- of pglz's time. A server built without lz4 (or before PostgreSQL 14) keeps pglz.
  DO $$ BEGIN
    EXECUTE (SELECT 'ALTER TABLE stats_inbox ' || string_agg(format('ALTER COLUMN %I SET COMPRESSION lz4', attname), ', ')
      FROM pg_attribute WHERE attrelid = 'stats_inbox'::regclass AND attnum > 0 AND attndims > 0);
    EXECUTE 'ALTER TABLE pending_stats ALTER COLUMN body SET COMPRESSION lz4';
  EXCEPTION WHEN feature_not_supported OR syntax_error THEN NULL;
  END $$;
  `,
]
