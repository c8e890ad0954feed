#include "store/sqlite_database.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "store/sqlite.h"

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
  EXPECT_THROW(DecodeBatchItems(text.substr(0, text.size() - 1)), sqlite::DatabaseError);
  EXPECT_THROW(DecodeBatchItems("99:short"), sqlite::DatabaseError);
  EXPECT_THROW(DecodeBatchItems("x:"), sqlite::DatabaseError);
}

TEST(SqliteDatabase, RefusesAnOlderDevelopmentLayout) {
  auto path = std::filesystem::temp_directory_path() / "imagemill-old-layout-test.db";
  std::filesystem::remove(path);
  {
    sqlite::Connection c(path.string());
    c.Exec("CREATE TABLE batches (execution TEXT, seq INTEGER, items TEXT)");
  }
  EXPECT_THROW(SqliteDatabase db(path.string()), sqlite::DatabaseError);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace imagemill
