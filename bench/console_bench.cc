// console_bench: the console's gallery over a large results table — the first page of 100
// thumbnails (the gallery's JSON, then each thumbnail, cached on disk) as the browser asks for
// them, answered by the console's own handlers (server/console/console.h) without the socket.
//
//   build/console_bench --db sqlite:/tmp/console.db --items 100000 [--repeats 20]
//
// Fills the table once (generated answers: one of 20 labels each, with the parent "Thing"; "Dog"
// is one in 20), writes a small cached thumbnail for every answer of the pages it reads, then
// times, each --repeats times: the first page (no filter), the first page of a label search
// ("Dog"), a page far in (after the items/2-th answer, keyset), and the 100 thumbnails of the
// first page. Prints one line per figure (median and worst, ms) and, last, the figures as JSON.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <vector>

#include "db/database.h"
#include "server/console/console.h"
#include "service/execution_service.h"
#include "util/clock.h"

using namespace imagemill;                   // NOLINT
using namespace imagemill::server::console;  // NOLINT
using Json = nlohmann::json;

namespace {

constexpr const char* kSource = "s3://console-bench";

std::string Key(int64_t i) {
  char key[32];
  std::snprintf(key, sizeof key, "photos/%08lld.jpg", static_cast<long long>(i));
  return key;
}

// Lists, claims and completes `items` generated answers as an execution named "fill" would.
void Fill(Database& db, int64_t items) {
  ExecutionRecord r;
  r.name = "fill";
  r.map_run_id = "map-fill";
  r.spec = {{"source", kSource}, {"name", "fill"}};
  bool created = false;
  db.CreateOrGetExecution(r, &created);
  if (!created) return;  // filled by an earlier run
  const std::vector<std::string> names = {"Dog", "Cat", "Car", "Tree", "Person"};
  constexpr int64_t kBatch = 1000;
  const AnswerTarget target{kSource, "labels", "labels/bench"};
  for (int64_t first = 0; first < items; first += kBatch) {
    ListingStep step;
    BatchRecord batch;
    for (int64_t i = first; i < std::min(items, first + kBatch); ++i) {
      batch.items.push_back({Key(i), 50'000, "etag" + std::to_string(i), ""});
    }
    step.batches.push_back(batch);
    step.listed = static_cast<int64_t>(batch.items.size());
    step.cursor = batch.items.back().key;
    step.done = first + kBatch >= items;
    db.AppendListing("fill", first == 0 ? "" : Key(first - 1), step);
    for (const BatchRecord& b : db.ClaimBatches("fill", "bench", 1, 0, ToUnixMillis(Clock::Real().Now()) + 600'000)) {
      FinishedBatch done{b.seq, b.attempt, true, {}};
      for (size_t k = 0; k < b.items.size(); ++k) {
        const int64_t i = first + static_cast<int64_t>(k);
        const std::string label = i % 20 == 0 ? "Dog" : names[1 + i % 4];
        const double confidence = 60 + static_cast<double>(i % 400) / 10;
        ItemOutcome o;
        o.item = b.items[k];
        o.response = Json{{"Labels",
                           {{{"Name", label},
                             {"Confidence", confidence},
                             {"Instances", Json::array()},
                             {"Parents", {{{"Name", "Thing"}}}},
                             {"Categories", {{{"Name", "Things"}}}}}}},
                          {"LabelModelVersion", "bench"}}
                         .dump();
        o.index = {{label, confidence, true}, {"Thing", confidence, false}};
        done.outcomes.push_back(std::move(o));
      }
      db.CompleteBatches("fill", "bench", target, {done});
    }
  }
}

struct Timing {
  double median_ms = 0, worst_ms = 0;
};

template <typename F>
Timing Time(int repeats, F&& fn) {
  std::vector<double> ms;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms.back()};
}

server::Request Get(const std::string& target) {
  server::Request r;
  r.method = "GET";
  r.target = target;
  return r;
}

std::string Encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out.push_back(static_cast<char>(c));
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("The console's gallery over a large results table");
  std::string db_uri = "sqlite:/tmp/imagemill-console-bench.db";
  int64_t items = 100'000;
  int repeats = 20;
  std::string state = "/tmp/imagemill-console-bench-state";
  app.add_option("--db", db_uri, "Results database (filled once)")->capture_default_str();
  app.add_option("--items", items, "Answers in the table")->capture_default_str();
  app.add_option("--repeats", repeats, "Timed repetitions of each figure")->capture_default_str();
  app.add_option("--state-dir", state, "Where the thumbnails are cached")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  Result<std::unique_ptr<Database>> opened = OpenDatabase(db_uri, OpenMode::kCreate);
  if (!opened.ok()) {
    std::fprintf(stderr, "console_bench: %s\n", opened.status().message().c_str());
    return 1;
  }
  Database& db = **opened;
  const auto fill0 = std::chrono::steady_clock::now();
  Fill(db, items);
  std::fprintf(stderr, "console_bench: %lld answers in %s (filled in %.1f s)\n",
               static_cast<long long>(db.CountResults({})), db_uri.c_str(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - fill0).count());

  service::ExecutionService service(db, {});
  RenditionCache renditions(state + "/renditions", [](const std::string&) {
    return Result<std::unique_ptr<ObjectStore>>(
        Status::NotFound("console_bench serves cached thumbnails only"));
  });
  ConsoleAuth auth(true, {}, Clock::Real());
  ExecutionsApi executions(service, nullptr, Clock::Real());
  GalleryApi gallery(db, renditions);
  server::WorkPool pool("bench", 1, 8);
  Console console(auth, executions, gallery, pool);

  // A cached thumbnail (a 240 x 180 JPEG) for every answer of the first page.
  const std::string first_page = "/console/api/gallery?limit=100";
  Json page = Json::parse(console.Answer(Get(first_page)).body);
  const std::string jpeg = RenditionCache::Render(cv::Mat(180, 240, CV_8UC3, cv::Scalar(90, 140, 60)), 240);
  std::vector<std::string> thumbs;
  for (const Json& item : page["items"]) {
    const std::string path = renditions.PathFor({item["source"], item["id"], item["etag"], kThumbnailSize});
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << jpeg;
    thumbs.push_back("/console/rendition?size=240&source=" + Encode(item["source"]) + "&id=" +
                     Encode(item["id"]));
  }
  const std::string far = "/console/api/gallery?limit=100&after_source=" + Encode(kSource) +
                          "&after_id=" + Encode(Key(items / 2));

  size_t bytes = 0;
  const Timing json = Time(repeats, [&] { bytes = console.Answer(Get(first_page)).body.size(); });
  const Timing dog = Time(repeats, [&] { console.Answer(Get("/console/api/gallery?limit=100&label=Dog")); });
  const Timing deep = Time(repeats, [&] { console.Answer(Get(far)); });
  int ok = 0;
  const Timing images = Time(repeats, [&] {
    ok = 0;
    for (const std::string& t : thumbs) ok += console.Answer(Get(t)).status == 200;
  });
  const Timing whole = Time(repeats, [&] {
    console.Answer(Get(first_page));
    for (const std::string& t : thumbs) console.Answer(Get(t));
  });
  std::printf("first page JSON (100 answers, %zu bytes): median %.1f ms, worst %.1f ms\n", bytes,
              json.median_ms, json.worst_ms);
  std::printf("first page of a label search (Dog):      median %.1f ms, worst %.1f ms\n",
              dog.median_ms, dog.worst_ms);
  std::printf("a page after the %lld-th answer:          median %.1f ms, worst %.1f ms\n",
              static_cast<long long>(items / 2), deep.median_ms, deep.worst_ms);
  std::printf("its %d cached thumbnails:                 median %.1f ms, worst %.1f ms\n", ok,
              images.median_ms, images.worst_ms);
  std::printf("first gallery page, JSON + thumbnails:   median %.1f ms, worst %.1f ms\n",
              whole.median_ms, whole.worst_ms);
  std::printf("%s\n", Json{{"items", items},
                           {"first_page_ms", json.median_ms},
                           {"label_page_ms", dog.median_ms},
                           {"deep_page_ms", deep.median_ms},
                           {"thumbnails_ms", images.median_ms},
                           {"gallery_page_ms", whole.median_ms},
                           {"gallery_page_worst_ms", whole.worst_ms}}
                          .dump()
                          .c_str());
  return ok == static_cast<int>(thumbs.size()) && ok > 0 ? 0 : 1;
}
