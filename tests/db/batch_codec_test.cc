#include "db/batch_codec.h"

#include <gtest/gtest.h>

#include "db/database_error.h"

namespace imagemill {
namespace {

TEST(BatchItems, RoundTripAnyBytes) {
  std::vector<ObjectInfo> items = {
      {"photos/a b+c&d=e.jpg", 12345, "\"etag-1\"", "2024-01-02T03:04:05.000Z"},
      {std::string("bad\xff\xfe utf8\n\t:1:", 16), 0, "", ""},
      {"día/ünïcode/照片.png", 18446744073709551615ull, "3:4:", "x"},
  };
  std::string text = EncodeBatchItems(items);
  std::vector<ObjectInfo> back = DecodeBatchItems(text);
  ASSERT_EQ(back.size(), items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(back[i].key, items[i].key);
    EXPECT_EQ(back[i].size, items[i].size);
    EXPECT_EQ(back[i].etag, items[i].etag);
    EXPECT_EQ(back[i].last_modified, items[i].last_modified);
  }
  EXPECT_TRUE(DecodeBatchItems(EncodeBatchItems({})).empty());
}

TEST(BatchItems, DamagedTextIsAnError) {
  std::string text = EncodeBatchItems({{"k.jpg", 5, "e", "t"}});
  EXPECT_THROW(DecodeBatchItems(text.substr(0, text.size() - 1)), DatabaseError);
  EXPECT_THROW(DecodeBatchItems("99:short"), DatabaseError);
  EXPECT_THROW(DecodeBatchItems("x:"), DatabaseError);
}

TEST(BatchOutcomes, SucceededRoundTripWithTimes) {
  std::vector<ItemOutcome> outcomes(3);
  outcomes[0].item = {"a b/1.jpg", 10, "\"e1\"", "2024-01-02T03:04:05.000Z"};
  outcomes[0].start_ms = 1700000000123;
  outcomes[0].stop_ms = 1700000000456;
  outcomes[0].attempts = 3;
  outcomes[1].item = {"2.jpg", 20, "e2", "t"};
  outcomes[1].status = ItemStatus::kFailed;  // not stored here: failures have rows in `items`
  outcomes[2].item = {std::string("k\xff:9:", 6), 0, "", ""};
  outcomes[2].start_ms = 1;
  outcomes[2].stop_ms = 2;
  std::vector<ItemOutcome> back = DecodeSucceeded(EncodeSucceeded(outcomes));
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].item.key, "a b/1.jpg");
  EXPECT_EQ(back[0].item.etag, "\"e1\"");
  EXPECT_EQ(back[0].item.size, 10u);
  EXPECT_EQ(back[0].start_ms, 1700000000123);
  EXPECT_EQ(back[0].stop_ms, 1700000000456);
  EXPECT_EQ(back[0].attempts, 3);
  EXPECT_EQ(back[0].status, ItemStatus::kSucceeded);
  EXPECT_EQ(back[1].item.key, outcomes[2].item.key);
  EXPECT_EQ(back[1].attempts, 1);
  std::string text = EncodeSucceeded(outcomes);
  EXPECT_THROW(DecodeSucceeded(text.substr(0, text.size() - 1)), DatabaseError);
}

}  // namespace
}  // namespace imagemill
