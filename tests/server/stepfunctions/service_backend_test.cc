// ServiceBackend over the real execution service, the in-memory database and a folder, with the
// inventory processor (no model): executions run on the backend's threads.
#include "server/stepfunctions/service_backend.h"

#include <gtest/gtest.h>

#include <thread>

#include "support/temp_dir.h"

namespace imagemill::server::stepfunctions {
namespace {

using imagemill::testing::TempDir;
using Json = nlohmann::json;

std::string SeedInput(const std::string& bucket, const std::string& prefix) {
  return Json{{"myStateInput", {{"Bucket", bucket}, {"Prefix", prefix}}}}.dump();
}

class ServiceBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(OpenDatabase("mem:", OpenMode::kCreate)).value();
    service::EngineOptions engine;
    engine.workers = 1;
    engine.fetchers = 1;
    service_ = std::make_unique<service::ExecutionService>(*db_, engine);
    defaults_.processor.name = "none";
    defaults_.max_items_per_batch = 2;
    for (const char* key : {"a/1.jpg", "a/2.jpg", "a/3.jpg", "b/4.jpg"}) photos_.Write(key, "x");
  }
  ExecutionInfo WaitUntilDone(ServiceBackend& backend, const std::string& name) {
    for (int i = 0; i < 2000; ++i) {
      std::optional<ExecutionInfo> e = backend.Describe(name);
      if (e && e->status != "RUNNING") return *e;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ADD_FAILURE() << name << " still running after 10 s";
    return {};
  }

  TempDir photos_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<service::ExecutionService> service_;
  SeedDefaults defaults_;
};

TEST_F(ServiceBackendTest, RunsTheSeedsInputOverAFolderAndShowsItAsGiven) {
  ServiceBackend backend(*service_, defaults_, nullptr);
  const std::string input = SeedInput(photos_.path(), "a/");
  ASSERT_TRUE(backend.Start("first", input).ok());
  ExecutionInfo e = WaitUntilDone(backend, "first");
  EXPECT_EQ(e.status, "SUCCEEDED");
  EXPECT_EQ(e.total, 3);
  EXPECT_EQ(e.succeeded, 3);
  EXPECT_EQ(Json::parse(e.input), Json::parse(input)) << e.input;  // what idempotency compares
  std::vector<ExecutionInfo> listed = backend.List({});
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].name, "first");
}

TEST_F(ServiceBackendTest, AKeyRunsOverThatObject) {
  Json key = {{"myStateInput", {{"Bucket", photos_.path()}, {"Key", "b/4.jpg"}}}};
  ServiceBackend backend(*service_, defaults_, nullptr);
  ASSERT_TRUE(backend.Start("one", key.dump()).ok());
  EXPECT_EQ(WaitUntilDone(backend, "one").total, 1);
}

TEST_F(ServiceBackendTest, RefusesInputsItCannotRunNamingWhatIsWrong) {
  Result<service::StartRequest> none = SeedStartRequest(R"({"Bucket": "b"})", defaults_);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("myStateInput"), std::string::npos);
  Result<service::StartRequest> both = SeedStartRequest(
      R"({"myStateInput": {"Bucket": "b", "Prefix": "p", "Key": "k"}})", defaults_);
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.status().message().find("Prefix or a Key"), std::string::npos);
  Result<service::StartRequest> bucket =
      SeedStartRequest(R"({"myStateInput": {"Bucket": "pics", "Prefix": "p"}})", defaults_);
  ASSERT_TRUE(bucket.ok());
  EXPECT_EQ(bucket->source, "s3://pics");  // a bare name is a bucket of the S3 endpoint
  ServiceBackend backend(*service_, defaults_, nullptr);
  Status missing = backend.Start("x", SeedInput(photos_.path() + "/nowhere", ""));
  EXPECT_FALSE(missing.ok());
  EXPECT_FALSE(backend.Describe("x").has_value());
}

TEST_F(ServiceBackendTest, MoreThanItsLimitIsThrottled) {
  defaults_.max_running = 0;
  ServiceBackend backend(*service_, defaults_, nullptr);
  Status s = backend.Start("x", SeedInput(photos_.path(), ""));
  EXPECT_EQ(s.code(), Code::kThrottled);
  EXPECT_NE(s.message().find("--max-running-executions"), std::string::npos);
}

}  // namespace
}  // namespace imagemill::server::stepfunctions
