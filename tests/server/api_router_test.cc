#include "server/api_router.h"

#include <gtest/gtest.h>

#include <future>

namespace imagemill::server {
namespace {

constexpr char kKeyId[] = "AKIDROUTER";
constexpr char kSecret[] = "router-secret";

class ApiRouterTest : public ::testing::Test {
 protected:
  ApiRouterTest()
      : verifier_({{kKeyId, kSecret}}, "us-east-1"),
        pool_("test", 1, 1),
        router_(&verifier_, metrics_, Clock::Real(), pool_) {
    router_.AddService({"Test_2024", "test", "1.0", "ThrottlingException"});
    router_.AddOperation("Test_2024.Echo", Lane::kInline, [](const Json& r) -> AwsResult<Json> {
      return Json{{"echo", r}};
    });
    router_.AddOperation("Test_2024.Fail", Lane::kInline, [](const Json&) -> AwsResult<Json> {
      return AwsError::Validation("Fail always fails");
    });
    router_.AddOperation("Test_2024.Throw", Lane::kPool,
                         [](const Json&) -> AwsResult<Json> { throw std::runtime_error("boom"); });
    router_.AddOperation("Test_2024.Slow", Lane::kPool, [this](const Json&) -> AwsResult<Json> {
      released_.wait();
      return Json::object();
    });
  }

  Request Signed(const std::string& target, const std::string& body) {
    Request r;
    r.method = "POST";
    r.target = "/";
    r.body = body;
    const std::string date = AmzDate(std::chrono::system_clock::now());
    r.headers = {{"Host", "h"}, {"X-Amz-Date", date}, {"X-Amz-Target", target}};
    r.headers.emplace_back("Authorization", SignRequest(r, {kKeyId, kSecret}, "us-east-1", "test",
                                                        date, "host;x-amz-date;x-amz-target"));
    return r;
  }

  Response Call(Request r) {
    std::promise<Response> p;
    router_.Handle(std::move(r), [&p](Response res) { p.set_value(std::move(res)); });
    return p.get_future().get();
  }

  static std::string Type(const Response& r) {
    return Json::parse(r.body).value("__type", std::string("none"));
  }

  SigV4Verifier verifier_;
  Metrics metrics_;
  WorkPool pool_;
  ApiRouter router_;
  std::promise<void> release_;
  std::shared_future<void> released_ = release_.get_future().share();
};

TEST_F(ApiRouterTest, AnswersASignedRequestWithTheServicesContentType) {
  Response r = Call(Signed("Test_2024.Echo", R"({"a": 1})"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/x-amz-json-1.0");
  EXPECT_EQ(Json::parse(r.body), Json::parse(R"({"echo": {"a": 1}})"));
  bool has_request_id = false;
  for (const auto& [n, v] : r.headers) has_request_id |= n == "x-amzn-RequestId" && v.size() == 36;
  EXPECT_TRUE(has_request_id);
}

TEST_F(ApiRouterTest, AnEmptyBodyIsAnEmptyObject) {
  Response r = Call(Signed("Test_2024.Echo", ""));
  EXPECT_EQ(Json::parse(r.body), Json::parse(R"({"echo": {}})"));
}

TEST_F(ApiRouterTest, MalformedJsonIsASerializationException) {
  Response r = Call(Signed("Test_2024.Echo", "{\"a\": "));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Type(r), "SerializationException");
  EXPECT_EQ(Type(Call(Signed("Test_2024.Echo", "[1, 2]"))), "SerializationException");
}

TEST_F(ApiRouterTest, UnknownTargetsAreUnknownOperations) {
  EXPECT_EQ(Type(Call(Signed("Test_2024.Nope", "{}"))), "UnknownOperationException");
  EXPECT_EQ(Type(Call(Signed("Other_2024.Echo", "{}"))), "UnknownOperationException");
}

TEST_F(ApiRouterTest, UnsignedRequestsAreRefusedBeforeAnythingRuns) {
  Request r = Signed("Test_2024.Nope", "{}");
  r.headers.pop_back();
  Response res = Call(std::move(r));
  EXPECT_EQ(res.status, 403);
  EXPECT_EQ(Type(res), "MissingAuthenticationToken");
}

TEST_F(ApiRouterTest, OperationErrorsAndExceptionsKeepTheirShape) {
  Response fail = Call(Signed("Test_2024.Fail", "{}"));
  EXPECT_EQ(fail.status, 400);
  EXPECT_EQ(Json::parse(fail.body), Json::parse(R"({"__type": "ValidationException",
                                                     "message": "Fail always fails"})"));
  Response thrown = Call(Signed("Test_2024.Throw", "{}"));
  EXPECT_EQ(thrown.status, 500);
  EXPECT_EQ(Type(thrown), "InternalServerError");
  EXPECT_NE(thrown.body.find("boom"), std::string::npos);
}

TEST_F(ApiRouterTest, AFullPoolAnswersThrottlingAtOnce) {
  // One thread busy with the first Slow, one queued: the third is refused.
  std::promise<Response> first, second;
  router_.Handle(Signed("Test_2024.Slow", "{}"), [&](Response r) { first.set_value(r); });
  while (pool_.running() == 0) std::this_thread::yield();
  router_.Handle(Signed("Test_2024.Slow", "{}"), [&](Response r) { second.set_value(r); });
  Response third = Call(Signed("Test_2024.Slow", "{}"));
  EXPECT_EQ(Type(third), "ThrottlingException");
  release_.set_value();
  EXPECT_EQ(first.get_future().get().status, 200);
  EXPECT_EQ(second.get_future().get().status, 200);
}

TEST_F(ApiRouterTest, CountsRequestsByOperationAndStatus) {
  (void)Call(Signed("Test_2024.Echo", "{}"));
  (void)Call(Signed("Test_2024.Fail", "{}"));
  const std::string text = metrics_.Render(std::chrono::steady_clock::now());
  EXPECT_NE(text.find("imagemill_requests_total{operation=\"Test_2024.Echo\",code=\"200\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("imagemill_requests_total{operation=\"Test_2024.Fail\",code=\"400\"} 1"),
            std::string::npos);
}

}  // namespace
}  // namespace imagemill::server
