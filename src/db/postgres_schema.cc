#include "db/postgres_schema.h"

#include <string>

namespace imagemill::pg {

namespace {

// Keys sort by their bytes (COLLATE "C"), as S3 lists them and as SQLite compares them.
constexpr std::string_view kVersion1 = R"sql(
CREATE TABLE executions (
  name              text COLLATE "C" PRIMARY KEY,
  map_run_id        text NOT NULL,
  status            text NOT NULL,
  spec              text NOT NULL,
  start_ms          bigint NOT NULL,
  stop_ms           bigint NOT NULL DEFAULT 0,
  error             text NOT NULL DEFAULT '',
  cause             text NOT NULL DEFAULT '',
  redrive_count     integer NOT NULL DEFAULT 0,
  cursor            text COLLATE "C" NOT NULL DEFAULT '',
  listing_done      boolean NOT NULL DEFAULT false,
  listed            bigint NOT NULL DEFAULT 0,
  unchanged         bigint NOT NULL DEFAULT 0,
  next_batch        bigint NOT NULL DEFAULT 0,
  manifest          text NOT NULL DEFAULT '',
  -- Completions refused because the batch had a newer owner or attempt (a lost lease).
  stale_completions bigint NOT NULL DEFAULT 0
);
CREATE INDEX executions_by_start ON executions (start_ms DESC, name);
-- The queue: one row per batch not yet done (PENDING or RUNNING), deleted when it is done, so
-- the table holds the work in hand and never the history. Claims and lease renewals change no
-- indexed column (HOT updates in the free space fillfactor leaves), and autovacuum visits it
-- after every thousand dead rows. done_items counts the items a part already committed (a claim
-- gets only the others).
CREATE TABLE batches (
  execution      text COLLATE "C" NOT NULL,
  seq            bigint NOT NULL,
  status         text NOT NULL,               -- PENDING, RUNNING
  item_count     integer NOT NULL,
  bytes          bigint NOT NULL,
  owner          text,
  lease_until_ms bigint,
  attempts       integer NOT NULL DEFAULT 0,  -- claims so far: with owner, the fencing token
  done_items     integer NOT NULL DEFAULT 0,
  items          bytea NOT NULL,              -- EncodeBatchItems
  PRIMARY KEY (execution, seq)
) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,
        autovacuum_vacuum_cost_delay = 0);
-- One row per done batch, written in the transaction that writes its last part: the DONE mark.
-- Its key makes completing a batch twice impossible; owner and attempts say which claim did.
CREATE TABLE batches_done (
  execution  text COLLATE "C" NOT NULL,
  seq        bigint NOT NULL,
  item_count integer NOT NULL,
  attempts   integer NOT NULL,
  owner      text NOT NULL,
  done_ms    bigint NOT NULL,
  PRIMARY KEY (execution, seq)
);
-- One row per committed part of a batch: its succeeded items with their times, in one field.
-- A part is named by its first item's key (an item is in one part of its batch at most), which
-- makes a part committed twice (a commit whose answer was lost, run again) a conflict, not a
-- second count. Failed and skipped items have a row each in `items`.
CREATE TABLE batch_parts (
  execution  text COLLATE "C" NOT NULL,
  seq        bigint NOT NULL,
  first_key  text COLLATE "C" NOT NULL,
  owner      text NOT NULL,
  attempt    integer NOT NULL,
  succeeded  integer NOT NULL,
  outcomes   bytea NOT NULL,                  -- EncodeSucceeded
  PRIMARY KEY (execution, seq, first_key)
);
CREATE TABLE items (
  execution     text COLLATE "C" NOT NULL,
  key           text COLLATE "C" NOT NULL,
  etag          text NOT NULL,
  size          bigint NOT NULL,
  last_modified text NOT NULL,
  batch         bigint NOT NULL,
  status        text NOT NULL,                -- FAILED, SKIPPED
  error         text NOT NULL DEFAULT '',
  cause         text NOT NULL DEFAULT '',
  start_ms      bigint NOT NULL,
  stop_ms       bigint NOT NULL,
  attempts      integer NOT NULL,
  PRIMARY KEY (execution, key)
);
CREATE INDEX items_by_batch ON items (execution, batch);
-- Who holds an execution's single roles (its lister, its result writer), until when.
CREATE TABLE roles (
  execution text COLLATE "C" NOT NULL,
  role      text NOT NULL,
  owner     text NOT NULL,
  until_ms  bigint NOT NULL,
  PRIMARY KEY (execution, role)
);
-- Sources by number: answers name their source in 4 bytes, not its URI.
CREATE TABLE sources (
  id  serial PRIMARY KEY,
  uri text COLLATE "C" NOT NULL UNIQUE
);
CREATE TABLE results (
  source     integer NOT NULL,
  id         text COLLATE "C" NOT NULL,
  kind       text COLLATE "C" NOT NULL,
  etag       text NOT NULL,
  size       bigint NOT NULL,
  processor  text NOT NULL,
  response   text NOT NULL,
  execution  text COLLATE "C" NOT NULL,
  updated_at text NOT NULL,
  PRIMARY KEY (source, id, kind)
);
-- The label index. Names match case-insensitively (as SQLite's NOCASE): `query --label dog` is
-- an index range scan on (lower(label), confidence DESC, id), most confident first.
CREATE TABLE labels (
  source     integer NOT NULL,
  id         text COLLATE "C" NOT NULL,
  kind       text COLLATE "C" NOT NULL,
  label      text NOT NULL,
  confidence double precision NOT NULL,
  direct     boolean NOT NULL              -- true: detected; false: a parent of a detected label
);
CREATE UNIQUE INDEX labels_by_answer ON labels (source, id, kind, lower(label));
CREATE INDEX labels_by_label ON labels (lower(label), confidence DESC, id);

)sql";

// Version 2 replaced the completion function of version 1 (a batch's last part whose claim misses
// an earlier part, acknowledged then lost by a server crash under asynchronous commit, sends the
// batch back to the queue instead of marking it DONE). Later versions replace the function again,
// and migrations run to the current version in one transaction, so only the last text is kept.
constexpr std::string_view kVersion2 = R"sql(
SELECT 1;
)sql";

// Version 3: EventBridge's buses, rules and targets (PostgresEventRules), so that every server on
// the database answers with the same rules and an event sent to any of them meets them. A rule
// belongs to its bus and a target to its rule: deleting one deletes what it holds.
constexpr std::string_view kVersion3 = R"sql(
CREATE TABLE event_buses (
  name       text COLLATE "C" PRIMARY KEY,
  policy     text NOT NULL DEFAULT '',
  created_ms bigint NOT NULL
);
CREATE TABLE event_rules (
  bus           text COLLATE "C" NOT NULL REFERENCES event_buses (name) ON DELETE CASCADE,
  name          text COLLATE "C" NOT NULL,
  event_pattern text NOT NULL,
  state         text NOT NULL,             -- ENABLED, DISABLED
  description   text NOT NULL DEFAULT '',
  role_arn      text NOT NULL DEFAULT '',
  managed_by    text NOT NULL DEFAULT '',
  created_ms    bigint NOT NULL,
  PRIMARY KEY (bus, name)
);
CREATE TABLE event_targets (
  bus        text COLLATE "C" NOT NULL,
  rule       text COLLATE "C" NOT NULL,
  id         text COLLATE "C" NOT NULL,
  definition text NOT NULL,                -- the Target of PutTargets, JSON
  PRIMARY KEY (bus, rule, id),
  FOREIGN KEY (bus, rule) REFERENCES event_rules (bus, name) ON DELETE CASCADE
);
)sql";

// Version 4: answers carry their object's LastModified, so an inventory's answer (its listing
// entry) is stored as the object's fields, with an empty response, and built when read
// (workflow/listing_answer.h); answers stored before keep their text. The completion function
// takes the answers' LastModified (r_modified): version 5 creates it.
constexpr std::string_view kVersion4 = R"sql(
ALTER TABLE results ADD COLUMN last_modified text NOT NULL DEFAULT '';
DROP FUNCTION IF EXISTS imagemill_complete(text, text, text, text, text, bigint[], integer[],
    boolean[], text[], integer[], integer[], text[], integer[], text[], text[], bigint[], text[],
    text[], text[], text[], bigint[], bigint[], integer[], integer[], text[], text[], bigint[],
    text[], text[], integer[], text[], double precision[], boolean[]);
)sql";

// Version 5: a cheaper completion, the server's work per item being what bounds a fleet's rate.
// Answers lose the index results_by_id (FindResults probes the primary key once per source
// instead: sources are few), and the completion function inserts answers none of which is
// stored yet without ON CONFLICT, and takes the parts' outcomes as one bytea (with offsets and
// lengths) instead of hex text. Otherwise it does what version 4's did, in one call: a worker
// that stalls never holds a lock between two statements of a completion.
constexpr std::string_view kVersion5 = R"sql(
DROP INDEX IF EXISTS results_by_id;
DROP FUNCTION IF EXISTS imagemill_complete(text, text, text, text, text, bigint[], integer[],
    boolean[], text[], integer[], integer[], text[], integer[], text[], text[], bigint[], text[],
    text[], text[], text[], bigint[], bigint[], integer[], integer[], text[], text[], bigint[],
    text[], text[], integer[], text[], double precision[], boolean[], text[]);
-- Completes batch parts in one call (one round trip): for each part whose claim (owner,
-- attempt) still holds its batch, records the part, its failed and skipped items and, for a
-- batch's last part, the DONE mark (or, when an earlier part of the claim is missing, gives the
-- batch back to the queue for the items no part holds); then upserts the held parts' answers and their index
-- entries. A part this very claim committed before (its answer lost with the connection) counts
-- as written and changes nothing; any other part whose claim lost the batch is refused and
-- counted in executions.stale_completions. Returns the seqs whose parts were written.
-- Rows travel as parallel arrays: b_* one element per part, f_* per failed or skipped item,
-- r_* (and r_modified) per answer, l_* per index entry; f_part and r_part index b_*, l_answer
-- indexes r_*. The parts' outcomes are one bytea, part i's at b_offset[i] (from 1) for
-- b_length[i] bytes.
CREATE FUNCTION imagemill_complete(
    p_execution text, p_owner text, p_source text, p_kind text, p_processor text,
    b_seq bigint[], b_attempt integer[], b_last boolean[], b_first text[], b_count integer[],
    b_succeeded integer[], b_outcomes bytea, b_offset integer[], b_length integer[],
    f_part integer[], f_key text[], f_etag text[], f_size bigint[], f_modified text[],
    f_status text[], f_error text[], f_cause text[], f_start bigint[], f_stop bigint[],
    f_attempts integer[],
    r_part integer[], r_id text[], r_etag text[], r_size bigint[], r_response text[],
    r_stamp text[],
    l_answer integer[], l_name text[], l_confidence double precision[], l_direct boolean[],
    r_modified text[])
  RETURNS bigint[] LANGUAGE plpgsql AS $fn$
DECLARE
  written integer[] := '{}';  -- the parts (indexes into b_*) written now
  done_seqs bigint[] := '{}';
  stale integer := 0;
  sid integer;
  i integer;
  n integer;
BEGIN
  FOR i IN 1 .. coalesce(array_length(b_seq, 1), 0) LOOP
    PERFORM 1 FROM batches WHERE execution = p_execution AND seq = b_seq[i]
      AND status = 'RUNNING' AND owner = p_owner AND attempts = b_attempt[i] FOR UPDATE;
    IF NOT FOUND THEN
      IF (b_last[i] AND EXISTS (SELECT 1 FROM batches_done WHERE execution = p_execution
            AND seq = b_seq[i] AND owner = p_owner AND attempts = b_attempt[i]))
         OR (b_first[i] IS NOT NULL AND EXISTS (SELECT 1 FROM batch_parts
            WHERE execution = p_execution AND seq = b_seq[i] AND first_key = b_first[i]
            AND owner = p_owner AND attempt = b_attempt[i])) THEN
        done_seqs := done_seqs || b_seq[i];
      ELSE
        stale := stale + 1;
      END IF;
      CONTINUE;
    END IF;
    IF b_first[i] IS NOT NULL THEN
      INSERT INTO batch_parts (execution, seq, first_key, owner, attempt, succeeded, outcomes)
        VALUES (p_execution, b_seq[i], b_first[i], p_owner, b_attempt[i], b_succeeded[i],
                substring(b_outcomes FROM b_offset[i] FOR b_length[i]))
        ON CONFLICT DO NOTHING;
      GET DIAGNOSTICS n = ROW_COUNT;
      IF n = 0 THEN  -- committed before by this claim, which still holds the batch
        done_seqs := done_seqs || b_seq[i];
        CONTINUE;
      END IF;
      written := written || i;
    END IF;
    IF b_last[i] AND EXISTS (SELECT 1 FROM batches WHERE execution = p_execution
                              AND seq = b_seq[i] AND item_count - done_items > b_count[i]) THEN
      -- An earlier part of this claim is missing: the batch goes back to the queue with what is
      -- committed, and a new claim gets the items no part holds.
      UPDATE batches SET done_items = done_items + b_count[i], status = 'PENDING', owner = NULL,
          lease_until_ms = NULL
        WHERE execution = p_execution AND seq = b_seq[i];
    ELSIF b_last[i] THEN
      WITH gone AS (DELETE FROM batches WHERE execution = p_execution AND seq = b_seq[i]
                    RETURNING item_count)
      INSERT INTO batches_done (execution, seq, item_count, attempts, owner, done_ms)
        SELECT p_execution, b_seq[i], item_count, b_attempt[i], p_owner,
               (extract(epoch FROM clock_timestamp()) * 1000)::bigint FROM gone;
    ELSIF b_count[i] > 0 THEN
      UPDATE batches SET done_items = done_items + b_count[i]
        WHERE execution = p_execution AND seq = b_seq[i];
    END IF;
    done_seqs := done_seqs || b_seq[i];
  END LOOP;

  IF stale > 0 THEN
    UPDATE executions SET stale_completions = stale_completions + stale WHERE name = p_execution;
  END IF;
  IF cardinality(written) = 0 THEN
    RETURN done_seqs;
  END IF;

  IF cardinality(f_key) > 0 THEN
    INSERT INTO items (execution, key, etag, size, last_modified, batch, status, error, cause,
                       start_ms, stop_ms, attempts)
      SELECT p_execution, u.key, u.etag, u.size, u.modified, b_seq[u.part], u.status, u.error,
             u.cause, u.start_ms, u.stop_ms, u.attempts
      FROM unnest(f_part, f_key, f_etag, f_size, f_modified, f_status, f_error, f_cause, f_start,
                  f_stop, f_attempts)
        AS u(part, key, etag, size, modified, status, error, cause, start_ms, stop_ms, attempts)
      WHERE u.part = ANY (written)
      ON CONFLICT (execution, key) DO UPDATE SET etag = excluded.etag, size = excluded.size,
        last_modified = excluded.last_modified, batch = excluded.batch,
        status = excluded.status, error = excluded.error, cause = excluded.cause,
        start_ms = excluded.start_ms, stop_ms = excluded.stop_ms, attempts = excluded.attempts;
  END IF;

  IF cardinality(r_id) > 0 THEN
    SELECT id INTO sid FROM sources WHERE uri = p_source;
    IF NOT FOUND THEN
      INSERT INTO sources (uri) VALUES (p_source) ON CONFLICT DO NOTHING;
      SELECT id INTO sid FROM sources WHERE uri = p_source;
    END IF;
    BEGIN
      -- Answers none of which is stored yet (a first run over a source, the usual case) are
      -- plain inserts, without ON CONFLICT's speculative insertion and its second index probe
      -- per row; the first answer already stored fails the block on the primary key, which
      -- rolls it back, and the answers are then written the general way below.
      INSERT INTO results (source, id, kind, etag, size, processor, response, execution,
                           updated_at, last_modified)
        SELECT sid, u.id, p_kind, u.etag, u.size, p_processor, u.response, p_execution, u.stamp,
               u.modified
        FROM unnest(r_part, r_id, r_etag, r_size, r_response, r_stamp, r_modified)
          AS u(part, id, etag, size, response, stamp, modified)
        WHERE u.part = ANY (written);
      IF cardinality(l_answer) > 0 THEN
        -- New answers have no index entries yet. A name met twice for one answer (a parent of
        -- two labels) keeps its highest confidence and is direct if either is.
        INSERT INTO labels (source, id, kind, label, confidence, direct)
          SELECT sid, r_id[u.answer], p_kind, min(u.name), max(u.confidence), bool_or(u.direct)
          FROM unnest(l_answer, l_name, l_confidence, l_direct)
            AS u(answer, name, confidence, direct)
          WHERE r_part[u.answer] = ANY (written)
          GROUP BY r_id[u.answer], lower(u.name);
      END IF;
    EXCEPTION WHEN unique_violation THEN
      -- A new answer is inserted; one stored before is updated (xmax is then set) and loses its
      -- old index entries.
      WITH up AS (
        INSERT INTO results (source, id, kind, etag, size, processor, response, execution,
                             updated_at, last_modified)
          SELECT sid, u.id, p_kind, u.etag, u.size, p_processor, u.response, p_execution,
                 u.stamp, u.modified
          FROM unnest(r_part, r_id, r_etag, r_size, r_response, r_stamp, r_modified)
            AS u(part, id, etag, size, response, stamp, modified)
          WHERE u.part = ANY (written)
          ON CONFLICT (source, id, kind) DO UPDATE SET etag = excluded.etag,
            size = excluded.size, processor = excluded.processor, response = excluded.response,
            execution = excluded.execution, updated_at = excluded.updated_at,
            last_modified = excluded.last_modified
          RETURNING id, xmax <> 0 AS replaced)
      DELETE FROM labels l USING up
        WHERE up.replaced AND l.source = sid AND l.id = up.id AND l.kind = p_kind;
      IF cardinality(l_answer) > 0 THEN
        INSERT INTO labels (source, id, kind, label, confidence, direct)
          SELECT sid, r_id[u.answer], p_kind, min(u.name), max(u.confidence), bool_or(u.direct)
          FROM unnest(l_answer, l_name, l_confidence, l_direct)
            AS u(answer, name, confidence, direct)
          WHERE r_part[u.answer] = ANY (written)
          GROUP BY r_id[u.answer], lower(u.name)
          ON CONFLICT (source, id, kind, lower(label)) DO UPDATE SET
            confidence = greatest(labels.confidence, excluded.confidence),
            direct = labels.direct OR excluded.direct;
      END IF;
    END;
  END IF;
  RETURN done_seqs;
END
$fn$;
)sql";

// Arbitrary, fixed: the advisory lock key that serialises migrations.
constexpr int64_t kMigrationLock = 0x696d676d696c6c;  // "imgmill"

// imagemill's tables: a database holding one of them without a version was not made by it.
constexpr const char* kOurTables =
    "'executions', 'batches', 'batches_done', 'batch_parts', 'items', 'roles', 'sources', "
    "'results', 'labels', 'event_buses', 'event_rules', 'event_targets'";

}  // namespace

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> migrations = {
      {1, kVersion1},
      {2, kVersion2},
      {3, kVersion3},
      {4, kVersion4},
      {5, kVersion5},
  };
  return migrations;
}

int CurrentSchemaVersion() { return Migrations().back().version; }

namespace {

int ReadVersion(pqxx::work& tx) {
  pqxx::result exists = tx.exec("SELECT to_regclass('imagemill_schema') IS NOT NULL");
  if (!exists[0][0].as<bool>()) return 0;
  pqxx::result v = tx.exec("SELECT version FROM imagemill_schema");
  return v.empty() ? 0 : v[0][0].as<int>();
}

}  // namespace

int StoredSchemaVersion(Connection& conn) {
  return conn.Transact("read the schema version", [](pqxx::work& tx) { return ReadVersion(tx); });
}

int MigrateSchema(Connection& conn) {
  return conn.Transact("migrate the schema", [&](pqxx::work& tx) {
    tx.exec("SET LOCAL synchronous_commit = on");
    tx.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLock) + ")");
    int found = ReadVersion(tx);
    if (found > CurrentSchemaVersion()) {
      throw Error("the database at " + conn.target() + " has imagemill schema version " +
                      std::to_string(found) + ", newer than this build's " +
                      std::to_string(CurrentSchemaVersion()) +
                      "; use the imagemill release that wrote it, or a new database",
                  false);
    }
    if (found == CurrentSchemaVersion()) return found;
    if (found == 0) {
      // A database with tables of ours but no version was not made by imagemill: refuse rather
      // than guess.
      pqxx::result clash = tx.exec(
          std::string("SELECT string_agg(tablename, ', ' ORDER BY tablename) FROM pg_tables "
                      "WHERE schemaname = current_schema() AND tablename IN (") +
          kOurTables + ")");
      if (!clash[0][0].is_null()) {
        throw Error("the database at " + conn.target() + " already has tables named " +
                        clash[0][0].as<std::string>() +
                        " that imagemill did not make; use a database (or a schema, with "
                        "?options=-csearch_path%3DNAME) of imagemill's own",
                    false);
      }
      tx.exec("CREATE TABLE imagemill_schema (version integer NOT NULL)");
      tx.exec("INSERT INTO imagemill_schema VALUES (0)");
    }
    for (const Migration& m : Migrations()) {
      if (m.version <= found) continue;
      tx.exec(std::string(m.sql));
    }
    tx.exec("UPDATE imagemill_schema SET version = " + std::to_string(CurrentSchemaVersion()));
    return found;
  });
}

}  // namespace imagemill::pg
