// SqliteDatabase's StateStore: executions, batches, claims and outcomes.
#include "db/sqlite_database.h"

#include <algorithm>
#include <map>
#include <set>

#include "db/batch_codec.h"
#include "db/sqlite_schema.h"
#include "util/clock.h"
#include "workflow/listing_answer.h"

namespace imagemill {

using sqlite::Statement;
using sqlite::Transaction;

namespace {

constexpr std::string_view kSqliteExecutionColumns =
    "name, map_run_id, status, spec, start_ms, stop_ms, error, cause, redrive_count, cursor, "
    "listing_done, listed, unchanged, manifest";

std::string ExecutionQuery(std::string_view where) {
  return "SELECT " + std::string(kSqliteExecutionColumns) + " FROM executions " + std::string(where);
}

// Checkpoint every ~40 MiB of WAL (at 4 KiB pages): a results row's pages are rewritten by several
// commits in a row, and a checkpoint ends in an fsync. A commit checkpoints itself past 160 MiB.
constexpr int kCheckpointPages = 10000;
constexpr int kForceCheckpointPages = 4 * kCheckpointPages;

sqlite::Connection& Opened(sqlite::Connection& conn) {
  sqlite::OpenSchema(conn, "sqlite:" + conn.path());
  return conn;
}

}  // namespace

SqliteDatabase::SqliteDatabase(const std::string& path)
    : conn_(path), checkpointer_(Opened(conn_), kCheckpointPages, kForceCheckpointPages) {}

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
  Statement get = conn_.Prepare(ExecutionQuery("WHERE name = ?"));
  get.Bind(1, p.name);
  get.Step();
  ExecutionRecord r = ReadExecution(get);
  get.Reset();
  tx.Commit();
  return r;
}

std::optional<ExecutionRecord> SqliteDatabase::GetExecution(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement get = conn_.Prepare(ExecutionQuery("WHERE name = ?"));
  get.Bind(1, name);
  if (!get.Step()) return std::nullopt;
  return ReadExecution(get);
}

std::vector<ExecutionRecord> SqliteDatabase::ListExecutions(const ExecutionFilter& f) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st = conn_.Prepare(ExecutionQuery(
      "WHERE (?1 = '' OR status = ?1) AND (?2 IS NULL OR start_ms < ?2 OR "
      "(start_ms = ?2 AND name > ?3)) ORDER BY start_ms DESC, name LIMIT ?4"));
  st.Bind(1, f.status ? ExecutionStatusName(*f.status) : std::string_view(""));
  if (f.after) {
    st.Bind(2, f.after->first).Bind(3, f.after->second);
  } else {
    st.BindNull(2).Bind(3, std::string_view(""));
  }
  st.Bind(4, static_cast<int64_t>(f.limit));
  std::vector<ExecutionRecord> out;
  while (st.Step()) out.push_back(ReadExecution(st));
  return out;
}

std::optional<ExecutionRecord> SqliteDatabase::FindUnfinished(const nlohmann::json& spec) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st = conn_.Prepare(ExecutionQuery(
      "WHERE status IN ('RUNNING', 'ABORTED') AND "
      "json_remove(spec, '$.mapRunUpdates', '$.maxConcurrency') = "
      "json_remove(?1, '$.mapRunUpdates', '$.maxConcurrency') ORDER BY start_ms DESC LIMIT 1"));
  st.Bind(1, spec.dump());
  if (!st.Step()) return std::nullopt;
  return ReadExecution(st);
}

bool SqliteDatabase::UpdateExecution(std::string_view name, ExecutionStatus from,
                                     const ExecutionUpdate& u) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st = conn_.Prepare(
      "UPDATE executions SET status = ?, error = ?, cause = ?, stop_ms = ?, "
      "manifest = coalesce(?, manifest), spec = coalesce(?, spec) WHERE name = ? AND status = ?");
  st.Bind(1, ExecutionStatusName(u.status)).Bind(2, u.error).Bind(3, u.cause).Bind(4, u.stop_ms);
  if (u.manifest) {
    st.Bind(5, *u.manifest);
  } else {
    st.BindNull(5);
  }
  if (u.spec) {
    st.Bind(6, u.spec->dump());
  } else {
    st.BindNull(6);
  }
  st.Bind(7, name).Bind(8, ExecutionStatusName(from)).Run();
  return conn_.Changes() > 0;
}

void SqliteDatabase::InsertBatches(std::string_view name, const std::vector<BatchRecord>& batches,
                                   const ListingStep* answered) {
  const std::vector<BatchRecord>& done = answered != nullptr ? answered->answered : batches;
  if (batches.empty() && done.empty()) return;
  Statement next = conn_.Prepare("SELECT next_batch FROM executions WHERE name = ?");
  next.Bind(1, name);
  if (!next.Step()) throw DatabaseError("no execution named " + std::string(name));
  int64_t seq = next.Int(0);
  next.Reset();
  Statement ins = conn_.Prepare(
      "INSERT INTO batches (execution, seq, status, item_count, bytes, done_items) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  Statement ins_items =
      conn_.Prepare("INSERT INTO batch_items (execution, seq, items) VALUES (?, ?, ?)");
  Statement ins_outcomes = conn_.Prepare(
      "INSERT INTO batch_outcomes (execution, seq, part, succeeded, outcomes) "
      "VALUES (?, ?, 0, ?, ?)");
  for (const BatchRecord& b : batches) {
    const auto n = static_cast<int64_t>(b.items.size());
    ins.Bind(1, name).Bind(2, seq).Bind(3, "PENDING").Bind(4, n);
    ins.Bind(5, static_cast<int64_t>(b.bytes)).Bind(6, int64_t{0}).Run();
    ins_items.Bind(1, name).Bind(2, seq).Bind(3, EncodeBatchItems(b.items)).Run();
    ++seq;
  }
  if (answered != nullptr) {
    // Items unchanged since their stored answer: batches done at once, every item succeeded.
    for (const BatchRecord& b : answered->answered) {
      const auto n = static_cast<int64_t>(b.items.size());
      ins.Bind(1, name).Bind(2, seq).Bind(3, "DONE").Bind(4, n);
      ins.Bind(5, static_cast<int64_t>(b.bytes)).Bind(6, n).Run();
      std::vector<ItemOutcome> outcomes(b.items.size());
      for (size_t i = 0; i < b.items.size(); ++i) {
        outcomes[i].item = b.items[i];
        outcomes[i].start_ms = outcomes[i].stop_ms = answered->answered_at_ms;
        outcomes[i].attempts = 0;
      }
      ins_outcomes.Bind(1, name).Bind(2, seq).Bind(3, n).Bind(4, EncodeSucceeded(outcomes)).Run();
      ++seq;
    }
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
  InsertBatches(name, step.batches, &step);
  int64_t unchanged = 0;
  for (const BatchRecord& b : step.answered) unchanged += static_cast<int64_t>(b.items.size());
  Statement st = conn_.Prepare(
      "UPDATE executions SET cursor = ?, listing_done = ?, listed = listed + ?, "
      "unchanged = unchanged + ? WHERE name = ?");
  st.Bind(1, step.cursor).Bind(2, int64_t{step.done ? 1 : 0}).Bind(3, step.listed);
  st.Bind(4, unchanged).Bind(5, name).Run();
  tx.Commit();
  return true;
}

std::vector<ItemOutcome> SqliteDatabase::DoneItems(std::string_view name, int64_t seq,
                                                   const AnswerTarget* target) {
  std::vector<ItemOutcome> done;
  Statement parts = conn_.Prepare(
      "SELECT outcomes FROM batch_outcomes WHERE execution = ? AND seq = ? ORDER BY part");
  parts.Bind(1, name).Bind(2, seq);
  while (parts.Step()) {
    for (ItemOutcome& o : DecodeSucceeded(parts.Text(0))) done.push_back(std::move(o));
  }
  parts.Reset();
  if (target != nullptr && !done.empty()) {
    const int64_t source = SourceId(target->source, false);
    Statement response = conn_.Prepare(
        "SELECT response, etag, size, last_modified FROM results "
        "WHERE source = ? AND id = ? AND kind = ?");
    for (ItemOutcome& o : done) {
      response.Bind(1, source).BindView(2, o.item.key).BindView(3, target->kind);
      if (response.Step()) {
        o.response = StoredAnswerText(
            response.Text(0), {o.item.key, static_cast<uint64_t>(response.Int(2)),
                               response.Text(1), response.Text(3)});
      }
      response.Reset();
    }
  }
  Statement others = conn_.Prepare(
      "SELECT key, etag, size, last_modified, status, error, cause, start_ms, stop_ms, attempts "
      "FROM items INDEXED BY items_by_batch WHERE execution = ? AND batch = ?");
  others.Bind(1, name).Bind(2, seq);
  while (others.Step()) {
    ItemOutcome o;
    o.item = {others.Text(0), static_cast<uint64_t>(others.Int(2)), others.Text(1),
              others.Text(3)};
    o.status = others.Text(4) == "SKIPPED" ? ItemStatus::kSkipped : ItemStatus::kFailed;
    o.error = others.Text(5);
    o.cause = others.Text(6);
    o.start_ms = others.Int(7);
    o.stop_ms = others.Int(8);
    o.attempts = static_cast<int>(others.Int(9));
    done.push_back(std::move(o));
  }
  return done;
}

std::vector<BatchRecord> SqliteDatabase::ClaimBatches(std::string_view name,
                                                      std::string_view owner, int max,
                                                      int64_t now_ms, int64_t lease_until_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(conn_);
  // Expired leases of other owners, then pending batches (each an index range of
  // batches_by_status), merged by seq.
  const std::string pick_sql =
      "SELECT b.seq, i.items, b.bytes, b.attempts, b.done_items FROM batches b "
      "INDEXED BY batches_by_status JOIN batch_items i ON i.execution = b.execution AND "
      "i.seq = b.seq WHERE b.execution = ?1 AND ";
  Statement expired = conn_.Prepare(
      pick_sql + "b.status = 'RUNNING' AND b.lease_until_ms < ?3 AND b.owner <> ?4 "
                 "ORDER BY b.seq LIMIT ?2");
  expired.Bind(1, name).Bind(2, static_cast<int64_t>(max)).Bind(3, now_ms).Bind(4, owner);
  Statement pending = conn_.Prepare(pick_sql + "b.status = 'PENDING' ORDER BY b.seq LIMIT ?2");
  pending.Bind(1, name).Bind(2, static_cast<int64_t>(max));
  std::vector<BatchRecord> out;
  std::vector<int64_t> partly_done;
  for (Statement* pick : {&expired, &pending}) {
    while (pick->Step()) {
      BatchRecord b;
      b.seq = pick->Int(0);
      b.items = DecodeBatchItems(pick->Text(1));
      b.bytes = static_cast<uint64_t>(pick->Int(2));
      b.attempt = static_cast<int>(pick->Int(3)) + 1;
      if (pick->Int(4) > 0) partly_done.push_back(b.seq);
      out.push_back(std::move(b));
    }
    pick->Reset();
  }
  std::sort(out.begin(), out.end(),
            [](const BatchRecord& a, const BatchRecord& b) { return a.seq < b.seq; });
  if (out.size() > static_cast<size_t>(std::max(max, 0))) out.resize(static_cast<size_t>(max));
  for (BatchRecord& b : out) {
    if (std::find(partly_done.begin(), partly_done.end(), b.seq) == partly_done.end()) continue;
    std::set<std::string> done;
    for (const ItemOutcome& o : DoneItems(name, b.seq, nullptr)) done.insert(o.item.key);
    std::erase_if(b.items, [&](const ObjectInfo& o) { return done.count(o.key) > 0; });
  }
  Statement claim = conn_.Prepare(
      "UPDATE batches SET status = 'RUNNING', owner = ?, lease_until_ms = ?, "
      "attempts = attempts + 1 WHERE execution = ? AND seq = ?");
  for (const BatchRecord& b : out) {
    claim.Bind(1, owner).Bind(2, lease_until_ms).Bind(3, name).Bind(4, b.seq).Run();
  }
  tx.Commit();
  return out;
}

int64_t SqliteDatabase::RenewLeases(std::string_view name, std::string_view owner,
                                    int64_t lease_until_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  conn_.Prepare("UPDATE batches INDEXED BY batches_by_status SET lease_until_ms = ? "
                "WHERE execution = ? AND status = 'RUNNING' AND owner = ?")
      .Bind(1, lease_until_ms)
      .Bind(2, name)
      .Bind(3, owner)
      .Run();
  return conn_.Changes();
}

void SqliteDatabase::ReleaseBatches(std::string_view name, std::string_view owner,
                                    const std::vector<std::pair<int64_t, int>>& claims) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(conn_);
  Statement st = conn_.Prepare(
      "UPDATE batches SET status = 'PENDING', owner = NULL, lease_until_ms = NULL "
      "WHERE execution = ? AND seq = ? AND status = 'RUNNING' AND owner = ? AND attempts = ?");
  for (const auto& [seq, attempt] : claims) {
    st.Bind(1, name).Bind(2, seq).Bind(3, owner).Bind(4, static_cast<int64_t>(attempt)).Run();
  }
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
                                                     const AnswerTarget& target,
                                                     const std::vector<FinishedBatch>& batches) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(conn_);
  const int64_t source = SourceId(target.source, true);
  Statement held = conn_.Prepare(
      "SELECT done_items FROM batches WHERE execution = ? AND seq = ? AND status = 'RUNNING' "
      "AND owner = ? AND attempts = ?");
  Statement item = conn_.Prepare(
      "INSERT INTO items (execution, key, etag, size, last_modified, batch, status, error, cause, "
      "start_ms, stop_ms, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (execution, key) DO UPDATE SET etag = excluded.etag, size = excluded.size, "
      "last_modified = excluded.last_modified, batch = excluded.batch, status = excluded.status, "
      "error = excluded.error, cause = excluded.cause, start_ms = excluded.start_ms, "
      "stop_ms = excluded.stop_ms, attempts = excluded.attempts");
  Statement succeeded = conn_.Prepare(
      "INSERT INTO batch_outcomes (execution, seq, part, succeeded, outcomes) "
      "VALUES (?, ?, ?, ?, ?)");
  // A new answer is inserted; only one stored before is updated and has its old index entries
  // dropped, so a first run over a bucket writes one row per image and deletes nothing.
  Statement insert_result = conn_.Prepare(
      "INSERT INTO results (source, id, kind, etag, size, processor, response, execution, "
      "updated_at, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (source, id, kind) DO NOTHING");
  Statement update_result = conn_.Prepare(
      "UPDATE results SET etag = ?4, size = ?5, processor = ?6, response = ?7, execution = ?8, "
      "updated_at = ?9, last_modified = ?10 WHERE source = ?1 AND id = ?2 AND kind = ?3");
  Statement unindex = conn_.Prepare("DELETE FROM labels WHERE source = ? AND id = ? AND kind = ?");
  Statement index = conn_.Prepare(
      "INSERT INTO labels (source, id, kind, label, confidence, direct) VALUES (?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (source, id, kind, label) DO UPDATE SET "
      "confidence = max(confidence, excluded.confidence), direct = max(direct, excluded.direct)");
  Statement progress = conn_.Prepare(
      "UPDATE batches SET done_items = done_items + ? WHERE execution = ? AND seq = ?");
  Statement done = conn_.Prepare(
      "UPDATE batches SET status = 'DONE', owner = NULL, lease_until_ms = NULL "
      "WHERE execution = ? AND seq = ?");
  Statement drop_items = conn_.Prepare("DELETE FROM batch_items WHERE execution = ? AND seq = ?");
  // Every string bound below (BindView: no copy) lives in `batches`, the arguments or `stamp`
  // until its statement has run.
  std::string stamp;
  auto bind_result = [&](Statement& st, const ItemOutcome& o) -> Statement& {
    st.Bind(1, source).BindView(2, o.item.key).BindView(3, target.kind);
    st.BindView(4, o.item.etag).Bind(5, static_cast<int64_t>(o.item.size));
    st.BindView(6, target.processor).BindView(7, o.response).BindView(8, name);
    return st.BindView(9, stamp).BindView(10, o.item.last_modified);
  };
  std::vector<int64_t> written;
  for (const FinishedBatch& b : batches) {
    held.Bind(1, name).Bind(2, b.seq).Bind(3, owner).Bind(4, static_cast<int64_t>(b.attempt));
    const bool ours = held.Step();
    const int64_t part = ours ? held.Int(0) : 0;
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
        unindex.Bind(1, source).BindView(2, o.item.key).BindView(3, target.kind).Run();
      }
      for (const IndexEntry& e : o.index) {
        index.Bind(1, source).BindView(2, o.item.key).BindView(3, target.kind);
        index.BindView(4, e.name).Bind(5, e.confidence).Bind(6, int64_t{e.direct ? 1 : 0}).Run();
      }
    }
    if (n_succeeded > 0) {
      succeeded.Bind(1, name).Bind(2, b.seq).Bind(3, part).Bind(4, n_succeeded);
      succeeded.Bind(5, EncodeSucceeded(b.outcomes)).Run();
    }
    if (b.last) {
      done.Bind(1, name).Bind(2, b.seq).Run();
      drop_items.Bind(1, name).Bind(2, b.seq).Run();  // items and batch_outcomes hold them now
    } else {
      progress.Bind(1, static_cast<int64_t>(b.outcomes.size())).Bind(2, name).Bind(3, b.seq).Run();
    }
    written.push_back(b.seq);
  }
  tx.Commit();
  return written;
}

ItemCounts SqliteDatabase::CountItems(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(conn_, Transaction::Mode::kRead);
  ItemCounts c;
  Statement exec = conn_.Prepare("SELECT listed, unchanged FROM executions WHERE name = ?");
  exec.Bind(1, name);
  if (!exec.Step()) return c;
  c.total = exec.Int(0);
  c.unchanged = exec.Int(1);
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
    if (items.Text(0) == "FAILED") c.failed += items.Int(1);
    if (items.Text(0) == "SKIPPED") c.skipped += items.Int(1);
  }
  items.Reset();
  Statement batches = conn_.Prepare(
      "SELECT status, sum(item_count - done_items) FROM batches INDEXED BY batches_by_status "
      "WHERE execution = ? AND status IN ('PENDING', 'RUNNING') GROUP BY status");
  batches.Bind(1, name);
  while (batches.Step()) {
    if (batches.Text(0) == "RUNNING") c.running += batches.Int(1);
    if (batches.Text(0) == "PENDING") c.pending += batches.Int(1);
  }
  batches.Reset();
  c.results_written = c.succeeded;
  tx.Commit();
  return c;
}

void SqliteDatabase::ForEachOutcome(std::string_view name, ItemStatus status,
                                    const std::function<void(const ItemOutcome&)>& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st = conn_.Prepare(
      "SELECT key, etag, size, last_modified, error, cause, start_ms, stop_ms, attempts FROM items "
      "WHERE execution = ? AND status = ? ORDER BY key");
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
    fn(o);
  }
}

std::vector<std::pair<std::string, int64_t>> SqliteDatabase::CountErrors(std::string_view name,
                                                                         ItemStatus status) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st = conn_.Prepare(
      "SELECT error, count(*) AS n FROM items WHERE execution = ? AND status = ? "
      "GROUP BY error ORDER BY n DESC, error");
  st.Bind(1, name).Bind(2, ItemStatusName(status));
  std::vector<std::pair<std::string, int64_t>> out;
  while (st.Step()) out.emplace_back(st.Text(0), st.Int(1));
  return out;
}

void SqliteDatabase::ForEachBatch(std::string_view name, const AnswerTarget& target,
                                  const std::function<void(const BatchReport&)>& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(conn_, Transaction::Mode::kRead);
  Statement batches = conn_.Prepare(
      "SELECT b.seq, b.status, b.attempts, i.items FROM batches b LEFT JOIN batch_items i "
      "ON i.execution = b.execution AND i.seq = b.seq WHERE b.execution = ? ORDER BY b.seq");
  batches.Bind(1, name);
  while (batches.Step()) {
    BatchReport r;
    r.seq = batches.Int(0);
    const std::string status = batches.Text(1);
    r.state = status == "DONE"      ? BatchState::kDone
              : status == "RUNNING" ? BatchState::kRunning
                                    : BatchState::kPending;
    r.attempts = static_cast<int>(batches.Int(2));
    r.items = DoneItems(name, r.seq, &target);
    if (r.state != BatchState::kDone && !batches.IsNull(3)) {
      std::set<std::string> done;
      for (const ItemOutcome& o : r.items) done.insert(o.item.key);
      for (ObjectInfo& item : DecodeBatchItems(batches.Text(3))) {
        if (done.count(item.key) > 0) continue;
        ItemOutcome o;
        o.item = std::move(item);
        o.status = ItemStatus::kPending;
        o.attempts = 0;
        r.items.push_back(std::move(o));
      }
    }
    std::sort(r.items.begin(), r.items.end(),
              [](const ItemOutcome& a, const ItemOutcome& b) { return a.item.key < b.item.key; });
    fn(r);
  }
  batches.Reset();
  tx.Commit();
}

int64_t SqliteDatabase::PrepareRedrive(std::string_view name, const BatchCutter& cut,
                                       const nlohmann::json& spec) {
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
  InsertBatches(name, cut(std::move(items)), nullptr);
  conn_.Prepare("UPDATE executions SET status = 'RUNNING', stop_ms = 0, error = '', cause = '', "
                "manifest = '', spec = ?, redrive_count = redrive_count + 1 WHERE name = ?")
      .Bind(1, spec.dump())
      .Bind(2, name)
      .Run();
  tx.Commit();
  return count;
}

int64_t SqliteDatabase::SourceId(std::string_view uri, bool create) {
  auto it = source_ids_.find(std::string(uri));
  if (it != source_ids_.end()) return it->second;
  Statement get = conn_.Prepare("SELECT id FROM sources WHERE uri = ?");
  get.Bind(1, uri);
  int64_t id = get.Step() ? get.Int(0) : 0;
  get.Reset();
  if (id != 0) {
    source_ids_.emplace(std::string(uri), id);
  } else if (create) {
    // Not kept: the insert is part of the caller's transaction, which may yet roll back.
    conn_.Prepare("INSERT INTO sources (uri) VALUES (?)").Bind(1, uri).Run();
    id = sqlite3_last_insert_rowid(conn_.raw());
  }
  return id;
}

}  // namespace imagemill
