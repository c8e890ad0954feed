// TextSettings: the Filters of a DetectText request — WordFilter (MinConfidence,
// MinBoundingBoxHeight, MinBoundingBoxWidth) and RegionsOfInterest — read from and written as
// the request's own JSON, so a user passes what they would send to Rekognition:
//
//   {"Filters": {"WordFilter": {"MinConfidence": 90},
//                "RegionsOfInterest": [{"BoundingBox": {"Left": 0, "Top": 0.5, "Width": 1,
//                                                       "Height": 0.5}}]}}
//
// As Rekognition documents them: a word below MinConfidence, or whose bounding box is lower or
// narrower (as ratios of the image) than the minimums, is left out; with regions of interest, a
// word is kept when more than half of it lies inside one of them (a BoundingBox or a Polygon of
// up to 10 points). Without a WordFilter nothing is left out for its confidence; a WordFilter
// that leaves MinConfidence out has the documented default, 80.
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"

namespace imagemill::vision {

// One of Filters.RegionsOfInterest: a box, a polygon, or both (a word must then be inside both).
struct RegionOfInterest {
  std::optional<cv::Rect2f> box;   // Left, Top, Width, Height as ratios of the image
  std::vector<cv::Point2f> polygon;  // ratios; empty when not given, else 3 to 10 points

  // The share (0..1) of the quadrilateral `corners` (ratios) that lies inside this region.
  float Covers(const std::array<cv::Point2f, 4>& corners) const;
};

struct TextSettings {
  float min_confidence = 0;     // WordFilter.MinConfidence, 0..100
  float min_box_height = 0;     // WordFilter.MinBoundingBoxHeight, 0..1
  float min_box_width = 0;      // WordFilter.MinBoundingBoxWidth, 0..1
  std::vector<RegionOfInterest> regions;  // at most 10

  // The request JSON: {"Filters": {...}} with every member, defaults included.
  nlohmann::json ToJson() const;
  // Reads a DetectText request (or {"Filters": ...} alone); members not given keep the values
  // in `*this`. "Image" is ignored. InvalidArgument naming the member for anything else: an
  // unknown member, a wrong type, a value out of the service model's range.
  Status MergeJson(const nlohmann::json& request);
  // InvalidArgument naming the member when a value is outside the service model's range.
  Status Validate() const;
  // A short stable id of the settings that differ from the defaults ("" for the defaults),
  // e.g. "c80-r1f3a9c2d0": part of the processor's name.
  std::string ShortId() const;

  // Whether a word with this confidence (0..100) and corners (ratios) passes the filters.
  bool Keeps(float confidence, const std::array<cv::Point2f, 4>& corners) const;
};

}  // namespace imagemill::vision
