// PostgresDatabase's StateStore: executions, listing, leases, counts and redrive (claims and
// completions are in postgres_batches.cc).
#include "db/postgres_database.h"

#include <algorithm>

#include "db/batch_codec.h"
#include "db/postgres_arrays.h"
#include "db/postgres_schema.h"
#include "db/postgres_rows.h"

namespace imagemill {

using pg::ArrayLiteral;

namespace {

constexpr const char* kExecutionColumns =
    "name, map_run_id, status, spec, start_ms, stop_ms, error, cause, redrive_count, cursor, "
    "listing_done, listed, unchanged, manifest";

// Rows read per statement by ForEachOutcome: each page is its own statement, and the callback
// runs between them, never inside one.
constexpr int kPage = 500;

ExecutionRecord ReadExecution(const pqxx::row& r) {
  ExecutionRecord e;
  e.name = r[0].as<std::string>();
  e.map_run_id = r[1].as<std::string>();
  e.status = ParseExecutionStatus(r[2].as<std::string>()).value_or(ExecutionStatus::kFailed);
  e.spec = nlohmann::json::parse(r[3].as<std::string>(), nullptr, false);
  e.start_ms = r[4].as<int64_t>();
  e.stop_ms = r[5].as<int64_t>();
  e.error = r[6].as<std::string>();
  e.cause = r[7].as<std::string>();
  e.redrive_count = r[8].as<int>();
  e.cursor = r[9].as<std::string>();
  e.listing_done = r[10].as<bool>();
  e.listed = r[11].as<int64_t>();
  e.unchanged = r[12].as<int64_t>();
  e.manifest = r[13].as<std::string>();
  return e;
}

std::optional<ExecutionRecord> FirstExecution(const pqxx::result& r) {
  return r.empty() ? std::nullopt : std::optional<ExecutionRecord>(ReadExecution(r[0]));
}

// Appends `batches` (PENDING) and then `answered` (DONE at once, every item succeeded at
// `answered_at_ms` from its stored answer) to the queue, numbered from `seq`; returns the next
// number. REQUIRES: the execution's row is locked by `tx`.
int64_t InsertBatches(pqxx::work& tx, const std::string& name, int64_t seq,
                      const std::vector<BatchRecord>& batches,
                      const std::vector<BatchRecord>& answered, int64_t answered_at_ms) {
  if (!batches.empty()) {
    ArrayLiteral seqs, counts, bytes;
    pg::PackedBytes items;
    for (const BatchRecord& b : batches) {
      seqs.Int(seq++);
      counts.Int(static_cast<int64_t>(b.items.size()));
      bytes.Int(static_cast<int64_t>(b.bytes));
      items.Add(EncodeBatchItems(b.items));
    }
    tx.exec_params(
        "INSERT INTO batches (execution, seq, status, item_count, bytes, items) "
        "SELECT $1, s, 'PENDING', n, b, substring($5::bytea FROM o FOR l) "
        "FROM unnest($2::bigint[], $3::integer[], $4::bigint[], $6::integer[], $7::integer[]) "
        "AS u(s, n, b, o, l)",
        name, seqs.str(), counts.str(), bytes.str(), items.blob(), items.offsets(),
        items.lengths());
  }
  ArrayLiteral seqs, counts, firsts;
  pg::PackedBytes outcomes;
  for (const BatchRecord& b : answered) {
    if (b.items.empty()) continue;
    std::vector<ItemOutcome> succeeded(b.items.size());
    for (size_t i = 0; i < b.items.size(); ++i) {
      succeeded[i].item = b.items[i];
      succeeded[i].start_ms = succeeded[i].stop_ms = answered_at_ms;
      succeeded[i].attempts = 0;
    }
    seqs.Int(seq++);
    counts.Int(static_cast<int64_t>(b.items.size()));
    firsts.Text(b.items.front().key);
    outcomes.Add(EncodeSucceeded(succeeded));
  }
  if (seqs.size() > 0) {
    tx.exec_params(
        "INSERT INTO batches_done (execution, seq, item_count, attempts, owner, done_ms) "
        "SELECT $1, s, n, 0, '', $3 FROM unnest($2::bigint[], $4::integer[]) AS u(s, n)",
        name, seqs.str(), answered_at_ms, counts.str());
    tx.exec_params(
        "INSERT INTO batch_parts (execution, seq, first_key, owner, attempt, succeeded, outcomes) "
        "SELECT $1, s, f, '', 0, n, substring($5::bytea FROM o FOR l) "
        "FROM unnest($2::bigint[], $3::text[], $4::integer[], $6::integer[], $7::integer[]) "
        "AS u(s, f, n, o, l)",
        name, seqs.str(), firsts.str(), counts.str(), outcomes.blob(), outcomes.offsets(),
        outcomes.lengths());
  }
  return seq;
}

}  // namespace

PostgresDatabase::PostgresDatabase(const std::string& uri, Clock& clock, pg::RetryOptions retry)
    : uri_(uri), clock_(clock), retry_(retry) {
  writes_.conn = std::make_unique<pg::Connection>(uri, clock, retry);
  pg::MigrateSchema(*writes_.conn);
}

PostgresDatabase::~PostgresDatabase() = default;

bool PostgresDatabase::HasSchema(const std::string& uri, pg::RetryOptions retry) {
  pg::Connection conn(uri, Clock::Real(), retry);
  return pg::StoredSchemaVersion(conn) > 0;
}

pg::Connection& PostgresDatabase::Reads(std::unique_lock<std::mutex>& lock) {
  lock = std::unique_lock<std::mutex>(reads_.mu);
  if (!reads_.conn) {
    // The database was reached already (writes_): a failure now is one that lasts, not a wrong
    // --db, and is waited for as long as any other.
    pg::RetryOptions retry = retry_;
    retry.first_connect_give_up_after = retry.give_up_after;
    reads_.conn = std::make_unique<pg::Connection>(uri_, clock_, retry);
  }
  return *reads_.conn;
}

int PostgresDatabase::BackendPid() {
  std::lock_guard<std::mutex> lock(writes_.mu);
  return writes_.conn->BackendPid();
}

ExecutionRecord PostgresDatabase::CreateOrGetExecution(const ExecutionRecord& p, bool* created) {
  std::lock_guard<std::mutex> lock(writes_.mu);
  return writes_.conn->Transact("create an execution", [&](pqxx::work& tx) {
    pg::Durable(tx);
    pqxx::result ins = tx.exec_params(
        "INSERT INTO executions (name, map_run_id, status, spec, start_ms) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING",
        p.name, p.map_run_id, pg::S(ExecutionStatusName(p.status)), p.spec.dump(), p.start_ms);
    *created = ins.affected_rows() > 0;
    return ReadExecution(tx.exec_params1(
        std::string("SELECT ") + kExecutionColumns + " FROM executions WHERE name = $1", p.name));
  });
}

std::optional<ExecutionRecord> PostgresDatabase::GetExecution(std::string_view name) {
  std::unique_lock<std::mutex> lock;
  return Reads(lock).Once("read an execution", [&](pqxx::nontransaction& tx) {
    return FirstExecution(tx.exec_params(
        std::string("SELECT ") + kExecutionColumns + " FROM executions WHERE name = $1",
        pg::S(name)));
  });
}

std::vector<ExecutionRecord> PostgresDatabase::ListExecutions(const ExecutionFilter& f) {
  std::unique_lock<std::mutex> lock;
  return Reads(lock).Once("list executions", [&](pqxx::nontransaction& tx) {
    std::vector<ExecutionRecord> out;
    const std::string status = f.status ? pg::S(ExecutionStatusName(*f.status)) : "";
    for (const pqxx::row& r : tx.exec_params(
             std::string("SELECT ") + kExecutionColumns +
                 " FROM executions WHERE ($1 = '' OR status = $1) AND "
                 "(NOT $2 OR start_ms < $3 OR (start_ms = $3 AND name > $4)) "
                 "ORDER BY start_ms DESC, name LIMIT $5",
             status, f.after.has_value(), f.after ? f.after->first : int64_t{0},
             f.after ? f.after->second : std::string(), std::max(0, f.limit))) {
      out.push_back(ReadExecution(r));
    }
    return out;
  });
}

std::optional<ExecutionRecord> PostgresDatabase::FindUnfinished(const nlohmann::json& spec) {
  std::unique_lock<std::mutex> lock;
  return Reads(lock).Once("find an unfinished execution", [&](pqxx::nontransaction& tx) {
    return FirstExecution(tx.exec_params(
        std::string("SELECT ") + kExecutionColumns +
            " FROM executions WHERE status IN ('RUNNING', 'ABORTED') AND "
            "spec::jsonb - 'mapRunUpdates' - 'maxConcurrency' = "
            "$1::jsonb - 'mapRunUpdates' - 'maxConcurrency' "
            "ORDER BY start_ms DESC LIMIT 1",
        spec.dump()));
  });
}

bool PostgresDatabase::UpdateExecution(std::string_view name, ExecutionStatus from,
                                       const ExecutionUpdate& u) {
  std::lock_guard<std::mutex> lock(writes_.mu);
  int tries = 0;
  return writes_.conn->Transact("change an execution's status", [&](pqxx::work& tx) {
    const bool again = ++tries > 1;
    pg::Durable(tx);
    pqxx::result r = tx.exec_params(
        "UPDATE executions SET status = $3, error = $4, cause = $5, stop_ms = $6, "
        "manifest = CASE WHEN $7 THEN $8 ELSE manifest END, "
        "spec = CASE WHEN $9 THEN $10 ELSE spec END WHERE name = $1 AND status = $2",
        pg::S(name), pg::S(ExecutionStatusName(from)), pg::S(ExecutionStatusName(u.status)),
        u.error, u.cause, u.stop_ms, u.manifest.has_value(), u.manifest.value_or(""),
        u.spec.has_value(), u.spec ? u.spec->dump() : std::string());
    if (r.affected_rows() > 0) return true;
    if (!again) return false;
    // Run again after a commit whose answer was lost: the row as this change left it means the
    // change was made.
    pqxx::result now = tx.exec_params(
        "SELECT 1 FROM executions WHERE name = $1 AND status = $2 AND error = $3 AND cause = $4 "
        "AND stop_ms = $5 AND (NOT $6 OR manifest = $7)",
        pg::S(name), pg::S(ExecutionStatusName(u.status)), u.error, u.cause, u.stop_ms,
        u.manifest.has_value(), u.manifest.value_or(""));
    return !now.empty();
  });
}

bool PostgresDatabase::AppendListing(std::string_view name, std::string_view expected_cursor,
                                     const ListingStep& step) {
  std::lock_guard<std::mutex> lock(writes_.mu);
  return writes_.conn->Transact("save a listed page", [&](pqxx::work& tx) {
    // The row lock makes the compare-and-set: a second lister waits here, then sees the cursor
    // moved.
    pqxx::result cur = tx.exec_params(
        "SELECT cursor, listing_done, next_batch FROM executions WHERE name = $1 FOR UPDATE",
        pg::S(name));
    if (cur.empty() || cur[0][0].as<std::string>() != expected_cursor || cur[0][1].as<bool>()) {
      return false;
    }
    const int64_t next = InsertBatches(tx, pg::S(name), cur[0][2].as<int64_t>(), step.batches,
                                       step.answered, step.answered_at_ms);
    int64_t unchanged = 0;
    for (const BatchRecord& b : step.answered) unchanged += static_cast<int64_t>(b.items.size());
    tx.exec_params(
        "UPDATE executions SET cursor = $2, listing_done = $3, listed = listed + $4, "
        "unchanged = unchanged + $5, next_batch = $6 WHERE name = $1",
        pg::S(name), step.cursor, step.done, step.listed, unchanged, next);
    return true;
  });
}

int64_t PostgresDatabase::RenewLeases(std::string_view name, std::string_view owner,
                                      int64_t lease_until_ms) {
  std::unique_lock<std::mutex> lock;
  return Reads(lock).Once("renew leases", [&](pqxx::nontransaction& tx) {
    return static_cast<int64_t>(
        tx.exec_params("UPDATE batches SET lease_until_ms = $3 "
                       "WHERE execution = $1 AND owner = $2 AND status = 'RUNNING'",
                       pg::S(name), pg::S(owner), lease_until_ms)
            .affected_rows());
  });
}

void PostgresDatabase::ReleaseBatches(std::string_view name, std::string_view owner,
                                      const std::vector<std::pair<int64_t, int>>& claims) {
  if (claims.empty()) return;
  ArrayLiteral seqs, attempts;
  for (const auto& [seq, attempt] : claims) {
    seqs.Int(seq);
    attempts.Int(attempt);
  }
  std::unique_lock<std::mutex> lock;
  Reads(lock).Once("give batches back", [&](pqxx::nontransaction& tx) {
    tx.exec_params(
        "UPDATE batches b SET status = 'PENDING', owner = NULL, lease_until_ms = NULL "
        "FROM unnest($3::bigint[], $4::integer[]) AS c(seq, attempt) "
        "WHERE b.execution = $1 AND b.seq = c.seq AND b.attempts = c.attempt "
        "AND b.owner = $2 AND b.status = 'RUNNING'",
        pg::S(name), pg::S(owner), seqs.str(), attempts.str());
  });
}

int64_t PostgresDatabase::RecoverOrphans(
    std::string_view name, int64_t now_ms,
    const std::function<bool(const std::string&)>& owner_is_dead) {
  std::unique_lock<std::mutex> lock;
  pg::Connection& conn = Reads(lock);
  std::vector<std::string> owners = conn.Once("find lease owners", [&](pqxx::nontransaction& tx) {
    std::vector<std::string> found;
    for (const pqxx::row& r : tx.exec_params(
             "SELECT DISTINCT owner FROM batches WHERE execution = $1 AND status = 'RUNNING'",
             pg::S(name))) {
      found.push_back(r[0].as<std::string>());
    }
    return found;
  });
  if (owners.empty()) return 0;
  ArrayLiteral dead;
  for (const std::string& o : owners) {
    if (owner_is_dead(o)) dead.Text(o);
  }
  return conn.Once("recover orphaned batches", [&](pqxx::nontransaction& tx) {
    return static_cast<int64_t>(
        tx.exec_params("UPDATE batches SET status = 'PENDING', owner = NULL, "
                       "lease_until_ms = NULL WHERE execution = $1 AND status = 'RUNNING' AND "
                       "(lease_until_ms < $2 OR owner = ANY ($3::text[]))",
                       pg::S(name), now_ms, dead.str())
            .affected_rows());
  });
}

int64_t PostgresDatabase::StaleCompletions(std::string_view name) {
  std::unique_lock<std::mutex> lock;
  return Reads(lock).Once("read the stale completions", [&](pqxx::nontransaction& tx) {
    pqxx::result r = tx.exec_params(
        "SELECT stale_completions FROM executions WHERE name = $1", pg::S(name));
    return r.empty() ? int64_t{0} : r[0][0].as<int64_t>();
  });
}

ItemCounts PostgresDatabase::CountItems(std::string_view name) {
  std::unique_lock<std::mutex> lock;
  return Reads(lock).Once("count items", [&](pqxx::nontransaction& tx) {
    ItemCounts c;
    // One statement: one snapshot, so the counts add up.
    pqxx::result r = tx.exec_params(
        "SELECT e.listed, e.unchanged, "
        "(SELECT coalesce(sum(succeeded), 0) FROM batch_parts p WHERE p.execution = e.name), "
        "(SELECT coalesce(sum(item_count - done_items) FILTER (WHERE status = 'PENDING'), 0) "
        " FROM batches b WHERE b.execution = e.name), "
        "(SELECT coalesce(sum(item_count - done_items) FILTER (WHERE status = 'RUNNING'), 0) "
        " FROM batches b WHERE b.execution = e.name), "
        "(SELECT count(*) FILTER (WHERE status = 'FAILED') FROM items i "
        " WHERE i.execution = e.name), "
        "(SELECT count(*) FILTER (WHERE status = 'SKIPPED') FROM items i "
        " WHERE i.execution = e.name) "
        "FROM executions e WHERE e.name = $1",
        pg::S(name));
    if (r.empty()) return c;
    c.total = r[0][0].as<int64_t>();
    c.unchanged = r[0][1].as<int64_t>();
    c.succeeded = r[0][2].as<int64_t>();
    c.pending = r[0][3].as<int64_t>();
    c.running = r[0][4].as<int64_t>();
    c.failed = r[0][5].as<int64_t>();
    c.skipped = r[0][6].as<int64_t>();
    c.results_written = c.succeeded;
    return c;
  });
}

void PostgresDatabase::ForEachOutcome(std::string_view name, ItemStatus status,
                                      const std::function<void(const ItemOutcome&)>& fn) {
  if (status != ItemStatus::kFailed && status != ItemStatus::kSkipped) return;
  std::string after;
  for (bool first = true;; first = false) {
    std::vector<ItemOutcome> page;
    {
      std::unique_lock<std::mutex> lock;
      page = Reads(lock).Once("read item outcomes", [&](pqxx::nontransaction& tx) {
        std::vector<ItemOutcome> out;
        for (const pqxx::row& r : tx.exec_params(
                 "SELECT key, etag, size, last_modified, error, cause, start_ms, stop_ms, "
                 "attempts FROM items WHERE execution = $1 AND status = $2 "
                 "AND ($3 OR key > $4) ORDER BY key LIMIT $5",
                 pg::S(name), pg::S(ItemStatusName(status)), first, after, kPage)) {
          out.push_back(pg::ReadOtherOutcome(r, status));
        }
        return out;
      });
    }
    for (const ItemOutcome& o : page) fn(o);
    if (page.size() < static_cast<size_t>(kPage)) return;
    after = page.back().item.key;
  }
}

std::vector<std::pair<std::string, int64_t>> PostgresDatabase::CountErrors(std::string_view name,
                                                                           ItemStatus status) {
  std::unique_lock<std::mutex> lock;
  return Reads(lock).Once("count errors", [&](pqxx::nontransaction& tx) {
    std::vector<std::pair<std::string, int64_t>> out;
    for (const pqxx::row& r : tx.exec_params(
             "SELECT error, count(*) AS n FROM items WHERE execution = $1 AND status = $2 "
             "GROUP BY error ORDER BY n DESC, error",
             pg::S(name), pg::S(ItemStatusName(status)))) {
      out.emplace_back(r[0].as<std::string>(), r[1].as<int64_t>());
    }
    return out;
  });
}

int64_t PostgresDatabase::PrepareRedrive(std::string_view name, const BatchCutter& cut,
                                         const nlohmann::json& spec) {
  std::lock_guard<std::mutex> lock(writes_.mu);
  return writes_.conn->Transact("prepare a redrive", [&](pqxx::work& tx) {
    pg::Durable(tx);
    pqxx::result e = tx.exec_params(
        "SELECT next_batch FROM executions WHERE name = $1 FOR UPDATE", pg::S(name));
    if (e.empty()) throw pg::Error("no execution named " + pg::S(name), false);
    std::vector<ObjectInfo> items;
    for (const pqxx::row& r : tx.exec_params(
             "DELETE FROM items WHERE execution = $1 AND status = 'FAILED' "
             "RETURNING key, size, etag, last_modified",
             pg::S(name))) {
      items.push_back({r[0].as<std::string>(), r[1].as<uint64_t>(), r[2].as<std::string>(),
                       r[3].as<std::string>()});
    }
    std::sort(items.begin(), items.end(),
              [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
    const auto count = static_cast<int64_t>(items.size());
    const int64_t next =
        InsertBatches(tx, pg::S(name), e[0][0].as<int64_t>(), cut(std::move(items)), {}, 0);
    tx.exec_params(
        "UPDATE executions SET status = 'RUNNING', stop_ms = 0, error = '', cause = '', "
        "manifest = '', spec = $2, redrive_count = redrive_count + 1, next_batch = $3 "
        "WHERE name = $1",
        pg::S(name), spec.dump(), next);
    return count;
  });
}

}  // namespace imagemill
