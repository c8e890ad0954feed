#include "vision/text/text_settings.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <opencv2/imgproc.hpp>

namespace imagemill::vision {
namespace {

constexpr size_t kMaxRegions = 10;        // RegionsOfInterest max
constexpr size_t kMaxPolygonPoints = 10;  // "up to 10 Point objects"
constexpr float kWordFilterDefaultConfidence = 80;

// FNV-1a, 32 bits: stable across builds and platforms (std::hash is not).
uint32_t Fnv1a(const std::string& s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

Status UnknownMember(const std::string& where, const std::string& key, const char* known) {
  return Status::InvalidArgument("unknown member " + where + key + " (known: " + known + ")");
}

Status ReadNumber(const nlohmann::json& j, const std::string& where, float& out) {
  if (!j.is_number()) return Status::InvalidArgument(where + " must be a number");
  out = j.get<float>();
  return Status::Ok();
}

Status ReadBox(const nlohmann::json& j, const std::string& where, cv::Rect2f& box) {
  if (!j.is_object()) return Status::InvalidArgument(where + " must be an object");
  box = cv::Rect2f(0, 0, 0, 0);
  for (const auto& [key, value] : j.items()) {
    float* field = key == "Left"     ? &box.x
                   : key == "Top"    ? &box.y
                   : key == "Width"  ? &box.width
                   : key == "Height" ? &box.height
                                     : nullptr;
    if (field == nullptr) return UnknownMember(where + ".", key, "Left, Top, Width, Height");
    if (Status s = ReadNumber(value, where + "." + key, *field); !s.ok()) return s;
  }
  return Status::Ok();
}

Status ReadPolygon(const nlohmann::json& j, const std::string& where,
                   std::vector<cv::Point2f>& polygon) {
  if (!j.is_array()) return Status::InvalidArgument(where + " must be a list of points");
  polygon.clear();
  for (const nlohmann::json& p : j) {
    if (!p.is_object()) return Status::InvalidArgument(where + " must be a list of {X, Y}");
    cv::Point2f point;
    for (const auto& [key, value] : p.items()) {
      if (key != "X" && key != "Y") return UnknownMember(where + "[].", key, "X, Y");
      if (Status s = ReadNumber(value, where + "[]." + key, key == "X" ? point.x : point.y);
          !s.ok()) {
        return s;
      }
    }
    polygon.push_back(point);
  }
  return Status::Ok();
}

bool InUnitRange(float v) { return v >= 0 && v <= 1; }

bool Finite(const cv::Point2f& p) { return std::isfinite(p.x) && std::isfinite(p.y); }

}  // namespace

float RegionOfInterest::Covers(const std::array<cv::Point2f, 4>& corners) const {
  // The share of a grid of points spread over the quadrilateral that fall inside: exact enough
  // for "more than half", and the same for boxes, convex and concave polygons.
  constexpr int kSteps = 8;
  int inside = 0;
  for (int i = 0; i < kSteps; ++i) {
    for (int j = 0; j < kSteps; ++j) {
      const float u = (i + 0.5f) / kSteps, v = (j + 0.5f) / kSteps;
      const cv::Point2f top = corners[0] + (corners[1] - corners[0]) * u;
      const cv::Point2f bottom = corners[3] + (corners[2] - corners[3]) * u;
      const cv::Point2f p = top + (bottom - top) * v;
      bool in = true;
      if (box)
        in = p.x >= box->x && p.x <= box->x + box->width && p.y >= box->y &&
             p.y <= box->y + box->height;
      if (in && !polygon.empty()) in = cv::pointPolygonTest(polygon, p, false) >= 0;
      inside += in ? 1 : 0;
    }
  }
  return static_cast<float>(inside) / (kSteps * kSteps);
}

nlohmann::json TextSettings::ToJson() const {
  nlohmann::json regions_json = nlohmann::json::array();
  for (const RegionOfInterest& r : regions) {
    nlohmann::json region = nlohmann::json::object();
    if (r.box) {
      region["BoundingBox"] = {{"Width", r.box->width},
                               {"Height", r.box->height},
                               {"Left", r.box->x},
                               {"Top", r.box->y}};
    }
    if (!r.polygon.empty()) {
      nlohmann::json points = nlohmann::json::array();
      for (const cv::Point2f& p : r.polygon) points.push_back({{"X", p.x}, {"Y", p.y}});
      region["Polygon"] = points;
    }
    regions_json.push_back(region);
  }
  return {{"Filters",
           {{"WordFilter",
             {{"MinConfidence", min_confidence},
              {"MinBoundingBoxHeight", min_box_height},
              {"MinBoundingBoxWidth", min_box_width}}},
            {"RegionsOfInterest", regions_json}}}};
}

Status TextSettings::MergeJson(const nlohmann::json& request) {
  if (!request.is_object()) return Status::InvalidArgument("text settings must be a JSON object");
  for (const auto& [key, filters] : request.items()) {
    if (key == "Image") continue;
    if (key != "Filters") return UnknownMember("", key, "Filters");
    if (!filters.is_object()) return Status::InvalidArgument("Filters must be an object");
    for (const auto& [fkey, fvalue] : filters.items()) {
      if (fkey == "WordFilter") {
        if (!fvalue.is_object()) {
          return Status::InvalidArgument("Filters.WordFilter must be an object");
        }
        if (!fvalue.contains("MinConfidence")) min_confidence = kWordFilterDefaultConfidence;
        for (const auto& [wkey, wvalue] : fvalue.items()) {
          float* field = wkey == "MinConfidence"          ? &min_confidence
                         : wkey == "MinBoundingBoxHeight" ? &min_box_height
                         : wkey == "MinBoundingBoxWidth"  ? &min_box_width
                                                          : nullptr;
          if (field == nullptr) {
            return UnknownMember("Filters.WordFilter.", wkey,
                                 "MinConfidence, MinBoundingBoxHeight, MinBoundingBoxWidth");
          }
          if (Status s = ReadNumber(wvalue, "Filters.WordFilter." + wkey, *field); !s.ok()) {
            return s;
          }
        }
      } else if (fkey == "RegionsOfInterest") {
        if (!fvalue.is_array()) {
          return Status::InvalidArgument("Filters.RegionsOfInterest must be a list");
        }
        regions.clear();
        for (const nlohmann::json& r : fvalue) {
          const std::string where =
              "Filters.RegionsOfInterest[" + std::to_string(regions.size()) + "]";
          if (!r.is_object()) return Status::InvalidArgument(where + " must be an object");
          RegionOfInterest region;
          for (const auto& [rkey, rvalue] : r.items()) {
            if (rkey == "BoundingBox") {
              cv::Rect2f box;
              if (Status s = ReadBox(rvalue, where + ".BoundingBox", box); !s.ok()) return s;
              region.box = box;
            } else if (rkey == "Polygon") {
              if (Status s = ReadPolygon(rvalue, where + ".Polygon", region.polygon); !s.ok()) {
                return s;
              }
            } else {
              return UnknownMember(where + ".", rkey, "BoundingBox, Polygon");
            }
          }
          regions.push_back(std::move(region));
        }
      } else {
        return UnknownMember("Filters.", fkey, "WordFilter, RegionsOfInterest");
      }
    }
  }
  return Validate();
}

Status TextSettings::Validate() const {
  if (!(min_confidence >= 0 && min_confidence <= 100)) {
    return Status::InvalidArgument("Filters.WordFilter.MinConfidence must be between 0 and 100");
  }
  if (!InUnitRange(min_box_height) || !InUnitRange(min_box_width)) {
    return Status::InvalidArgument(
        "Filters.WordFilter.MinBoundingBoxHeight and MinBoundingBoxWidth must be between 0 and 1");
  }
  if (regions.size() > kMaxRegions) {
    return Status::InvalidArgument("Filters.RegionsOfInterest has " +
                                   std::to_string(regions.size()) +
                                   " regions; at most 10 are allowed");
  }
  for (size_t k = 0; k < regions.size(); ++k) {
    const RegionOfInterest& r = regions[k];
    const std::string where = "Filters.RegionsOfInterest[" + std::to_string(k) + "]";
    if (!r.box && r.polygon.empty()) {
      return Status::InvalidArgument(where + " needs a BoundingBox or a Polygon");
    }
    if (r.box &&
        !(r.box->width > 0 && r.box->height > 0 && Finite(r.box->tl()) && Finite(r.box->br()))) {
      return Status::InvalidArgument(where +
                                     ".BoundingBox needs finite numbers, Width and Height above 0");
    }
    if (!r.polygon.empty() && (r.polygon.size() < 3 || r.polygon.size() > kMaxPolygonPoints)) {
      return Status::InvalidArgument(where + ".Polygon needs 3 to 10 points");
    }
    if (!std::all_of(r.polygon.begin(), r.polygon.end(), Finite)) {
      return Status::InvalidArgument(where + ".Polygon needs finite numbers");
    }
  }
  return Status::Ok();
}

std::string TextSettings::ShortId() const {
  std::vector<std::string> parts;
  char buf[48];
  if (min_confidence != 0) {
    std::snprintf(buf, sizeof(buf), "c%g", min_confidence);
    parts.emplace_back(buf);
  }
  if (min_box_height != 0) {
    std::snprintf(buf, sizeof(buf), "h%g", min_box_height);
    parts.emplace_back(buf);
  }
  if (min_box_width != 0) {
    std::snprintf(buf, sizeof(buf), "w%g", min_box_width);
    parts.emplace_back(buf);
  }
  if (!regions.empty()) {
    std::snprintf(buf, sizeof(buf), "r%zu%08x", regions.size(),
                  Fnv1a(ToJson()["Filters"]["RegionsOfInterest"].dump()));
    parts.emplace_back(buf);
  }
  std::string id;
  for (const std::string& p : parts) id += (id.empty() ? "" : "-") + p;
  return id;
}

bool TextSettings::Keeps(float confidence, const std::array<cv::Point2f, 4>& corners) const {
  if (confidence < min_confidence) return false;
  float x0 = corners[0].x, x1 = x0, y0 = corners[0].y, y1 = y0;
  for (const cv::Point2f& p : corners) {
    x0 = std::min(x0, p.x), x1 = std::max(x1, p.x);
    y0 = std::min(y0, p.y), y1 = std::max(y1, p.y);
  }
  if (y1 - y0 < min_box_height || x1 - x0 < min_box_width) return false;
  if (regions.empty()) return true;
  return std::any_of(regions.begin(), regions.end(),
                     [&](const RegionOfInterest& r) { return r.Covers(corners) > 0.5f; });
}

}  // namespace imagemill::vision
