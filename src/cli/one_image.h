// What the single-image commands (detect-labels, detect-faces) share: read IMAGE, answer it with
// a processor exactly as `run` would, print the JSON on stdout, and optionally draw the answer
// onto a copy of the image.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <opencv2/core/mat.hpp>
#include <string>

#include "service/processors.h"

namespace imagemill::cli {

struct OneImageRequest {
  std::string command;   // "detect-faces": messages start "imagemill detect-faces: "
  std::string image;     // the file to read
  std::string annotate;  // where to write the drawing; empty: none
  service::ProcessorSettings settings;
  // Draws an answer onto the image as displayed (CV_8UC3).
  std::function<cv::Mat(const cv::Mat&, const nlohmann::json&)> draw;
};

// The command's exit code: kExitUsage for an unreadable file or a processor that will not open,
// kExitRunFailed when the image cannot be answered or the drawing not written.
int AnswerOneImageCommand(const OneImageRequest& request);

}  // namespace imagemill::cli
