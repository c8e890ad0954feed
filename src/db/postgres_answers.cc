#include "db/postgres_answers.h"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <tuple>

#include "db/postgres_arrays.h"
#include "util/clock.h"

namespace imagemill::pg {

namespace {

bool SameIgnoringAsciiCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
           return lower(x) == lower(y);
         });
}

// `index` grouped by name as imagemill_put_answers groups it: a name met twice (a parent of two
// labels) keeps its highest confidence and is direct if either is. False when two names differ
// in case only: which one the server's lower() groups is the server's to decide, so such an
// answer is upserted.
bool GroupByName(const std::vector<IndexEntry>& index, std::vector<IndexEntry>& out) {
  out.clear();
  for (const IndexEntry& e : index) {
    auto same =
        std::find_if(out.begin(), out.end(), [&](const IndexEntry& o) { return o.name == e.name; });
    if (same != out.end()) {
      same->confidence = std::max(same->confidence, e.confidence);
      same->direct = same->direct || e.direct;
      continue;
    }
    for (const IndexEntry& o : out) {
      if (SameIgnoringAsciiCase(o.name, e.name)) return false;
    }
    out.push_back(e);
  }
  return true;
}

std::string Stamp(const ItemOutcome& o) { return FormatIso8601(FromUnixMillis(o.stop_ms)); }

// The COPY of `answers` and their grouped index entries, inside a savepoint. False, with the
// savepoint rolled back, when a row is stored already (a unique index refused it).
bool CopyNew(pqxx::work& tx, int source, const std::string& execution, const AnswerTarget& target,
             const std::vector<const ItemOutcome*>& answers,
             const std::vector<std::vector<IndexEntry>>& entries) {
  static const std::vector<std::string> kResults = {
      "source",    "id",       "kind",      "etag",       "size",
      "processor", "response", "execution", "updated_at", "last_modified"};
  static const std::vector<std::string> kLabels = {"source", "id",         "kind",
                                                   "label",  "confidence", "direct"};
  try {
    pqxx::subtransaction sub(tx, "answers");
    {
      pqxx::stream_to rows(sub, "results", kResults);
      for (const ItemOutcome* o : answers) {
        rows << std::make_tuple(source, o->item.key, target.kind, o->item.etag,
                                static_cast<int64_t>(o->item.size), target.processor, o->response,
                                execution, Stamp(*o), o->item.last_modified);
      }
      rows.complete();
    }
    if (std::any_of(entries.begin(), entries.end(), [](const auto& e) { return !e.empty(); })) {
      pqxx::stream_to rows(sub, "labels", kLabels);
      for (size_t i = 0; i < answers.size(); ++i) {
        for (const IndexEntry& e : entries[i]) {
          rows << std::make_tuple(source, answers[i]->item.key, target.kind, e.name, e.confidence,
                                  e.direct);
        }
      }
      rows.complete();
    }
    sub.commit();
    return true;
  } catch (const pqxx::unique_violation&) {
    return false;
  }
}

// imagemill_put_answers: inserts the new answers, replaces the stored ones and their index
// entries.
void Upsert(pqxx::work& tx, int source, const std::string& execution, const AnswerTarget& target,
            const std::vector<const ItemOutcome*>& answers) {
  ArrayLiteral r_id, r_etag, r_size, r_response, r_stamp, r_modified;
  ArrayLiteral l_answer, l_name, l_confidence, l_direct;
  int64_t answer = 0;
  for (const ItemOutcome* o : answers) {
    ++answer;  // 1-based, as PostgreSQL's arrays
    r_id.Text(o->item.key);
    r_etag.Text(o->item.etag);
    r_size.Int(static_cast<int64_t>(o->item.size));
    r_response.Text(o->response);
    r_stamp.Text(Stamp(*o));
    r_modified.Text(o->item.last_modified);
    for (const IndexEntry& e : o->index) {
      l_answer.Int(answer);
      l_name.Text(e.name);
      l_confidence.Double(e.confidence);
      l_direct.Bool(e.direct);
    }
  }
  tx.exec_params(
      "SELECT imagemill_put_answers($1, $2, $3, $4, $5::text[], $6::text[], $7::bigint[], "
      "$8::text[], $9::text[], $10::text[], $11::integer[], $12::text[], "
      "$13::double precision[], $14::boolean[])",
      execution, source, target.kind, target.processor, r_id.str(), r_etag.str(), r_size.str(),
      r_response.str(), r_stamp.str(), r_modified.str(), l_answer.str(), l_name.str(),
      l_confidence.str(), l_direct.str());
}

}  // namespace

void WriteAnswers(pqxx::work& tx, int source, const std::string& execution,
                  const AnswerTarget& target, const std::vector<const ItemOutcome*>& answers) {
  if (answers.empty()) return;
  std::vector<std::vector<IndexEntry>> entries(answers.size());
  bool copyable = true;
  for (size_t i = 0; i < answers.size() && copyable; ++i) {
    copyable = GroupByName(answers[i]->index, entries[i]);
  }
  if (copyable && CopyNew(tx, source, execution, target, answers, entries)) return;
  Upsert(tx, source, execution, target, answers);
}

}  // namespace imagemill::pg
