#include "vision/labels/label_settings.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace imagemill::vision {
namespace {

constexpr size_t kMaxFilters = 100;      // GeneralLabelsFilterList max
constexpr size_t kMaxFilterLength = 50;  // GeneralLabelsFilterValue max

bool SameName(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool AnyNamed(const std::vector<std::string>& filters, const std::vector<std::string>& names) {
  for (const std::string& f : filters) {
    for (const std::string& n : names) {
      if (SameName(f, n)) return true;
    }
  }
  return false;
}

// The label's own name, its aliases and its parents: what label filters match.
std::vector<std::string> LabelNames(const LabelTaxon& t) {
  std::vector<std::string> names{t.name};
  names.insert(names.end(), t.aliases.begin(), t.aliases.end());
  names.insert(names.end(), t.parents.begin(), t.parents.end());
  return names;
}

// FNV-1a, 32 bits: stable across builds and platforms (std::hash is not).
uint32_t Fnv1a(const std::string& s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

Status ReadFilterList(const nlohmann::json& j, const char* member, std::vector<std::string>& out) {
  const std::string where = std::string("Settings.GeneralLabels.") + member;
  if (!j.is_array()) return Status::InvalidArgument(where + " must be a list of strings");
  if (j.size() > kMaxFilters) {
    return Status::InvalidArgument(where + " has " + std::to_string(j.size()) +
                                   " entries; at most 100 are allowed");
  }
  out.clear();
  for (const nlohmann::json& v : j) {
    if (!v.is_string()) return Status::InvalidArgument(where + " must be a list of strings");
    out.push_back(v.get<std::string>());
  }
  return Status::Ok();
}

Status UnknownMember(const std::string& where, const std::string& key, const char* known) {
  return Status::InvalidArgument("unknown member " + where + key + " (known: " + known + ")");
}

}  // namespace

bool GeneralLabelsFilters::empty() const {
  return label_inclusion.empty() && label_exclusion.empty() && category_inclusion.empty() &&
         category_exclusion.empty();
}

bool GeneralLabelsFilters::Keeps(const LabelTaxon& taxon) const {
  const std::vector<std::string> names = LabelNames(taxon);
  if (!label_inclusion.empty() || !category_inclusion.empty()) {
    if (!AnyNamed(label_inclusion, names) && !AnyNamed(category_inclusion, taxon.categories)) {
      return false;
    }
  }
  return !AnyNamed(label_exclusion, names) && !AnyNamed(category_exclusion, taxon.categories);
}

nlohmann::json LabelSettings::ToJson() const {
  nlohmann::json features = nlohmann::json::array();
  if (general_labels) features.push_back("GENERAL_LABELS");
  if (image_properties) features.push_back("IMAGE_PROPERTIES");
  return {{"MinConfidence", min_confidence},
          {"MaxLabels", max_labels},
          {"Features", features},
          {"Settings",
           {{"GeneralLabels",
             {{"LabelInclusionFilters", filters.label_inclusion},
              {"LabelExclusionFilters", filters.label_exclusion},
              {"LabelCategoryInclusionFilters", filters.category_inclusion},
              {"LabelCategoryExclusionFilters", filters.category_exclusion}}},
            {"ImageProperties", {{"MaxDominantColors", max_dominant_colors}}}}}};
}

Status LabelSettings::MergeJson(const nlohmann::json& request) {
  if (!request.is_object()) return Status::InvalidArgument("label settings must be a JSON object");
  for (const auto& [key, value] : request.items()) {
    if (key == "Image") continue;
    if (key == "MinConfidence") {
      if (!value.is_number()) return Status::InvalidArgument("MinConfidence must be a number");
      min_confidence = value.get<double>();
    } else if (key == "MaxLabels") {
      if (!value.is_number_integer())
        return Status::InvalidArgument("MaxLabels must be an integer");
      max_labels = value.get<int>();
    } else if (key == "Features") {
      if (!value.is_array()) return Status::InvalidArgument("Features must be a list");
      std::string list;
      for (const nlohmann::json& f : value) {
        if (!f.is_string()) return Status::InvalidArgument("Features must be a list of strings");
        list += (list.empty() ? "" : ",") + f.get<std::string>();
      }
      if (Status s = ParseFeatures(list, *this); !s.ok()) return s;
    } else if (key == "Settings") {
      if (!value.is_object()) return Status::InvalidArgument("Settings must be an object");
      for (const auto& [skey, svalue] : value.items()) {
        if (skey == "GeneralLabels") {
          if (!svalue.is_object()) {
            return Status::InvalidArgument("Settings.GeneralLabels must be an object");
          }
          for (const auto& [gkey, gvalue] : svalue.items()) {
            std::vector<std::string>* list =
                gkey == "LabelInclusionFilters"           ? &filters.label_inclusion
                : gkey == "LabelExclusionFilters"         ? &filters.label_exclusion
                : gkey == "LabelCategoryInclusionFilters" ? &filters.category_inclusion
                : gkey == "LabelCategoryExclusionFilters" ? &filters.category_exclusion
                                                          : nullptr;
            if (list == nullptr) {
              return UnknownMember("Settings.GeneralLabels.", gkey,
                                   "LabelInclusionFilters, LabelExclusionFilters, "
                                   "LabelCategoryInclusionFilters, LabelCategoryExclusionFilters");
            }
            if (Status s = ReadFilterList(gvalue, gkey.c_str(), *list); !s.ok()) return s;
          }
        } else if (skey == "ImageProperties") {
          if (!svalue.is_object()) {
            return Status::InvalidArgument("Settings.ImageProperties must be an object");
          }
          for (const auto& [ikey, ivalue] : svalue.items()) {
            if (ikey != "MaxDominantColors") {
              return UnknownMember("Settings.ImageProperties.", ikey, "MaxDominantColors");
            }
            if (!ivalue.is_number_integer()) {
              return Status::InvalidArgument(
                  "Settings.ImageProperties.MaxDominantColors must be an integer");
            }
            max_dominant_colors = ivalue.get<int>();
          }
        } else {
          return UnknownMember("Settings.", skey, "GeneralLabels, ImageProperties");
        }
      }
    } else {
      return UnknownMember("", key, "MinConfidence, MaxLabels, Features, Settings");
    }
  }
  return Validate();
}

Status LabelSettings::Validate() const {
  if (!(min_confidence >= 0 && min_confidence <= 100)) {
    return Status::InvalidArgument("MinConfidence must be between 0 and 100");
  }
  if (max_labels < 0) return Status::InvalidArgument("MaxLabels must be 0 or more");
  if (max_dominant_colors < 0 || max_dominant_colors > 20) {
    return Status::InvalidArgument(
        "Settings.ImageProperties.MaxDominantColors must be between 0 and 20");
  }
  if (!general_labels && !image_properties) {
    return Status::InvalidArgument("Features must name GENERAL_LABELS, IMAGE_PROPERTIES or both");
  }
  for (const auto* list : {&filters.label_inclusion, &filters.label_exclusion,
                           &filters.category_inclusion, &filters.category_exclusion}) {
    if (list->size() > kMaxFilters) {
      return Status::InvalidArgument("a GeneralLabels filter list has more than 100 entries");
    }
    for (const std::string& f : *list) {
      if (f.size() > kMaxFilterLength) {
        return Status::InvalidArgument("GeneralLabels filter '" + f +
                                       "' is longer than 50 characters");
      }
    }
  }
  return Status::Ok();
}

std::string LabelSettings::ShortId() const {
  const LabelSettings d;
  std::vector<std::string> parts;
  char buf[32];
  if (min_confidence != d.min_confidence) {
    std::snprintf(buf, sizeof(buf), "c%g", min_confidence);
    parts.emplace_back(buf);
  }
  if (max_labels != d.max_labels) parts.push_back("n" + std::to_string(max_labels));
  if (!general_labels) parts.emplace_back("properties-only");
  if (!image_properties) parts.emplace_back("labels-only");
  if (max_dominant_colors != d.max_dominant_colors) {
    parts.push_back("k" + std::to_string(max_dominant_colors));
  }
  if (!filters.empty()) {
    std::snprintf(buf, sizeof(buf), "f%08x", Fnv1a(ToJson()["Settings"]["GeneralLabels"].dump()));
    parts.emplace_back(buf);
  }
  std::string id;
  for (const std::string& p : parts) id += (id.empty() ? "" : "-") + p;
  return id;
}

Status ParseFeatures(const std::string& list, LabelSettings& settings) {
  if (list.find_first_not_of(" ,") == std::string::npos) {
    return Status::InvalidArgument("Features must name GENERAL_LABELS, IMAGE_PROPERTIES or both");
  }
  bool labels = false, properties = false;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    std::string f = list.substr(start, comma - start);
    f.erase(0, f.find_first_not_of(' '));
    f.erase(f.find_last_not_of(' ') + 1);
    if (f == "GENERAL_LABELS") {
      labels = true;
    } else if (f == "IMAGE_PROPERTIES") {
      properties = true;
    } else {
      return Status::InvalidArgument("unknown feature '" + f +
                                     "' (known: GENERAL_LABELS, IMAGE_PROPERTIES)");
    }
    start = comma + 1;
  }
  settings.general_labels = labels;
  settings.image_properties = properties;
  return Status::Ok();
}

}  // namespace imagemill::vision
