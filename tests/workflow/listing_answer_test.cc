#include "workflow/listing_answer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace imagemill {
namespace {

const std::vector<std::string> kKeys = {"plain/dog.jpg",   "quote\"and\\slash.jpg",
                                        "tab\tand\x01.jpg", "caf\xc3\xa9.jpg",
                                        "not-utf8-\xff\xfe.jpg", "<script>.jpg"};

// The bytes every reader of an inventory answer got when its text was stored: the JSON object
// of the listing entry, dumped compact with bytes that are not UTF-8 replaced.
std::string AsDumped(const ObjectInfo& item) {
  const nlohmann::json entry = {{"Key", item.key}, {"Size", item.size}, {"ETag", item.etag},
                                {"LastModified", item.last_modified}};
  return entry.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

TEST(ListingAnswerTest, IsTheListingEntryDumpedAsCompactJson) {
  for (const std::string& key : kKeys) {
    ObjectInfo item{key, 1234, "\"9b2cf535f27731c974343645a3985328\"", "2026-12-07T02:00:00Z"};
    EXPECT_EQ(ListingAnswer(item), AsDumped(item)) << key;
  }
  ObjectInfo odd{"k", 0, "", "\x7f\xc3"};  // an empty ETag, a date that is no text at all
  EXPECT_EQ(ListingAnswer(odd), AsDumped(odd));
}

TEST(ListingAnswerTest, AStoredTextIsReadAsStoredAndAnEmptyOneIsTheListingEntry) {
  ObjectInfo item{"a.jpg", 7, "\"e\"", "2026-01-01T00:00:00.000Z"};
  EXPECT_EQ(StoredAnswerText(R"({"Labels":[]})", item), R"({"Labels":[]})");
  EXPECT_EQ(StoredAnswerText("", item),
            R"({"ETag":"\"e\"","Key":"a.jpg","LastModified":"2026-01-01T00:00:00.000Z","Size":7})");
}

}  // namespace
}  // namespace imagemill
