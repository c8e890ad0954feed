#include "db/postgres_database.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "db/postgres_arrays.h"
#include "db/postgres_schema.h"
#include "db/sqlite_database.h"  // EncodeBatchItems, EncodeSucceeded: the stored item lists
#include "util/clock.h"

namespace imagemill {

using pg::ArrayLiteral;

namespace {

constexpr const char* kExecutionColumns =
    "name, map_run_id, status, spec, start_ms, stop_ms, error, cause, redrive_count, cursor, "
    "listing_done, listed, unchanged, manifest";

// Rows read per statement by the ForEach calls: each page is its own short transaction, and the
// callback runs between them, never inside one.
constexpr int kPage = 500;

std::string S(std::string_view v) { return std::string(v); }

// Sessions commit without waiting for the WAL to reach disk (postgres_connection.h); the rare
// steps a crash must not undo (an execution created, finished or redriven) wait for it.
void Durable(pqxx::work& tx) { tx.exec("SET LOCAL synchronous_commit = on"); }

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

std::string Bytes(const pqxx::field& f) {
  pqxx::binarystring b(f);
  return b.str();
}

// Appends `batches` to the queue, numbered from the execution's next_batch. REQUIRES: the
// execution's row is locked by `tx`.
void InsertBatches(pqxx::work& tx, const std::string& name, int64_t next_batch,
                   const std::vector<BatchRecord>& batches) {
  if (batches.empty()) return;
  ArrayLiteral seqs, counts, bytes, items;
  int64_t seq = next_batch;
  for (const BatchRecord& b : batches) {
    seqs.Int(seq++);
    counts.Int(static_cast<int64_t>(b.items.size()));
    bytes.Int(static_cast<int64_t>(b.bytes));
    items.Hex(EncodeBatchItems(b.items));
  }
  tx.exec_params(
      "INSERT INTO batches (execution, seq, status, item_count, bytes, items) "
      "SELECT $1, s, 'PENDING', n, b, decode(h, 'hex') "
      "FROM unnest($2::bigint[], $3::integer[], $4::bigint[], $5::text[]) AS u(s, n, b, h)",
      name, seqs.str(), counts.str(), bytes.str(), items.str());
  tx.exec_params("UPDATE executions SET next_batch = $2 WHERE name = $1", name, seq);
}

}  // namespace

PostgresDatabase::PostgresDatabase(const std::string& uri, Clock& clock, pg::RetryOptions retry)
    : conn_(uri, clock, retry) {
  pg::MigrateSchema(conn_);
}

PostgresDatabase::~PostgresDatabase() = default;

int PostgresDatabase::BackendPid() {
  std::lock_guard<std::mutex> lock(mu_);
  return conn_.BackendPid();
}

ExecutionRecord PostgresDatabase::CreateOrGetExecution(const ExecutionRecord& p, bool* created) {
  std::lock_guard<std::mutex> lock(mu_);
  return conn_.Transact("create an execution", [&](pqxx::work& tx) {
    Durable(tx);
    pqxx::result ins = tx.exec_params(
        "INSERT INTO executions (name, map_run_id, status, spec, start_ms) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING",
        p.name, p.map_run_id, S(ExecutionStatusName(p.status)), p.spec.dump(), p.start_ms);
    *created = ins.affected_rows() > 0;
    return ReadExecution(tx.exec_params1(
        std::string("SELECT ") + kExecutionColumns + " FROM executions WHERE name = $1",
        p.name));
  });
}

std::optional<ExecutionRecord> PostgresDatabase::GetExecution(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  return conn_.Once("read an execution", [&](pqxx::nontransaction& tx) {
    pqxx::result r = tx.exec_params(
        std::string("SELECT ") + kExecutionColumns + " FROM executions WHERE name = $1", S(name));
    return r.empty() ? std::nullopt : std::optional<ExecutionRecord>(ReadExecution(r[0]));
  });
}

std::vector<ExecutionRecord> PostgresDatabase::ListExecutions(int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  return conn_.Once("list executions", [&](pqxx::nontransaction& tx) {
    std::vector<ExecutionRecord> out;
    for (const pqxx::row& r :
         tx.exec_params(std::string("SELECT ") + kExecutionColumns +
                            " FROM executions ORDER BY start_ms DESC, name LIMIT $1",
                        limit)) {
      out.push_back(ReadExecution(r));
    }
    return out;
  });
}

std::optional<ExecutionRecord> PostgresDatabase::FindUnfinished(const nlohmann::json& spec) {
  std::lock_guard<std::mutex> lock(mu_);
  return conn_.Once("find an unfinished execution", [&](pqxx::nontransaction& tx) {
    pqxx::result r = tx.exec_params(
        std::string("SELECT ") + kExecutionColumns +
            " FROM executions WHERE status IN ('RUNNING', 'ABORTED') AND spec = $1 "
            "ORDER BY start_ms DESC LIMIT 1",
        spec.dump());
    return r.empty() ? std::nullopt : std::optional<ExecutionRecord>(ReadExecution(r[0]));
  });
}

void PostgresDatabase::FinishExecution(std::string_view name, ExecutionStatus status,
                                       std::string_view error, std::string_view cause,
                                       int64_t stop_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  conn_.Transact("finish an execution", [&](pqxx::work& tx) {
    Durable(tx);
    tx.exec_params(
        "UPDATE executions SET status = $2, error = $3, cause = $4, stop_ms = $5 WHERE name = $1",
        S(name), S(ExecutionStatusName(status)), S(error), S(cause), stop_ms);
  });
}

void PostgresDatabase::SetManifest(std::string_view name, std::string_view manifest) {
  std::lock_guard<std::mutex> lock(mu_);
  conn_.Transact("record a manifest", [&](pqxx::work& tx) {
    Durable(tx);
    tx.exec_params("UPDATE executions SET manifest = $2 WHERE name = $1", S(name), S(manifest));
  });
}

bool PostgresDatabase::AppendListing(std::string_view name, std::string_view expected_cursor,
                                     const ListingStep& step) {
  std::lock_guard<std::mutex> lock(mu_);
  return conn_.Transact("save a listed page", [&](pqxx::work& tx) {
    // The row lock makes the compare-and-set: a second lister waits here, then sees the cursor
    // moved.
    pqxx::result cur = tx.exec_params(
        "SELECT cursor, listing_done, next_batch FROM executions WHERE name = $1 FOR UPDATE",
        S(name));
    if (cur.empty() || cur[0][0].as<std::string>() != expected_cursor || cur[0][1].as<bool>()) {
      return false;
    }
    InsertBatches(tx, S(name), cur[0][2].as<int64_t>(), step.batches);
    tx.exec_params(
        "UPDATE executions SET cursor = $2, listing_done = $3, listed = listed + $4, "
        "unchanged = unchanged + $5 WHERE name = $1",
        S(name), step.cursor, step.done, step.listed, step.unchanged);
    return true;
  });
}

std::vector<BatchRecord> PostgresDatabase::ClaimBatches(std::string_view name,
                                                        std::string_view owner, int max,
                                                        int64_t lease_until_ms) {
  if (max <= 0) return {};
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<BatchRecord> out = conn_.Once("claim batches", [&](pqxx::nontransaction& tx) {
    pqxx::result r = tx.exec_params(
        "WITH c AS (SELECT seq FROM batches WHERE execution = $1 AND status = 'PENDING' "
        "ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED) "
        "UPDATE batches b SET status = 'RUNNING', owner = $3, lease_until_ms = $4, "
        "attempts = b.attempts + 1 FROM c WHERE b.execution = $1 AND b.seq = c.seq "
        "RETURNING b.seq, b.items, b.bytes, b.attempts",
        S(name), max, S(owner), lease_until_ms);
    std::vector<BatchRecord> claimed;
    claimed.reserve(r.size());
    for (const pqxx::row& row : r) {
      BatchRecord b;
      b.seq = row[0].as<int64_t>();
      b.items = DecodeBatchItems(Bytes(row[1]));
      b.bytes = row[2].as<uint64_t>();
      b.attempts = row[3].as<int>();
      claimed.push_back(std::move(b));
    }
    return claimed;
  });
  std::sort(out.begin(), out.end(),
            [](const BatchRecord& a, const BatchRecord& b) { return a.seq < b.seq; });
  return out;
}

void PostgresDatabase::RenewLeases(std::string_view name, std::string_view owner,
                                   int64_t lease_until_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  conn_.Once("renew leases", [&](pqxx::nontransaction& tx) {
    tx.exec_params(
        "UPDATE batches SET lease_until_ms = $3 "
        "WHERE execution = $1 AND owner = $2 AND status = 'RUNNING'",
        S(name), S(owner), lease_until_ms);
  });
}

void PostgresDatabase::ReleaseBatches(std::string_view name, std::string_view owner,
                                      const std::vector<int64_t>& seqs) {
  if (seqs.empty()) return;
  ArrayLiteral list;
  for (int64_t s : seqs) list.Int(s);
  std::lock_guard<std::mutex> lock(mu_);
  conn_.Once("give batches back", [&](pqxx::nontransaction& tx) {
    tx.exec_params(
        "UPDATE batches SET status = 'PENDING', owner = NULL, lease_until_ms = NULL "
        "WHERE execution = $1 AND owner = $2 AND status = 'RUNNING' AND seq = ANY($3::bigint[])",
        S(name), S(owner), list.str());
  });
}

int64_t PostgresDatabase::RecoverOrphans(
    std::string_view name, int64_t now_ms,
    const std::function<bool(const std::string&)>& owner_is_dead) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> owners = conn_.Once("find lease owners", [&](pqxx::nontransaction& tx) {
    std::vector<std::string> found;
    for (const pqxx::row& r : tx.exec_params(
             "SELECT DISTINCT owner FROM batches WHERE execution = $1 AND status = 'RUNNING'",
             S(name))) {
      found.push_back(r[0].as<std::string>());
    }
    return found;
  });
  ArrayLiteral dead;
  for (const std::string& o : owners) {
    if (owner_is_dead(o)) dead.Text(o);
  }
  // SKIP LOCKED: a batch being completed right now is its owner's, not an orphan.
  return conn_.Once("recover orphaned batches", [&](pqxx::nontransaction& tx) {
    return static_cast<int64_t>(
        tx.exec_params(
              "WITH o AS (SELECT seq FROM batches WHERE execution = $1 AND status = 'RUNNING' "
              "AND (lease_until_ms < $2 OR owner = ANY($3::text[])) FOR UPDATE SKIP LOCKED) "
              "UPDATE batches b SET status = 'PENDING', owner = NULL, lease_until_ms = NULL "
              "FROM o WHERE b.execution = $1 AND b.seq = o.seq",
              S(name), now_ms, dead.str())
            .affected_rows());
  });
}

std::vector<int64_t> PostgresDatabase::CompleteBatches(std::string_view name,
                                                       std::string_view owner,
                                                       std::string_view bucket,
                                                       std::string_view processor,
                                                       const std::vector<FinishedBatch>& batches) {
  if (batches.empty()) return {};
  ArrayLiteral fence_seqs, fence_attempts;
  for (const FinishedBatch& b : batches) {
    fence_seqs.Int(b.seq);
    fence_attempts.Int(b.attempt);
  }
  std::lock_guard<std::mutex> lock(mu_);
  return conn_.Transact("complete batches", [&](pqxx::work& tx) {
    // The fence: only batches this claim still holds leave the queue. Their rows stay locked
    // until commit, so no one recovers or claims them meanwhile.
    std::map<int64_t, int> held;  // seq -> attempt
    for (const pqxx::row& r : tx.exec_params(
             "DELETE FROM batches b USING unnest($3::bigint[], $4::integer[]) AS f(seq, attempt) "
             "WHERE b.execution = $1 AND b.seq = f.seq AND b.status = 'RUNNING' "
             "AND b.owner = $2 AND (f.attempt = 0 OR b.attempts = f.attempt) "
             "RETURNING b.seq, b.attempts",
             S(name), S(owner), fence_seqs.str(), fence_attempts.str())) {
      held[r[0].as<int64_t>()] = r[1].as<int>();
    }
    std::vector<int64_t> completed;
    int64_t stale = 0;
    if (held.size() < batches.size()) {
      // A batch this very claim already completed (a commit whose answer was lost, run again)
      // counts as completed; any other is a stale completion.
      std::set<int64_t> mine;
      for (const pqxx::row& r : tx.exec_params(
               "SELECT d.seq FROM batches_done d JOIN unnest($3::bigint[], $4::integer[]) "
               "AS f(seq, attempt) ON d.seq = f.seq "
               "WHERE d.execution = $1 AND d.owner = $2 AND (f.attempt = 0 OR d.attempt = f.attempt)",
               S(name), S(owner), fence_seqs.str(), fence_attempts.str())) {
        mine.insert(r[0].as<int64_t>());
      }
      for (const FinishedBatch& b : batches) {
        if (held.count(b.seq) > 0) continue;
        if (mine.count(b.seq) > 0) {
          completed.push_back(b.seq);
        } else {
          ++stale;
        }
      }
    }
    // Rows to write, the last outcome for an id or key winning (one statement may not touch a
    // row twice).
    std::unordered_map<std::string_view, const ItemOutcome*> results, others;
    std::vector<std::string_view> result_order, other_order;
    ArrayLiteral done_seqs, done_succeeded, done_outcomes, done_attempts;
    for (const FinishedBatch& b : batches) {
      auto h = held.find(b.seq);
      if (h == held.end()) continue;
      int64_t n_succeeded = 0;
      for (const ItemOutcome& o : b.outcomes) {
        bool ok = o.status == ItemStatus::kSucceeded;
        n_succeeded += ok ? 1 : 0;
        auto& into = ok ? results : others;
        auto [it, fresh] = into.emplace(o.item.key, &o);
        if (fresh) {
          (ok ? result_order : other_order).push_back(o.item.key);
        } else {
          it->second = &o;
        }
      }
      done_seqs.Int(b.seq);
      done_succeeded.Int(n_succeeded);
      done_outcomes.Hex(EncodeSucceeded(b.outcomes));
      done_attempts.Int(h->second);
      completed.push_back(b.seq);
    }
    if (!held.empty()) {
      tx.exec_params(
          "INSERT INTO batches_done (execution, seq, succeeded, outcomes, owner, attempt, done_ms) "
          "SELECT $1, s, n, decode(o, 'hex'), $2, a, "
          "(extract(epoch FROM clock_timestamp()) * 1000)::bigint "
          "FROM unnest($3::bigint[], $4::integer[], $5::text[], $6::integer[]) AS u(s, n, o, a)",
          S(name), S(owner), done_seqs.str(), done_succeeded.str(), done_outcomes.str(),
          done_attempts.str());
    }
    if (!other_order.empty()) {
      ArrayLiteral keys, etags, sizes, modified, seqs, statuses, errors, causes, starts, stops,
          attempts;
      for (const FinishedBatch& b : batches) {
        if (held.count(b.seq) == 0) continue;
        for (const ItemOutcome& o : b.outcomes) {
          if (o.status == ItemStatus::kSucceeded || others.at(o.item.key) != &o) continue;
          keys.Text(o.item.key);
          etags.Text(o.item.etag);
          sizes.Int(static_cast<int64_t>(o.item.size));
          modified.Text(o.item.last_modified);
          seqs.Int(b.seq);
          statuses.Text(ItemStatusName(o.status));
          errors.Text(o.error);
          causes.Text(o.cause);
          starts.Int(o.start_ms);
          stops.Int(o.stop_ms);
          attempts.Int(o.attempts);
        }
      }
      tx.exec_params(
          "INSERT INTO items (execution, key, etag, size, last_modified, batch, status, error, "
          "cause, start_ms, stop_ms, attempts) SELECT $1, * FROM unnest($2::text[], $3::text[], "
          "$4::bigint[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::text[], "
          "$10::bigint[], $11::bigint[], $12::integer[]) "
          "ON CONFLICT (execution, key) DO UPDATE SET etag = excluded.etag, size = excluded.size, "
          "last_modified = excluded.last_modified, batch = excluded.batch, "
          "status = excluded.status, error = excluded.error, cause = excluded.cause, "
          "start_ms = excluded.start_ms, stop_ms = excluded.stop_ms, attempts = excluded.attempts",
          S(name), keys.str(), etags.str(), sizes.str(), modified.str(), seqs.str(),
          statuses.str(), errors.str(), causes.str(), starts.str(), stops.str(), attempts.str());
    }
    if (!result_order.empty()) {
      ArrayLiteral ids, etags, sizes, responses, stamps, label_ids, label_names, label_conf,
          label_direct;
      for (std::string_view id : result_order) {
        const ItemOutcome& o = *results.at(id);
        ids.Text(o.item.key);
        etags.Text(o.item.etag);
        sizes.Int(static_cast<int64_t>(o.item.size));
        responses.Text(o.response);
        stamps.Text(FormatIso8601(FromUnixMillis(o.stop_ms)));
        for (const LabelEntry& l : o.labels) {
          label_ids.Text(o.item.key);
          label_names.Text(l.name);
          label_conf.Double(l.confidence);
          label_direct.Bool(l.direct);
        }
      }
      // A new id is inserted; an id stored before is updated (xmax is then set) and its old
      // label entries dropped, so a first run over a bucket deletes no labels.
      pqxx::result upserted = tx.exec_params(
          "INSERT INTO results (id, bucket, key, etag, size, processor, response, execution, "
          "updated_at) SELECT u.id, $1, u.id, u.etag, u.size, $2, u.response, $3, u.stamp "
          "FROM unnest($4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[]) "
          "AS u(id, etag, size, response, stamp) "
          "ON CONFLICT (id) DO UPDATE SET bucket = excluded.bucket, key = excluded.key, "
          "etag = excluded.etag, size = excluded.size, processor = excluded.processor, "
          "response = excluded.response, execution = excluded.execution, "
          "updated_at = excluded.updated_at RETURNING id, xmax <> 0",
          S(bucket), S(processor), S(name), ids.str(), etags.str(), sizes.str(), responses.str(),
          stamps.str());
      ArrayLiteral updated;
      for (const pqxx::row& r : upserted) {
        if (r[1].as<bool>()) updated.Text(r[0].as<std::string>());
      }
      if (updated.size() > 0) {
        tx.exec_params("DELETE FROM labels WHERE id = ANY($1::text[])", updated.str());
      }
      if (label_ids.size() > 0) {
        // A name met twice for one image (a parent of two labels) keeps its highest confidence
        // and is direct if either is.
        tx.exec_params(
            "INSERT INTO labels (id, label, confidence, direct) "
            "SELECT id, min(label), max(confidence), bool_or(direct) FROM unnest($1::text[], "
            "$2::text[], $3::double precision[], $4::boolean[]) AS u(id, label, confidence, "
            "direct) GROUP BY id, lower(label) "
            "ON CONFLICT (id, lower(label)) DO UPDATE SET "
            "confidence = greatest(labels.confidence, excluded.confidence), "
            "direct = labels.direct OR excluded.direct",
            label_ids.str(), label_names.str(), label_conf.str(), label_direct.str());
      }
    }
    if (stale > 0) {
      tx.exec_params(
          "UPDATE executions SET stale_completions = stale_completions + $2 WHERE name = $1",
          S(name), stale);
    }
    std::sort(completed.begin(), completed.end());
    return completed;
  });
}

int64_t PostgresDatabase::StaleCompletions(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  return conn_.Once("read the stale completions", [&](pqxx::nontransaction& tx) {
    pqxx::result r = tx.exec_params(
        "SELECT stale_completions FROM executions WHERE name = $1", S(name));
    return r.empty() ? int64_t{0} : r[0][0].as<int64_t>();
  });
}

ItemCounts PostgresDatabase::CountItems(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  return conn_.Once("count items", [&](pqxx::nontransaction& tx) {
    ItemCounts c;
    // One statement: one snapshot, so the counts add up.
    pqxx::result r = tx.exec_params(
        "SELECT e.listed, e.unchanged, "
        "(SELECT coalesce(sum(succeeded), 0) FROM batches_done d WHERE d.execution = e.name), "
        "(SELECT coalesce(sum(item_count) FILTER (WHERE status = 'PENDING'), 0) "
        " FROM batches b WHERE b.execution = e.name), "
        "(SELECT coalesce(sum(item_count) FILTER (WHERE status = 'RUNNING'), 0) "
        " FROM batches b WHERE b.execution = e.name), "
        "(SELECT count(*) FILTER (WHERE status = 'FAILED') FROM items i WHERE i.execution = e.name), "
        "(SELECT count(*) FILTER (WHERE status = 'SKIPPED') FROM items i "
        " WHERE i.execution = e.name) "
        "FROM executions e WHERE e.name = $1",
        S(name));
    if (r.empty()) return c;
    c.total = r[0][0].as<int64_t>();
    c.skipped = r[0][1].as<int64_t>() + r[0][6].as<int64_t>();
    c.succeeded = r[0][2].as<int64_t>();
    c.pending = r[0][3].as<int64_t>();
    c.running = r[0][4].as<int64_t>();
    c.failed = r[0][5].as<int64_t>();
    c.results_written = c.succeeded;
    return c;
  });
}

void PostgresDatabase::ForEachOutcome(std::string_view name, ItemStatus status,
                                      const std::function<void(const ItemOutcome&)>& fn) {
  std::unique_lock<std::mutex> lock(mu_, std::defer_lock);
  if (status != ItemStatus::kSucceeded) {
    std::string after;
    for (bool first = true;; first = false) {
      lock.lock();
      std::vector<ItemOutcome> page = conn_.Transact("read item outcomes", [&](pqxx::work& tx) {
        std::vector<ItemOutcome> out;
        for (const pqxx::row& r : tx.exec_params(
                 "SELECT key, etag, size, last_modified, error, cause, start_ms, stop_ms, "
                 "attempts FROM items WHERE execution = $1 AND status = $2 "
                 "AND ($3 OR key > $4) ORDER BY key LIMIT $5",
                 S(name), S(ItemStatusName(status)), first, after, kPage)) {
          ItemOutcome o;
          o.item = {r[0].as<std::string>(), r[2].as<uint64_t>(), r[1].as<std::string>(),
                    r[3].as<std::string>()};
          o.status = status;
          o.error = r[4].as<std::string>();
          o.cause = r[5].as<std::string>();
          o.start_ms = r[6].as<int64_t>();
          o.stop_ms = r[7].as<int64_t>();
          o.attempts = r[8].as<int>();
          out.push_back(std::move(o));
        }
        return out;
      });
      lock.unlock();
      for (const ItemOutcome& o : page) fn(o);
      if (page.size() < static_cast<size_t>(kPage)) return;
      after = page.back().item.key;
    }
  }
  int64_t after = -1;
  for (;;) {
    lock.lock();
    auto [page, last] = conn_.Transact("read item outcomes", [&](pqxx::work& tx) {
      std::vector<ItemOutcome> out;
      int64_t last_seq = after;
      int rows = 0;
      ArrayLiteral ids;
      for (const pqxx::row& r : tx.exec_params(
               "SELECT seq, outcomes FROM batches_done WHERE execution = $1 AND seq > $2 "
               "ORDER BY seq LIMIT $3",
               S(name), after, kPage / 10)) {
        ++rows;
        last_seq = r[0].as<int64_t>();
        for (ItemOutcome& o : DecodeSucceeded(Bytes(r[1]))) {
          ids.Text(o.item.key);
          out.push_back(std::move(o));
        }
      }
      std::unordered_map<std::string, std::string> responses;
      if (!out.empty()) {
        for (const pqxx::row& r : tx.exec_params(
                 "SELECT id, response FROM results WHERE id = ANY($1::text[])", ids.str())) {
          responses.emplace(r[0].as<std::string>(), r[1].as<std::string>());
        }
      }
      for (ItemOutcome& o : out) {
        if (auto it = responses.find(o.item.key); it != responses.end()) o.response = it->second;
      }
      return std::make_pair(std::move(out), rows == kPage / 10 ? last_seq : int64_t{-2});
    });
    lock.unlock();
    for (const ItemOutcome& o : page) fn(o);
    if (last == -2) return;
    after = last;
  }
}

void PostgresDatabase::ForEachPendingItem(std::string_view name,
                                          const std::function<void(const ObjectInfo&)>& fn) {
  int64_t after = -1;
  for (;;) {
    std::vector<std::string> page;
    {
      std::lock_guard<std::mutex> lock(mu_);
      int64_t last = after;
      page = conn_.Once("read pending items", [&](pqxx::nontransaction& tx) {
        std::vector<std::string> out;
        last = after;
        for (const pqxx::row& r : tx.exec_params(
                 "SELECT seq, items FROM batches WHERE execution = $1 AND seq > $2 "
                 "ORDER BY seq LIMIT $3",
                 S(name), after, kPage / 10)) {
          last = r[0].as<int64_t>();
          out.push_back(Bytes(r[1]));
        }
        return out;
      });
      after = last;
    }
    for (const std::string& items : page) {
      for (const ObjectInfo& o : DecodeBatchItems(items)) fn(o);
    }
    if (page.size() < static_cast<size_t>(kPage / 10)) return;
  }
}

int64_t PostgresDatabase::PrepareRedrive(std::string_view name, const BatchCutter& cut) {
  std::lock_guard<std::mutex> lock(mu_);
  return conn_.Transact("prepare a redrive", [&](pqxx::work& tx) {
    Durable(tx);
    pqxx::result e = tx.exec_params(
        "SELECT next_batch FROM executions WHERE name = $1 FOR UPDATE", S(name));
    if (e.empty()) throw pg::Error("no execution named " + S(name), false);
    std::vector<ObjectInfo> items;
    for (const pqxx::row& r : tx.exec_params(
             "DELETE FROM items WHERE execution = $1 AND status = 'FAILED' "
             "RETURNING key, size, etag, last_modified",
             S(name))) {
      items.push_back({r[0].as<std::string>(), r[1].as<uint64_t>(), r[2].as<std::string>(),
                       r[3].as<std::string>()});
    }
    std::sort(items.begin(), items.end(),
              [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
    const auto count = static_cast<int64_t>(items.size());
    InsertBatches(tx, S(name), e[0][0].as<int64_t>(), cut(std::move(items)));
    tx.exec_params(
        "UPDATE executions SET status = 'RUNNING', stop_ms = 0, error = '', cause = '', "
        "redrive_count = redrive_count + 1 WHERE name = $1",
        S(name));
    return count;
  });
}

}  // namespace imagemill
