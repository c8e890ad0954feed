// PostgresDatabase's batches: claiming them, completing their parts, reading them back for the
// result writer.
#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "db/batch_codec.h"
#include "db/postgres_arrays.h"
#include "db/postgres_database.h"
#include "db/postgres_rows.h"
#include "util/clock.h"
#include "workflow/listing_answer.h"

namespace imagemill {

using pg::ArrayLiteral;

namespace {

// Batches read per page by ForEachBatch: each page is one short transaction, and the callback
// runs between them.
constexpr int kBatchPage = 100;

// The outcomes committed so far for batches `seqs` of `name`, by seq: the succeeded ones (as
// EncodeSucceeded stored them: no answer) and the failed and skipped ones.
std::map<int64_t, std::vector<ItemOutcome>> Committed(pqxx::transaction_base& tx,
                                                      const std::string& name,
                                                      const std::string& seqs) {
  std::map<int64_t, std::vector<ItemOutcome>> out;
  for (const pqxx::row& r : tx.exec_params(
           "SELECT seq, outcomes FROM batch_parts WHERE execution = $1 AND seq = ANY ($2::bigint[]) "
           "AND succeeded > 0",
           name, seqs)) {
    std::vector<ItemOutcome>& into = out[r[0].as<int64_t>()];
    for (ItemOutcome& o : DecodeSucceeded(pg::Bytes(r[1]))) into.push_back(std::move(o));
  }
  for (const pqxx::row& r : tx.exec_params(
           "SELECT batch, status, key, etag, size, last_modified, error, cause, start_ms, "
           "stop_ms, attempts FROM items WHERE execution = $1 AND batch = ANY ($2::bigint[])",
           name, seqs)) {
    const ItemStatus status =
        r[1].as<std::string>() == "SKIPPED" ? ItemStatus::kSkipped : ItemStatus::kFailed;
    out[r[0].as<int64_t>()].push_back(pg::ReadOtherOutcome(r, status, 2));
  }
  return out;
}

// Keeps the items of `items` that have no outcome in `done`.
void DropDone(std::vector<ObjectInfo>& items, const std::vector<ItemOutcome>& done) {
  std::set<std::string_view> keys;
  for (const ItemOutcome& o : done) keys.insert(o.item.key);
  std::erase_if(items, [&](const ObjectInfo& o) { return keys.count(o.key) > 0; });
}

}  // namespace

std::vector<BatchRecord> PostgresDatabase::ClaimBatches(std::string_view name,
                                                        std::string_view owner, int max,
                                                        int64_t now_ms, int64_t lease_until_ms) {
  if (max <= 0) return {};
  std::unique_lock<std::mutex> lock;
  pg::Connection& conn = Reads(lock);
  std::vector<BatchRecord> out;
  ArrayLiteral partly_done;
  conn.Once("claim batches", [&](pqxx::nontransaction& tx) {
    out.clear();
    partly_done = ArrayLiteral();
    pqxx::result r = tx.exec_params(
        "WITH c AS (SELECT seq FROM batches WHERE execution = $1 AND (status = 'PENDING' OR "
        "(status = 'RUNNING' AND lease_until_ms < $5 AND owner <> $3)) "
        "ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED) "
        "UPDATE batches b SET status = 'RUNNING', owner = $3, lease_until_ms = $4, "
        "attempts = b.attempts + 1 FROM c WHERE b.execution = $1 AND b.seq = c.seq "
        "RETURNING b.seq, b.items, b.bytes, b.attempts, b.done_items",
        pg::S(name), max, pg::S(owner), lease_until_ms, now_ms);
    out.reserve(r.size());
    for (const pqxx::row& row : r) {
      BatchRecord b;
      b.seq = row[0].as<int64_t>();
      b.items = DecodeBatchItems(pg::Bytes(row[1]));
      b.bytes = row[2].as<uint64_t>();
      b.attempt = row[3].as<int>();
      if (row[4].as<int>() > 0) partly_done.Int(b.seq);
      out.push_back(std::move(b));
    }
  });
  std::sort(out.begin(), out.end(),
            [](const BatchRecord& a, const BatchRecord& b) { return a.seq < b.seq; });
  if (partly_done.size() > 0) {
    // A batch whose earlier owner committed some of its items comes back without them.
    std::map<int64_t, std::vector<ItemOutcome>> done =
        conn.Once("read committed items", [&](pqxx::nontransaction& tx) {
          return Committed(tx, pg::S(name), partly_done.str());
        });
    for (BatchRecord& b : out) {
      if (auto it = done.find(b.seq); it != done.end()) DropDone(b.items, it->second);
    }
  }
  return out;
}

std::vector<int64_t> PostgresDatabase::CompleteBatches(std::string_view name,
                                                       std::string_view owner,
                                                       const AnswerTarget& target,
                                                       const std::vector<FinishedBatch>& batches) {
  if (batches.empty()) return {};
  // Parts in seq order (a batch's parts keep theirs), so two completions lock rows in one order.
  std::vector<const FinishedBatch*> parts;
  for (const FinishedBatch& b : batches) parts.push_back(&b);
  std::stable_sort(parts.begin(), parts.end(),
                   [](const FinishedBatch* a, const FinishedBatch* b) { return a->seq < b->seq; });
  // The last outcome for a key wins (one statement may not write a row twice).
  std::unordered_map<std::string_view, const ItemOutcome*> last;
  for (const FinishedBatch* b : parts) {
    for (const ItemOutcome& o : b->outcomes) last[o.item.key] = &o;
  }
  ArrayLiteral b_seq, b_attempt, b_last, b_first, b_count, b_succeeded;
  pg::PackedBytes b_outcomes;
  ArrayLiteral f_part, f_key, f_etag, f_size, f_modified, f_status, f_error, f_cause, f_start,
      f_stop, f_attempts;
  ArrayLiteral r_part, r_id, r_etag, r_size, r_response, r_stamp, r_modified;
  ArrayLiteral l_answer, l_name, l_confidence, l_direct;
  int64_t part = 0, answer = 0;
  for (const FinishedBatch* b : parts) {
    ++part;  // 1-based, as PostgreSQL's arrays
    int64_t succeeded = 0;
    for (const ItemOutcome& o : b->outcomes) {
      if (last.at(o.item.key) != &o) continue;
      if (o.status != ItemStatus::kSucceeded) {
        f_part.Int(part);
        f_key.Text(o.item.key);
        f_etag.Text(o.item.etag);
        f_size.Int(static_cast<int64_t>(o.item.size));
        f_modified.Text(o.item.last_modified);
        f_status.Text(ItemStatusName(o.status));
        f_error.Text(o.error);
        f_cause.Text(o.cause);
        f_start.Int(o.start_ms);
        f_stop.Int(o.stop_ms);
        f_attempts.Int(o.attempts);
        continue;
      }
      ++succeeded;
      ++answer;
      r_part.Int(part);
      r_id.Text(o.item.key);
      r_etag.Text(o.item.etag);
      r_size.Int(static_cast<int64_t>(o.item.size));
      r_response.Text(o.response);
      r_stamp.Text(FormatIso8601(FromUnixMillis(o.stop_ms)));
      r_modified.Text(o.item.last_modified);
      for (const IndexEntry& e : o.index) {
        l_answer.Int(answer);
        l_name.Text(e.name);
        l_confidence.Double(e.confidence);
        l_direct.Bool(e.direct);
      }
    }
    b_seq.Int(b->seq);
    b_attempt.Int(b->attempt);
    b_last.Bool(b->last);
    if (b->outcomes.empty()) {
      b_first.Null();
    } else {
      b_first.Text(b->outcomes.front().item.key);
    }
    b_count.Int(static_cast<int64_t>(b->outcomes.size()));
    b_succeeded.Int(succeeded);
    b_outcomes.Add(EncodeSucceeded(b->outcomes));
  }
  std::lock_guard<std::mutex> lock(writes_.mu);
  std::vector<int64_t> written =
      writes_.conn->Once("complete batches", [&](pqxx::nontransaction& tx) {
        return pg::BigintArray(tx.exec_params1(
            "SELECT imagemill_complete($1, $2, $3, $4, $5, $6::bigint[], $7::integer[], "
            "$8::boolean[], $9::text[], $10::integer[], $11::integer[], $12::bytea, "
            "$13::integer[], $14::integer[], $15::integer[], $16::text[], $17::text[], "
            "$18::bigint[], $19::text[], $20::text[], $21::text[], $22::text[], $23::bigint[], "
            "$24::bigint[], $25::integer[], $26::integer[], $27::text[], $28::text[], "
            "$29::bigint[], $30::text[], $31::text[], $32::integer[], $33::text[], "
            "$34::double precision[], $35::boolean[], $36::text[])",
            pg::S(name), pg::S(owner), target.source, target.kind, target.processor,
            b_seq.str(), b_attempt.str(), b_last.str(), b_first.str(), b_count.str(),
            b_succeeded.str(), b_outcomes.blob(), b_outcomes.offsets(), b_outcomes.lengths(),
            f_part.str(), f_key.str(), f_etag.str(), f_size.str(), f_modified.str(),
            f_status.str(), f_error.str(), f_cause.str(), f_start.str(), f_stop.str(),
            f_attempts.str(), r_part.str(), r_id.str(), r_etag.str(), r_size.str(),
            r_response.str(), r_stamp.str(), l_answer.str(), l_name.str(), l_confidence.str(),
            l_direct.str(), r_modified.str())[0]);
      });
  std::sort(written.begin(), written.end());
  written.erase(std::unique(written.begin(), written.end()), written.end());
  return written;
}

void PostgresDatabase::ForEachBatch(std::string_view name, const AnswerTarget& target,
                                    const std::function<void(const BatchReport&)>& fn) {
  int64_t after = -1;
  for (;;) {
    std::vector<BatchReport> page;
    {
      std::unique_lock<std::mutex> lock;
      page = Reads(lock).Transact("read batches", [&](pqxx::work& tx) {
        tx.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        std::vector<BatchReport> out;
        std::map<int64_t, std::string> open_items;  // not done: every item, encoded
        ArrayLiteral seqs;
        for (const pqxx::row& r : tx.exec_params(
                 "SELECT seq, status, attempts, items FROM batches WHERE execution = $1 "
                 "AND seq > $2 UNION ALL SELECT seq, 'DONE', attempts, NULL FROM batches_done "
                 "WHERE execution = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                 pg::S(name), after, kBatchPage)) {
          BatchReport b;
          b.seq = r[0].as<int64_t>();
          const std::string status = r[1].as<std::string>();
          b.state = status == "DONE"      ? BatchState::kDone
                    : status == "RUNNING" ? BatchState::kRunning
                                          : BatchState::kPending;
          b.attempts = r[2].as<int>();
          if (!r[3].is_null()) open_items.emplace(b.seq, pg::Bytes(r[3]));
          seqs.Int(b.seq);
          out.push_back(std::move(b));
        }
        if (out.empty()) return out;
        std::map<int64_t, std::vector<ItemOutcome>> done = Committed(tx, pg::S(name), seqs.str());
        // The answers of the succeeded items, as stored under `target` now.
        ArrayLiteral ids;
        for (const auto& [seq, outcomes] : done) {
          for (const ItemOutcome& o : outcomes) {
            if (o.status == ItemStatus::kSucceeded) ids.Text(o.item.key);
          }
        }
        std::unordered_map<std::string, std::string> responses;
        if (ids.size() > 0) {
          for (const pqxx::row& r : tx.exec_params(
                   "SELECT r.id, r.response, r.etag, r.size, r.last_modified FROM results r "
                   "JOIN sources s ON s.id = r.source "
                   "WHERE s.uri = $1 AND r.kind = $2 AND r.id = ANY ($3::text[])",
                   target.source, target.kind, ids.str())) {
            std::string id = r[0].as<std::string>();
            std::string text = StoredAnswerText(
                r[1].as<std::string>(),
                {id, r[3].as<uint64_t>(), r[2].as<std::string>(), r[4].as<std::string>()});
            responses.emplace(std::move(id), std::move(text));
          }
        }
        for (BatchReport& b : out) {
          if (auto it = done.find(b.seq); it != done.end()) b.items = std::move(it->second);
          for (ItemOutcome& o : b.items) {
            if (auto r = responses.find(o.item.key);
                o.status == ItemStatus::kSucceeded && r != responses.end()) {
              o.response = r->second;
            }
          }
          if (auto open = open_items.find(b.seq); open != open_items.end()) {
            std::vector<ObjectInfo> rest = DecodeBatchItems(open->second);
            DropDone(rest, b.items);
            for (ObjectInfo& item : rest) {
              ItemOutcome o;
              o.item = std::move(item);
              o.status = ItemStatus::kPending;
              o.attempts = 0;
              b.items.push_back(std::move(o));
            }
          }
          std::sort(b.items.begin(), b.items.end(),
                    [](const ItemOutcome& x, const ItemOutcome& y) { return x.item.key < y.item.key; });
        }
        return out;
      });
    }
    for (const BatchReport& b : page) fn(b);
    if (page.size() < static_cast<size_t>(kBatchPage)) return;
    after = page.back().seq;
  }
}

}  // namespace imagemill
