// The execution service, as every front end uses it: on real folders of generated images, the
// in-memory database and the processors that need no model (image-properties, none).
#include "service/execution_service.h"

#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "support/images.h"
#include "support/temp_dir.h"

namespace imagemill::service {
namespace {

using imagemill::testing::Encode;
using imagemill::testing::TempDir;

class ProgressNotes final : public ProgressSink {
 public:
  void Update(const ProgressSnapshot&) override {}
  void Finish(const ProgressSnapshot&) override {}
  void Note(std::string_view m) override { notes.emplace_back(m); }
  std::string All() const {
    std::string s;
    for (const std::string& n : notes) s += n + "\n";
    return s;
  }
  std::vector<std::string> notes;
};

class ExecutionServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(OpenDatabase("mem:", OpenMode::kCreate)).value();
    EngineOptions engine;
    engine.workers = 2;
    engine.fetchers = 2;
    svc_ = std::make_unique<ExecutionService>(*db_, engine);
  }
  void Photo(const TempDir& dir, const std::string& key, int shade) {
    dir.Write(key, Encode(cv::Mat(96, 128, CV_8UC3, cv::Scalar(shade, 60, 200 - shade)), ".png"));
  }
  StartRequest Request(const std::string& source, const std::string& processor) {
    StartRequest r;
    r.source = source;
    r.processor.name = processor;
    return r;
  }
  Result<RunReport> RunRequest(const StartRequest& r, const std::string& name = "") {
    Result<ExecutionSpec> spec = svc_->MakeSpec(r);
    if (!spec.ok()) return spec.status();
    return svc_->Run(*spec, name.empty() ? svc_->NameFor(*spec, &notes_) : name, &notes_, nullptr);
  }

  // Records execution `name` of `spec` as RUNNING, as a process that stopped leaves it.
  void Running(const std::string& name, const ExecutionSpec& spec) {
    ExecutionRecord running;
    running.name = name;
    running.map_run_id = "m1";
    running.spec = spec.ToJson();
    bool created = false;
    db_->CreateOrGetExecution(running, &created);
  }

  std::unique_ptr<Database> db_;
  std::unique_ptr<ExecutionService> svc_;
  ProgressNotes notes_;
};

TEST_F(ExecutionServiceTest, AnInventoryNeverErasesAnswersOfAnotherKind) {
  TempDir photos;
  Photo(photos, "dog.jpg", 10);
  Photo(photos, "cat.jpg", 200);
  Result<RunReport> labels = RunRequest(Request(photos.path(), "image-properties"));
  ASSERT_TRUE(labels.ok()) << labels.status().ToString();
  Result<RunReport> inventory = RunRequest(Request(photos.path(), "none"));
  ASSERT_TRUE(inventory.ok()) << inventory.status().ToString();
  EXPECT_EQ(inventory->summary.execution.status, ExecutionStatus::kSucceeded);
  std::optional<StoredResult> answer = db_->GetResult(photos.path(), "dog.jpg", "labels");
  ASSERT_TRUE(answer);
  EXPECT_TRUE(answer->response.contains("ImageProperties")) << "still the labels answer";
  EXPECT_EQ(db_->GetResult(photos.path(), "dog.jpg", "inventory")->response["Key"], "dog.jpg");
}

TEST_F(ExecutionServiceTest, TwoFoldersWithTheSameKeyKeepTheirOwnAnswers) {
  TempDir first, second;
  Photo(first, "dog.jpg", 10);
  Photo(second, "dog.jpg", 240);
  ASSERT_TRUE(RunRequest(Request(first.path(), "image-properties")).ok());
  ASSERT_TRUE(RunRequest(Request(second.path(), "image-properties")).ok());
  std::optional<StoredResult> a = db_->GetResult(first.path(), "dog.jpg", "labels");
  std::optional<StoredResult> b = db_->GetResult(second.path(), "dog.jpg", "labels");
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->response, b->response);
  EXPECT_EQ(db_->FindResults("dog.jpg").size(), 2u);
}

TEST_F(ExecutionServiceTest, OtherSettingsAreRefusedUntilAskedToReplace) {
  TempDir photos;
  Photo(photos, "a.jpg", 10);
  ASSERT_TRUE(RunRequest(Request(photos.path(), "image-properties")).ok());
  StartRequest other = Request(photos.path(), "image-properties");
  other.processor.name = "labels";  // another processor of the same kind
  Result<RunReport> refused = RunRequest(other);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("--replace"), std::string::npos);
  EXPECT_NE(refused.status().message().find("image-properties"), std::string::npos);
  EXPECT_TRUE(db_->GetResult(photos.path(), "a.jpg", "labels")) << "nothing was touched";
}

TEST_F(ExecutionServiceTest, AnEmptyListingSucceedsAndSaysWhatTheSourceHolds) {
  TempDir photos;
  Photo(photos, "sample.jpg", 10);
  StartRequest r = Request(photos.path(), "none");
  r.prefix = "sample/";
  Result<RunReport> report = RunRequest(r);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->summary.execution.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(report->summary.counts.total, 0);
  EXPECT_NE(notes_.All().find("no objects under " + photos.path() + "/sample/"), std::string::npos)
      << notes_.All();
  EXPECT_NE(notes_.All().find("did you mean --prefix sample?"), std::string::npos)
      << notes_.All();
}

TEST_F(ExecutionServiceTest, AFailedRunSuggestsARedriveThatCanSucceed) {
  TempDir photos;
  for (int i = 0; i < 8; ++i) Photo(photos, "p" + std::to_string(i) + ".png", i * 20);
  photos.Write("broken.png", "\x89PNG\r\n\x1a\n garbage");
  StartRequest r = Request(photos.path(), "image-properties");
  r.tolerated_failure_percentage = 0;
  Result<RunReport> report = RunRequest(r, "strict");
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->summary.execution.status, ExecutionStatus::kFailed);
  EXPECT_EQ(report->failed_total, 1);
  // A damaged file fails the same way again: the hint says how to accept it instead.
  EXPECT_NE(report->next_step.find("--tolerated-failure-percentage 11.12"), std::string::npos)
      << report->next_step;
  RedriveRequest accept;
  accept.tolerated_failure_percentage = 11.12;
  Result<RunReport> again = svc_->Redrive("strict", accept, &notes_, nullptr);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->summary.execution.status, ExecutionStatus::kSucceeded)
      << again->summary.execution.cause;
  EXPECT_EQ(again->summary.execution.redrive_count, 1);
  EXPECT_EQ(*svc_->Describe("strict")->spec.tolerated_failure_percentage, 11.12);
}

TEST_F(ExecutionServiceTest, SkippedObjectsAreCountedAndTheFirstFewGivenWithTheirReason) {
  TempDir photos;
  Photo(photos, "a.png", 40);
  for (int i = 0; i < 7; ++i) photos.Write("note" + std::to_string(i) + ".txt", "not an image");
  Result<RunReport> report = RunRequest(Request(photos.path(), "image-properties"));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->summary.execution.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(report->skipped_total, 7);
  ASSERT_EQ(report->skipped.size(), 5u);
  EXPECT_EQ(report->skipped[0].error, "NotAnImage");
  EXPECT_NE(report->skipped[0].cause.find(report->skipped[0].item.key + ": not an image"),
            std::string::npos)
      << report->skipped[0].cause;
}

TEST_F(ExecutionServiceTest, ReusingANameWithOtherOptionsNamesTheOptions) {
  TempDir photos;
  Photo(photos, "a.jpg", 10);
  ASSERT_TRUE(RunRequest(Request(photos.path(), "none"), "june").ok());
  StartRequest r = Request(photos.path(), "none");
  r.max_items_per_batch = 7;
  Result<RunReport> refused = RunRequest(r, "june");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("maxItemsPerBatch: 100 → 7"), std::string::npos)
      << refused.status().message();
  EXPECT_EQ(refused.status().message().find("source:"), std::string::npos)
      << "only what differs is named";
}

TEST_F(ExecutionServiceTest, BadNamesAndBadRangesAreRefusedBeforeAnythingRuns) {
  TempDir photos;
  Photo(photos, "a.jpg", 10);
  EXPECT_EQ(RunRequest(Request(photos.path(), "none"), "../../x").status().code(),
            Code::kInvalidArgument);
  StartRequest nan = Request(photos.path(), "none");
  nan.tolerated_failure_percentage = std::nan("");
  EXPECT_EQ(RunRequest(nan).status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(db_->ListExecutions({}).empty()) << "nothing was started";
  EngineOptions engine;
  engine.workers = 10000;
  EXPECT_NE(engine.Validate().message().find("--workers 10000"), std::string::npos);
  engine.workers = 0;
  engine.retry.max_attempts = -1;
  EXPECT_FALSE(engine.Validate().ok());
  engine.retry.max_attempts = 3;
  engine.retry.interval_seconds = std::nan("");
  EXPECT_FALSE(engine.Validate().ok());
  engine.retry.interval_seconds = 2;
  engine.lease_seconds = 0.5;
  EXPECT_NE(engine.Validate().message().find("--lease 0.5"), std::string::npos);
  engine.lease_seconds = std::nan("");
  EXPECT_FALSE(engine.Validate().ok());
  engine.lease_seconds = 3;
  EXPECT_TRUE(engine.Validate().ok());
  EXPECT_EQ(engine.ToRunOptions(ExecutionSpec{}).lease, std::chrono::milliseconds(3000));
}

TEST_F(ExecutionServiceTest, DescribeListAndStopFollowTheExecutions) {
  TempDir photos;
  Photo(photos, "a.jpg", 10);
  ASSERT_TRUE(RunRequest(Request(photos.path(), "none"), "first").ok());
  Result<ExecutionView> v = svc_->Describe("first");
  ASSERT_TRUE(v.ok());
  nlohmann::json j = v->ToJson();
  EXPECT_EQ(j["status"], "SUCCEEDED");
  EXPECT_EQ(j["itemCounts"]["succeeded"], 1);
  EXPECT_EQ(j["toleratedFailurePercentage"], 5.0);
  EXPECT_EQ(svc_->Describe("nope").status().code(), Code::kNotFound);
  EXPECT_EQ(svc_->List({}).size(), 1u);
  EXPECT_EQ(svc_->Stop("first", "States.Aborted", "x").code(), Code::kInvalidArgument);
}

TEST_F(ExecutionServiceTest, UpdateMapRunChangesARunningMapRunsStoredLimitsOnly) {
  TempDir photos;
  Photo(photos, "a.jpg", 10);
  Result<ExecutionSpec> spec = svc_->MakeSpec(Request(photos.path(), "none"));
  ASSERT_TRUE(spec.ok());
  Running("busy", *spec);
  MapRunUpdate u;
  u.max_concurrency = 2;
  u.tolerated_failure_count = 3;
  ASSERT_TRUE(svc_->UpdateMapRun("busy", u).ok());
  Result<ExecutionView> v = svc_->Describe("busy");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->spec.updates.max_concurrency, 2);
  EXPECT_EQ(v->spec.Effective().tolerated_failure_count, 3);
  EXPECT_EQ(v->spec.Effective().tolerated_failure_percentage, spec->tolerated_failure_percentage);
  EXPECT_EQ(v->ToJson()["toleratedFailureCount"], 3);
  EXPECT_EQ(v->spec.tolerated_failure_count, spec->tolerated_failure_count) << "the asked one kept";
  MapRunUpdate bad;
  bad.tolerated_failure_percentage = 150;
  EXPECT_EQ(svc_->UpdateMapRun("busy", bad).code(), Code::kInvalidArgument);
  EXPECT_EQ(svc_->UpdateMapRun("nope", u).code(), Code::kNotFound);
  ASSERT_TRUE(RunRequest(Request(photos.path(), "none"), "done").ok());
  Status ended = svc_->UpdateMapRun("done", u);
  EXPECT_EQ(ended.code(), Code::kInvalidArgument);
  EXPECT_NE(ended.message().find("not running"), std::string::npos) << ended.message();
}

TEST_F(ExecutionServiceTest, AnUpdatedMapRunResumesWithTheOptionsItStartedWithUnderItsNewLimits) {
  TempDir photos;
  Photo(photos, "a.jpg", 10);
  Photo(photos, "b.jpg", 90);
  std::string broken = Encode(cv::Mat(96, 128, CV_8UC3, cv::Scalar(1, 2, 3)), ".png");
  photos.Write("broken.png", broken.substr(0, broken.size() / 2));  // fails to decode
  StartRequest request = Request(photos.path(), "image-properties");
  request.tolerated_failure_count = 0;
  Result<ExecutionSpec> spec = svc_->MakeSpec(request);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  // An execution that was running when its process stopped, its limits changed meanwhile.
  Running("updated", *spec);
  MapRunUpdate u;
  u.max_concurrency = 1;
  u.tolerated_failure_count = 1;
  ASSERT_TRUE(svc_->UpdateMapRun("updated", u).ok());

  // The same command again, without a name, finds it; with its name, resumes it.
  EXPECT_EQ(svc_->NameFor(*spec, &notes_), "updated");
  Result<RunReport> resumed = svc_->Run(*spec, "updated", &notes_, nullptr);
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  EXPECT_TRUE(resumed->summary.resumed);
  // One failure is within the updated tolerance (1), not the started one (0).
  EXPECT_EQ(resumed->summary.counts.failed, 1);
  EXPECT_EQ(resumed->summary.execution.status, ExecutionStatus::kSucceeded)
      << resumed->summary.execution.error << ": " << resumed->summary.execution.cause;
  Result<ExecutionView> v = svc_->Describe("updated");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->spec.updates.tolerated_failure_count, 1);
  EXPECT_EQ(v->spec.updates.max_concurrency, 1);
  // Other options still name what differs, and nothing about the updates.
  request.max_items_per_batch = 7;
  Result<ExecutionSpec> other = svc_->MakeSpec(request);
  ASSERT_TRUE(other.ok());
  Result<RunReport> refused = svc_->Run(*other, "updated", &notes_, nullptr);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("maxItemsPerBatch"), std::string::npos)
      << refused.status().message();
  EXPECT_EQ(refused.status().message().find("mapRunUpdates"), std::string::npos)
      << refused.status().message();
}

}  // namespace
}  // namespace imagemill::service
