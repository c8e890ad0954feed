#include "workflow/noop_processor.h"

#include <gtest/gtest.h>

namespace imagemill {
namespace {

// The inventory's answer, written directly, is what dumping the JSON object would give.
TEST(NoopProcessorTest, AnswersTheListingEntryAsCompactJson) {
  NoopProcessor noop;
  std::unique_ptr<ProcessorWorker> worker = std::move(noop.NewWorker()).value();
  PreparedItem prepared;
  for (const std::string key : {"plain/dog.jpg", "quote\"and\\slash.jpg", "tab\tand\x01.jpg",
                                "caf\xc3\xa9.jpg", "not-utf8-\xff\xfe.jpg", "<script>.jpg"}) {
    ObjectInfo item{key, 1234, "\"9b2cf535f27731c974343645a3985328\"", "2026-12-07T02:00:00Z"};
    Result<Answer> a = worker->Process(item, prepared);
    ASSERT_TRUE(a.ok());
    const nlohmann::json expected = {{"Key", key}, {"Size", 1234},
                                     {"ETag", item.etag}, {"LastModified", item.last_modified}};
    EXPECT_EQ(a->response_text,
              expected.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
        << key;
    EXPECT_TRUE(a->index.empty()) << "an inventory is found by no label";
  }
}

}  // namespace
}  // namespace imagemill
