#include "vision/labels/detect_labels_answer.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "util/round.h"
#include "vision/labels/taxonomy.h"

namespace imagemill::vision {
namespace {

nlohmann::json Names(const std::vector<std::string>& names) {
  nlohmann::json out = nlohmann::json::array();
  for (const std::string& n : names) out.push_back({{"Name", n}});
  return out;
}

struct Grouped {
  LabelTaxon taxon;
  double confidence = 0;
  std::vector<const FoundObject*> instances;
};

}  // namespace

nlohmann::json LabelsJson(const std::vector<FoundObject>& found, const LabelSettings& settings) {
  std::map<std::string, Grouped> by_name;
  for (const FoundObject& f : found) {
    LabelTaxon taxon = f.taxon ? *f.taxon : TaxonForClass(f.class_name);
    Grouped& g = by_name[taxon.name];
    if (g.taxon.name.empty()) g.taxon = std::move(taxon);
    g.confidence = std::max(g.confidence, f.label_confidence.value_or(f.confidence));
    if (f.box) g.instances.push_back(&f);
  }
  std::vector<Grouped*> labels;
  for (auto& [name, g] : by_name) {
    if (g.confidence >= settings.min_confidence && settings.filters.Keeps(g.taxon)) {
      labels.push_back(&g);
    }
  }
  std::stable_sort(labels.begin(), labels.end(), [](const Grouped* a, const Grouped* b) {
    return a->confidence > b->confidence;
  });
  if (labels.size() > static_cast<size_t>(settings.max_labels)) labels.resize(settings.max_labels);

  nlohmann::json out = nlohmann::json::array();
  for (Grouped* g : labels) {
    std::stable_sort(
        g->instances.begin(), g->instances.end(),
        [](const FoundObject* a, const FoundObject* b) { return a->confidence > b->confidence; });
    nlohmann::json instances = nlohmann::json::array();
    for (const FoundObject* f : g->instances) {
      if (f->confidence < settings.min_confidence && !instances.empty()) break;
      const float left = std::clamp(f->box->x, 0.0f, 1.0f);
      const float top = std::clamp(f->box->y, 0.0f, 1.0f);
      const float right = std::clamp(f->box->x + f->box->width, 0.0f, 1.0f);
      const float bottom = std::clamp(f->box->y + f->box->height, 0.0f, 1.0f);
      instances.push_back({{"BoundingBox",
                            {{"Width", Round4(right - left)},
                             {"Height", Round4(bottom - top)},
                             {"Left", Round4(left)},
                             {"Top", Round4(top)}}},
                           {"Confidence", Round4(f->confidence)}});
    }
    out.push_back({{"Name", g->taxon.name},
                   {"Confidence", Round4(g->confidence)},
                   {"Instances", instances},
                   {"Parents", Names(g->taxon.parents)},
                   {"Aliases", Names(g->taxon.aliases)},
                   {"Categories", Names(g->taxon.categories)}});
  }
  return out;
}

nlohmann::json DetectLabelsAnswer(const std::vector<FoundObject>& found,
                                  const std::string& label_model_version,
                                  const std::optional<ImageProperties>& properties,
                                  const LabelSettings& settings) {
  nlohmann::json answer = nlohmann::json::object();
  if (settings.general_labels) {
    answer["Labels"] = LabelsJson(found, settings);
    answer["LabelModelVersion"] = label_model_version;
  }
  if (settings.image_properties && properties) answer["ImageProperties"] = ToJson(*properties);
  return answer;
}

std::vector<IndexEntry> LabelIndexEntries(const nlohmann::json& response) {
  std::map<std::string, IndexEntry> best;
  auto labels = response.find("Labels");
  if (labels == response.end() || !labels->is_array()) return {};
  for (const nlohmann::json& l : *labels) {
    if (!l.contains("Name") || !l["Name"].is_string()) continue;
    double c = l.value("Confidence", 0.0);
    auto note = [&](const std::string& name, bool direct) {
      auto [it, inserted] = best.try_emplace(name, IndexEntry{name, c, direct});
      if (!inserted) {
        it->second.confidence = std::max(it->second.confidence, c);
        it->second.direct = it->second.direct || direct;
      }
    };
    note(l["Name"].get<std::string>(), true);
    if (l.contains("Parents") && l["Parents"].is_array()) {
      for (const nlohmann::json& p : l["Parents"]) {
        if (p.contains("Name") && p["Name"].is_string()) note(p["Name"].get<std::string>(), false);
      }
    }
  }
  std::vector<IndexEntry> out;
  for (auto& [name, e] : best) out.push_back(std::move(e));
  return out;
}

}  // namespace imagemill::vision
