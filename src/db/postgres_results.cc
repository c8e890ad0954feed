// PostgresDatabase's ResultsTable side: reading results and the label index.
#include "db/postgres_arrays.h"
#include "db/postgres_database.h"

namespace imagemill {

namespace {

constexpr const char* kResultColumns =
    "id, bucket, key, etag, size, processor, response, execution, updated_at";

StoredResult ReadResult(const pqxx::row& r) {
  StoredResult s;
  s.id = r[0].as<std::string>();
  s.bucket = r[1].as<std::string>();
  s.key = r[2].as<std::string>();
  s.etag = r[3].as<std::string>();
  s.size = r[4].as<uint64_t>();
  s.processor = r[5].as<std::string>();
  s.response = nlohmann::json::parse(r[6].as<std::string>(), nullptr, false);
  s.execution = r[7].as<std::string>();
  s.updated_at = r[8].as<std::string>();
  return s;
}

}  // namespace

std::optional<StoredResult> PostgresDatabase::GetResult(std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  return conn_.Once("read a result", [&](pqxx::nontransaction& tx) {
    pqxx::result r = tx.exec_params(
        std::string("SELECT ") + kResultColumns + " FROM results WHERE id = $1", std::string(id));
    return r.empty() ? std::nullopt : std::optional<StoredResult>(ReadResult(r[0]));
  });
}

std::vector<LabelHit> PostgresDatabase::QueryLabel(std::string_view label, double min_confidence,
                                                   int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  return conn_.Once("query the label index", [&](pqxx::nontransaction& tx) {
    std::vector<LabelHit> out;
    // An index range scan on labels_by_label: (lower(label), confidence DESC, id).
    for (const pqxx::row& r : tx.exec_params(
             "SELECT id, label, confidence FROM labels WHERE lower(label) = lower($1) "
             "AND confidence >= $2 ORDER BY lower(label), confidence DESC, id LIMIT $3",
             std::string(label), min_confidence, limit)) {
      out.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<double>()});
    }
    return out;
  });
}

void PostgresDatabase::ForEachResult(std::string_view execution, int limit,
                                     const std::function<void(const StoredResult&)>& fn) {
  constexpr int kPage = 500;
  std::string after;
  bool first = true;
  int left = limit;
  while (left > 0) {
    std::vector<StoredResult> page;
    {
      std::lock_guard<std::mutex> lock(mu_);
      page = conn_.Once("list results", [&](pqxx::nontransaction& tx) {
        std::vector<StoredResult> out;
        for (const pqxx::row& r : tx.exec_params(
                 std::string("SELECT ") + kResultColumns +
                     " FROM results WHERE ($1 = '' OR execution = $1) AND ($2 OR id > $3) "
                     "ORDER BY id LIMIT $4",
                 std::string(execution), first, after, std::min(left, kPage))) {
          out.push_back(ReadResult(r));
        }
        return out;
      });
    }
    for (const StoredResult& r : page) fn(r);
    left -= static_cast<int>(page.size());
    if (page.size() < static_cast<size_t>(kPage)) return;
    after = page.back().id;
    first = false;
  }
}

std::vector<std::pair<std::string, int64_t>> PostgresDatabase::LabelCounts(
    std::string_view execution, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  return conn_.Once("count labels", [&](pqxx::nontransaction& tx) {
    std::vector<std::pair<std::string, int64_t>> out;
    for (const pqxx::row& r : tx.exec_params(
             "SELECT min(l.label), count(*) AS n FROM labels l JOIN results r ON r.id = l.id "
             "WHERE r.execution = $1 AND l.direct GROUP BY lower(l.label) "
             "ORDER BY n DESC, min(l.label) LIMIT $2",
             std::string(execution), limit)) {
      out.emplace_back(r[0].as<std::string>(), r[1].as<int64_t>());
    }
    return out;
  });
}

bool PostgresDatabase::Empty() {
  std::lock_guard<std::mutex> lock(mu_);
  return conn_.Once("look for results", [&](pqxx::nontransaction& tx) {
    return tx.exec("SELECT 1 FROM results LIMIT 1").empty();
  });
}

std::vector<bool> PostgresDatabase::Unchanged(const std::vector<ObjectInfo>& items,
                                              std::string_view processor) {
  if (items.empty()) return {};
  pg::ArrayLiteral ids, etags;
  for (const ObjectInfo& o : items) {
    ids.Text(o.key);
    etags.Text(o.etag);
  }
  std::lock_guard<std::mutex> lock(mu_);
  return conn_.Once("compare ETags", [&](pqxx::nontransaction& tx) {
    std::vector<bool> out(items.size(), false);
    // One statement for the page; `n` is each item's position in it.
    for (const pqxx::row& r : tx.exec_params(
             "SELECT u.n FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(id, etag, n) "
             "JOIN results r ON r.id = u.id WHERE r.etag = u.etag AND r.processor = $3",
             ids.str(), etags.str(), std::string(processor))) {
      out[r[0].as<size_t>() - 1] = true;
    }
    return out;
  });
}

}  // namespace imagemill
