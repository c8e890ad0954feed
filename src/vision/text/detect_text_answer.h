// The DetectText response, shaped as Rekognition's (botocore's service model,
// DetectTextResponse):
//
//   {"TextDetections": [
//      {"DetectedText": "NO PARKING", "Type": "LINE", "Id": 0, "Confidence": 93.5,
//       "Geometry": {"BoundingBox": {"Width", "Height", "Left", "Top"},
//                    "Polygon": [{"X", "Y"} x 4]}},
//      ...every LINE, then every WORD:
//      {"DetectedText": "NO", "Type": "WORD", "Id": 2, "ParentId": 0, "Confidence": 91.2,
//       "Geometry": {...}}, ...],
//    "TextModelVersion": "pp-ocrv4-det+tesseract-5.3.0"}
//
// Rules, as Rekognition's documentation and examples show them: lines come first, numbered from
// 0 in reading order (top to bottom, left to right along a row); then the words, numbered on
// from there, line by line, left to right, each with its line's Id as ParentId. A line's text is
// its words joined by spaces and its confidence their mean. Geometry is in ratios (0..1) of the
// image: an axis-aligned BoundingBox and a 4-point Polygon clockwise from the text's top-left
// corner; a line's is the tightest box along its own direction around its words. At most 100
// words (Rekognition's limit), whole lines in reading order. Words the filters leave out
// (text_settings.h) are gone from their lines; a line left with no word is gone.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vision/text/line_reader.h"
#include "vision/text/text_settings.h"

namespace imagemill::vision {

inline constexpr int kMaxTextWords = 100;

nlohmann::json DetectTextAnswer(std::vector<TextLine> lines, const TextSettings& settings,
                                const std::string& model_version, int max_words = kMaxTextWords);

// `lines` sorted in reading order (see above).
void SortReadingOrder(std::vector<TextLine>& lines);

// {"BoundingBox": ..., "Polygon": [...]} for corners given as ratios.
nlohmann::json TextGeometry(const std::array<cv::Point2f, 4>& corners);

}  // namespace imagemill::vision
