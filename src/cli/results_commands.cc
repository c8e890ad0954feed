// imagemill get ID / results / query --label NAME: reading the results table.
#include <algorithm>
#include <iostream>
#include <set>

#include "cli/command.h"
#include "cli/database.h"
#include "cli/text.h"
#include "service/result_summary.h"
#include "service/seed_item.h"

namespace imagemill::cli {
namespace {

struct ResultsFlags {
  std::string db;
  std::string id;
  std::string label;
  std::string execution;
  std::string source;
  std::string kind;
  double min_confidence = 0;
  int limit = 1000;
  bool json = false;
  bool seed_item = false;
};

int Get(const ResultsFlags& f) {
  if (f.seed_item && f.kind != "labels") {
    std::cerr << "imagemill get: --seed-item prints the seed's DynamoDB item {id, labels}, made "
                 "from a labels answer; a "
              << f.kind << " answer has no such item: drop --seed-item to print the " << f.kind
              << " answer, or ask for --kind labels\n";
    return kExitUsage;
  }
  std::unique_ptr<Database> db = OpenDb(f.db, OpenMode::kExisting, "get");
  if (!db) return kExitRunFailed;
  std::vector<StoredResult> found;
  std::set<std::string> other_kinds;  // of this id, named in the error
  for (StoredResult& r : db->FindResults(f.id)) {
    if (!f.source.empty() && r.source != f.source) continue;
    if (r.kind == f.kind) {
      found.push_back(std::move(r));
    } else {
      other_kinds.insert(r.kind);
    }
  }
  if (found.empty()) {
    std::cerr << "imagemill get: no " << f.kind << " answer with id '" << EscapeKey(f.id) << "'"
              << (f.source.empty() ? "" : " from " + f.source) << " in " << db->Describe();
    if (other_kinds.empty()) {
      std::cerr << " (ids are object keys; `imagemill results` lists them)\n";
    } else {
      std::cerr << "; it has";
      for (const std::string& k : other_kinds) {
        std::cerr << " a " << k << " answer (--kind " << k << ")";
      }
      std::cerr << "\n";
    }
    return kExitRunFailed;
  }
  if (found.size() > 1) {
    std::cerr << "imagemill get: '" << EscapeKey(f.id) << "' has answers from " << found.size()
              << " sources; choose one with --source:";
    for (const StoredResult& r : found) std::cerr << " " << r.source;
    std::cerr << "\n";
    return kExitUsage;
  }
  const nlohmann::json out = f.seed_item ? service::SeedItem(found[0]) : found[0].ToJson();
  std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return kExitOk;
}

int List(const ResultsFlags& f) {
  std::unique_ptr<Database> db = OpenDb(f.db, OpenMode::kExisting, "results");
  if (!db) return kExitRunFailed;
  ResultFilter filter;
  filter.execution = f.execution;
  filter.source = f.source;
  filter.kind = f.kind;
  filter.limit = f.limit;
  int64_t n = 0;
  db->ForEachResult(filter, [&](const StoredResult& r) {
    ++n;
    if (f.json) {
      std::cout << r.ToJson().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                << "\n";
    } else {
      std::printf("%-28s %s\n", EscapeKey(r.id).c_str(), service::ResultSummary(r).c_str());
    }
  });
  if (n == 0) {
    std::cerr << "imagemill results: no results"
              << (f.execution.empty() ? "" : " written by execution " + f.execution) << " in "
              << db->Describe() << "\n";
  } else if (n == f.limit) {
    const int64_t total = db->CountResults(filter);
    if (total > n) {
      std::cerr << "imagemill results: the first " << n << " of " << total
                << "; --limit N to see more\n";
    }
  }
  return kExitOk;
}

int Query(const ResultsFlags& f) {
  std::unique_ptr<Database> db = OpenDb(f.db, OpenMode::kExisting, "query");
  if (!db) return kExitRunFailed;
  LabelQuery q;
  q.label = f.label;
  q.min_confidence = f.min_confidence;
  q.source = f.source;
  q.limit = f.limit;
  std::vector<LabelHit> hits = db->QueryLabel(q);
  if (f.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const LabelHit& h : hits) {
      arr.push_back({{"id", h.id},
                     {"source", h.source},
                     {"kind", h.kind},
                     {"label", h.label},
                     {"confidence", h.confidence}});
    }
    std::cout << arr.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    for (const LabelHit& h : hits) {
      std::printf("%s\t%s\t%.1f\n", EscapeKey(h.id).c_str(), h.label.c_str(), h.confidence);
    }
  }
  if (hits.empty()) {
    std::cerr << "imagemill query: no images with label " << f.label;
    if (f.min_confidence > 0) std::cerr << " at confidence " << f.min_confidence << " or more";
    std::cerr << "\n";
  } else if (static_cast<int>(hits.size()) == f.limit) {
    std::cerr << "imagemill query: the first " << hits.size() << "; --limit N to see more\n";
  }
  return kExitOk;
}

}  // namespace

void RegisterResultsCommands(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<ResultsFlags>();
  CLI::App* get =
      app.add_subcommand("get", "One stored answer (the image's key is its id), as JSON");
  get->add_option("ID", flags->id, "The item's id: its object key")->required();
  get->add_option("--source", flags->source,
                  "The folder or s3://bucket it came from, when several");
  flags->kind = "labels";
  get->add_option("--kind", flags->kind, "labels, faces, text, inventory, ...")
      ->capture_default_str();
  get->add_flag("--seed-item", flags->seed_item,
                "Print the seed's DynamoDB item instead: {\"id\": ..., \"labels\": [...]} "
                "(labels answers only)");
  AddDbFlag(*get, flags->db);
  get->callback([flags, &ctx] { ctx.exit_code = Get(*flags); });

  flags = std::make_shared<ResultsFlags>();  // each command its own defaults
  CLI::App* list = app.add_subcommand("results", "Stored answers, one line per image");
  list->add_option("--execution", flags->execution, "Only what this execution wrote");
  list->add_option("--source", flags->source, "Only answers for this folder or s3://bucket");
  list->add_option("--kind", flags->kind,
                   "Only answers of this kind: labels, faces, text, inventory, ...");
  list->add_option("--limit", flags->limit, "At most this many")->capture_default_str();
  list->add_flag("--json", flags->json, "One JSON object per line");
  AddDbFlag(*list, flags->db);
  list->callback([flags, &ctx] { ctx.exit_code = List(*flags); });

  flags = std::make_shared<ResultsFlags>();
  CLI::App* query = app.add_subcommand("query", "Images carrying a label, most confident first");
  query->add_option("--label", flags->label, "Label name, e.g. Dog (case-insensitive)")->required();
  query->add_option("--min-confidence", flags->min_confidence, "0-100")->capture_default_str();
  query->add_option("--source", flags->source, "Only answers for this folder or s3://bucket");
  query->add_option("--limit", flags->limit, "At most this many")->capture_default_str();
  query->add_flag("--json", flags->json, "As JSON");
  AddDbFlag(*query, flags->db);
  query->callback([flags, &ctx] { ctx.exit_code = Query(*flags); });
}

}  // namespace imagemill::cli
