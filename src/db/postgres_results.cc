// PostgresDatabase's ResultsTable: reading answers and the label index.
#include "db/postgres_arrays.h"
#include "db/postgres_database.h"
#include "db/postgres_rows.h"
#include "workflow/listing_answer.h"

namespace imagemill {

namespace {

constexpr const char* kResultColumns =
    "s.uri, r.id, r.kind, r.etag, r.size, r.processor, r.response, r.execution, r.updated_at, "
    "r.last_modified";

// The FROM and WHERE of a ResultFilter; parameters $1 source, $2 kind, $3 execution, $4 after_id.
constexpr const char* kFilterWhere =
    " FROM results r JOIN sources s ON s.id = r.source WHERE ($1 = '' OR s.uri = $1) AND "
    "($2 = '' OR r.kind = $2) AND ($3 = '' OR r.execution = $3) AND r.id > $4";

StoredResult ReadResult(const pqxx::row& r) {
  StoredResult s;
  s.source = r[0].as<std::string>();
  s.id = r[1].as<std::string>();
  s.kind = r[2].as<std::string>();
  s.etag = r[3].as<std::string>();
  s.size = r[4].as<uint64_t>();
  s.processor = r[5].as<std::string>();
  s.response = nlohmann::json::parse(
      StoredAnswerText(r[6].as<std::string>(), {s.id, s.size, s.etag, r[9].as<std::string>()}),
      nullptr, false);
  s.execution = r[7].as<std::string>();
  s.updated_at = r[8].as<std::string>();
  return s;
}

}  // namespace

std::optional<StoredResult> PostgresDatabase::GetResult(std::string_view source,
                                                        std::string_view id,
                                                        std::string_view kind) {
  std::unique_lock<std::mutex> lock;
  return Reads(lock).Once("read an answer", [&](pqxx::nontransaction& tx) {
    pqxx::result r = tx.exec_params(
        std::string("SELECT ") + kResultColumns +
            " FROM results r JOIN sources s ON s.id = r.source "
            "WHERE s.uri = $1 AND r.id = $2 AND r.kind = $3",
        pg::S(source), pg::S(id), pg::S(kind));
    return r.empty() ? std::nullopt : std::optional<StoredResult>(ReadResult(r[0]));
  });
}

std::vector<StoredResult> PostgresDatabase::FindResults(std::string_view id) {
  std::unique_lock<std::mutex> lock;
  return Reads(lock).Once("find answers", [&](pqxx::nontransaction& tx) {
    std::vector<StoredResult> out;
    // A probe of the primary key (source, id, kind) per source: sources are few, and an index
    // on id alone would cost every answer written an index entry more.
    for (const pqxx::row& r : tx.exec_params(
             std::string("SELECT ") + kResultColumns +
                 " FROM sources s CROSS JOIN LATERAL (SELECT * FROM results r "
                 "WHERE r.source = s.id AND r.id = $1) r ORDER BY s.uri, r.kind",
             pg::S(id))) {
      out.push_back(ReadResult(r));
    }
    return out;
  });
}

std::vector<LabelHit> PostgresDatabase::QueryLabel(const LabelQuery& q) {
  std::unique_lock<std::mutex> lock;
  return Reads(lock).Once("query the label index", [&](pqxx::nontransaction& tx) {
    std::vector<LabelHit> out;
    // An index range scan on labels_by_label: (lower(label), confidence DESC, id); one row per
    // image, its most confident answer's (a labels and a faces answer may both carry Face; ties
    // go to the first kind): a row is skipped when another answer of the same image beats it (a
    // lookup on labels_by_answer), so the scan stops at LIMIT instead of sorting every match.
    for (const pqxx::row& r : tx.exec_params(
             "SELECT s.uri, l.id, l.kind, l.label, l.confidence FROM labels l "
             "JOIN sources s ON s.id = l.source WHERE lower(l.label) = lower($1) "
             "AND l.confidence >= $2 AND ($3 = '' OR s.uri = $3) AND NOT EXISTS (SELECT 1 FROM "
             "labels o WHERE o.source = l.source AND o.id = l.id AND lower(o.label) = "
             "lower(l.label) AND o.kind <> l.kind AND (o.confidence > l.confidence OR "
             "(o.confidence = l.confidence AND o.kind < l.kind))) "
             "ORDER BY lower(l.label), l.confidence DESC, l.id LIMIT $4 OFFSET $5",
             q.label, q.min_confidence, q.source, std::max(0, q.limit), std::max(0, q.offset))) {
      out.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                     r[3].as<std::string>(), r[4].as<double>()});
    }
    return out;
  });
}

void PostgresDatabase::ForEachResult(const ResultFilter& f,
                                     const std::function<void(const StoredResult&)>& fn) {
  std::vector<StoredResult> found;
  {
    std::unique_lock<std::mutex> lock;
    found = Reads(lock).Once("list answers", [&](pqxx::nontransaction& tx) {
      std::vector<StoredResult> out;
      for (const pqxx::row& r : tx.exec_params(
               std::string("SELECT ") + kResultColumns + kFilterWhere +
                   " ORDER BY s.uri, r.id, r.kind LIMIT $5",
               f.source, f.kind, f.execution, f.after_id, std::max(0, f.limit))) {
        out.push_back(ReadResult(r));
      }
      return out;
    });
  }
  for (const StoredResult& r : found) fn(r);
}

int64_t PostgresDatabase::CountResults(const ResultFilter& f) {
  std::unique_lock<std::mutex> lock;
  return Reads(lock).Once("count answers", [&](pqxx::nontransaction& tx) {
    return tx.exec_params1(std::string("SELECT count(*)") + kFilterWhere, f.source, f.kind,
                           f.execution, std::string())[0]
        .as<int64_t>();
  });
}

std::vector<std::pair<std::string, int64_t>> PostgresDatabase::LabelCounts(
    std::string_view execution, int limit) {
  std::unique_lock<std::mutex> lock;
  return Reads(lock).Once("count labels", [&](pqxx::nontransaction& tx) {
    std::vector<std::pair<std::string, int64_t>> out;
    for (const pqxx::row& r : tx.exec_params(
             "SELECT min(l.label), count(*) AS n FROM labels l JOIN results r "
             "ON r.source = l.source AND r.id = l.id AND r.kind = l.kind "
             "WHERE r.execution = $1 AND l.direct GROUP BY lower(l.label) "
             "ORDER BY n DESC, min(l.label) LIMIT $2",
             pg::S(execution), std::max(0, limit))) {
      out.emplace_back(r[0].as<std::string>(), r[1].as<int64_t>());
    }
    return out;
  });
}

std::vector<BrowseEntry> PostgresDatabase::BrowseResults(const BrowseQuery& q) {
  const int limit = std::max(0, q.limit);
  std::unique_lock<std::mutex> lock;
  return Reads(lock).Once("browse answers", [&](pqxx::nontransaction& tx) {
    std::vector<BrowseEntry> out;
    if (!q.label.empty()) {
      // labels_by_label (lower(label), confidence DESC, id) in its own order, ties by source.
      const bool first = q.after_id.empty();
      for (const pqxx::row& r : tx.exec_params(
               std::string("SELECT ") + kResultColumns +
                   ", l.confidence FROM labels l JOIN sources s ON s.id = l.source "
                   "JOIN results r ON r.source = l.source AND r.id = l.id AND r.kind = l.kind "
                   "WHERE lower(l.label) = lower($1) AND l.kind = $2 AND l.confidence >= $3 "
                   "AND ($4 = '' OR s.uri = $4) AND ($5 OR l.confidence < $6 OR "
                   "(l.confidence = $6 AND (l.id > $7 OR (l.id = $7 AND s.uri > $8)))) "
                   "ORDER BY lower(l.label), l.confidence DESC, l.id, s.uri LIMIT $9",
               q.label, q.kind, q.min_confidence, q.source, first, q.after_confidence, q.after_id,
               q.after_source, limit)) {
        out.push_back({ReadResult(r), r[10].as<double>()});
      }
      return out;
    }
    // By source URI, then id: for each source from the previous page's on, a range of the
    // primary key (source, id, kind).
    std::vector<std::pair<int, std::string>> sources;
    for (const pqxx::row& r : tx.exec_params(
             "SELECT id, uri FROM sources WHERE uri >= $1 AND ($2 = '' OR uri = $2) ORDER BY uri",
             q.after_id.empty() ? std::string() : q.after_source, q.source)) {
      sources.emplace_back(r[0].as<int>(), r[1].as<std::string>());
    }
    for (const auto& [id, uri] : sources) {
      if (static_cast<int>(out.size()) >= limit) break;
      for (const pqxx::row& r : tx.exec_params(
               std::string("SELECT ") + kResultColumns +
                   " FROM results r JOIN sources s ON s.id = r.source WHERE r.source = $1 "
                   "AND r.id > $2 AND r.kind = $3 ORDER BY r.id LIMIT $4",
               id, uri == q.after_source ? q.after_id : std::string(), q.kind,
               limit - static_cast<int>(out.size()))) {
        out.push_back({ReadResult(r), 0});
      }
    }
    return out;
  });
}

std::vector<std::pair<std::string, int64_t>> PostgresDatabase::LabelFacets(std::string_view source,
                                                                           std::string_view kind,
                                                                           int limit) {
  std::unique_lock<std::mutex> lock;
  return Reads(lock).Once("count labels", [&](pqxx::nontransaction& tx) {
    std::vector<std::pair<std::string, int64_t>> out;
    for (const pqxx::row& r : tx.exec_params(
             "SELECT min(l.label), count(*) AS n FROM labels l JOIN sources s ON s.id = l.source "
             "WHERE l.kind = $1 AND l.direct AND ($2 = '' OR s.uri = $2) "
             "GROUP BY lower(l.label) ORDER BY n DESC, min(l.label) LIMIT $3",
             pg::S(kind), pg::S(source), std::max(0, limit))) {
      out.emplace_back(r[0].as<std::string>(), r[1].as<int64_t>());
    }
    return out;
  });
}

std::vector<bool> PostgresDatabase::Unchanged(const AnswerTarget& target,
                                              const std::vector<ObjectInfo>& items) {
  std::vector<bool> out(items.size(), false);
  if (items.empty()) return out;
  pg::ArrayLiteral ids, etags;
  for (const ObjectInfo& o : items) {
    ids.Text(o.key);
    etags.Text(o.etag);
  }
  std::unique_lock<std::mutex> lock;
  return Reads(lock).Once("compare ETags", [&](pqxx::nontransaction& tx) {
    // One statement for the page; `n` is each item's position in it. The LATERAL ... LIMIT 1
    // keeps it an index lookup per item: as a join, the planner hashes the whole results table
    // for every page, which grows with the table (quadratic over a run).
    for (const pqxx::row& r : tx.exec_params(
             "SELECT u.n FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(id, etag, n) "
             "CROSS JOIN LATERAL (SELECT 1 FROM results r "
             "WHERE r.source = (SELECT id FROM sources WHERE uri = $3) AND r.id = u.id "
             "AND r.kind = $4 AND r.etag = u.etag AND r.processor = $5 LIMIT 1) AS found",
             ids.str(), etags.str(), target.source, target.kind, target.processor)) {
      out[r[0].as<size_t>() - 1] = true;
    }
    return out;
  });
}

std::vector<AnswerSet> PostgresDatabase::AnswersUnder(std::string_view source,
                                                      std::string_view kind,
                                                      std::string_view prefix) {
  // A LIKE pattern with a fixed start: on a COLLATE "C" key PostgreSQL scans just that range
  // (planned with the parameter's value). PrefixEnd's bound could be invalid UTF-8.
  std::string pattern;
  for (char c : prefix) {
    if (c == '\\' || c == '%' || c == '_') pattern += '\\';
    pattern += c;
  }
  pattern += '%';
  std::unique_lock<std::mutex> lock;
  return Reads(lock).Once("count answers under a prefix", [&](pqxx::nontransaction& tx) {
    std::vector<AnswerSet> out;
    for (const pqxx::row& r : tx.exec_params(
             "SELECT processor, count(*) FROM results "
             "WHERE source = (SELECT id FROM sources WHERE uri = $1) AND id LIKE $2 "
             "AND kind = $3 GROUP BY processor ORDER BY processor",
             pg::S(source), pattern, pg::S(kind))) {
      out.push_back({r[0].as<std::string>(), r[1].as<int64_t>()});
    }
    return out;
  });
}

}  // namespace imagemill
