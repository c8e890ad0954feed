#include "service/result_summary.h"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

namespace imagemill::service {

std::string ResultSummary(const StoredResult& r) {
  std::string line;
  const nlohmann::json& resp = r.response;
  if (r.kind == "inventory") {
    return std::to_string(r.size) + " bytes, ETag " + r.etag;
  }
  if (r.kind == "faces") {
    const nlohmann::json faces = resp.value("FaceDetails", nlohmann::json::array());
    if (faces.empty()) return "no face";
    double best = 0;
    for (const nlohmann::json& face : faces) best = std::max(best, face.value("Confidence", 0.0));
    char buf[80];
    std::snprintf(buf, sizeof(buf), "%zu face%s, best %.1f", faces.size(),
                  faces.size() == 1 ? "" : "s", best);
    return buf;
  }
  if (r.kind == "text") {  // its lines, in reading order
    for (const nlohmann::json& d : resp.value("TextDetections", nlohmann::json::array())) {
      if (d.value("Type", "") != "LINE") continue;
      line += (line.empty() ? "" : " | ") + d.value("DetectedText", std::string());
    }
    return line.empty() ? "no text" : line;
  }
  if (resp.contains("Labels")) {
    for (const nlohmann::json& l : resp["Labels"]) {
      char buf[160];
      std::snprintf(buf, sizeof(buf), "%s%s %.1f", line.empty() ? "" : ", ",
                    l.value("Name", "?").c_str(), l.value("Confidence", 0.0));
      line += buf;
    }
  }
  if (line.empty() && resp.contains("ImageProperties")) {
    const nlohmann::json& p = resp["ImageProperties"];
    // Several dominant colours can share a simplified name ("brown" twice): one entry each, the
    // largest share first.
    std::vector<std::pair<std::string, double>> shares;
    for (const nlohmann::json& c : p.value("DominantColors", nlohmann::json::array())) {
      const std::string name = c.value("SimplifiedColor", "?");
      auto same = std::find_if(shares.begin(), shares.end(),
                               [&](const auto& s) { return s.first == name; });
      if (same == shares.end()) same = shares.insert(shares.end(), {name, 0.0});
      same->second += c.value("PixelPercent", 0.0);
    }
    std::stable_sort(shares.begin(), shares.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    std::string colors;
    for (const auto& [name, percent] : shares) {
      if (colors.size() > 60) break;
      if (!colors.empty()) colors += ", ";
      colors += name + " " + std::to_string(static_cast<int>(percent + 0.5)) + "%";
    }
    char buf[256];
    std::snprintf(buf, sizeof(buf), "no labels; brightness %.0f, sharpness %.0f; colours: %s",
                  p.value("Quality", nlohmann::json::object()).value("Brightness", 0.0),
                  p.value("Quality", nlohmann::json::object()).value("Sharpness", 0.0),
                  colors.c_str());
    line = buf;
  }
  return line.empty() ? "no labels" : line;
}

}  // namespace imagemill::service
