#include "workflow/noop_processor.h"

#include <gtest/gtest.h>

namespace imagemill {
namespace {

// The inventory answers each object with its listing entry, which the results table builds
// when read (listing_answer_test.cc): the worker builds no text of its own.
TEST(NoopProcessorTest, AnswersEachObjectWithItsListingEntry) {
  NoopProcessor noop;
  EXPECT_FALSE(noop.ReadsObjects());
  EXPECT_EQ(noop.Kind(), "inventory");
  std::unique_ptr<ProcessorWorker> worker = std::move(noop.NewWorker()).value();
  PreparedItem prepared;
  ObjectInfo item{"dog.jpg", 1234, "\"9b2c\"", "2026-12-07T02:00:00Z"};
  Result<Answer> a = worker->Process(item, prepared);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->listing);
  EXPECT_TRUE(a->index.empty()) << "an inventory is found by no label";
}

}  // namespace
}  // namespace imagemill
