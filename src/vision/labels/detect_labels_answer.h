// The DetectLabels answer: from what a label model found in one image to the JSON that
// Rekognition's DetectLabels returns (botocore's DetectLabelsResponse shape):
//
//   {"Labels": [{"Name", "Confidence", "Instances": [{"BoundingBox": {"Width", "Height", "Left",
//     "Top"}, "Confidence"}], "Parents": [{"Name"}], "Aliases": [{"Name"}],
//     "Categories": [{"Name"}]}], "LabelModelVersion", "ImageProperties": {...}}
//
// One label per class with all its instances, named and placed in the taxonomy by taxonomy.h.
// A label's Confidence is the highest of its objects' label_confidence, or without one, its best
// instance's; a label below MinConfidence is left out. A kept label lists its instances at or
// above MinConfidence, and at least its best one (so a label made confident by several modest
// boxes still shows where it is).
// Labels come best first; the filters of settings.filters apply, then MaxLabels. Ancestors appear
// in Parents only, not again as labels of their own (Rekognition lists them as labels too; here
// MaxLabels 1 answers the most specific thing found, and the results table indexes parents).
#pragma once

#include <nlohmann/json.hpp>
#include <opencv2/core/types.hpp>
#include <optional>
#include <string>
#include <vector>

#include "vision/labels/label_settings.h"
#include "vision/labels/taxonomy.h"
#include "vision/properties/image_properties.h"
#include "workflow/records.h"

namespace imagemill::vision {

// One object (or, without a box, one image-level class) found in an image.
struct FoundObject {
  std::string class_name;         // as the model names it ("traffic light"); taxonomy.h maps it
  double confidence = 0;          // 0..100, calibrated (score_calibration.h)
  double score = 0;               // the model's own score, 0..1, before calibration
  std::optional<cv::Rect2f> box;  // ratios of the image as displayed; none for a classifier
  // The Confidence of the label this object is an instance of, from all the image's objects of
  // its class (label_score.h), 0..100; unset: the label's Confidence is its best instance's.
  std::optional<double> label_confidence;
  // Where the label sits in Rekognition's taxonomy when the class is not one taxonomy.h knows
  // (a label from another detector, e.g. "Face": parents Head, Person). Unset: TaxonForClass.
  std::optional<LabelTaxon> taxon;
};

// The "Labels" array for `found` under `settings` (MinConfidence, filters, MaxLabels).
nlohmann::json LabelsJson(const std::vector<FoundObject>& found, const LabelSettings& settings);

// The whole response. Labels and LabelModelVersion are present when settings.general_labels,
// ImageProperties when settings.image_properties and `properties` is given.
nlohmann::json DetectLabelsAnswer(const std::vector<FoundObject>& found,
                                  const std::string& label_model_version,
                                  const std::optional<ImageProperties>& properties,
                                  const LabelSettings& settings);

// The index entries of a DetectLabels answer: each label and each of its parents, with the label's
// confidence (the best, when several labels share a parent).
std::vector<IndexEntry> LabelIndexEntries(const nlohmann::json& response);

}  // namespace imagemill::vision
