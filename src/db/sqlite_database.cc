#include "db/sqlite_database.h"

#include <algorithm>
#include <charconv>

#include "util/clock.h"

namespace imagemill {

using sqlite::Statement;
using sqlite::Transaction;

namespace {

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS executions (
  name          TEXT PRIMARY KEY,
  map_run_id    TEXT NOT NULL,
  status        TEXT NOT NULL,
  spec          TEXT NOT NULL,
  start_ms      INTEGER NOT NULL,
  stop_ms       INTEGER NOT NULL DEFAULT 0,
  error         TEXT NOT NULL DEFAULT '',
  cause         TEXT NOT NULL DEFAULT '',
  redrive_count INTEGER NOT NULL DEFAULT 0,
  cursor        TEXT NOT NULL DEFAULT '',
  listing_done  INTEGER NOT NULL DEFAULT 0,
  listed        INTEGER NOT NULL DEFAULT 0,
  unchanged     INTEGER NOT NULL DEFAULT 0,
  next_batch    INTEGER NOT NULL DEFAULT 0,
  manifest      TEXT NOT NULL DEFAULT ''
);
-- A batch's state is a small row, rewritten at each claim, lease and completion; its items live
-- in batch_items, written once when listed and deleted when the batch is done.
CREATE TABLE IF NOT EXISTS batches (
  execution      TEXT NOT NULL,
  seq            INTEGER NOT NULL,
  status         TEXT NOT NULL,            -- PENDING, RUNNING, DONE
  item_count     INTEGER NOT NULL,
  bytes          INTEGER NOT NULL,
  owner          TEXT,
  lease_until_ms INTEGER,
  attempts       INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (execution, seq)
) WITHOUT ROWID;
-- Claims, lease renewals and counts name this index (INDEXED BY): without statistics SQLite
-- would walk the primary key past every DONE batch, which made claiming quadratic in the batches.
CREATE INDEX IF NOT EXISTS batches_by_status ON batches (execution, status, seq);
CREATE TABLE IF NOT EXISTS batch_items (
  execution      TEXT NOT NULL,
  seq            INTEGER NOT NULL,
  items          BLOB NOT NULL,            -- EncodeBatchItems
  PRIMARY KEY (execution, seq)
);
-- A finished batch's succeeded items with their times, in one row: one write per batch instead of
-- one per item. Failed and skipped items have a row each in `items` (redrive and the FAILED list
-- read them by key).
CREATE TABLE IF NOT EXISTS batch_outcomes (
  execution      TEXT NOT NULL,
  seq            INTEGER NOT NULL,
  succeeded      INTEGER NOT NULL,
  outcomes       BLOB NOT NULL,            -- EncodeSucceeded
  PRIMARY KEY (execution, seq)
);
CREATE TABLE IF NOT EXISTS items (
  execution     TEXT NOT NULL,
  key           TEXT NOT NULL,
  etag          TEXT NOT NULL,
  size          INTEGER NOT NULL,
  last_modified TEXT NOT NULL,
  batch         INTEGER NOT NULL,
  status        TEXT NOT NULL,             -- FAILED, SKIPPED (SUCCEEDED from versions before
                                           -- batch_outcomes)
  error         TEXT NOT NULL DEFAULT '',
  cause         TEXT NOT NULL DEFAULT '',
  start_ms      INTEGER NOT NULL,
  stop_ms       INTEGER NOT NULL,
  attempts      INTEGER NOT NULL,
  PRIMARY KEY (execution, key)
) WITHOUT ROWID;
-- No index by status: outcomes are read by status only at the end of a run (one scan), and
-- every index costs an insert per item on the hot path.
CREATE TABLE IF NOT EXISTS results (
  id         TEXT PRIMARY KEY,
  bucket     TEXT NOT NULL,
  key        TEXT NOT NULL,
  etag       TEXT NOT NULL,
  size       INTEGER NOT NULL,
  processor  TEXT NOT NULL,
  response   TEXT NOT NULL,
  execution  TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS labels (
  id         TEXT NOT NULL,
  label      TEXT NOT NULL COLLATE NOCASE,
  confidence REAL NOT NULL,
  direct     INTEGER NOT NULL,             -- 1: detected; 0: a parent of a detected label
  PRIMARY KEY (id, label)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS labels_by_label ON labels (label, confidence DESC);
)sql";

constexpr std::string_view kExecutionColumns =
    "name, map_run_id, status, spec, start_ms, stop_ms, error, cause, redrive_count, cursor, "
    "listing_done, listed, unchanged, manifest";

}  // namespace

namespace {

void PutField(std::string& out, std::string_view v) {
  out += std::to_string(v.size());
  out += ':';
  out += v;
}

// Reads "<decimal>:" at `pos`; false when there is none.
bool ReadNumber(std::string_view text, size_t& pos, uint64_t& value) {
  size_t end = text.find(':', pos);
  if (end == std::string_view::npos || end == pos || end - pos > 20) return false;
  auto [p, ec] = std::from_chars(text.data() + pos, text.data() + end, value);
  if (ec != std::errc() || p != text.data() + end) return false;
  pos = end + 1;
  return true;
}

bool ReadField(std::string_view text, size_t& pos, std::string& value) {
  uint64_t n = 0;
  if (!ReadNumber(text, pos, n) || n > text.size() - pos) return false;
  value.assign(text.substr(pos, n));
  pos += n;
  return true;
}

void PutNumber(std::string& out, uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
  out += ':';
}

void PutItem(std::string& out, const ObjectInfo& o) {
  PutField(out, o.key);
  PutNumber(out, o.size);
  PutField(out, o.etag);
  PutField(out, o.last_modified);
}

bool ReadItem(std::string_view text, size_t& pos, ObjectInfo& o) {
  return ReadField(text, pos, o.key) && ReadNumber(text, pos, o.size) &&
         ReadField(text, pos, o.etag) && ReadField(text, pos, o.last_modified);
}

sqlite::DatabaseError Damaged(std::string_view what, size_t pos) {
  return sqlite::DatabaseError("a stored batch's " + std::string(what) + " is damaged at byte " +
                               std::to_string(pos) +
                               "; start the execution again under a new name");
}

}  // namespace

std::string EncodeBatchItems(const std::vector<ObjectInfo>& items) {
  std::string out;
  out.reserve(items.size() * 64);
  for (const ObjectInfo& o : items) PutItem(out, o);
  return out;
}

std::vector<ObjectInfo> DecodeBatchItems(std::string_view text) {
  std::vector<ObjectInfo> items;
  size_t pos = 0;
  while (pos < text.size()) {
    ObjectInfo o;
    if (!ReadItem(text, pos, o)) throw Damaged("item list", pos);
    items.push_back(std::move(o));
  }
  return items;
}

std::string EncodeSucceeded(const std::vector<ItemOutcome>& outcomes) {
  std::string out;
  out.reserve(outcomes.size() * 96);
  for (const ItemOutcome& o : outcomes) {
    if (o.status != ItemStatus::kSucceeded) continue;
    PutItem(out, o.item);
    PutNumber(out, static_cast<uint64_t>(o.start_ms));
    PutNumber(out, static_cast<uint64_t>(o.stop_ms));
    PutNumber(out, static_cast<uint64_t>(o.attempts));
  }
  return out;
}

std::vector<ItemOutcome> DecodeSucceeded(std::string_view text) {
  std::vector<ItemOutcome> outcomes;
  size_t pos = 0;
  while (pos < text.size()) {
    ItemOutcome o;
    uint64_t start = 0, stop = 0, attempts = 0;
    if (!ReadItem(text, pos, o.item) || !ReadNumber(text, pos, start) ||
        !ReadNumber(text, pos, stop) || !ReadNumber(text, pos, attempts)) {
      throw Damaged("outcome list", pos);
    }
    o.status = ItemStatus::kSucceeded;
    o.start_ms = static_cast<int64_t>(start);
    o.stop_ms = static_cast<int64_t>(stop);
    o.attempts = static_cast<int>(attempts);
    outcomes.push_back(std::move(o));
  }
  return outcomes;
}

// Checkpoint every ~40 MiB of WAL (at 4 KiB pages): a results row's pages are rewritten by several
// commits in a row, and a checkpoint ends in an fsync. A commit checkpoints itself past 160 MiB.
constexpr int kCheckpointPages = 10000;
constexpr int kForceCheckpointPages = 4 * kCheckpointPages;

SqliteDatabase::SqliteDatabase(const std::string& path)
    : conn_(path), checkpointer_(conn_, kCheckpointPages, kForceCheckpointPages) {
  CreateSchema();
}

void SqliteDatabase::CreateSchema() {
  std::lock_guard<std::mutex> lock(mu_);
  // Development versions kept a batch's items in the batches row itself.
  Statement old_layout =
      conn_.Prepare("SELECT 1 FROM pragma_table_info('batches') WHERE name = 'items'");
  if (old_layout.Step()) {
    throw sqlite::DatabaseError(
        "it was written by an earlier development version of imagemill whose state tables this "
        "version cannot read; use a new --db file (its results table stays readable with sqlite3)");
  }
  old_layout.Reset();
  conn_.Exec(kSchema);
}

ExecutionRecord SqliteDatabase::ReadExecution(Statement& st) {
  ExecutionRecord r;
  r.name = st.Text(0);
  r.map_run_id = st.Text(1);
  r.status = ParseExecutionStatus(st.Text(2)).value_or(ExecutionStatus::kFailed);
  r.spec = nlohmann::json::parse(st.Text(3), nullptr, false);
  r.start_ms = st.Int(4);
  r.stop_ms = st.Int(5);
  r.error = st.Text(6);
  r.cause = st.Text(7);
  r.redrive_count = static_cast<int>(st.Int(8));
  r.cursor = st.Text(9);
  r.listing_done = st.Int(10) != 0;
  r.listed = st.Int(11);
  r.unchanged = st.Int(12);
  r.manifest = st.Text(13);
  return r;
}

ExecutionRecord SqliteDatabase::CreateOrGetExecution(const ExecutionRecord& p, bool* created) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(conn_);
  Statement ins = conn_.Prepare(
      "INSERT INTO executions (name, map_run_id, status, spec, start_ms) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT (name) DO NOTHING");
  ins.Bind(1, p.name).Bind(2, p.map_run_id).Bind(3, ExecutionStatusName(p.status));
  ins.Bind(4, p.spec.dump()).Bind(5, p.start_ms);
  ins.Run();
  *created = conn_.Changes() > 0;
  Statement get = conn_.Prepare("SELECT " + std::string(kExecutionColumns) +
                                " FROM executions WHERE name = ?");
  get.Bind(1, p.name);
  get.Step();
  ExecutionRecord r = ReadExecution(get);
  get.Reset();
  tx.Commit();
  return r;
}

std::optional<ExecutionRecord> SqliteDatabase::GetExecution(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement get = conn_.Prepare("SELECT " + std::string(kExecutionColumns) +
                                " FROM executions WHERE name = ?");
  get.Bind(1, name);
  if (!get.Step()) return std::nullopt;
  return ReadExecution(get);
}

std::vector<ExecutionRecord> SqliteDatabase::ListExecutions(int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st = conn_.Prepare("SELECT " + std::string(kExecutionColumns) +
                               " FROM executions ORDER BY start_ms DESC, name LIMIT ?");
  st.Bind(1, static_cast<int64_t>(limit));
  std::vector<ExecutionRecord> out;
  while (st.Step()) out.push_back(ReadExecution(st));
  return out;
}

std::optional<ExecutionRecord> SqliteDatabase::FindUnfinished(const nlohmann::json& spec) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st = conn_.Prepare("SELECT " + std::string(kExecutionColumns) +
                               " FROM executions WHERE status IN ('RUNNING', 'ABORTED') AND "
                               "spec = ? ORDER BY start_ms DESC LIMIT 1");
  st.Bind(1, spec.dump());
  if (!st.Step()) return std::nullopt;
  return ReadExecution(st);
}

void SqliteDatabase::FinishExecution(std::string_view name, ExecutionStatus status,
                                     std::string_view error, std::string_view cause,
                                     int64_t stop_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st = conn_.Prepare(
      "UPDATE executions SET status = ?, error = ?, cause = ?, stop_ms = ? WHERE name = ?");
  st.Bind(1, ExecutionStatusName(status)).Bind(2, error).Bind(3, cause).Bind(4, stop_ms);
  st.Bind(5, name).Run();
}

void SqliteDatabase::SetManifest(std::string_view name, std::string_view manifest) {
  std::lock_guard<std::mutex> lock(mu_);
  conn_.Prepare("UPDATE executions SET manifest = ? WHERE name = ?")
      .Bind(1, manifest)
      .Bind(2, name)
      .Run();
}

void SqliteDatabase::InsertBatches(std::string_view name, const std::vector<BatchRecord>& batches) {
  if (batches.empty()) return;
  Statement next = conn_.Prepare("SELECT next_batch FROM executions WHERE name = ?");
  next.Bind(1, name);
  if (!next.Step()) throw sqlite::DatabaseError("no execution named " + std::string(name));
  int64_t seq = next.Int(0);
  next.Reset();
  Statement ins = conn_.Prepare(
      "INSERT INTO batches (execution, seq, status, item_count, bytes) "
      "VALUES (?, ?, 'PENDING', ?, ?)");
  Statement ins_items =
      conn_.Prepare("INSERT INTO batch_items (execution, seq, items) VALUES (?, ?, ?)");
  for (const BatchRecord& b : batches) {
    ins.Bind(1, name).Bind(2, seq);
    ins.Bind(3, static_cast<int64_t>(b.items.size())).Bind(4, static_cast<int64_t>(b.bytes));
    ins.Run();
    ins_items.Bind(1, name).Bind(2, seq).Bind(3, EncodeBatchItems(b.items)).Run();
    ++seq;
  }
  conn_.Prepare("UPDATE executions SET next_batch = ? WHERE name = ?")
      .Bind(1, seq)
      .Bind(2, name)
      .Run();
}

bool SqliteDatabase::AppendListing(std::string_view name, std::string_view expected_cursor,
                                   const ListingStep& step) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(conn_);
  Statement cur = conn_.Prepare("SELECT cursor, listing_done FROM executions WHERE name = ?");
  cur.Bind(1, name);
  if (!cur.Step() || cur.Text(0) != expected_cursor || cur.Int(1) != 0) return false;
  cur.Reset();
  InsertBatches(name, step.batches);
  Statement st = conn_.Prepare(
      "UPDATE executions SET cursor = ?, listing_done = ?, listed = listed + ?, "
      "unchanged = unchanged + ? WHERE name = ?");
  st.Bind(1, step.cursor).Bind(2, int64_t{step.done ? 1 : 0}).Bind(3, step.listed);
  st.Bind(4, step.unchanged).Bind(5, name).Run();
  tx.Commit();
  return true;
}

std::vector<BatchRecord> SqliteDatabase::ClaimBatches(std::string_view name,
                                                      std::string_view owner, int max,
                                                      int64_t lease_until_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(conn_);
  Statement pick = conn_.Prepare(
      "SELECT b.seq, i.items, b.bytes, b.attempts FROM batches b INDEXED BY batches_by_status "
      "JOIN batch_items i "
      "ON i.execution = b.execution AND i.seq = b.seq "
      "WHERE b.execution = ? AND b.status = 'PENDING' ORDER BY b.seq LIMIT ?");
  pick.Bind(1, name).Bind(2, static_cast<int64_t>(max));
  std::vector<BatchRecord> out;
  while (pick.Step()) {
    BatchRecord b;
    b.seq = pick.Int(0);
    b.items = DecodeBatchItems(pick.Text(1));
    b.bytes = static_cast<uint64_t>(pick.Int(2));
    b.attempts = static_cast<int>(pick.Int(3)) + 1;
    out.push_back(std::move(b));
  }
  pick.Reset();
  Statement claim = conn_.Prepare(
      "UPDATE batches SET status = 'RUNNING', owner = ?, lease_until_ms = ?, "
      "attempts = attempts + 1 WHERE execution = ? AND seq = ?");
  for (const BatchRecord& b : out) {
    claim.Bind(1, owner).Bind(2, lease_until_ms).Bind(3, name).Bind(4, b.seq).Run();
  }
  tx.Commit();
  return out;
}

void SqliteDatabase::RenewLeases(std::string_view name, std::string_view owner,
                                 int64_t lease_until_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  conn_.Prepare("UPDATE batches INDEXED BY batches_by_status SET lease_until_ms = ? "
                "WHERE execution = ? AND owner = ? AND status = 'RUNNING'")
      .Bind(1, lease_until_ms)
      .Bind(2, name)
      .Bind(3, owner)
      .Run();
}

void SqliteDatabase::ReleaseBatches(std::string_view name, std::string_view owner,
                                    const std::vector<int64_t>& seqs) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(conn_);
  Statement st = conn_.Prepare(
      "UPDATE batches SET status = 'PENDING', owner = NULL, lease_until_ms = NULL "
      "WHERE execution = ? AND seq = ? AND owner = ? AND status = 'RUNNING'");
  for (int64_t seq : seqs) st.Bind(1, name).Bind(2, seq).Bind(3, owner).Run();
  tx.Commit();
}

int64_t SqliteDatabase::RecoverOrphans(
    std::string_view name, int64_t now_ms,
    const std::function<bool(const std::string&)>& owner_is_dead) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(conn_);
  Statement find = conn_.Prepare(
      "SELECT seq, owner, lease_until_ms FROM batches INDEXED BY batches_by_status "
      "WHERE execution = ? AND status = 'RUNNING'");
  find.Bind(1, name);
  std::vector<int64_t> orphans;
  while (find.Step()) {
    if (find.Int(2) < now_ms || owner_is_dead(find.Text(1))) orphans.push_back(find.Int(0));
  }
  find.Reset();
  Statement rel = conn_.Prepare(
      "UPDATE batches SET status = 'PENDING', owner = NULL, lease_until_ms = NULL "
      "WHERE execution = ? AND seq = ?");
  for (int64_t seq : orphans) rel.Bind(1, name).Bind(2, seq).Run();
  tx.Commit();
  return static_cast<int64_t>(orphans.size());
}

std::vector<int64_t> SqliteDatabase::CompleteBatches(std::string_view name,
                                                     std::string_view owner,
                                                     std::string_view bucket,
                                                     std::string_view processor,
                                                     const std::vector<FinishedBatch>& batches) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(conn_);
  Statement held = conn_.Prepare(
      "SELECT 1 FROM batches WHERE execution = ? AND seq = ? AND status = 'RUNNING' AND owner = ?");
  Statement item = conn_.Prepare(
      "INSERT INTO items (execution, key, etag, size, last_modified, batch, status, error, cause, "
      "start_ms, stop_ms, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (execution, key) DO UPDATE SET etag = excluded.etag, size = excluded.size, "
      "last_modified = excluded.last_modified, batch = excluded.batch, status = excluded.status, "
      "error = excluded.error, cause = excluded.cause, start_ms = excluded.start_ms, "
      "stop_ms = excluded.stop_ms, attempts = excluded.attempts");
  Statement succeeded = conn_.Prepare(
      "INSERT INTO batch_outcomes (execution, seq, succeeded, outcomes) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (execution, seq) DO UPDATE SET succeeded = excluded.succeeded, "
      "outcomes = excluded.outcomes");
  // A new id is inserted; only an id stored before is updated and has its old labels dropped, so
  // a first run over a bucket writes one row per image and no label deletes.
  Statement insert_result = conn_.Prepare(
      "INSERT INTO results (id, bucket, key, etag, size, processor, response, execution, "
      "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING");
  Statement update_result = conn_.Prepare(
      "UPDATE results SET bucket = ?2, key = ?3, etag = ?4, size = ?5, processor = ?6, "
      "response = ?7, execution = ?8, updated_at = ?9 WHERE id = ?1");
  Statement unlabel = conn_.Prepare("DELETE FROM labels WHERE id = ?");
  Statement label = conn_.Prepare(
      "INSERT INTO labels (id, label, confidence, direct) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (id, label) DO UPDATE SET confidence = max(confidence, excluded.confidence), "
      "direct = max(direct, excluded.direct)");
  Statement done = conn_.Prepare(
      "UPDATE batches SET status = 'DONE', owner = NULL, lease_until_ms = NULL "
      "WHERE execution = ? AND seq = ?");
  Statement drop_items = conn_.Prepare("DELETE FROM batch_items WHERE execution = ? AND seq = ?");
  // Every string bound below (BindView: no copy) lives in `batches`, the arguments or `stamp`
  // until its statement has run.
  std::string stamp;
  auto bind_result = [&](Statement& st, const ItemOutcome& o) -> Statement& {
    st.BindView(1, o.item.key).BindView(2, bucket).BindView(3, o.item.key);
    st.BindView(4, o.item.etag).Bind(5, static_cast<int64_t>(o.item.size));
    st.BindView(6, processor).BindView(7, o.response).BindView(8, name);
    return st.BindView(9, stamp);
  };
  std::vector<int64_t> completed;
  for (const FinishedBatch& b : batches) {
    held.Bind(1, name).Bind(2, b.seq).Bind(3, owner);
    bool ours = held.Step();
    held.Reset();
    if (!ours) continue;
    int64_t n_succeeded = 0;
    for (const ItemOutcome& o : b.outcomes) {
      if (o.status != ItemStatus::kSucceeded) {
        item.Bind(1, name).Bind(2, o.item.key).Bind(3, o.item.etag);
        item.Bind(4, static_cast<int64_t>(o.item.size)).Bind(5, o.item.last_modified);
        item.Bind(6, b.seq).Bind(7, ItemStatusName(o.status)).Bind(8, o.error).Bind(9, o.cause);
        item.Bind(10, o.start_ms).Bind(11, o.stop_ms).Bind(12, static_cast<int64_t>(o.attempts));
        item.Run();
        continue;
      }
      ++n_succeeded;
      stamp = FormatIso8601(FromUnixMillis(o.stop_ms));
      bind_result(insert_result, o).Run();
      if (conn_.Changes() == 0) {
        bind_result(update_result, o).Run();
        unlabel.BindView(1, o.item.key).Run();
      }
      for (const LabelEntry& l : o.labels) {
        label.BindView(1, o.item.key).BindView(2, l.name).Bind(3, l.confidence);
        label.Bind(4, int64_t{l.direct ? 1 : 0}).Run();
      }
    }
    if (n_succeeded > 0) {
      succeeded.Bind(1, name).Bind(2, b.seq).Bind(3, n_succeeded);
      succeeded.Bind(4, EncodeSucceeded(b.outcomes)).Run();
    }
    done.Bind(1, name).Bind(2, b.seq).Run();
    drop_items.Bind(1, name).Bind(2, b.seq).Run();  // items and batch_outcomes hold them now
    completed.push_back(b.seq);
  }
  tx.Commit();
  return completed;
}

ItemCounts SqliteDatabase::CountItems(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  ItemCounts c;
  Statement exec = conn_.Prepare("SELECT listed, unchanged FROM executions WHERE name = ?");
  exec.Bind(1, name);
  if (!exec.Step()) return c;
  c.total = exec.Int(0);
  c.skipped = exec.Int(1);
  exec.Reset();
  Statement ok = conn_.Prepare(
      "SELECT coalesce(sum(succeeded), 0) FROM batch_outcomes WHERE execution = ?");
  ok.Bind(1, name);
  if (ok.Step()) c.succeeded = ok.Int(0);
  ok.Reset();
  Statement items = conn_.Prepare(
      "SELECT status, count(*) FROM items WHERE execution = ? GROUP BY status");
  items.Bind(1, name);
  while (items.Step()) {
    std::string s = items.Text(0);
    int64_t n = items.Int(1);
    if (s == "SUCCEEDED") c.succeeded += n;
    if (s == "FAILED") c.failed += n;
    if (s == "SKIPPED") c.skipped += n;
  }
  items.Reset();
  Statement batches = conn_.Prepare(
      "SELECT status, sum(item_count) FROM batches INDEXED BY batches_by_status "
      "WHERE execution = ? AND status IN ('PENDING', 'RUNNING') "
      "GROUP BY status");
  batches.Bind(1, name);
  while (batches.Step()) {
    if (batches.Text(0) == "RUNNING") c.running += batches.Int(1);
    if (batches.Text(0) == "PENDING") c.pending += batches.Int(1);
  }
  c.results_written = c.succeeded;
  return c;
}

void SqliteDatabase::ForEachOutcome(std::string_view name, ItemStatus status,
                                    const std::function<void(const ItemOutcome&)>& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(conn_, Transaction::Mode::kRead);
  // Failed and skipped items (and succeeded ones written by versions before batch_outcomes).
  Statement st = conn_.Prepare(
      "SELECT i.key, i.etag, i.size, i.last_modified, i.error, i.cause, i.start_ms, i.stop_ms, "
      "i.attempts, r.response FROM items i LEFT JOIN results r ON r.id = i.key "
      "WHERE i.execution = ? AND i.status = ? ORDER BY i.key");
  st.Bind(1, name).Bind(2, ItemStatusName(status));
  while (st.Step()) {
    ItemOutcome o;
    o.item = {st.Text(0), static_cast<uint64_t>(st.Int(2)), st.Text(1), st.Text(3)};
    o.status = status;
    o.error = st.Text(4);
    o.cause = st.Text(5);
    o.start_ms = st.Int(6);
    o.stop_ms = st.Int(7);
    o.attempts = static_cast<int>(st.Int(8));
    if (status == ItemStatus::kSucceeded) o.response = st.Text(9);
    fn(o);
  }
  st.Reset();
  if (status != ItemStatus::kSucceeded) {
    tx.Commit();
    return;
  }
  Statement batches = conn_.Prepare(
      "SELECT outcomes FROM batch_outcomes WHERE execution = ? ORDER BY seq");
  Statement response = conn_.Prepare("SELECT response FROM results WHERE id = ?");
  batches.Bind(1, name);
  while (batches.Step()) {
    for (ItemOutcome& o : DecodeSucceeded(batches.Text(0))) {
      response.Bind(1, o.item.key);
      if (response.Step()) o.response = response.Text(0);
      response.Reset();
      fn(o);
    }
  }
  batches.Reset();
  tx.Commit();
}

void SqliteDatabase::ForEachPendingItem(std::string_view name,
                                        const std::function<void(const ObjectInfo&)>& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st = conn_.Prepare(
      "SELECT i.items FROM batches b JOIN batch_items i ON i.execution = b.execution AND "
      "i.seq = b.seq WHERE b.execution = ? AND b.status != 'DONE' ORDER BY b.seq");
  st.Bind(1, name);
  while (st.Step()) {
    for (const ObjectInfo& o : DecodeBatchItems(st.Text(0))) fn(o);
  }
}

int64_t SqliteDatabase::PrepareRedrive(std::string_view name, const BatchCutter& cut) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(conn_);
  Statement failed = conn_.Prepare(
      "SELECT key, size, etag, last_modified FROM items WHERE execution = ? AND status = 'FAILED' "
      "ORDER BY key");
  failed.Bind(1, name);
  std::vector<ObjectInfo> items;
  while (failed.Step()) {
    items.push_back({failed.Text(0), static_cast<uint64_t>(failed.Int(1)), failed.Text(2),
                     failed.Text(3)});
  }
  failed.Reset();
  const auto count = static_cast<int64_t>(items.size());
  conn_.Prepare("DELETE FROM items WHERE execution = ? AND status = 'FAILED'").Bind(1, name).Run();
  InsertBatches(name, cut(std::move(items)));
  conn_.Prepare("UPDATE executions SET status = 'RUNNING', stop_ms = 0, error = '', cause = '', "
                "redrive_count = redrive_count + 1 WHERE name = ?")
      .Bind(1, name)
      .Run();
  tx.Commit();
  return count;
}

namespace {

constexpr std::string_view kResultColumns =
    "id, bucket, key, etag, size, processor, response, execution, updated_at";

StoredResult ReadResult(Statement& st) {
  StoredResult r;
  r.id = st.Text(0);
  r.bucket = st.Text(1);
  r.key = st.Text(2);
  r.etag = st.Text(3);
  r.size = static_cast<uint64_t>(st.Int(4));
  r.processor = st.Text(5);
  r.response = nlohmann::json::parse(st.Text(6), nullptr, false);
  r.execution = st.Text(7);
  r.updated_at = st.Text(8);
  return r;
}

}  // namespace

std::optional<StoredResult> SqliteDatabase::GetResult(std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st = conn_.Prepare("SELECT " + std::string(kResultColumns) + " FROM results WHERE id = ?");
  st.Bind(1, id);
  if (!st.Step()) return std::nullopt;
  return ReadResult(st);
}

void SqliteDatabase::ForEachResult(std::string_view execution, int limit,
                                   const std::function<void(const StoredResult&)>& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st = conn_.Prepare("SELECT " + std::string(kResultColumns) +
                               " FROM results WHERE ? = '' OR execution = ? ORDER BY id LIMIT ?");
  st.Bind(1, execution).Bind(2, execution).Bind(3, static_cast<int64_t>(limit));
  while (st.Step()) fn(ReadResult(st));
}

std::vector<LabelHit> SqliteDatabase::QueryLabel(std::string_view label, double min_confidence,
                                                 int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st = conn_.Prepare(
      "SELECT id, label, confidence FROM labels WHERE label = ? AND confidence >= ? "
      "ORDER BY confidence DESC, id LIMIT ?");
  st.Bind(1, label).Bind(2, min_confidence).Bind(3, static_cast<int64_t>(limit));
  std::vector<LabelHit> out;
  while (st.Step()) out.push_back({st.Text(0), st.Text(1), st.Double(2)});
  return out;
}

std::vector<std::pair<std::string, int64_t>> SqliteDatabase::LabelCounts(
    std::string_view execution, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st = conn_.Prepare(
      "SELECT l.label, count(*) AS n FROM labels l JOIN results r ON r.id = l.id "
      "WHERE r.execution = ? AND l.direct = 1 GROUP BY l.label ORDER BY n DESC, l.label LIMIT ?");
  st.Bind(1, execution).Bind(2, static_cast<int64_t>(limit));
  std::vector<std::pair<std::string, int64_t>> out;
  while (st.Step()) out.emplace_back(st.Text(0), st.Int(1));
  return out;
}

bool SqliteDatabase::Empty() {
  std::lock_guard<std::mutex> lock(mu_);
  return !conn_.Prepare("SELECT 1 FROM results LIMIT 1").Step();
}

std::vector<bool> SqliteDatabase::Unchanged(const std::vector<ObjectInfo>& items,
                                            std::string_view processor) {
  std::lock_guard<std::mutex> lock(mu_);
  // One read transaction for the page: one read lock instead of one per key.
  Transaction tx(conn_, Transaction::Mode::kRead);
  std::vector<bool> out;
  out.reserve(items.size());
  Statement st = conn_.Prepare("SELECT etag, processor FROM results WHERE id = ?");
  for (const ObjectInfo& o : items) {
    st.Bind(1, o.key);
    out.push_back(st.Step() && st.Text(0) == o.etag && st.Text(1) == processor);
    st.Reset();
  }
  tx.Commit();
  return out;
}

}  // namespace imagemill
