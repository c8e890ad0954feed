#include "vision/text/detect_text_answer.h"

#include <algorithm>
#include <cmath>

namespace imagemill::vision {
namespace {

float Clamp01(float v) { return std::clamp(v, 0.0f, 1.0f); }

cv::Point2f Center(const std::array<cv::Point2f, 4>& c) {
  return (c[0] + c[1] + c[2] + c[3]) * 0.25f;
}

float Height(const std::array<cv::Point2f, 4>& c) {
  return static_cast<float>(cv::norm(c[3] - c[0]));
}

// The tightest quadrilateral along the line's own axes (its box's top edge and its normal)
// around every corner of its words.
std::array<cv::Point2f, 4> TightCorners(const TextLine& line) {
  const std::array<cv::Point2f, 4>& box = line.corners;
  cv::Point2f u = box[1] - box[0];
  const float length = static_cast<float>(cv::norm(u));
  if (length <= 0 || line.words.empty()) return box;
  u /= length;
  const cv::Point2f v(-u.y, u.x);
  float u0 = INFINITY, u1 = -INFINITY, v0 = INFINITY, v1 = -INFINITY;
  for (const TextWord& w : line.words) {
    for (const cv::Point2f& p : w.corners) {
      const cv::Point2f d = p - box[0];
      const float pu = d.dot(u), pv = d.dot(v);
      u0 = std::min(u0, pu), u1 = std::max(u1, pu);
      v0 = std::min(v0, pv), v1 = std::max(v1, pv);
    }
  }
  auto at = [&](float a, float b) {
    const cv::Point2f p = box[0] + u * a + v * b;
    return cv::Point2f(Clamp01(p.x), Clamp01(p.y));
  };
  return {at(u0, v0), at(u1, v0), at(u1, v1), at(u0, v1)};
}

nlohmann::json Detection(const std::string& text, const char* type, int id, int parent,
                         float confidence, const std::array<cv::Point2f, 4>& corners) {
  nlohmann::json d = {{"DetectedText", text}, {"Type", type}, {"Id", id}};
  if (parent >= 0) d["ParentId"] = parent;
  d["Confidence"] = std::clamp(confidence, 0.0f, 100.0f);
  d["Geometry"] = TextGeometry(corners);
  return d;
}

}  // namespace

nlohmann::json TextGeometry(const std::array<cv::Point2f, 4>& corners) {
  float x0 = 1, x1 = 0, y0 = 1, y1 = 0;
  nlohmann::json polygon = nlohmann::json::array();
  for (const cv::Point2f& p : corners) {
    const float x = Clamp01(p.x), y = Clamp01(p.y);
    x0 = std::min(x0, x), x1 = std::max(x1, x);
    y0 = std::min(y0, y), y1 = std::max(y1, y);
    polygon.push_back({{"X", x}, {"Y", y}});
  }
  return {{"BoundingBox", {{"Width", x1 - x0}, {"Height", y1 - y0}, {"Left", x0}, {"Top", y0}}},
          {"Polygon", polygon}};
}

void SortReadingOrder(std::vector<TextLine>& lines) {
  std::stable_sort(lines.begin(), lines.end(), [](const TextLine& a, const TextLine& b) {
    return Center(a.corners).y < Center(b.corners).y;
  });
  // Lines of one row (centres closer than half the lower line's height) read left to right.
  for (size_t i = 1; i < lines.size(); ++i) {
    for (size_t j = i; j > 0; --j) {
      const cv::Point2f a = Center(lines[j - 1].corners), b = Center(lines[j].corners);
      const float h = std::min(Height(lines[j - 1].corners), Height(lines[j].corners));
      if (std::abs(a.y - b.y) < 0.5f * h && b.x < a.x) {
        std::swap(lines[j - 1], lines[j]);
      } else {
        break;
      }
    }
  }
}

nlohmann::json DetectTextAnswer(std::vector<TextLine> lines, const TextSettings& settings,
                                const std::string& model_version, int max_words) {
  for (TextLine& line : lines) {
    std::erase_if(line.words, [&](const TextWord& w) {
      return w.text.empty() || !settings.Keeps(w.confidence, w.corners);
    });
  }
  std::erase_if(lines, [](const TextLine& l) { return l.words.empty(); });
  SortReadingOrder(lines);
  int words = 0;
  size_t kept = 0;
  while (kept < lines.size() && words + static_cast<int>(lines[kept].words.size()) <= max_words) {
    words += static_cast<int>(lines[kept++].words.size());
  }
  lines.resize(kept);

  nlohmann::json detections = nlohmann::json::array();
  for (size_t l = 0; l < lines.size(); ++l) {
    std::string text;
    float sum = 0;
    for (const TextWord& w : lines[l].words) {
      text += (text.empty() ? "" : " ") + w.text;
      sum += w.confidence;
    }
    detections.push_back(Detection(text, "LINE", static_cast<int>(l), -1,
                                   sum / static_cast<float>(lines[l].words.size()),
                                   TightCorners(lines[l])));
  }
  int id = static_cast<int>(lines.size());
  for (size_t l = 0; l < lines.size(); ++l) {
    for (const TextWord& w : lines[l].words) {
      detections.push_back(
          Detection(w.text, "WORD", id++, static_cast<int>(l), w.confidence, w.corners));
    }
  }
  return {{"TextDetections", detections}, {"TextModelVersion", model_version}};
}

}  // namespace imagemill::vision
