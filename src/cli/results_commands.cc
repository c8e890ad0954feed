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
  std::string execution;
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

// "dog.jpg  Dog 92.1, Bicycle 85.0" or, without labels, the image's dominant colours.
std::string OneLine(const StoredResult& r) {
  std::string line;
  const nlohmann::json& resp = r.response;
  if (resp.contains("Labels")) {
    for (const nlohmann::json& l : resp["Labels"]) {
      char buf[160];
      std::snprintf(buf, sizeof(buf), "%s%s %.1f", line.empty() ? "" : ", ",
                    l.value("Name", "?").c_str(), l.value("Confidence", 0.0));
      line += buf;
    }
  }
  if (line.empty() && resp.contains("ImageProperties")) {
    const nlohmann::json& p = resp["ImageProperties"];
    std::string colors;
    for (const nlohmann::json& c : p.value("DominantColors", nlohmann::json::array())) {
      if (!colors.empty()) colors += ", ";
      colors += c.value("SimplifiedColor", "?") + " " +
                std::to_string(static_cast<int>(c.value("PixelPercent", 0.0) + 0.5)) + "%";
      if (colors.size() > 60) break;
    }
    char buf[256];
    std::snprintf(buf, sizeof(buf), "no labels; brightness %.0f, sharpness %.0f; colours: %s",
                  p.value("Quality", nlohmann::json::object()).value("Brightness", 0.0),
                  p.value("Quality", nlohmann::json::object()).value("Sharpness", 0.0),
                  colors.c_str());
    line = buf;
  }
  return line.empty() ? "no labels" : line;
}

int List(const ResultsFlags& f) {
  std::unique_ptr<SqliteDatabase> db = OpenDatabase(f.db);
  int n = 0;
  db->ForEachResult(f.execution, f.limit, [&](const StoredResult& r) {
    ++n;
    if (f.json) {
      std::cout << r.ToJson().dump() << "\n";
    } else {
      std::printf("%-28s %s\n", r.id.c_str(), OneLine(r).c_str());
    }
  });
  return n > 0 ? kExitOk : kExitRunFailed;
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

  CLI::App* list = app.add_subcommand("results", "Stored results, one line per image");
  list->add_option("--execution", flags->execution, "Only what this execution wrote");
  list->add_option("--limit", flags->limit, "At most this many")->capture_default_str();
  list->add_flag("--json", flags->json, "One JSON object per line");
  AddDbFlag(*list, flags->db);
  list->callback([flags, &ctx] { ctx.exit_code = List(*flags); });

  CLI::App* query = app.add_subcommand("query", "Images carrying a label, most confident first");
  query->add_option("--label", flags->label, "Label name, e.g. Dog (case-insensitive)")->required();
  query->add_option("--min-confidence", flags->min_confidence, "0-100")->capture_default_str();
  query->add_option("--limit", flags->limit, "At most this many")->capture_default_str();
  query->add_flag("--json", flags->json, "As JSON");
  AddDbFlag(*query, flags->db);
  query->callback([flags, &ctx] { ctx.exit_code = Query(*flags); });
}

}  // namespace imagemill::cli
