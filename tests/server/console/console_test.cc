// The console's routes over a real execution service and results table (in memory) and a real
// folder of images: what a browser asks, answered without a socket.
#include "server/console/console.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <opencv2/imgcodecs.hpp>

#include "db/database.h"
#include "service/execution_service.h"
#include "support/fake_clock.h"
#include "support/fake_execution_backend.h"
#include "support/images.h"
#include "support/temp_dir.h"

namespace imagemill::server::console {
namespace {

using Json = nlohmann::json;
using testing::TempDir;

class ConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(OpenDatabase("mem:", OpenMode::kCreate)).value();
    service::EngineOptions engine;
    engine.workers = 1;
    engine.fetchers = 1;
    service_ = std::make_unique<service::ExecutionService>(*db_, engine);
    // A key a page must show, never run; one that looks like a way out of the folder.
    for (const std::string key : {"a.png", "<script>alert(1)</script>.png", "big.png"}) {
      const int side = key == "big.png" ? 900 : 120;
      photos_.Write(key, testing::Encode(cv::Mat(side, side * 3 / 2, CV_8UC3,
                                                 cv::Scalar(30, 120, 200)), ".png"));
    }
    service::StartRequest request;
    request.source = photos_.path();
    request.processor.name = "image-properties";
    Result<ExecutionSpec> spec = service_->MakeSpec(request);
    ASSERT_TRUE(spec.ok()) << spec.status().message();
    ASSERT_TRUE(service_->Run(*spec, "first", nullptr, nullptr).ok());
    Open(true);
  }
  void Open(bool open) {
    auth_ = std::make_unique<ConsoleAuth>(open, std::map<std::string, std::string>{{"AKID", "s"}},
                                          clock_);
    renditions_ = std::make_unique<RenditionCache>(
        state_.path() + "/renditions",
        [](const std::string& source) { return OpenObjectStore(source); });
    executions_ = std::make_unique<ExecutionsApi>(*service_, &backend_, clock_);
    gallery_ = std::make_unique<GalleryApi>(*db_, *renditions_);
    console_ = std::make_unique<Console>(*auth_, *executions_, *gallery_, pool_);
  }
  Response Get(const std::string& target, const std::string& cookie = "") {
    Request r;
    r.method = "GET";
    r.target = target;
    if (!cookie.empty()) r.headers.emplace_back("Cookie", cookie);
    return console_->Answer(r);
  }
  Response Post(const std::string& target, const std::string& body, bool console_header = true) {
    Request r;
    r.method = "POST";
    r.target = target;
    r.body = body;
    r.headers.emplace_back("Host", "127.0.0.1:4566");
    if (console_header) r.headers.emplace_back("X-Imagemill-Console", "1");
    return console_->Answer(r);
  }
  static Json Body(const Response& r) { return Json::parse(r.body); }

  TempDir photos_, state_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<service::ExecutionService> service_;
  testing::FakeClock clock_;
  testing::FakeExecutionBackend backend_;
  WorkPool pool_{"console-test", 1, 8};
  std::unique_ptr<ConsoleAuth> auth_;
  std::unique_ptr<RenditionCache> renditions_;
  std::unique_ptr<ExecutionsApi> executions_;
  std::unique_ptr<GalleryApi> gallery_;
  std::unique_ptr<Console> console_;
};

TEST_F(ConsoleTest, ThePageAndItsAssetsComeFromTheBinaryWithAStrictContentPolicy) {
  Response page = Get("/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("/console/assets/app.js"), std::string::npos);
  bool csp = false;
  for (const auto& [name, value] : page.headers) {
    if (name == "Content-Security-Policy") csp = value.find("script-src 'self'") != std::string::npos;
  }
  EXPECT_TRUE(csp);
  EXPECT_EQ(Get("/console/assets/app.js").content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(Get("/console/assets/style.css").status, 200);
  EXPECT_EQ(Get("/console/assets/../../etc/passwd").status, 404);
  EXPECT_EQ(Get("/console/nothing").status, 404);
  Request aws;
  aws.method = "POST";
  aws.target = "/";
  EXPECT_FALSE(console_->Handle(aws, [](Response) {})) << "POST / stays the AWS APIs'";
}

TEST_F(ConsoleTest, ExecutionsAreListedWithTheirCountsAndOneWithItsDetails) {
  Json list = Body(Get("/console/api/executions"));
  ASSERT_EQ(list["executions"].size(), 1u);
  const Json& e = list["executions"][0];
  EXPECT_EQ(e["name"], "first");
  EXPECT_EQ(e["status"], "SUCCEEDED");
  EXPECT_EQ(e["itemCounts"]["succeeded"], 3);
  EXPECT_TRUE(e["eta"].is_null()) << "a finished execution has no ETA";
  Json one = Body(Get("/console/api/executions/first"));
  EXPECT_EQ(one["toleratedFailurePercentage"], 5);
  EXPECT_TRUE(one["failedItems"].empty());
  EXPECT_EQ(Get("/console/api/executions/missing").status, 404);
  EXPECT_EQ(Get("/console/api/executions?status=BOGUS").status, 400);
}

TEST_F(ConsoleTest, AStartBecomesTheSeedsInputAndActionsNeedTheConsoleHeader) {
  EXPECT_EQ(Post("/console/api/executions", R"({"bucket": "/photos"})", false).status, 403);
  EXPECT_EQ(Post("/console/api/executions", R"({"prefix": "x"})").status, 400);
  Response started = Post("/console/api/executions", R"({"bucket": "/photos", "prefix": "a/"})");
  ASSERT_EQ(started.status, 200) << started.body;
  const std::string name = Body(started)["name"];
  EXPECT_EQ(name.rfind("console-", 0), 0u);
  EXPECT_EQ(Json::parse(backend_.executions.at(name).input),
            (Json{{"myStateInput", {{"Bucket", "/photos"}, {"Prefix", "a/"}}}}));
  backend_.executions["first"].status = "RUNNING";
  EXPECT_EQ(Post("/console/api/executions/first/stop", "{}").status, 200);
  EXPECT_EQ(backend_.executions["first"].status, "ABORTED");
  EXPECT_EQ(Post("/console/api/executions/nobody/redrive", "{}").status, 404);
}

TEST_F(ConsoleTest, TheGalleryPagesByKeysetAndKeysComeBackAsData) {
  Json first = Body(Get("/console/api/gallery?limit=2"));
  ASSERT_EQ(first["items"].size(), 2u);
  EXPECT_EQ(first["items"][0]["id"], "<script>alert(1)</script>.png") << "byte order: '<' < 'a'";
  ASSERT_FALSE(first["next"].is_null());
  std::string next = "/console/api/gallery?limit=2&after_source=" + photos_.path() +
                     "&after_id=a.png";
  Json second = Body(Get(next));
  ASSERT_EQ(second["items"].size(), 1u);
  EXPECT_EQ(second["items"][0]["id"], "big.png");
  EXPECT_TRUE(second["next"].is_null());
  EXPECT_EQ(Get("/console/api/gallery?min=101").status, 400);
  EXPECT_EQ(Get("/console/api/gallery?limit=0").status, 400);
}

TEST_F(ConsoleTest, RenditionsAreSmallCachedJpegsAndOnlyOfStoredAnswers) {
  Response thumb = Get("/console/rendition?size=240&source=" + photos_.path() + "&id=big.png");
  ASSERT_EQ(thumb.status, 200) << thumb.body;
  EXPECT_EQ(thumb.content_type, "image/jpeg");
  cv::Mat decoded = cv::imdecode(std::vector<uchar>(thumb.body.begin(), thumb.body.end()),
                                 cv::IMREAD_COLOR);
  EXPECT_EQ(std::max(decoded.cols, decoded.rows), kThumbnailSize) << "never the original";
  std::optional<StoredResult> stored = db_->GetResult(photos_.path(), "big.png", "labels");
  ASSERT_TRUE(stored);
  const std::string cached =
      renditions_->PathFor({photos_.path(), "big.png", stored->etag, kThumbnailSize});
  EXPECT_TRUE(std::filesystem::exists(cached));
  std::filesystem::remove(photos_.path() + "/big.png");
  EXPECT_EQ(Get("/console/rendition?size=240&source=" + photos_.path() + "&id=big.png").body,
            thumb.body)
      << "answered from the cache";

  EXPECT_EQ(Get("/console/rendition?size=240&source=" + photos_.path() +
                "&id=..%2F..%2Fetc%2Fpasswd").status,
            404);
  EXPECT_EQ(Get("/console/rendition?size=240&source=/etc&id=passwd").status, 404);
  EXPECT_EQ(Get("/console/rendition?size=4000&source=" + photos_.path() + "&id=a.png").status,
            400);
}

TEST_F(ConsoleTest, BeyondLoopbackTheApiNeedsASignIn) {
  Open(false);
  EXPECT_EQ(Get("/").status, 200) << "the page itself, to show the sign-in";
  EXPECT_EQ(Get("/console/api/executions").status, 401);
  EXPECT_EQ(Get("/console/rendition?source=x&id=y").status, 401);
  EXPECT_FALSE(Body(Get("/console/api/session"))["signedIn"]);
  EXPECT_EQ(Post("/console/api/signin", R"({"keyId": "AKID", "secret": "no"})").status, 401);
  Response in = Post("/console/api/signin", R"({"keyId": "AKID", "secret": "s"})");
  ASSERT_EQ(in.status, 200);
  std::string cookie;
  for (const auto& [name, value] : in.headers) {
    if (name == "Set-Cookie") cookie = value.substr(0, value.find(';'));
  }
  EXPECT_EQ(Get("/console/api/executions", cookie).status, 200);
}

TEST_F(ConsoleTest, OneImageIsItsStoredAnswerWithWhoMadeIt) {
  Json image = Body(Get("/console/api/image?source=" + photos_.path() + "&id=a.png"));
  EXPECT_EQ(image["execution"], "first");
  EXPECT_TRUE(image["response"].contains("ImageProperties"));
  EXPECT_EQ(Get("/console/api/image?source=" + photos_.path() + "&id=none.png").status, 404);
}

}  // namespace
}  // namespace imagemill::server::console
