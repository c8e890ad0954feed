// LabelSettings: the parts of a DetectLabels request that shape the answer — MinConfidence,
// MaxLabels, Features and Settings (GeneralLabels filters, ImageProperties.MaxDominantColors) —
// read from and written as the request's own JSON, so a user can pass the same document they
// would send to Rekognition (`{"MinConfidence": 80, "Settings": {"GeneralLabels": {...}}}`).
//
// Filters (GeneralLabelsSettings) are matched without regard to case:
//   - a label is kept when no inclusion filter is given, or when LabelInclusionFilters names it,
//     one of its aliases or one of its parents ("Animal" keeps Dog and Cat), or when
//     LabelCategoryInclusionFilters names one of its categories;
//   - a kept label is dropped when LabelExclusionFilters names it, an alias or a parent, or when
//     LabelCategoryExclusionFilters names one of its categories.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "util/status.h"
#include "vision/labels/taxonomy.h"

namespace imagemill::vision {

struct GeneralLabelsFilters {
  std::vector<std::string> label_inclusion;
  std::vector<std::string> label_exclusion;
  std::vector<std::string> category_inclusion;
  std::vector<std::string> category_exclusion;

  bool empty() const;
  // Whether a label with this taxon passes the filters (rules above).
  bool Keeps(const LabelTaxon& taxon) const;
};

struct LabelSettings {
  // MinConfidence, 0..100. Rekognition's default is 55; imagemill's is 80, where the built-in
  // models' balance point is shown (confidence_scale.h), as the seed asks.
  double min_confidence = 80;
  int max_labels = 1000;         // MaxLabels (Rekognition's default and upper limit)
  bool general_labels = true;    // Features: GENERAL_LABELS
  bool image_properties = true;  // Features: IMAGE_PROPERTIES
  int max_dominant_colors = 10;  // Settings.ImageProperties.MaxDominantColors, 0..20
  GeneralLabelsFilters filters;  // Settings.GeneralLabels

  // The request JSON: every member, defaults included.
  nlohmann::json ToJson() const;
  // Reads a DetectLabels request (or a part of one); members not given keep the values already
  // in `*this`. "Image" is ignored. InvalidArgument naming the member for anything else: an
  // unknown member, a wrong type, a value out of the service model's range.
  Status MergeJson(const nlohmann::json& request);
  // InvalidArgument naming the member when a value is outside the service model's range.
  Status Validate() const;
  // A short stable id of the settings that differ from the defaults ("" for the defaults),
  // e.g. "c90-n5-f3a9c": part of the processor's name.
  std::string ShortId() const;
};

// "GENERAL_LABELS,IMAGE_PROPERTIES" (either order, either alone) into `settings`.
Status ParseFeatures(const std::string& list, LabelSettings& settings);

}  // namespace imagemill::vision
