// S3Store against a real S3 server (s3rver, started by the test) with Debian's awscli as the
// independent client that puts data in and reads back what S3Store wrote.
#include "objectstore/s3_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "objectstore/store_check.h"
#include "support/s3rver.h"
#include "support/store_conformance.h"
#include "support/temp_dir.h"

namespace imagemill {
namespace {

using testing::CommandResult;
using testing::ObjectStoreConformance;
using testing::S3rver;
using testing::TempDir;

// A clock that never sleeps, for errors that would otherwise be retried in real time.
class NoSleepClock final : public Clock {
 public:
  TimePoint Now() override { return Clock::Real().Now(); }
  std::chrono::steady_clock::time_point Steady() override { return Clock::Real().Steady(); }
  void SleepFor(Duration) override {}
  double Uniform() override { return 0.5; }
};

std::unique_ptr<S3Store> NewStore(S3Store::Config config) {
  static NoSleepClock clock;
  return std::make_unique<S3Store>(std::move(config), clock);
}

std::unique_ptr<ObjectStore> MakeS3Store() {
  S3rver* server = S3rver::Shared();
  if (server == nullptr) return nullptr;
  std::string bucket = server->CreateBucket();
  if (bucket.empty()) return nullptr;
  return NewStore(server->StoreConfig(bucket));
}

INSTANTIATE_TEST_SUITE_P(S3, ObjectStoreConformance, ::testing::Values(&MakeS3Store));

// s3rver 3.7 lists in the order it walks its folders, with a folder "a" where S3 sorts "a/": it
// returns "a/b" before "a-c" and can lose such keys across pages. S3, MinIO and Ceph list in byte
// order; S3rverListsFoldersOutOfByteOrder below proves the deviation is the server's.
const bool kS3rverOrder = testing::DeclareKnownDeviation(
    &MakeS3Store, "ListsInByteOrderWithPlainStringPrefix",
    "s3rver 3.7 lists \"a/b\" before \"a-c\" (see S3StoreTest.S3rverListsFoldersOutOfByteOrder)");

std::vector<std::string> ListAllKeys(ObjectStore& store, const std::string& prefix, size_t page) {
  std::vector<std::string> keys;
  std::string after;
  for (;;) {
    Result<ListPage> p = store.List(prefix, after, page);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    if (!p.ok()) break;
    for (const ObjectInfo& o : p->objects) keys.push_back(o.key);
    if (!p->truncated) break;
    after = p->objects.back().key;
  }
  return keys;
}

class S3StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Tests that resolve configuration from the environment set what they need; nothing of the
    // user's AWS set-up may leak in.
    for (const char* var :
         {"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
          "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
          "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"}) {
      ::unsetenv(var);
    }
    server_ = S3rver::Shared();
    ASSERT_NE(server_, nullptr);
    bucket_ = server_->CreateBucket();
    ASSERT_FALSE(bucket_.empty());
    store_ = NewStore(server_->StoreConfig(bucket_));
  }

  // Uploads `bytes` as `key` with awscli.
  void AwsPut(const std::string& key, const std::string& bytes) {
    TempDir dir;
    dir.Write("f", bytes);
    CommandResult r = server_->Aws(
        {"s3", "cp", "--only-show-errors", dir.path() + "/f", "s3://" + bucket_ + "/" + key});
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  S3rver* server_ = nullptr;
  std::string bucket_;
  std::unique_ptr<S3Store> store_;
};

TEST_F(S3StoreTest, ListsThousandsOfKeysUploadedByAwsCliAcrossPages) {
  TempDir dir;
  std::set<std::string> expected;
  for (int i = 0; i < 2600; ++i) {
    std::string rel = "d" + std::to_string(i % 9) + "/img" + std::to_string(i) + ".jpg";
    dir.Write(rel, "bytes of " + std::to_string(i));
    expected.insert("photos/" + rel);
  }
  CommandResult r =
      server_->Aws({"s3", "sync", "--only-show-errors", dir.path(), "s3://" + bucket_ + "/photos"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(store_->Put("photosX", "not under photos/").ok());

  std::vector<std::string> keys = ListAllKeys(*store_, "photos/", 1000);
  EXPECT_EQ(keys.size(), 2600u);
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()), expected);
  // Odd page sizes, and pages that resume from a start_after the store has no token for.
  EXPECT_EQ(ListAllKeys(*store_, "photos/", 997).size(), 2600u);
  Result<ListPage> mid = store_->List("photos/", "photos/d5/", 1000);
  ASSERT_TRUE(mid.ok()) << mid.status().ToString();
  ASSERT_FALSE(mid->objects.empty());
  EXPECT_TRUE(mid->objects.front().key.starts_with("photos/d5/img"));

  Result<std::string> got = store_->Get("photos/d3/img1200.jpg");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, "bytes of 1200");
}

TEST_F(S3StoreTest, PrefixIsAPlainStringPrefix) {
  // ("sample.png" beside "sample/" would meet s3rver's ordering bug: see below.)
  TempDir dir;
  for (const char* key : {"sample/a.jpg", "sample/b/c.jpg", "samples.jpg", "samplesX/d.jpg",
                          "samplf.jpg", "sampl.jpg", "other/sample/x.jpg"}) {
    dir.Write(key, key);
  }
  CommandResult r =
      server_->Aws({"s3", "sync", "--only-show-errors", dir.path(), "s3://" + bucket_});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::vector<std::string> sample = {"sample/a.jpg", "sample/b/c.jpg", "samples.jpg",
                                           "samplesX/d.jpg"};
  EXPECT_EQ(ListAllKeys(*store_, "sample", 1000), sample);
  EXPECT_EQ(ListAllKeys(*store_, "sample", 2), sample);
  EXPECT_EQ(ListAllKeys(*store_, "sample", 1), sample);
  EXPECT_EQ(ListAllKeys(*store_, "sample/", 1000),
            (std::vector<std::string>{"sample/a.jpg", "sample/b/c.jpg"}));
  EXPECT_TRUE(ListAllKeys(*store_, "sample/b/c.jpgx", 1000).empty());
}

TEST_F(S3StoreTest, S3rverListsFoldersOutOfByteOrder) {
  // Why the conformance suite's ordering case is declared a known deviation for s3rver: awscli
  // sees the same order from it, so the order is the server's. Should a later s3rver list in
  // byte order, this fails: drop the declaration then.
  TempDir dir;
  dir.Write("a/b", "1");
  dir.Write("a-c", "2");
  CommandResult r =
      server_->Aws({"s3", "sync", "--only-show-errors", dir.path(), "s3://" + bucket_});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  CommandResult aws = server_->Aws({"s3api", "list-objects-v2", "--bucket", bucket_, "--query",
                                    "Contents[].Key", "--output", "text"},
                                   "", false);
  EXPECT_EQ(aws.output, "a/b\ta-c\n");
  // Both keys, in the server's order: none is dropped for being out of order.
  EXPECT_EQ(ListAllKeys(*store_, "", 1000), (std::vector<std::string>{"a/b", "a-c"}));
}

TEST_F(S3StoreTest, KeysWithSpacesUnicodeAndReservedCharactersRoundTripWithAwsCli) {
  const std::vector<std::string> names = {"a b.jpg",
                                          "a+b.jpg",
                                          "a&b=c.jpg",
                                          "caf\xc3\xa9.jpg",
                                          "\xe6\x97\xa5\xe6\x9c\xac.png",
                                          "100% sure?.jpg",
                                          "x~y(1)'!*.jpg",
                                          "semi;colon,comma@at$.jpg",
                                          "<tag>&amp;.jpg"};
  TempDir up;
  for (const std::string& n : names) up.Write(n, "aws:" + n);
  CommandResult r =
      server_->Aws({"s3", "sync", "--only-show-errors", up.path(), "s3://" + bucket_ + "/odd"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::vector<std::string> keys;
  for (const std::string& n : names) keys.push_back("odd/" + n);
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(ListAllKeys(*store_, "odd/", 1000), keys);
  EXPECT_EQ(ListAllKeys(*store_, "odd/", 2), keys);
  for (const std::string& n : names) {
    Result<std::string> got = store_->Get("odd/" + n);
    ASSERT_TRUE(got.ok()) << n << ": " << got.status().ToString();
    EXPECT_EQ(*got, "aws:" + n);
    Result<ObjectInfo> head = store_->Head("odd/" + n);
    ASSERT_TRUE(head.ok()) << n << ": " << head.status().ToString();
    EXPECT_EQ(head->size, ("aws:" + n).size());
  }
  // What S3Store writes, awscli reads back byte for byte.
  for (const std::string& n : names) {
    ASSERT_TRUE(store_->Put("ours/" + n, "ours:" + n, "image/jpeg").ok()) << n;
  }
  TempDir down;
  r = server_->Aws({"s3", "sync", "--only-show-errors", "s3://" + bucket_ + "/ours", down.path()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const std::string& n : names) {
    std::ifstream in(down.path() + "/" + n, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes, "ours:" + n) << n;
  }
  CommandResult head = server_->Aws({"s3api", "head-object", "--bucket", bucket_, "--key",
                                     "ours/a b.jpg", "--query", "ContentType", "--output", "text"},
                                    "", false);
  EXPECT_EQ(head.output, "image/jpeg\n");
}

TEST_F(S3StoreTest, BinaryBodiesRangesAndHeadAgreeWithTheListing) {
  std::string bytes;
  for (uint32_t i = 0; i < 300000; ++i) bytes += static_cast<char>((i * 7919u) % 256u);
  ASSERT_TRUE(store_->Put("bin/blob", bytes).ok());
  CommandResult length = server_->Aws({"s3api", "head-object", "--bucket", bucket_, "--key",
                                       "bin/blob", "--query", "ContentLength", "--output", "text"},
                                      "", false);
  EXPECT_EQ(length.output, "300000\n");
  EXPECT_EQ(*store_->Get("bin/blob"), bytes);
  EXPECT_EQ(*store_->Get("bin/blob", ByteRange{1000, 5000}), bytes.substr(1000, 5000));
  EXPECT_EQ(*store_->Get("bin/blob", ByteRange{299990, 100}), bytes.substr(299990));
  Result<std::string> past = store_->Get("bin/blob", ByteRange{400000, 10});
  ASSERT_TRUE(past.ok()) << past.status().ToString();
  EXPECT_EQ(*past, "");
  Result<ListPage> page = store_->List("bin/", "", 10);
  Result<ObjectInfo> head = store_->Head("bin/blob");
  ASSERT_TRUE(page.ok() && head.ok());
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].size, 300000u);
  EXPECT_EQ(head->size, 300000u);
  EXPECT_EQ(head->etag, page->objects[0].etag);
  EXPECT_EQ(head->last_modified.substr(0, 19), page->objects[0].last_modified.substr(0, 19));
  EXPECT_TRUE(head->last_modified.ends_with("Z")) << head->last_modified;
}

TEST_F(S3StoreTest, ObjectsOverTheSizeLimitAreTooLarge) {
  S3Store::Config config = server_->StoreConfig(bucket_);
  config.limits.max_body_bytes = 1000;
  std::unique_ptr<S3Store> limited = NewStore(config);
  ASSERT_TRUE(limited->Put("big.jpg", std::string(5000, 'x')).ok());
  ASSERT_TRUE(limited->Put("small.jpg", std::string(1000, 'y')).ok());
  Result<std::string> big = limited->Get("big.jpg");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), Code::kTooLarge);
  EXPECT_NE(big.status().message().find("big.jpg"), std::string::npos);
  EXPECT_EQ(limited->Get("small.jpg")->size(), 1000u);
  EXPECT_EQ(limited->Get("big.jpg", ByteRange{0, 100})->size(), 100u);
}

TEST_F(S3StoreTest, ObjectDeletedMidListingFailsThatKeyOnly) {
  for (int i = 0; i < 30; ++i) {
    char key[32];
    std::snprintf(key, sizeof(key), "run/%02d.jpg", i);
    ASSERT_TRUE(store_->Put(key, key).ok());
  }
  Result<ListPage> first = store_->List("run/", "", 10);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->truncated);
  // One key already listed and one not yet listed disappear.
  for (const char* gone : {"run/05.jpg", "run/15.jpg"}) {
    CommandResult r =
        server_->Aws({"s3", "rm", "--only-show-errors", "s3://" + bucket_ + "/" + gone});
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  std::vector<std::string> keys;
  for (const ObjectInfo& o : first->objects) keys.push_back(o.key);
  std::string after = keys.back();
  for (;;) {
    Result<ListPage> p = store_->List("run/", after, 10);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    for (const ObjectInfo& o : p->objects) keys.push_back(o.key);
    if (!p->truncated) break;
    after = p->objects.back().key;
  }
  EXPECT_EQ(keys.size(), 29u);
  EXPECT_EQ(std::count(keys.begin(), keys.end(), "run/15.jpg"), 0);
  int fetched = 0;
  for (const std::string& k : keys) {
    Result<std::string> got = store_->Get(k);
    if (k == "run/05.jpg") {
      ASSERT_FALSE(got.ok());
      EXPECT_EQ(got.status().code(), Code::kNotFound);
      EXPECT_NE(got.status().message().find("s3://" + bucket_ + "/run/05.jpg"), std::string::npos)
          << got.status().message();
      EXPECT_EQ(store_->Head(k).status().code(), Code::kNotFound);
    } else {
      ASSERT_TRUE(got.ok()) << k << ": " << got.status().ToString();
      EXPECT_EQ(*got, k);
      ++fetched;
    }
  }
  EXPECT_EQ(fetched, 28);
}

TEST_F(S3StoreTest, StartUpCheckPassesForAGoodBucket) {
  EXPECT_TRUE(store_->Check().ok());
  EXPECT_TRUE(store_->Check("no/such/prefix").ok());
}

TEST_F(S3StoreTest, StartUpCheckRefusesAnUnknownAccessKey) {
  std::unique_ptr<S3Store> wrong = NewStore(server_->StoreConfig(bucket_, "WRONGKEY", "S3RVER"));
  Status st = wrong->Check();
  EXPECT_EQ(st.code(), Code::kPermissionDenied) << st.ToString();
  EXPECT_NE(st.message().find("WRONGKEY"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("s3://" + bucket_), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("AWS_ACCESS_KEY_ID"), std::string::npos) << st.message();
  EXPECT_EQ(wrong->Get("x.jpg").status().code(), Code::kPermissionDenied);
}

TEST_F(S3StoreTest, StartUpCheckRefusesAMissingBucket) {
  std::unique_ptr<S3Store> missing = NewStore(server_->StoreConfig("no-such-bucket-here"));
  Status st = missing->Check();
  EXPECT_EQ(st.code(), Code::kNotFound) << st.ToString();
  EXPECT_NE(st.message().find("s3://no-such-bucket-here"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("no such bucket"), std::string::npos) << st.message();
}

TEST_F(S3StoreTest, StartUpCheckRefusesADeadEndpoint) {
  S3Store::Config config = server_->StoreConfig(bucket_);
  const std::string dead = "http://127.0.0.1:" + std::to_string(testing::FreeLoopbackPort());
  config.client.endpoint = ParseEndpointUrl(dead).value();
  config.client.endpoint_url = dead;
  std::unique_ptr<S3Store> store = NewStore(config);
  Status st = store->Check();
  EXPECT_EQ(st.code(), Code::kIo) << st.ToString();
  EXPECT_NE(st.message().find(dead), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("cannot reach"), std::string::npos) << st.message();
}

TEST_F(S3StoreTest, OpenObjectStoreResolvesAProfileFromTheSharedFiles) {
  TempDir home;
  home.Write("credentials",
             "[imagemill-test]\naws_access_key_id = S3RVER\n"
             "aws_secret_access_key = S3RVER\n");
  home.Write("config",
             "[profile imagemill-test]\nregion = eu-west-3\ns3 =\n"
             "  addressing_style = path\n");
  ::setenv("AWS_SHARED_CREDENTIALS_FILE", (home.path() + "/credentials").c_str(), 1);
  ::setenv("AWS_CONFIG_FILE", (home.path() + "/config").c_str(), 1);
  StoreOptions options;
  options.endpoint_url = server_->endpoint_url();
  options.profile = "imagemill-test";
  Result<std::unique_ptr<ObjectStore>> store =
      OpenObjectStore("s3://" + bucket_ + "/ignored/prefix", options);
  ::unsetenv("AWS_SHARED_CREDENTIALS_FILE");
  ::unsetenv("AWS_CONFIG_FILE");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->Uri(), "s3://" + bucket_);
  EXPECT_EQ((*store)->Bucket(), bucket_);
  auto* s3 = dynamic_cast<S3Store*>(store->get());
  ASSERT_NE(s3, nullptr);
  EXPECT_EQ(s3->config().client.region, "eu-west-3");
  EXPECT_TRUE(s3->Check().ok());
  ASSERT_TRUE((*store)->Put("via/profile.txt", "hello").ok());
  CommandResult r =
      server_->Aws({"s3", "cp", "s3://" + bucket_ + "/via/profile.txt", "-"}, "", false);
  EXPECT_EQ(r.output, "hello");
}

TEST_F(S3StoreTest, OpenCheckedStoreFailsAtStartUpWithTheReason) {
  StoreOptions options;
  options.endpoint_url = server_->endpoint_url();
  ::setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
  Result<std::unique_ptr<ObjectStore>> good = OpenCheckedStore("s3://" + bucket_ + "/p", options);
  EXPECT_TRUE(good.ok()) << good.status().ToString();
  Result<std::unique_ptr<ObjectStore>> missing = OpenCheckedStore("s3://nobucket/p", options);
  EXPECT_EQ(missing.status().code(), Code::kNotFound) << missing.status().ToString();
  ::setenv("AWS_ACCESS_KEY_ID", "NOTAKEY", 1);
  Result<std::unique_ptr<ObjectStore>> refused = OpenCheckedStore("s3://" + bucket_, options);
  EXPECT_EQ(refused.status().code(), Code::kPermissionDenied) << refused.status().ToString();
  ::unsetenv("AWS_ACCESS_KEY_ID");
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  options.endpoint_url = "not a url";
  EXPECT_EQ(OpenCheckedStore("s3://" + bucket_, options).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(OpenCheckedStore("/no/such/folder", {}).status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace imagemill
