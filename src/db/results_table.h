// ResultsTable: the answers, one per (source, id, kind) — the store's URI, the object's key (the
// seed's DynamoDB `id`) and the kind of answer ("labels", "faces", "text", "inventory") — and an
// index of the names each answer can be found by. Answers of two sources never collide, and an
// answer of one kind never replaces one of another (an inventory never erases labels).
// Implemented by every database backend (database.h); same thread-safety and error contract as
// StateStore.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "workflow/records.h"

namespace imagemill {

struct ResultFilter {
  std::string source;     // "" for every source
  std::string kind;       // "" for every kind
  std::string execution;  // "" for what any execution wrote
  std::string after_id;   // pagination: only ids after this one (with source and kind set)
  int limit = 1000;
};

struct LabelQuery {
  std::string label;  // a label or parent name, case-insensitive
  double min_confidence = 0;
  std::string source;  // "" for every source
  int limit = 1000;
  int offset = 0;
};

// A page of answers for browsing (the console's gallery), resumed from the last answer of the
// previous page (keyset paging: a page costs the same at the millionth answer as at the first).
struct BrowseQuery {
  std::string kind = "labels";
  std::string label;          // "" for every answer; else a label or parent name, case-insensitive
  double min_confidence = 0;  // with `label`: its confidence in the answer at least this
  std::string source;         // "" for every source
  // Where the previous page ended: its last entry's source, id and (with `label`) confidence.
  // after_id "" starts from the first.
  std::string after_source;
  std::string after_id;
  double after_confidence = 0;
  int limit = 100;
};

struct BrowseEntry {
  StoredResult result;
  double confidence = 0;  // with a label: the name's confidence in this answer; else 0
};

class ResultsTable {
 public:
  virtual ~ResultsTable() = default;

  virtual std::optional<StoredResult> GetResult(std::string_view source, std::string_view id,
                                                std::string_view kind) = 0;
  // Every answer stored for `id`, whatever its source and kind.
  virtual std::vector<StoredResult> FindResults(std::string_view id) = 0;
  // Answers carrying the name at >= min_confidence, most confident first.
  virtual std::vector<LabelHit> QueryLabel(const LabelQuery& query) = 0;
  // Answers matching `filter`, ordered by source, kind and id, at most filter.limit.
  virtual void ForEachResult(const ResultFilter& filter,
                             const std::function<void(const StoredResult&)>& fn) = 0;
  // How many answers match `filter` (its limit and after_id aside).
  virtual int64_t CountResults(const ResultFilter& filter) = 0;
  // The labels (not parents) found most often in the answers `execution` wrote, with counts.
  virtual std::vector<std::pair<std::string, int64_t>> LabelCounts(std::string_view execution,
                                                                   int limit) = 0;
  // Answers of query.kind in browsing order: without a label, by source then id; with one, most
  // confident first (ties in an order of the backend's own, stable between calls). At most
  // query.limit, after the entry query.after_* names.
  virtual std::vector<BrowseEntry> BrowseResults(const BrowseQuery& query) = 0;
  // The detected labels (not parents) of answers of `kind` (of `source`, "" for all), most
  // frequent first (ties by name), with how many answers carry each; at most `limit`.
  virtual std::vector<std::pair<std::string, int64_t>> LabelFacets(std::string_view source,
                                                                   std::string_view kind,
                                                                   int limit) = 0;
  // For each item: is an answer with the same ETag, made by the same processor, stored under
  // `target`?
  virtual std::vector<bool> Unchanged(const AnswerTarget& target,
                                      const std::vector<ObjectInfo>& items) = 0;
  // The processors whose answers of `kind` are stored for keys of `source` starting with
  // `prefix`, with how many each.
  virtual std::vector<AnswerSet> AnswersUnder(std::string_view source, std::string_view kind,
                                              std::string_view prefix) = 0;
};

}  // namespace imagemill
