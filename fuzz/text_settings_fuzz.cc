// libFuzzer target for a DetectText request's Filters (vision/text/text_settings.h): the JSON a
// client sends to the DetectText API, or passes to `detect-text --settings`, is untrusted. Built
// and run by `make fuzz` (fuzz/text_settings.dict seeds it with the request's member names).
//
// Checks, besides the sanitizers: settings that were accepted write a request that reads back
// to the same settings and name, and a region's coverage of a word is a share (0..1).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vision/text/text_settings.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const nlohmann::json request = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded()) return 0;
  imagemill::vision::TextSettings settings;
  if (!settings.MergeJson(request).ok()) return 0;
  imagemill::vision::TextSettings again;
  if (!again.MergeJson(settings.ToJson()).ok()) __builtin_trap();
  if (again.ShortId() != settings.ShortId()) __builtin_trap();
  const std::array<cv::Point2f, 4> word = {cv::Point2f(0.1f, 0.1f), cv::Point2f(0.6f, 0.15f),
                                           cv::Point2f(0.55f, 0.4f), cv::Point2f(0.05f, 0.35f)};
  for (const imagemill::vision::RegionOfInterest& r : settings.regions) {
    const float share = r.Covers(word);
    if (!(share >= 0 && share <= 1)) __builtin_trap();
  }
  (void)settings.Keeps(50, word);
  return 0;
}
