#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <chrono>
#include <thread>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "objectstore/faulty_store.h"
#include "objectstore/local_store.h"
#include "objectstore/memory_store.h"
#include "support/store_conformance.h"
#include "support/temp_dir.h"

namespace imagemill {
namespace {

using testing::ObjectStoreConformance;
using testing::TempDir;

std::unique_ptr<ObjectStore> MakeMemoryStore() { return std::make_unique<MemoryStore>(); }

// A LocalStore over a fresh folder that is removed when the store is.
class OwnedLocalStore final : public ObjectStore {
 public:
  OwnedLocalStore() : store_(std::move(LocalStore::Open(dir_.path(), false).value())) {}
  Result<ListPage> List(std::string_view p, std::string_view a, size_t m) override {
    return store_->List(p, a, m);
  }
  Result<std::string> Get(std::string_view k, std::optional<ByteRange> r) override {
    return store_->Get(k, r);
  }
  Result<ObjectInfo> Head(std::string_view k) override { return store_->Head(k); }
  Status Put(std::string_view k, std::string_view b, std::string_view c) override {
    return store_->Put(k, b, c);
  }
  std::string Uri() const override { return store_->Uri(); }
  std::string Bucket() const override { return store_->Bucket(); }

 private:
  TempDir dir_;
  std::unique_ptr<ObjectStore> store_;
};

std::unique_ptr<ObjectStore> MakeLocalStore() { return std::make_unique<OwnedLocalStore>(); }

INSTANTIATE_TEST_SUITE_P(Memory, ObjectStoreConformance, ::testing::Values(&MakeMemoryStore));
INSTANTIATE_TEST_SUITE_P(Local, ObjectStoreConformance, ::testing::Values(&MakeLocalStore));

TEST(LocalStoreTest, RefusesKeysThatLeaveTheFolder) {
  TempDir dir;
  auto store = std::move(LocalStore::Open(dir.path(), false).value());
  for (const char* key : {"../etc/passwd", "a/../../x", "/abs", "a//b", "./a"}) {
    EXPECT_EQ(store->Get(key).status().code(), Code::kInvalidArgument) << key;
    EXPECT_EQ(store->Put(key, "x").code(), Code::kInvalidArgument) << key;
  }
}

TEST(LocalStoreTest, MissingFolderIsAClearError) {
  Result<std::unique_ptr<ObjectStore>> store = LocalStore::Open("/nonexistent/photos", false);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kNotFound);
  EXPECT_NE(store.status().message().find("/nonexistent/photos"), std::string::npos);
}

TEST(LocalStoreTest, EtagFollowsSizeTimesAndInode) {
  EXPECT_NE(LocalEtag(10, 1000, 5, 7), LocalEtag(11, 1000, 5, 7));
  EXPECT_NE(LocalEtag(10, 1000, 5, 7), LocalEtag(10, 1001, 5, 7));
  EXPECT_NE(LocalEtag(10, 1000, 5, 7), LocalEtag(10, 1000, 6, 7));
  EXPECT_NE(LocalEtag(10, 1000, 5, 7), LocalEtag(10, 1000, 5, 8));
  EXPECT_EQ(LocalEtag(10, 1000, 5, 7), LocalEtag(10, 1000, 5, 7));
}

TEST(LocalStoreTest, AFileRewrittenWithItsSizeAndModificationTimeGetsANewEtag) {
  TempDir dir;
  dir.Write("a.jpg", "first");
  const std::string path = dir.path() + "/a.jpg";
  struct stat before {};
  ASSERT_EQ(::stat(path.c_str(), &before), 0);
  auto store = std::move(LocalStore::Open(dir.path(), false).value());
  const std::string etag = store->Head("a.jpg")->etag;
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  dir.Write("a.jpg", "other");  // same size
  const struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);  // the old mtime set back
  EXPECT_NE(store->Head("a.jpg")->etag, etag);
  Result<ListPage> page = store->List("", "", 10);
  ASSERT_TRUE(page.ok() && page->objects.size() == 1);
  EXPECT_NE(page->objects[0].etag, etag);
}

TEST(LocalStoreTest, ANamedPipeIsRefusedWithoutBlocking) {
  TempDir dir;
  dir.Write("a.jpg", "x");
  auto store = std::move(LocalStore::Open(dir.path(), false).value());
  Result<ListPage> before = store->List("", "", 10);
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->objects.size(), 1u);
  std::filesystem::remove(dir.path() + "/a.jpg");
  ASSERT_EQ(::mkfifo((dir.path() + "/a.jpg").c_str(), 0644), 0);  // replaced after listing
  Result<std::string> got = store->Get("a.jpg");  // must return, not wait for a writer
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), Code::kNotAnImage);
  EXPECT_NE(got.status().message().find("not a regular file"), std::string::npos);
  Result<ListPage> after = store->List("", "", 10);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->objects.empty()) << "a pipe is not listed";
  EXPECT_EQ(ReadRegularFile(dir.path() + "/a.jpg", 0).status().code(), Code::kNotAnImage);
}

TEST(LocalStoreTest, OnlyWhatLiesUnderTheFolderIsListedOrRead) {
  TempDir outside;
  outside.Write("secret.jpg", "outside");
  TempDir dir;
  dir.Write("in/a.jpg", "inside");
  std::filesystem::create_symlink(outside.path() + "/secret.jpg", dir.path() + "/out.jpg");
  std::filesystem::create_symlink("/etc/passwd", dir.path() + "/passwd.jpg");
  std::filesystem::create_symlink("in/a.jpg", dir.path() + "/inside-link.jpg");
  auto store = std::move(LocalStore::Open(dir.path(), false).value());
  std::vector<std::string> keys;
  Result<ListPage> listed = store->List("", "", 1000);
  ASSERT_TRUE(listed.ok());
  for (const ObjectInfo& o : listed->objects) keys.push_back(o.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"in/a.jpg", "inside-link.jpg"}));
  EXPECT_EQ(*store->Get("inside-link.jpg"), "inside");
  for (const char* key : {"out.jpg", "passwd.jpg"}) {
    Result<std::string> got = store->Get(key);
    ASSERT_FALSE(got.ok()) << key;
    EXPECT_EQ(got.status().code(), Code::kPermissionDenied) << key;
    EXPECT_FALSE(store->Head(key).ok()) << key;
  }
}

TEST(LocalStoreTest, SkipsSymlinkedFoldersButFollowsSymlinkedFiles) {
  TempDir dir;
  dir.Write("real/a.jpg", "x");
  std::filesystem::create_directory_symlink(dir.path() + "/real", dir.path() + "/loop");
  std::filesystem::create_symlink(dir.path() + "/real/a.jpg", dir.path() + "/link.jpg");
  auto store = std::move(LocalStore::Open(dir.path(), false).value());
  Result<ListPage> page = store->List("", "", 1000);
  ASSERT_TRUE(page.ok());
  std::vector<std::string> keys;
  for (const ObjectInfo& o : page->objects) keys.push_back(o.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"link.jpg", "real/a.jpg"}));
}

TEST(ParseStoreUriTest, SplitsBucketAndPrefix) {
  Result<StoreLocation> s3 = ParseStoreUri("s3://photos/2024/june");
  ASSERT_TRUE(s3.ok());
  EXPECT_EQ(s3->store_uri, "s3://photos");
  EXPECT_EQ(s3->prefix, "2024/june");
  Result<StoreLocation> file = ParseStoreUri("file:///srv/photos");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->store_uri, "/srv/photos");
  EXPECT_EQ(ParseStoreUri("s3://").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseStoreUri("ftp://x").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseStoreUri("file://relative").status().code(), Code::kInvalidArgument);
}

TEST(MemoryStoreTest, SharedBucketsAreVisibleByName) {
  auto a = MemoryStore::Shared("mem://shared-test");
  auto b = MemoryStore::Shared("mem://shared-test");
  ASSERT_TRUE(a->Put("k", "v").ok());
  EXPECT_EQ(*b->Get("k"), "v");
}

TEST(FaultyStoreTest, InjectsChosenFaultsAndForwardsTheRest) {
  MemoryStore memory;
  ObjectStore& base = memory;
  ASSERT_TRUE(base.Put("good", "1").ok());
  ASSERT_TRUE(base.Put("bad", "2").ok());
  FaultyStore faulty_store(base, [](FaultyStore::Op op, std::string_view key) {
    return op == FaultyStore::Op::kGet && key == "bad" ? Status::Throttled("bad: slow down")
                                                        : Status::Ok();
  });
  ObjectStore& faulty = faulty_store;
  EXPECT_EQ(*faulty.Get("good"), "1");
  EXPECT_EQ(faulty.Get("bad").status().code(), Code::kThrottled);
  EXPECT_EQ(faulty_store.calls(FaultyStore::Op::kGet), 2);
}

}  // namespace
}  // namespace imagemill
