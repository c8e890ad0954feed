#include "db/memory_database.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "util/clock.h"
#include "workflow/execution_spec.h"
#include "workflow/listing_answer.h"

namespace imagemill {
namespace {

bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

MemoryDatabase::Execution* MemoryDatabase::Find(std::string_view name) {
  auto it = executions_.find(name);
  return it == executions_.end() ? nullptr : &it->second;
}

ExecutionRecord MemoryDatabase::CreateOrGetExecution(const ExecutionRecord& proposed,
                                                     bool* created) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = executions_.try_emplace(proposed.name);
  if (inserted) it->second.record = proposed;
  *created = inserted;
  return it->second.record;
}

std::optional<ExecutionRecord> MemoryDatabase::GetExecution(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  Execution* e = Find(name);
  if (e == nullptr) return std::nullopt;
  return e->record;
}

std::vector<ExecutionRecord> MemoryDatabase::ListExecutions(const ExecutionFilter& f) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ExecutionRecord> all;
  for (const auto& [name, e] : executions_) {
    if (f.status && e.record.status != *f.status) continue;
    if (f.after && (e.record.start_ms > f.after->first ||
                    (e.record.start_ms == f.after->first && name <= f.after->second))) {
      continue;
    }
    all.push_back(e.record);
  }
  std::sort(all.begin(), all.end(), [](const ExecutionRecord& a, const ExecutionRecord& b) {
    return a.start_ms != b.start_ms ? a.start_ms > b.start_ms : a.name < b.name;
  });
  if (all.size() > static_cast<size_t>(std::max(0, f.limit))) all.resize(std::max(0, f.limit));
  return all;
}

std::optional<ExecutionRecord> MemoryDatabase::FindUnfinished(const nlohmann::json& spec) {
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<ExecutionRecord> best;
  for (const auto& [name, e] : executions_) {
    const ExecutionRecord& r = e.record;
    if ((r.status == ExecutionStatus::kRunning || r.status == ExecutionStatus::kAborted) &&
        SpecIdentity(r.spec) == SpecIdentity(spec) && (!best || r.start_ms > best->start_ms)) {
      best = r;
    }
  }
  return best;
}

bool MemoryDatabase::UpdateExecution(std::string_view name, ExecutionStatus from,
                                     const ExecutionUpdate& u) {
  std::lock_guard<std::mutex> lock(mu_);
  Execution* e = Find(name);
  if (e == nullptr || e->record.status != from) return false;
  e->record.status = u.status;
  e->record.error = u.error;
  e->record.cause = u.cause;
  e->record.stop_ms = u.stop_ms;
  if (u.manifest) e->record.manifest = *u.manifest;
  if (u.spec) e->record.spec = *u.spec;
  return true;
}

void MemoryDatabase::AddBatches(Execution& e, const std::vector<BatchRecord>& batches) {
  int64_t seq = e.batches.empty() ? 0 : e.batches.rbegin()->first + 1;
  for (const BatchRecord& b : batches) {
    Batch& nb = e.batches[seq++];
    nb.items = b.items;
    nb.bytes = b.bytes;
  }
}

bool MemoryDatabase::AppendListing(std::string_view name, std::string_view expected_cursor,
                                   const ListingStep& step) {
  std::lock_guard<std::mutex> lock(mu_);
  Execution* e = Find(name);
  if (e == nullptr || e->record.cursor != expected_cursor || e->record.listing_done) return false;
  AddBatches(*e, step.batches);
  int64_t seq = e->batches.empty() ? 0 : e->batches.rbegin()->first + 1;
  for (const BatchRecord& b : step.answered) {
    Batch& nb = e->batches[seq++];
    nb.state = State::kDone;
    nb.items = b.items;
    nb.bytes = b.bytes;
    for (const ObjectInfo& item : b.items) {
      ItemOutcome o;
      o.item = item;
      o.start_ms = o.stop_ms = step.answered_at_ms;
      o.attempts = 0;
      nb.succeeded.push_back(std::move(o));
    }
    e->record.unchanged += static_cast<int64_t>(b.items.size());
  }
  e->record.cursor = step.cursor;
  e->record.listing_done = step.done;
  e->record.listed += step.listed;
  return true;
}

bool MemoryDatabase::HasOutcome(const Execution& e, int64_t seq, const std::string& key) const {
  auto other = e.others.find(key);
  if (other != e.others.end() && other->second.first == seq) return true;
  const Batch& b = e.batches.at(seq);
  return std::any_of(b.succeeded.begin(), b.succeeded.end(),
                     [&](const ItemOutcome& o) { return o.item.key == key; });
}

std::vector<BatchRecord> MemoryDatabase::ClaimBatches(std::string_view name,
                                                      std::string_view owner, int max,
                                                      int64_t now_ms, int64_t lease_until_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<BatchRecord> out;
  Execution* e = Find(name);
  if (e == nullptr) return out;
  for (auto& [seq, b] : e->batches) {
    if (static_cast<int>(out.size()) >= max) break;
    const bool expired =
        b.state == State::kRunning && b.lease_until_ms < now_ms && b.owner != owner;
    if (b.state != State::kPending && !expired) continue;
    b.state = State::kRunning;
    b.owner = owner;
    b.lease_until_ms = lease_until_ms;
    ++b.attempts;
    BatchRecord r;
    r.seq = seq;
    r.bytes = b.bytes;
    r.attempt = b.attempts;
    for (const ObjectInfo& item : b.items) {
      if (!HasOutcome(*e, seq, item.key)) r.items.push_back(item);
    }
    out.push_back(std::move(r));
  }
  return out;
}

int64_t MemoryDatabase::RenewLeases(std::string_view name, std::string_view owner,
                                    int64_t lease_until_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  Execution* e = Find(name);
  int64_t n = 0;
  if (e == nullptr) return n;
  for (auto& [seq, b] : e->batches) {
    if (b.state == State::kRunning && b.owner == owner) {
      b.lease_until_ms = lease_until_ms;
      ++n;
    }
  }
  return n;
}

void MemoryDatabase::ReleaseBatches(std::string_view name, std::string_view owner,
                                    const std::vector<std::pair<int64_t, int>>& claims) {
  std::lock_guard<std::mutex> lock(mu_);
  Execution* e = Find(name);
  if (e == nullptr) return;
  for (const auto& [seq, attempt] : claims) {
    auto it = e->batches.find(seq);
    if (it == e->batches.end()) continue;
    Batch& b = it->second;
    if (b.state == State::kRunning && b.owner == owner && b.attempts == attempt) {
      b.state = State::kPending;
      b.owner.clear();
    }
  }
}

int64_t MemoryDatabase::RecoverOrphans(
    std::string_view name, int64_t now_ms,
    const std::function<bool(const std::string&)>& owner_is_dead) {
  std::lock_guard<std::mutex> lock(mu_);
  Execution* e = Find(name);
  int64_t n = 0;
  if (e == nullptr) return n;
  for (auto& [seq, b] : e->batches) {
    if (b.state == State::kRunning && (b.lease_until_ms < now_ms || owner_is_dead(b.owner))) {
      b.state = State::kPending;
      b.owner.clear();
      ++n;
    }
  }
  return n;
}

std::vector<int64_t> MemoryDatabase::CompleteBatches(std::string_view name,
                                                     std::string_view owner,
                                                     const AnswerTarget& target,
                                                     const std::vector<FinishedBatch>& batches) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<int64_t> written;
  Execution* e = Find(name);
  if (e == nullptr) return written;
  for (const FinishedBatch& fb : batches) {
    auto it = e->batches.find(fb.seq);
    if (it == e->batches.end()) continue;
    Batch& b = it->second;
    if (b.state != State::kRunning || b.owner != owner || b.attempts != fb.attempt) continue;
    for (const ItemOutcome& o : fb.outcomes) {
      if (o.status != ItemStatus::kSucceeded) {
        e->others[o.item.key] = {fb.seq, o};
        continue;
      }
      ItemOutcome kept = o;
      kept.response.clear();
      kept.index.clear();
      b.succeeded.push_back(std::move(kept));
      Row& row = results_[RowKey{target.source, o.item.key, target.kind}];
      row.response_text = StoredAnswerText(o.response, o.item);
      row.result = StoredResult{target.source, o.item.key, target.kind, o.item.etag, o.item.size,
                                target.processor, std::string(name),
                                FormatIso8601(FromUnixMillis(o.stop_ms)),
                                nlohmann::json::parse(row.response_text, nullptr, false)};
      row.index = o.index;
    }
    if (fb.last) {
      b.state = State::kDone;
      b.owner.clear();
    }
    written.push_back(fb.seq);
  }
  return written;
}

ItemCounts MemoryDatabase::CountItems(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  ItemCounts c;
  Execution* e = Find(name);
  if (e == nullptr) return c;
  c.total = e->record.listed;
  c.unchanged = e->record.unchanged;
  for (const auto& [key, other] : e->others) {
    (other.second.status == ItemStatus::kSkipped ? c.skipped : c.failed) += 1;
  }
  for (const auto& [seq, b] : e->batches) {
    c.succeeded += static_cast<int64_t>(b.succeeded.size());
    if (b.state == State::kDone) continue;
    int64_t open = 0;
    for (const ObjectInfo& item : b.items) open += HasOutcome(*e, seq, item.key) ? 0 : 1;
    (b.state == State::kRunning ? c.running : c.pending) += open;
  }
  c.results_written = c.succeeded;
  return c;
}

void MemoryDatabase::ForEachOutcome(std::string_view name, ItemStatus status,
                                    const std::function<void(const ItemOutcome&)>& fn) {
  std::vector<ItemOutcome> found;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Execution* e = Find(name);
    if (e == nullptr) return;
    for (const auto& [key, other] : e->others) {
      if (other.second.status == status) found.push_back(other.second);
    }
  }
  for (const ItemOutcome& o : found) fn(o);
}

std::vector<std::pair<std::string, int64_t>> MemoryDatabase::CountErrors(std::string_view name,
                                                                         ItemStatus status) {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, int64_t> counts;
  if (Execution* e = Find(name)) {
    for (const auto& [key, other] : e->others) {
      if (other.second.status == status) ++counts[other.second.error];
    }
  }
  std::vector<std::pair<std::string, int64_t>> out(counts.begin(), counts.end());
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

void MemoryDatabase::ForEachBatch(std::string_view name, const AnswerTarget& target,
                                  const std::function<void(const BatchReport&)>& fn) {
  std::vector<BatchReport> reports;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Execution* e = Find(name);
    if (e == nullptr) return;
    for (const auto& [seq, b] : e->batches) {
      BatchReport r;
      r.seq = seq;
      r.state = b.state == State::kDone      ? BatchState::kDone
                : b.state == State::kRunning ? BatchState::kRunning
                                             : BatchState::kPending;
      r.attempts = b.attempts;
      for (const ObjectInfo& item : b.items) {
        auto ok = std::find_if(b.succeeded.begin(), b.succeeded.end(),
                               [&](const ItemOutcome& o) { return o.item.key == item.key; });
        auto other = e->others.find(item.key);
        if (ok != b.succeeded.end()) {
          ItemOutcome o = *ok;
          auto row = results_.find(RowKey{target.source, item.key, target.kind});
          if (row != results_.end()) o.response = row->second.response_text;
          r.items.push_back(std::move(o));
        } else if (other != e->others.end() && other->second.first == seq) {
          r.items.push_back(other->second.second);
        } else if (b.state != State::kDone) {
          ItemOutcome o;
          o.item = item;
          o.status = ItemStatus::kPending;
          o.attempts = 0;
          r.items.push_back(std::move(o));
        }
      }
      std::sort(r.items.begin(), r.items.end(), [](const ItemOutcome& a, const ItemOutcome& b) {
        return a.item.key < b.item.key;
      });
      reports.push_back(std::move(r));
    }
  }
  for (const BatchReport& r : reports) fn(r);
}

int64_t MemoryDatabase::PrepareRedrive(std::string_view name, const BatchCutter& cut,
                                       const nlohmann::json& spec) {
  std::lock_guard<std::mutex> lock(mu_);
  Execution* e = Find(name);
  if (e == nullptr) return 0;
  std::vector<ObjectInfo> items;
  for (auto it = e->others.begin(); it != e->others.end();) {
    if (it->second.second.status == ItemStatus::kFailed) {
      items.push_back(it->second.second.item);
      it = e->others.erase(it);
    } else {
      ++it;
    }
  }
  const auto count = static_cast<int64_t>(items.size());
  AddBatches(*e, cut(std::move(items)));
  ExecutionRecord& r = e->record;
  r.status = ExecutionStatus::kRunning;
  r.stop_ms = 0;
  r.error.clear();
  r.cause.clear();
  r.manifest.clear();
  r.spec = spec;
  ++r.redrive_count;
  return count;
}

std::optional<StoredResult> MemoryDatabase::GetResult(std::string_view source,
                                                      std::string_view id,
                                                      std::string_view kind) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = results_.find(RowKey{std::string(source), std::string(id), std::string(kind)});
  if (it == results_.end()) return std::nullopt;
  return it->second.result;
}

std::vector<StoredResult> MemoryDatabase::FindResults(std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<StoredResult> out;
  for (const auto& [key, row] : results_) {
    if (std::get<1>(key) == id) out.push_back(row.result);
  }
  return out;
}

std::vector<LabelHit> MemoryDatabase::QueryLabel(const LabelQuery& q) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<LabelHit> hits;
  std::map<std::pair<std::string, std::string>, size_t> by_image;  // (source, id) -> its hit
  for (const auto& [key, row] : results_) {
    if (!q.source.empty() && std::get<0>(key) != q.source) continue;
    for (const IndexEntry& e : row.index) {
      if (!SameName(e.name, q.label) || e.confidence < q.min_confidence) continue;
      LabelHit hit{std::get<0>(key), std::get<1>(key), std::get<2>(key), e.name, e.confidence};
      // One hit per image: its most confident answer's.
      auto [it, added] = by_image.try_emplace({hit.source, hit.id}, hits.size());
      if (added) {
        hits.push_back(std::move(hit));
      } else if (hit.confidence > hits[it->second].confidence) {
        hits[it->second] = std::move(hit);
      }
    }
  }
  std::stable_sort(hits.begin(), hits.end(), [](const LabelHit& a, const LabelHit& b) {
    return a.confidence != b.confidence ? a.confidence > b.confidence : a.id < b.id;
  });
  const size_t from = std::min(hits.size(), static_cast<size_t>(std::max(0, q.offset)));
  hits.erase(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(from));
  if (hits.size() > static_cast<size_t>(std::max(0, q.limit))) hits.resize(std::max(0, q.limit));
  return hits;
}

bool MemoryDatabase::Matches(const Row& row, const ResultFilter& f) {
  const StoredResult& r = row.result;
  return (f.source.empty() || r.source == f.source) && (f.kind.empty() || r.kind == f.kind) &&
         (f.execution.empty() || r.execution == f.execution);
}

void MemoryDatabase::ForEachResult(const ResultFilter& f,
                                   const std::function<void(const StoredResult&)>& fn) {
  std::vector<StoredResult> found;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [key, row] : results_) {
      if (static_cast<int>(found.size()) >= f.limit) break;
      if (Matches(row, f) && row.result.id > f.after_id) found.push_back(row.result);
    }
  }
  for (const StoredResult& r : found) fn(r);
}

int64_t MemoryDatabase::CountResults(const ResultFilter& f) {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t n = 0;
  for (const auto& [key, row] : results_) n += Matches(row, f) ? 1 : 0;
  return n;
}

std::vector<std::pair<std::string, int64_t>> MemoryDatabase::LabelCounts(
    std::string_view execution, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, int64_t> counts;
  for (const auto& [key, row] : results_) {
    if (row.result.execution != execution) continue;
    for (const IndexEntry& e : row.index) counts[e.name] += e.direct ? 1 : 0;
  }
  std::vector<std::pair<std::string, int64_t>> out;
  for (const auto& [name, n] : counts) {
    if (n > 0) out.emplace_back(name, n);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (out.size() > static_cast<size_t>(std::max(0, limit))) out.resize(std::max(0, limit));
  return out;
}

std::vector<BrowseEntry> MemoryDatabase::BrowseResults(const BrowseQuery& q) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<BrowseEntry> out;
  const auto after = [&q](const BrowseEntry& e) {
    if (q.after_id.empty()) return true;
    const StoredResult& r = e.result;
    if (q.label.empty()) return std::tie(r.source, r.id) > std::tie(q.after_source, q.after_id);
    if (e.confidence != q.after_confidence) return e.confidence < q.after_confidence;
    return std::tie(r.source, r.id) > std::tie(q.after_source, q.after_id);
  };
  for (const auto& [key, row] : results_) {
    if (std::get<2>(key) != q.kind || (!q.source.empty() && std::get<0>(key) != q.source)) continue;
    BrowseEntry e{row.result, 0};
    if (!q.label.empty()) {
      auto it = std::find_if(row.index.begin(), row.index.end(),
                             [&q](const IndexEntry& i) { return SameName(i.name, q.label); });
      if (it == row.index.end() || it->confidence < q.min_confidence) continue;
      e.confidence = it->confidence;
    }
    if (after(e)) out.push_back(std::move(e));
  }
  // results_ is in (source, id) order already; with a label, most confident first.
  if (!q.label.empty()) {
    std::stable_sort(out.begin(), out.end(), [](const BrowseEntry& a, const BrowseEntry& b) {
      return a.confidence > b.confidence;
    });
  }
  if (out.size() > static_cast<size_t>(std::max(0, q.limit))) out.resize(std::max(0, q.limit));
  return out;
}

std::vector<std::pair<std::string, int64_t>> MemoryDatabase::LabelFacets(std::string_view source,
                                                                         std::string_view kind,
                                                                         int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, int64_t> counts;
  for (const auto& [key, row] : results_) {
    if (std::get<2>(key) != kind || (!source.empty() && std::get<0>(key) != source)) continue;
    for (const IndexEntry& e : row.index) {
      if (e.direct) ++counts[e.name];
    }
  }
  std::vector<std::pair<std::string, int64_t>> out(counts.begin(), counts.end());
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (out.size() > static_cast<size_t>(std::max(0, limit))) out.resize(std::max(0, limit));
  return out;
}

std::vector<bool> MemoryDatabase::Unchanged(const AnswerTarget& target,
                                            const std::vector<ObjectInfo>& items) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<bool> out;
  out.reserve(items.size());
  for (const ObjectInfo& item : items) {
    auto it = results_.find(RowKey{target.source, item.key, target.kind});
    out.push_back(it != results_.end() && it->second.result.etag == item.etag &&
                  it->second.result.processor == target.processor);
  }
  return out;
}

std::vector<AnswerSet> MemoryDatabase::AnswersUnder(std::string_view source,
                                                    std::string_view kind,
                                                    std::string_view prefix) {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, int64_t> counts;
  for (const auto& [key, row] : results_) {
    if (std::get<0>(key) == source && std::get<2>(key) == kind &&
        std::get<1>(key).starts_with(prefix)) {
      ++counts[row.result.processor];
    }
  }
  std::vector<AnswerSet> out;
  for (const auto& [processor, n] : counts) out.push_back({processor, n});
  return out;
}

}  // namespace imagemill
