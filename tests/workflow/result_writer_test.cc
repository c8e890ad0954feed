#include "workflow/result_writer.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "db/database.h"
#include "objectstore/memory_store.h"

namespace imagemill {
namespace {

const AnswerTarget kTarget{"s3://photos", "labels", "labels/m"};

ItemOutcome Outcome(const ObjectInfo& item, ItemStatus status) {
  ItemOutcome o;
  o.item = item;
  o.status = status;
  o.start_ms = 1700000000000;
  o.stop_ms = 1700000001000;
  if (status == ItemStatus::kSucceeded) {
    o.response = R"({"Labels":[{"Name":"Dog","Confidence":91.0}]})";
    o.index = {{"Dog", 91, true}};
  } else {
    o.error = status == ItemStatus::kFailed ? "Corrupt" : "NotAnImage";
    o.cause = item.key + ": damaged";
  }
  return o;
}

// An execution over s3://photos: batch 0 all good, batch 1 one failed and one skipped, batch 2
// answered from stored results (unchanged), batch 3 never ran.
class ResultWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(OpenDatabase("mem:", OpenMode::kCreate)).value();
    ExecutionRecord e;
    e.name = "june";
    e.map_run_id = "0f8e2a6c-1111-4222-8333-944455556666";
    e.spec = nlohmann::json::object();
    bool created = false;
    db_->CreateOrGetExecution(e, &created);
    ListingStep step;
    auto batch = [](std::vector<std::string> keys) {
      BatchRecord b;
      for (const std::string& k : keys) b.items.push_back({k, 10, "e-" + k, "t"});
      return b;
    };
    step.batches = {batch({"a.jpg", "b.jpg"}), batch({"c.jpg", "d.txt"})};
    step.answered = {batch({"old.jpg"})};
    step.listed = 5;
    step.cursor = "old.jpg";
    ASSERT_TRUE(db_->AppendListing("june", "", step));
    ListingStep more;
    more.batches = {batch({"p.jpg"})};
    more.listed = 1;
    more.cursor = "p.jpg";
    more.done = true;
    ASSERT_TRUE(db_->AppendListing("june", "old.jpg", more));
    std::vector<BatchRecord> claimed = db_->ClaimBatches("june", "w", 2, 0, 1LL << 60);
    ASSERT_EQ(claimed.size(), 2u);
    db_->CompleteBatches(
        "june", "w", kTarget,
        {FinishedBatch{claimed[0].seq, claimed[0].attempt, true,
                       {Outcome(claimed[0].items[0], ItemStatus::kSucceeded),
                        Outcome(claimed[0].items[1], ItemStatus::kSucceeded)}},
         FinishedBatch{claimed[1].seq, claimed[1].attempt, true,
                       {Outcome(claimed[1].items[0], ItemStatus::kFailed),
                        Outcome(claimed[1].items[1], ItemStatus::kSkipped)}}});
    // old.jpg's stored answer, from an earlier execution.
    ListingStep earlier_step;
    earlier_step.batches = {batch({"old.jpg"})};
    earlier_step.listed = 1;
    earlier_step.done = true;
    ExecutionRecord earlier;
    earlier.name = "may";
    earlier.map_run_id = "m";
    earlier.spec = nlohmann::json::object();
    db_->CreateOrGetExecution(earlier, &created);
    ASSERT_TRUE(db_->AppendListing("may", "", earlier_step));
    BatchRecord b = db_->ClaimBatches("may", "w", 1, 0, 1LL << 60).at(0);
    db_->CompleteBatches("may", "w", kTarget,
                         {FinishedBatch{b.seq, b.attempt, true,
                                        {Outcome(b.items[0], ItemStatus::kSucceeded)}}});
    spec_.source = "s3://photos";
    spec_.processor = "labels/m";
    spec_.kind = "labels";
  }

  std::string Write(const WriterConfig& config) {
    ResultWriter writer(out_, "imageLabelJobs", config, retry_, Clock::Real());
    Result<std::string> manifest = writer.Write(*db_, *db_->GetExecution("june"), spec_);
    EXPECT_TRUE(manifest.ok()) << manifest.status().ToString();
    return manifest.ok() ? *manifest : "";
  }
  nlohmann::json Read(const std::string& key) {
    Result<std::string> body = out_.Get(key, std::nullopt);
    EXPECT_TRUE(body.ok()) << key;
    return nlohmann::json::parse(body.ok() ? *body : "null");
  }
  std::string Dir() { return "imageLabelJobs/" + db_->GetExecution("june")->map_run_id + "/"; }

  std::unique_ptr<Database> db_;
  MemoryStore out_{"s3://results"};
  RetryPolicy retry_;
  ExecutionSpec spec_;
};

TEST_F(ResultWriterTest, WritesTheManifestAndFilesWhereStepFunctionsDoes) {
  EXPECT_EQ(Write({}), "s3://results/" + Dir() + "manifest.json");
  nlohmann::json m = Read(Dir() + "manifest.json");
  EXPECT_EQ(m["DestinationBucket"], out_.Bucket());
  EXPECT_EQ(m["MapRunArn"],
            "arn:aws:states:us-east-1:000000000000:mapRun:imagemill/june:" +
                db_->GetExecution("june")->map_run_id);
  std::set<std::string> categories;
  for (const auto& [k, v] : m["ResultFiles"].items()) categories.insert(k);
  EXPECT_EQ(categories, (std::set<std::string>{"FAILED", "PENDING", "SUCCEEDED"}));
  for (const auto& [status, files] : m["ResultFiles"].items()) {
    ASSERT_EQ(files.size(), 1u) << status;
    EXPECT_EQ(files[0]["Key"], Dir() + status + "_0.json");
    EXPECT_EQ(files[0]["Size"], out_.Get(files[0]["Key"].get<std::string>(), std::nullopt)->size());
  }
}

TEST_F(ResultWriterTest, EachChildIsABatchWithItsItemsAsInputAndOutput) {
  Write({});
  nlohmann::json succeeded = Read(Dir() + "SUCCEEDED_0.json");
  ASSERT_EQ(succeeded.size(), 2u) << "the good batch and the answered one";
  const nlohmann::json& r = succeeded[0];
  std::set<std::string> members;
  for (const auto& [k, v] : r.items()) members.insert(k);
  EXPECT_EQ(members, (std::set<std::string>{"ExecutionArn", "Input", "InputDetails", "Name",
                                             "Output", "OutputDetails", "RedriveCount",
                                             "RedriveStatus", "RedriveStatusReason", "StartDate",
                                             "StateMachineArn", "Status", "StopDate"}));
  EXPECT_EQ(r["Status"], "SUCCEEDED");
  EXPECT_EQ(r["StateMachineArn"], "arn:aws:states:us-east-1:000000000000:stateMachine:imagemill/Map");
  EXPECT_TRUE(r["ExecutionArn"].get<std::string>().ends_with(":" + r["Name"].get<std::string>()));
  ASSERT_TRUE(r["Input"].is_string()) << "Input and Output are JSON strings, as AWS writes them";
  nlohmann::json input = nlohmann::json::parse(r["Input"].get<std::string>());
  EXPECT_EQ(input, (nlohmann::json{{"Items",
                                    {{{"Bucket", "photos"}, {"Name", "a.jpg"}},
                                     {{"Bucket", "photos"}, {"Name", "b.jpg"}}}}}));
  nlohmann::json output = nlohmann::json::parse(r["Output"].get<std::string>());
  ASSERT_EQ(output.size(), 2u);
  EXPECT_EQ(output[0]["Name"], "a.jpg");
  EXPECT_EQ(output[0]["Output"]["Labels"][0]["Name"], "Dog");
  EXPECT_EQ(r["StartDate"], "2023-11-14T22:13:20.000Z");
  nlohmann::json answered = nlohmann::json::parse(succeeded[1]["Output"].get<std::string>());
  EXPECT_EQ(answered[0]["Name"], "old.jpg");
  EXPECT_EQ(answered[0]["Output"]["Labels"][0]["Name"], "Dog") << "the stored answer";

  nlohmann::json failed = Read(Dir() + "FAILED_0.json");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0]["Status"], "FAILED");
  EXPECT_EQ(failed[0]["Error"], "Corrupt");
  EXPECT_NE(failed[0]["Cause"].get<std::string>().find("c.jpg"), std::string::npos);
  nlohmann::json partial = nlohmann::json::parse(failed[0]["Output"].get<std::string>());
  EXPECT_EQ(partial[1]["Status"], "SKIPPED") << "the batch's other items are kept";

  nlohmann::json pending = Read(Dir() + "PENDING_0.json");
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0]["Status"], "PENDING");
  EXPECT_FALSE(pending[0].contains("Output"));
}

TEST_F(ResultWriterTest, JsonLinesAndTheTransformationsShapeTheFiles) {
  Write({"JSONL", "NONE"});
  std::istringstream lines(*out_.Get(Dir() + "SUCCEEDED_0.json", std::nullopt));
  int n = 0;
  for (std::string line; std::getline(lines, line);) {
    EXPECT_EQ(nlohmann::json::parse(line)["Status"], "SUCCEEDED");
    ++n;
  }
  EXPECT_EQ(n, 2);

  Write({"JSON", "COMPACT"});
  nlohmann::json compact = Read(Dir() + "SUCCEEDED_0.json");
  ASSERT_EQ(compact.size(), 2u);
  EXPECT_TRUE(compact[0].is_array()) << "each child's output, without metadata";
  EXPECT_EQ(compact[0][1]["Name"], "b.jpg");
  EXPECT_EQ(Read(Dir() + "FAILED_0.json")[0]["Status"], "FAILED") << "failures keep metadata";

  Write({"JSON", "FLATTEN"});
  nlohmann::json flat = Read(Dir() + "SUCCEEDED_0.json");
  ASSERT_EQ(flat.size(), 3u) << "a.jpg, b.jpg, old.jpg";
  EXPECT_EQ(flat[2]["Name"], "old.jpg");
}

}  // namespace
}  // namespace imagemill
