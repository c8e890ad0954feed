#include "server/console/gallery_api.h"

#include <charconv>

#include "server/console/executions_api.h"

namespace imagemill::server::console {

using Json = nlohmann::json;

namespace {

constexpr int kDefaultPage = 100;
constexpr int kMaxPage = 500;
constexpr size_t kLabelsShown = 6;
constexpr std::string_view kKind = "labels";

// `text` as a number, or nullopt when it is not one (whole, in range).
std::optional<double> ParseNumber(const std::string& text) {
  double v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || p != end || !std::isfinite(v)) return std::nullopt;
  return v;
}

bool HasCategory(const Json& response, const std::string& category) {
  const Json* labels = response.contains("Labels") ? &response["Labels"] : nullptr;
  if (labels == nullptr || !labels->is_array()) return false;
  for (const Json& l : *labels) {
    if (!l.contains("Categories") || !l["Categories"].is_array()) continue;
    for (const Json& c : l["Categories"]) {
      if (c.is_object() && c.value("Name", std::string()) == category) return true;
    }
  }
  return false;
}

// The first few labels of an answer: name and confidence.
Json LabelsOf(const Json& response) {
  Json out = Json::array();
  if (!response.is_object() || !response.contains("Labels") || !response["Labels"].is_array()) {
    return out;
  }
  for (const Json& l : response["Labels"]) {
    if (out.size() >= kLabelsShown) break;
    if (!l.is_object()) continue;
    out.push_back({{"name", l.value("Name", std::string())},
                   {"confidence", l.value("Confidence", 0.0)}});
  }
  return out;
}

}  // namespace

GalleryApi::GalleryApi(ResultsTable& results, RenditionCache& renditions)
    : results_(results), renditions_(renditions) {}

Response GalleryApi::Gallery(const QueryParams& q) {
  BrowseQuery b;
  b.kind = std::string(kKind);
  b.label = q.Get("label");
  b.source = q.Get("source");
  b.after_source = q.Get("after_source");
  b.after_id = q.Get("after_id");
  const std::optional<double> min = ParseNumber(q.Get("min", "0"));
  if (!min || *min < 0 || *min > 100) {
    return ErrorResponse(400, "min is the least confidence, a number from 0 to 100");
  }
  b.min_confidence = *min;
  const std::optional<double> after_conf = ParseNumber(q.Get("after_conf", "0"));
  const std::optional<double> limit = ParseNumber(q.Get("limit", std::to_string(kDefaultPage)));
  if (!after_conf) return ErrorResponse(400, "after_conf is a confidence, a number");
  if (!limit || *limit < 1 || *limit > kMaxPage) {
    return ErrorResponse(400, "limit is the page size, from 1 to " + std::to_string(kMaxPage));
  }
  b.after_confidence = *after_conf;
  b.limit = static_cast<int>(*limit);
  const std::string category = q.Get("category");

  std::vector<BrowseEntry> page = results_.BrowseResults(b);
  Json items = Json::array();
  for (const BrowseEntry& e : page) {
    const StoredResult& r = e.result;
    if (!category.empty() && !HasCategory(r.response, category)) continue;
    Json item = {{"source", r.source}, {"id", r.id},         {"etag", r.etag},
                 {"labels", LabelsOf(r.response)}, {"execution", r.execution}};
    if (!b.label.empty()) item["confidence"] = e.confidence;
    items.push_back(std::move(item));
  }
  Json next = nullptr;
  if (static_cast<int>(page.size()) == b.limit) {
    const BrowseEntry& last = page.back();
    next = {{"after_source", last.result.source},
            {"after_id", last.result.id},
            {"after_conf", last.confidence}};
  }
  return JsonResponse(200, {{"items", items}, {"next", next}});
}

Response GalleryApi::Facets(const QueryParams& q) {
  Json facets = Json::array();
  for (const auto& [name, count] : results_.LabelFacets(q.Get("source"), kKind, 30)) {
    facets.push_back({{"name", name}, {"count", count}});
  }
  return JsonResponse(200, {{"facets", facets}});
}

Response GalleryApi::Image(const QueryParams& q) {
  std::optional<StoredResult> r = results_.GetResult(q.Get("source"), q.Get("id"), kKind);
  if (!r) {
    return ErrorResponse(404, "no labels are stored for " + q.Get("id") + " in " +
                                  q.Get("source") + ": open the image from the gallery");
  }
  return JsonResponse(200, r->ToJson());
}

Response GalleryApi::Rendition(const QueryParams& q) {
  std::optional<StoredResult> r = results_.GetResult(q.Get("source"), q.Get("id"), kKind);
  if (!r) return ErrorResponse(404, "no labels are stored for " + q.Get("id") + " in " +
                                        q.Get("source"));
  const std::optional<double> size = ParseNumber(q.Get("size", std::to_string(kThumbnailSize)));
  if (!size || !IsRenditionSize(static_cast<int>(*size))) {
    return ErrorResponse(400, "size is " + std::to_string(kThumbnailSize) + " or " +
                                  std::to_string(kPictureSize));
  }
  Result<std::string> jpeg =
      renditions_.Get({r->source, r->id, r->etag, static_cast<int>(*size)});
  if (!jpeg.ok()) {
    const int status = jpeg.status().code() == Code::kNotFound ? 404 : 502;
    return ErrorResponse(status, jpeg.status().message());
  }
  Response out;
  out.content_type = "image/jpeg";
  out.body = std::move(jpeg).value();
  // The URL names the answer, not its ETag: a browser may keep it a short while only.
  out.headers.emplace_back("Cache-Control", "private, max-age=300");
  return out;
}

}  // namespace imagemill::server::console
