#include "support/store_conformance.h"

#include <set>
#include <string>
#include <vector>

namespace imagemill::testing {
namespace {

std::vector<std::string> ListAll(ObjectStore& store, const std::string& prefix, size_t page) {
  std::vector<std::string> keys;
  std::string after;
  for (;;) {
    Result<ListPage> p = store.List(prefix, after, page);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    if (!p.ok()) break;
    for (const ObjectInfo& o : p->objects) keys.push_back(o.key);
    if (!p->truncated) break;
    EXPECT_FALSE(p->objects.empty());
    after = p->objects.back().key;
  }
  return keys;
}

TEST_P(ObjectStoreConformance, PutGetHeadRoundTrip) {
  std::unique_ptr<ObjectStore> store = GetParam()();
  ASSERT_TRUE(store->Put("a/b.jpg", "hello world").ok());
  Result<std::string> got = store->Get("a/b.jpg");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, "hello world");
  Result<ObjectInfo> head = store->Head("a/b.jpg");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size, 11u);
  EXPECT_FALSE(head->etag.empty());
  Result<std::string> range = store->Get("a/b.jpg", ByteRange{6, 100});
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(*range, "world");
}

TEST_P(ObjectStoreConformance, MissingKeyIsNotFoundAndNamesTheKey) {
  std::unique_ptr<ObjectStore> store = GetParam()();
  Result<std::string> got = store->Get("nope/missing.jpg");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), Code::kNotFound);
  EXPECT_NE(got.status().message().find("missing.jpg"), std::string::npos);
  EXPECT_EQ(store->Head("nope/missing.jpg").status().code(), Code::kNotFound);
}

TEST_P(ObjectStoreConformance, ListsInByteOrderWithPlainStringPrefix) {
  std::unique_ptr<ObjectStore> store = GetParam()();
  // '-' (0x2d) sorts before '/' (0x2f): "a-c" comes before "a/b" in byte order.
  std::vector<std::string> keys = {"a/b",          "a-c",        "a0",        "sample/x.jpg",
                                   "samples.jpg",  "sample.png", "samplex/y", "z",
                                   "sample/d/e.jpg", "b c+d&e=f.jpg", "\xc3\xa9t\xc3\xa9.jpg"};
  for (const std::string& k : keys) ASSERT_TRUE(store->Put(k, "x").ok()) << k;
  std::vector<std::string> sorted(keys.begin(), keys.end());
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(ListAll(*store, "", 1000), sorted);
  EXPECT_EQ(ListAll(*store, "", 1), sorted);
  EXPECT_EQ(ListAll(*store, "", 3), sorted);
  std::vector<std::string> sample = {"sample.png", "sample/d/e.jpg", "sample/x.jpg", "samples.jpg",
                                     "samplex/y"};
  EXPECT_EQ(ListAll(*store, "sample", 2), sample);
  std::vector<std::string> folder = {"sample/d/e.jpg", "sample/x.jpg"};
  EXPECT_EQ(ListAll(*store, "sample/", 1000), folder);
  EXPECT_TRUE(ListAll(*store, "nothing", 1000).empty());
}

TEST_P(ObjectStoreConformance, StartAfterAnyKeyResumesThere) {
  std::unique_ptr<ObjectStore> store = GetParam()();
  for (const char* k : {"p/1", "p/2", "p/3/a", "p/3/b", "p/4"}) ASSERT_TRUE(store->Put(k, "x").ok());
  Result<ListPage> page = store->List("p/", "p/3/a", 1000);
  ASSERT_TRUE(page.ok());
  std::vector<std::string> got;
  for (const ObjectInfo& o : page->objects) got.push_back(o.key);
  EXPECT_EQ(got, (std::vector<std::string>{"p/3/b", "p/4"}));
  // A start_after that is not itself a key.
  page = store->List("p/", "p/2x", 2);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "p/3/a");
  EXPECT_TRUE(page->truncated);
}

TEST_P(ObjectStoreConformance, ManyKeysAcrossPagesEachOnce) {
  std::unique_ptr<ObjectStore> store = GetParam()();
  std::set<std::string> expected;
  for (int i = 0; i < 2500; ++i) {
    std::string key = "d" + std::to_string(i % 7) + "/img" + std::to_string(i) + ".jpg";
    ASSERT_TRUE(store->Put(key, "x").ok());
    expected.insert(key);
  }
  std::vector<std::string> keys = ListAll(*store, "", 1000);
  EXPECT_EQ(keys.size(), expected.size());
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()), expected);
}

TEST_P(ObjectStoreConformance, PutReplacesAndChangesEtag) {
  std::unique_ptr<ObjectStore> store = GetParam()();
  ASSERT_TRUE(store->Put("k.jpg", "one").ok());
  Result<ObjectInfo> first = store->Head("k.jpg");
  ASSERT_TRUE(store->Put("k.jpg", "second").ok());
  Result<ObjectInfo> second = store->Head("k.jpg");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(first->etag, second->etag);
  EXPECT_EQ(*store->Get("k.jpg"), "second");
}

}  // namespace
}  // namespace imagemill::testing
