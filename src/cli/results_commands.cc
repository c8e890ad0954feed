// imagemill get ID / query --label NAME: reading the results table.
#include <iostream>

#include "cli/command.h"
#include "cli/database.h"

namespace imagemill::cli {
namespace {

struct ResultsFlags {
  std::string db;
  std::string id;
  std::string label;
  double min_confidence = 0;
  int limit = 1000;
  bool json = false;
};

int Get(const ResultsFlags& f) {
  std::unique_ptr<SqliteDatabase> db = OpenDatabase(f.db);
  std::optional<StoredResult> r = db->GetResult(f.id);
  if (!r) {
    std::cerr << "imagemill get: no result with id '" << f.id << "' in " << f.db
              << " (ids are object keys; imagemill query --label NAME lists some)\n";
    return kExitRunFailed;
  }
  std::cout << r->ToJson().dump(2) << "\n";
  return kExitOk;
}

int Query(const ResultsFlags& f) {
  std::unique_ptr<SqliteDatabase> db = OpenDatabase(f.db);
  std::vector<LabelHit> hits = db->QueryLabel(f.label, f.min_confidence, f.limit);
  if (f.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const LabelHit& h : hits) {
      arr.push_back({{"id", h.id}, {"label", h.label}, {"confidence", h.confidence}});
    }
    std::cout << arr.dump(2) << "\n";
  } else {
    for (const LabelHit& h : hits) std::printf("%s\t%s\t%.1f\n", h.id.c_str(), h.label.c_str(), h.confidence);
  }
  return hits.empty() ? kExitRunFailed : kExitOk;
}

}  // namespace

void RegisterResultsCommands(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<ResultsFlags>();
  CLI::App* get = app.add_subcommand("get", "One stored result (the image's key is its id), as JSON");
  get->add_option("ID", flags->id, "The item's id: its object key")->required();
  AddDbFlag(*get, flags->db);
  get->callback([flags, &ctx] { ctx.exit_code = Get(*flags); });

  CLI::App* query = app.add_subcommand("query", "Images carrying a label, most confident first");
  query->add_option("--label", flags->label, "Label name, e.g. Dog (case-insensitive)")->required();
  query->add_option("--min-confidence", flags->min_confidence, "0-100")->capture_default_str();
  query->add_option("--limit", flags->limit, "At most this many")->capture_default_str();
  query->add_flag("--json", flags->json, "As JSON");
  AddDbFlag(*query, flags->db);
  query->callback([flags, &ctx] { ctx.exit_code = Query(*flags); });
}

}  // namespace imagemill::cli
