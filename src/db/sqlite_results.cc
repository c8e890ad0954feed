// SqliteDatabase's ResultsTable: reading answers and the label index.
#include <limits>
#include <optional>

#include "db/key_range.h"
#include "db/sqlite_database.h"
#include "workflow/listing_answer.h"

namespace imagemill {

using sqlite::Statement;
using sqlite::Transaction;

namespace {

constexpr std::string_view kResultColumns =
    "s.uri, r.id, r.kind, r.etag, r.size, r.processor, r.response, r.execution, r.updated_at, "
    "r.last_modified";

StoredResult ReadResult(Statement& st) {
  StoredResult r;
  r.source = st.Text(0);
  r.id = st.Text(1);
  r.kind = st.Text(2);
  r.etag = st.Text(3);
  r.size = static_cast<uint64_t>(st.Int(4));
  r.processor = st.Text(5);
  r.response = nlohmann::json::parse(
      StoredAnswerText(st.Text(6), {r.id, r.size, r.etag, st.Text(9)}), nullptr, false);
  r.execution = st.Text(7);
  r.updated_at = st.Text(8);
  return r;
}

// The WHERE clause of a ResultFilter; parameters ?1 source, ?2 kind, ?3 execution, ?4 after_id.
constexpr std::string_view kFilterWhere =
    " FROM results r JOIN sources s ON s.id = r.source WHERE (?1 = '' OR s.uri = ?1) AND "
    "(?2 = '' OR r.kind = ?2) AND (?3 = '' OR r.execution = ?3) AND r.id > ?4";

void BindFilter(Statement& st, const ResultFilter& f) {
  st.Bind(1, f.source).Bind(2, f.kind).Bind(3, f.execution).Bind(4, f.after_id);
}

}  // namespace

std::optional<StoredResult> SqliteDatabase::GetResult(std::string_view source,
                                                      std::string_view id,
                                                      std::string_view kind) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st = conn_.Prepare("SELECT " + std::string(kResultColumns) +
                               " FROM results r JOIN sources s ON s.id = r.source "
                               "WHERE s.uri = ? AND r.id = ? AND r.kind = ?");
  st.Bind(1, source).Bind(2, id).Bind(3, kind);
  if (!st.Step()) return std::nullopt;
  return ReadResult(st);
}

std::vector<StoredResult> SqliteDatabase::FindResults(std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  // One lookup per source on the (source, id, kind) key: sources are few.
  Statement st = conn_.Prepare("SELECT " + std::string(kResultColumns) +
                               " FROM sources s JOIN results r ON r.source = s.id AND r.id = ? "
                               "ORDER BY s.uri, r.kind");
  st.Bind(1, id);
  std::vector<StoredResult> out;
  while (st.Step()) out.push_back(ReadResult(st));
  return out;
}

std::vector<LabelHit> SqliteDatabase::QueryLabel(const LabelQuery& q) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st = conn_.Prepare(
      // One row per image, its most confident answer's (a labels and a faces answer may both
      // carry Face; ties go to the first kind): a range scan on labels_by_label that skips a row
      // when another answer of the same image beats it (a primary-key lookup), so it stops at
      // LIMIT instead of grouping every match (docs/benchmarks.md, "query --label").
      "SELECT s.uri, l.id, l.kind, l.label, l.confidence FROM labels l "
      "INDEXED BY labels_by_label JOIN sources s ON s.id = l.source WHERE l.label = ? AND "
      "l.confidence >= ? AND (? = '' OR s.uri = ?) AND NOT EXISTS (SELECT 1 FROM labels o "
      "WHERE o.source = l.source AND o.id = l.id AND o.label = l.label AND o.kind <> l.kind AND "
      "(o.confidence > l.confidence OR (o.confidence = l.confidence AND o.kind < l.kind))) "
      "ORDER BY l.confidence DESC, l.id LIMIT ? OFFSET ?");
  st.Bind(1, q.label).Bind(2, q.min_confidence).Bind(3, q.source).Bind(4, q.source);
  st.Bind(5, static_cast<int64_t>(q.limit)).Bind(6, static_cast<int64_t>(q.offset));
  std::vector<LabelHit> out;
  while (st.Step()) out.push_back({st.Text(0), st.Text(1), st.Text(2), st.Text(3), st.Double(4)});
  return out;
}

void SqliteDatabase::ForEachResult(const ResultFilter& f,
                                   const std::function<void(const StoredResult&)>& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st = conn_.Prepare("SELECT " + std::string(kResultColumns) +
                               std::string(kFilterWhere) + " ORDER BY s.uri, r.id, r.kind LIMIT ?5");
  BindFilter(st, f);
  st.Bind(5, static_cast<int64_t>(f.limit));
  while (st.Step()) fn(ReadResult(st));
}

int64_t SqliteDatabase::CountResults(const ResultFilter& f) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st = conn_.Prepare("SELECT count(*)" + std::string(kFilterWhere));
  ResultFilter all = f;
  all.after_id.clear();
  BindFilter(st, all);
  return st.Step() ? st.Int(0) : 0;
}

std::vector<std::pair<std::string, int64_t>> SqliteDatabase::LabelCounts(
    std::string_view execution, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st = conn_.Prepare(
      "SELECT l.label, count(*) AS n FROM labels l JOIN results r ON r.source = l.source AND "
      "r.id = l.id AND r.kind = l.kind WHERE r.execution = ? AND l.direct = 1 "
      "GROUP BY l.label ORDER BY n DESC, l.label LIMIT ?");
  st.Bind(1, execution).Bind(2, static_cast<int64_t>(limit));
  std::vector<std::pair<std::string, int64_t>> out;
  while (st.Step()) out.emplace_back(st.Text(0), st.Int(1));
  return out;
}

std::vector<BrowseEntry> SqliteDatabase::BrowseResults(const BrowseQuery& q) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<BrowseEntry> out;
  const int64_t limit = std::max(0, q.limit);
  if (!q.label.empty()) {
    // A range scan of labels_by_label (label, confidence DESC, then the key: source, id, kind),
    // read in its own order; the previous page's last entry is found again by its source's number.
    const int64_t after_source = q.after_id.empty() ? -1 : SourceId(q.after_source, false);
    Statement st = conn_.Prepare(
        "SELECT " + std::string(kResultColumns) +
        ", l.confidence FROM labels l INDEXED BY labels_by_label JOIN sources s ON s.id = "
        "l.source JOIN results r ON r.source = l.source AND r.id = l.id AND r.kind = l.kind "
        "WHERE l.label = ?1 AND l.kind = ?2 AND l.confidence >= ?3 AND (?4 = '' OR s.uri = ?4) "
        "AND l.confidence <= ?5 AND (?6 = 0 OR l.confidence < ?5 OR l.source > ?7 OR "
        "(l.source = ?7 AND l.id > ?8)) "
        "ORDER BY l.label, l.confidence DESC, l.source, l.id LIMIT ?9");
    st.Bind(1, q.label).Bind(2, q.kind).Bind(3, q.min_confidence).Bind(4, q.source);
    st.Bind(5, q.after_id.empty() ? std::numeric_limits<double>::max() : q.after_confidence);
    st.Bind(6, static_cast<int64_t>(q.after_id.empty() ? 0 : 1)).Bind(7, after_source);
    st.Bind(8, q.after_id).Bind(9, limit);
    while (st.Step()) out.push_back({ReadResult(st), st.Double(10)});
    return out;
  }
  // By source URI, then id: for each source from the previous page's on, a range of the
  // (source, id, kind) key. Sources are few; answers may be millions.
  Statement sources = conn_.Prepare(
      "SELECT id, uri FROM sources WHERE uri >= ?1 AND (?2 = '' OR uri = ?2) ORDER BY uri");
  sources.Bind(1, q.after_id.empty() ? std::string() : q.after_source).Bind(2, q.source);
  std::vector<std::pair<int64_t, std::string>> ids;
  while (sources.Step()) ids.emplace_back(sources.Int(0), sources.Text(1));
  Statement st = conn_.Prepare("SELECT " + std::string(kResultColumns) +
                               " FROM results r JOIN sources s ON s.id = r.source "
                               "WHERE r.source = ?1 AND r.id > ?2 AND r.kind = ?3 "
                               "ORDER BY r.id LIMIT ?4");
  for (const auto& [id, uri] : ids) {
    if (static_cast<int64_t>(out.size()) >= limit) break;
    st.Bind(1, id).Bind(2, uri == q.after_source ? q.after_id : std::string()).Bind(3, q.kind);
    st.Bind(4, limit - static_cast<int64_t>(out.size()));
    while (st.Step()) out.push_back({ReadResult(st), 0});
    st.Reset();
  }
  return out;
}

std::vector<std::pair<std::string, int64_t>> SqliteDatabase::LabelFacets(std::string_view source,
                                                                         std::string_view kind,
                                                                         int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st = conn_.Prepare(
      "SELECT l.label, count(*) AS n FROM labels l JOIN sources s ON s.id = l.source "
      "WHERE l.kind = ?1 AND l.direct = 1 AND (?2 = '' OR s.uri = ?2) "
      "GROUP BY l.label ORDER BY n DESC, l.label LIMIT ?3");
  st.Bind(1, kind).Bind(2, source).Bind(3, static_cast<int64_t>(std::max(0, limit)));
  std::vector<std::pair<std::string, int64_t>> out;
  while (st.Step()) out.emplace_back(st.Text(0), st.Int(1));
  return out;
}

std::vector<bool> SqliteDatabase::Unchanged(const AnswerTarget& target,
                                            const std::vector<ObjectInfo>& items) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<bool> out(items.size(), false);
  const int64_t source = SourceId(target.source, false);
  if (source == 0) return out;  // nothing stored for this source: a first run looks nothing up
  // One read transaction for the page: one read lock instead of one per key.
  Transaction tx(conn_, Transaction::Mode::kRead);
  Statement st = conn_.Prepare(
      "SELECT etag, processor FROM results WHERE source = ? AND id = ? AND kind = ?");
  for (size_t i = 0; i < items.size(); ++i) {
    st.Bind(1, source).BindView(2, items[i].key).BindView(3, target.kind);
    out[i] = st.Step() && st.Text(0) == items[i].etag && st.Text(1) == target.processor;
    st.Reset();
  }
  tx.Commit();
  return out;
}

std::vector<AnswerSet> SqliteDatabase::AnswersUnder(std::string_view source, std::string_view kind,
                                                    std::string_view prefix) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<AnswerSet> out;
  const int64_t id = SourceId(source, false);
  if (id == 0) return out;
  const std::optional<std::string> end = PrefixEnd(prefix);
  Statement st = conn_.Prepare(
      "SELECT processor, count(*) FROM results WHERE source = ? AND id >= ? AND "
      "(? IS NULL OR id < ?) AND kind = ? GROUP BY processor ORDER BY processor");
  st.Bind(1, id).Bind(2, prefix);
  if (end) {
    st.Bind(3, *end).Bind(4, *end);
  } else {
    st.BindNull(3).BindNull(4);
  }
  st.Bind(5, kind);
  while (st.Step()) out.push_back({st.Text(0), st.Int(1)});
  return out;
}

}  // namespace imagemill
