// S3Store's transport against a scripted loopback server: transient failures as values for the
// caller's retry policy, error mapping, connection reuse, listing edge cases a real server rarely
// shows.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "objectstore/s3_store.h"
#include "util/retry.h"
#include "support/scripted_http_server.h"

namespace imagemill {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::RecordedRequest;
using testing::ScriptedHttpServer;

// Records the sleeps asked of it instead of sleeping.
class RecordingClock final : public Clock {
 public:
  TimePoint Now() override { return FromUnixMillis(1'700'000'000'000); }
  std::chrono::steady_clock::time_point Steady() override { return {}; }
  void SleepFor(Duration d) override {
    std::lock_guard<std::mutex> lock(mu_);
    sleeps_.push_back(d);
  }
  double Uniform() override { return 0.5; }
  std::vector<Duration> sleeps() {
    std::lock_guard<std::mutex> lock(mu_);
    return sleeps_;
  }

 private:
  std::mutex mu_;
  std::vector<Duration> sleeps_;  // guarded by mu_
};

std::string ErrorXml(const std::string& code, const std::string& extra = "") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code +
         "</Code><Message>scripted " + code + "</Message>" + extra + "</Error>";
}

class S3TransportTest : public ::testing::Test {
 protected:
  std::unique_ptr<S3Store> StoreFor(const ScriptedHttpServer& server,
                                    const std::string& bucket = "bkt") {
    S3Store::Config config;
    config.bucket = bucket;
    config.client.endpoint = ParseEndpointUrl(server.endpoint_url()).value();
    config.client.endpoint_url = server.endpoint_url();
    config.client.custom_endpoint = true;
    config.client.region = "us-east-1";
    config.client.credentials = {"AKIDEXAMPLE", "secret", "", "the test"};
    config.limits.request_timeout_ms = 5000;
    return std::make_unique<S3Store>(config, clock_);
  }

  RecordingClock clock_;
};

TEST_F(S3TransportTest, SlowDownComesBackAtOnceWithTheDelayTheServerAsks) {
  std::atomic<int> calls{0};
  ScriptedHttpServer server([&](const RecordedRequest&, httplib::Response& res) {
    ++calls;
    res.status = 503;
    res.set_header("Retry-After", "3");
    res.set_content(ErrorXml("SlowDown"), "application/xml");
  });
  Result<std::string> got = StoreFor(server)->Get("a.jpg");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), Code::kThrottled) << got.status().ToString();
  EXPECT_EQ(got.status().retry_after(), std::chrono::milliseconds(3000));
  EXPECT_EQ(calls.load(), 1) << "the store makes one attempt; the caller's policy retries";
  EXPECT_TRUE(clock_.sleeps().empty()) << "no thread sleeps in the store";
  // The policy honours it: never sooner than the server asked.
  RetryPolicy policy;
  policy.interval_seconds = 0.1;
  EXPECT_EQ(policy.Delay(1, clock_, got.status()), std::chrono::seconds(3));
}

TEST_F(S3TransportTest, ThrottlingAndServerErrorsAreTransientValues) {
  std::atomic<int> calls{0};
  int status = 429;
  ScriptedHttpServer server([&](const RecordedRequest&, httplib::Response& res) {
    ++calls;
    res.status = status;
    res.set_content(status == 500 ? ErrorXml("InternalError") : "", "application/xml");
  });
  std::unique_ptr<S3Store> store = StoreFor(server);
  Result<std::string> throttled = store->Get("a.jpg");
  EXPECT_EQ(throttled.status().code(), Code::kThrottled) << throttled.status().ToString();
  EXPECT_TRUE(throttled.status().retryable());
  EXPECT_FALSE(throttled.status().retry_after().has_value());
  status = 500;
  Result<std::string> failed = store->Get("a.jpg");
  EXPECT_EQ(failed.status().code(), Code::kIo) << failed.status().ToString();
  EXPECT_NE(failed.status().message().find("InternalError"), std::string::npos);
  EXPECT_EQ(calls.load(), 2);
}

TEST_F(S3TransportTest, ARunTriesAFailingObjectOnlyAsItsPolicySays) {
  std::atomic<int> gets{0};
  ScriptedHttpServer server([&](const RecordedRequest& r, httplib::Response& res) {
    if (r.method == "GET" && r.target.find("list-type=2") != std::string::npos) {
      res.set_content("<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a.jpg"
                      "</Key><Size>5</Size><ETag>\"e\"</ETag></Contents></ListBucketResult>",
                      "application/xml");
      return;
    }
    ++gets;
    res.status = 503;
    res.set_content(ErrorXml("SlowDown"), "application/xml");
  });
  std::unique_ptr<S3Store> store = StoreFor(server);
  RetryPolicy policy;
  policy.interval_seconds = 0.001;
  policy.max_attempts = 2;
  Result<std::string> got = CallWithRetry<std::string>(policy, clock_, [&] {
    return store->Get("a.jpg");
  });
  EXPECT_EQ(got.status().code(), Code::kThrottled);
  EXPECT_EQ(gets.load(), 3) << "the first try and two retries, never retries within retries";
  EXPECT_EQ(clock_.sleeps().size(), 2u);
}

TEST_F(S3TransportTest, ClientErrorsAreNotRetriedAndSayWhatToDo) {
  struct Case {
    int status;
    std::string code;
    std::string extra;
    Code expected;
    std::string hint;
  };
  const std::vector<Case> cases = {
      {404, "NoSuchKey", "", Code::kNotFound, "s3://bkt/dir/a b.jpg: no such key"},
      {404, "NoSuchBucket", "", Code::kNotFound, "no such bucket"},
      {403, "AccessDenied", "", Code::kPermissionDenied, "may read this bucket"},
      {403, "InvalidAccessKeyId", "", Code::kPermissionDenied, "AWS_ACCESS_KEY_ID"},
      {403, "SignatureDoesNotMatch", "", Code::kPermissionDenied, "AWS_SECRET_ACCESS_KEY"},
      {400, "ExpiredToken", "", Code::kPermissionDenied, "refresh the credentials"},
      {301, "PermanentRedirect", "<Region>eu-west-1</Region>", Code::kInvalidArgument,
       "AWS_REGION=eu-west-1"},
      {400, "AuthorizationHeaderMalformed", "<Region>ap-south-1</Region>", Code::kInvalidArgument,
       "ap-south-1"},
      {400, "InvalidRequest", "", Code::kInvalidArgument, "refused the request"},
  };
  for (const Case& c : cases) {
    std::atomic<int> calls{0};
    ScriptedHttpServer server([&](const RecordedRequest&, httplib::Response& res) {
      ++calls;
      res.status = c.status;
      res.set_content(ErrorXml(c.code, c.extra), "application/xml");
    });
    Result<std::string> got = StoreFor(server)->Get("dir/a b.jpg");
    ASSERT_FALSE(got.ok()) << c.code;
    EXPECT_EQ(got.status().code(), c.expected) << c.code << ": " << got.status().ToString();
    EXPECT_NE(got.status().message().find(c.hint), std::string::npos)
        << c.code << ": " << got.status().message();
    EXPECT_NE(got.status().message().find("s3://bkt"), std::string::npos) << c.code;
    EXPECT_EQ(calls.load(), 1) << c.code;
  }
  EXPECT_TRUE(clock_.sleeps().empty());
}

TEST_F(S3TransportTest, HeadErrorsWithoutABodyStillMapByStatus) {
  int status = 404;
  ScriptedHttpServer server(
      [&](const RecordedRequest&, httplib::Response& res) { res.status = status; });
  std::unique_ptr<S3Store> store = StoreFor(server);
  Result<ObjectInfo> missing = store->Head("k.jpg");
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_NE(missing.status().message().find("s3://bkt/k.jpg"), std::string::npos);
  status = 403;
  EXPECT_EQ(store->Head("k.jpg").status().code(), Code::kPermissionDenied);
}

TEST_F(S3TransportTest, ConnectionsAreReused) {
  ScriptedHttpServer server(
      [](const RecordedRequest&, httplib::Response& res) { res.set_content("x", "image/jpeg"); });
  std::unique_ptr<S3Store> store = StoreFor(server);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(store->Get("k" + std::to_string(i)).ok());
  std::vector<RecordedRequest> reqs = server.requests();
  ASSERT_EQ(reqs.size(), 5u);
  for (const RecordedRequest& r : reqs) EXPECT_EQ(r.remote_port, reqs[0].remote_port);
}

TEST_F(S3TransportTest, ParallelGetsFromManyThreads) {
  ScriptedHttpServer server([](const RecordedRequest& r, httplib::Response& res) {
    res.set_content(r.target, "text/plain");
  });
  std::unique_ptr<S3Store> store = StoreFor(server);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        std::string key = "t" + std::to_string(t) + "/" + std::to_string(i);
        Result<std::string> got = store->Get(key);
        if (got.ok() && *got == "/bkt/" + key) ++ok;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 160);
}

TEST_F(S3TransportTest, UnansweredRequestsTimeOut) {
  ScriptedHttpServer server([](const RecordedRequest&, httplib::Response& res) {
    std::this_thread::sleep_for(milliseconds(1500));
    res.set_content("late", "text/plain");
  });
  S3Store::Config config = StoreFor(server)->config();
  config.limits.request_timeout_ms = 200;
  S3Store store(config, clock_);
  Result<std::string> got = store.Get("slow.jpg");
  EXPECT_EQ(got.status().code(), Code::kIo) << got.status().ToString();
  EXPECT_NE(got.status().message().find("in time"), std::string::npos) << got.status().message();
}

std::string Listing(const std::vector<std::string>& keys, const std::string& token) {
  std::string xml = "<ListBucketResult><IsTruncated>" +
                    std::string(token.empty() ? "false" : "true") + "</IsTruncated>";
  if (!token.empty()) xml += "<NextContinuationToken>" + token + "</NextContinuationToken>";
  for (const std::string& k : keys) {
    xml += "<Contents><Key>" + k + "</Key><Size>1</Size><ETag>\"e\"</ETag></Contents>";
  }
  return xml + "</ListBucketResult>";
}

TEST_F(S3TransportTest, ListingFollowsEmptyTruncatedPagesAndFallsBackFromStaleTokens) {
  ScriptedHttpServer server([](const RecordedRequest& r, httplib::Response& res) {
    if (r.target.find("continuation-token=stale") != std::string::npos) {
      res.status = 400;
      res.set_content(ErrorXml("InvalidArgument"), "application/xml");
    } else if (r.target.find("continuation-token=empty") != std::string::npos) {
      res.set_content(Listing({"p/b", "p/c"}, "stale"), "application/xml");
    } else if (r.target.find("start-after=p%2Fc") != std::string::npos) {
      res.set_content(Listing({"p/d"}, ""), "application/xml");
    } else {
      // A server that answers the first page with no keys but a token.
      res.set_content(Listing({}, "empty"), "application/xml");
    }
  });
  std::unique_ptr<S3Store> store = StoreFor(server);
  Result<ListPage> first = store->List("p/", "", 2);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->objects.size(), 2u);
  EXPECT_EQ(first->objects[1].key, "p/c");
  EXPECT_TRUE(first->truncated);
  Result<ListPage> second = store->List("p/", "p/c", 2);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_EQ(second->objects.size(), 1u);
  EXPECT_EQ(second->objects[0].key, "p/d");
  EXPECT_FALSE(second->truncated);
  std::vector<RecordedRequest> reqs = server.requests();
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_NE(reqs[2].target.find("continuation-token=stale"), std::string::npos);
  EXPECT_EQ(reqs[2].target.find("start-after"), std::string::npos);
}

TEST_F(S3TransportTest, ListingDropsKeysOutsideTheContractButKeepsUnorderedOnes) {
  ScriptedHttpServer server([](const RecordedRequest&, httplib::Response& res) {
    res.set_content(Listing({"a", "p/0", "p/1", "p/1", "p/3", "p/2", "q/2"}, ""),
                    "application/xml");
  });
  Result<ListPage> page = StoreFor(server)->List("p/", "p/0", 10);
  ASSERT_TRUE(page.ok());
  std::vector<std::string> keys;
  for (const ObjectInfo& o : page->objects) keys.push_back(o.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"p/1", "p/3", "p/2"}));
}

TEST_F(S3TransportTest, GarbageListingIsAnIoErrorNamingTheBucket) {
  ScriptedHttpServer server([](const RecordedRequest&, httplib::Response& res) {
    res.set_content("<html>proxy error</html", "text/html");
  });
  Result<ListPage> page = StoreFor(server)->List("", "", 10);
  EXPECT_EQ(page.status().code(), Code::kIo);
  EXPECT_NE(page.status().message().find("s3://bkt"), std::string::npos);
}

}  // namespace
}  // namespace imagemill
