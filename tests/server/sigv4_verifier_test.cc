#include "server/sigv4_verifier.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace imagemill::server {
namespace {

constexpr char kKeyId[] = "AKIDEXAMPLE";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr char kRegion[] = "us-east-1";
constexpr char kDate[] = "20240301T101500Z";

Clock::TimePoint At(int64_t unix_seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(unix_seconds));
}
constexpr int64_t kDateUnix = 1709288100;  // 2024-03-01T10:15:00Z

SigV4Verifier Verifier() { return SigV4Verifier({{kKeyId, kSecret}}, kRegion); }

// A DynamoDB GetItem request, as the AWS CLI sends it, signed at kDate.
Request SignedGetItem(const std::string& secret = kSecret, const std::string& service = "dynamodb",
                      const std::string& amz_date = kDate) {
  Request r;
  r.method = "POST";
  r.target = "/";
  r.body = R"({"TableName": "t", "Key": {"id": {"S": "a.jpg"}}})";
  r.headers = {{"Host", "127.0.0.1:8080"},
               {"X-Amz-Target", "DynamoDB_20120810.GetItem"},
               {"Content-Type", "application/x-amz-json-1.0"},
               {"X-Amz-Date", amz_date}};
  r.headers.emplace_back("Authorization",
                         SignRequest(r, {kKeyId, secret}, kRegion, service, amz_date,
                                     "content-type;host;x-amz-date;x-amz-target"));
  return r;
}

std::string ErrorType(const AwsResult<Caller>& r) { return r.ok() ? "ok" : r.error().type; }

TEST(SigV4VerifierTest, SignsTheAwsTestSuitesGetVanillaRequestAsAwsDoes) {
  // aws-sig-v4-test-suite/get-vanilla: its published signature.
  Request r;
  r.method = "GET";
  r.target = "/";
  r.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
  const std::string auth = SignRequest(r, {kKeyId, kSecret}, "us-east-1", "service",
                                       "20150830T123600Z", "host;x-amz-date");
  EXPECT_EQ(auth,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  r.headers.emplace_back("Authorization", auth);
  SigV4Verifier v({{kKeyId, kSecret}}, "us-east-1");
  EXPECT_TRUE(v.Verify(r, "service", At(1440938160)).ok());
}

TEST(SigV4VerifierTest, AcceptsARequestBotocoreSigned) {
  testing::TempDir dir;
  nlohmann::json doc = {{"access_key", kKeyId},
                        {"secret_key", kSecret},
                        {"region", kRegion},
                        {"service", "dynamodb"},
                        {"amz_date", kDate},
                        {"url", "http://127.0.0.1:8080/"},
                        {"method", "POST"},
                        {"headers",
                         {{"X-Amz-Target", "DynamoDB_20120810.GetItem"},
                          {"Content-Type", "application/x-amz-json-1.0"}}},
                        {"body", "{\"TableName\":  \"t\",\n \"Key\": {}}"}};
  dir.Write("in.json", doc.dump());
  testing::CommandResult out = testing::RunCommand(
      {"/usr/bin/python3", testing::SourceDir() + "/tests/server/botocore_sign.py",
       dir.path() + "/in.json"},
      {}, "", /*capture_stderr=*/false);
  ASSERT_EQ(out.exit_code, 0) << "botocore_sign.py failed (is python3-botocore installed?)";
  nlohmann::json signed_doc = nlohmann::json::parse(out.output);
  Request r;
  r.method = "POST";
  r.target = "/";
  r.body = doc["body"];
  r.headers.emplace_back("Host", "127.0.0.1:8080");
  for (auto& [name, value] : signed_doc["headers"].items()) r.headers.emplace_back(name, value);
  AwsResult<Caller> caller = Verifier().Verify(r, "dynamodb", At(kDateUnix));
  ASSERT_TRUE(caller.ok()) << caller.error().message;
  EXPECT_EQ(caller->access_key_id, kKeyId);
}

TEST(SigV4VerifierTest, AcceptsItsOwnSignatureWithinTheSkewWindow) {
  EXPECT_TRUE(Verifier().Verify(SignedGetItem(), "dynamodb", At(kDateUnix)).ok());
  EXPECT_TRUE(Verifier().Verify(SignedGetItem(), "dynamodb", At(kDateUnix + 14 * 60)).ok());
  EXPECT_TRUE(Verifier().Verify(SignedGetItem(), "dynamodb", At(kDateUnix - 14 * 60)).ok());
}

TEST(SigV4VerifierTest, RefusesARequestOutsideFifteenMinutes) {
  AwsResult<Caller> late = Verifier().Verify(SignedGetItem(), "dynamodb", At(kDateUnix + 16 * 60));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().type, "InvalidSignatureException");
  EXPECT_EQ(late.error().status, 403);
  EXPECT_NE(late.error().message.find("Signature expired"), std::string::npos);
  AwsResult<Caller> early = Verifier().Verify(SignedGetItem(), "dynamodb", At(kDateUnix - 16 * 60));
  ASSERT_FALSE(early.ok());
  EXPECT_NE(early.error().message.find("not yet current"), std::string::npos);
}

TEST(SigV4VerifierTest, RefusesARequestWithoutASignature) {
  Request r = SignedGetItem();
  r.headers.pop_back();
  AwsResult<Caller> result = Verifier().Verify(r, "dynamodb", At(kDateUnix));
  EXPECT_EQ(ErrorType(result), "MissingAuthenticationToken");
  EXPECT_EQ(result.error().status, 403);
}

TEST(SigV4VerifierTest, RefusesAnUnknownAccessKey) {
  SigV4Verifier other({{"AKIDOTHER", kSecret}}, kRegion);
  AwsResult<Caller> result = other.Verify(SignedGetItem(), "dynamodb", At(kDateUnix));
  EXPECT_EQ(ErrorType(result), "UnrecognizedClientException");
  EXPECT_NE(result.error().message.find("AKIDEXAMPLE"), std::string::npos);
}

TEST(SigV4VerifierTest, RefusesAWrongSecret) {
  EXPECT_EQ(
      ErrorType(Verifier().Verify(SignedGetItem("not-the-secret"), "dynamodb", At(kDateUnix))),
      "InvalidSignatureException");
}

TEST(SigV4VerifierTest, RefusesABodyChangedAfterSigning) {
  Request r = SignedGetItem();
  r.body[r.body.size() - 3] = 'b';
  EXPECT_EQ(ErrorType(Verifier().Verify(r, "dynamodb", At(kDateUnix))),
            "InvalidSignatureException");
}

TEST(SigV4VerifierTest, RefusesAPayloadHashHeaderThatIsNotTheBodys) {
  Request r = SignedGetItem();
  r.headers.emplace_back("X-Amz-Content-Sha256", std::string(64, '0'));
  AwsResult<Caller> result = Verifier().Verify(r, "dynamodb", At(kDateUnix));
  EXPECT_EQ(ErrorType(result), "InvalidSignatureException");
  EXPECT_NE(result.error().message.find("x-amz-content-sha256"), std::string::npos);
}

TEST(SigV4VerifierTest, RefusesASignedHeaderChangedAfterSigning) {
  Request r = SignedGetItem();
  r.headers[1].second = "DynamoDB_20120810.Scan";
  EXPECT_EQ(ErrorType(Verifier().Verify(r, "dynamodb", At(kDateUnix))),
            "InvalidSignatureException");
}

TEST(SigV4VerifierTest, RefusesAScopeForAnotherServiceOrRegion) {
  AwsResult<Caller> service =
      Verifier().Verify(SignedGetItem(kSecret, "states"), "dynamodb", At(kDateUnix));
  EXPECT_EQ(ErrorType(service), "InvalidSignatureException");
  EXPECT_NE(service.error().message.find("'dynamodb'"), std::string::npos);
  SigV4Verifier eu({{kKeyId, kSecret}}, "eu-west-1");
  AwsResult<Caller> region = eu.Verify(SignedGetItem(), "dynamodb", At(kDateUnix));
  EXPECT_EQ(ErrorType(region), "InvalidSignatureException");
  EXPECT_NE(region.error().message.find("us-east-1"), std::string::npos);
}

TEST(SigV4VerifierTest, RefusesAScopeDateThatIsNotTheRequestsDate) {
  Request r = SignedGetItem();
  for (auto& [n, v] : r.headers) {
    if (n == "X-Amz-Date") v = "20240302T101500Z";
  }
  EXPECT_EQ(ErrorType(Verifier().Verify(r, "dynamodb", At(kDateUnix))),
            "InvalidSignatureException");
}

TEST(SigV4VerifierTest, RefusesAMalformedAuthorizationHeader) {
  for (std::string bad : {"Basic dXNlcjpwYXNz", "AWS4-HMAC-SHA256 Credential=AKID/x",
                          "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00",
                          "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240301/us-east-1/dynamodb/"
                          "aws4_request, SignedHeaders=, Signature=00"}) {
    Request r = SignedGetItem();
    r.headers.back().second = bad;
    EXPECT_EQ(ErrorType(Verifier().Verify(r, "dynamodb", At(kDateUnix))),
              "IncompleteSignatureException")
        << bad;
  }
}

TEST(SigV4VerifierTest, RefusesASignatureThatLeavesHostUnsigned) {
  Request r = SignedGetItem();
  r.headers.pop_back();
  r.headers.emplace_back("Authorization", SignRequest(r, {kKeyId, kSecret}, kRegion, "dynamodb",
                                                      kDate, "x-amz-date;x-amz-target"));
  EXPECT_EQ(ErrorType(Verifier().Verify(r, "dynamodb", At(kDateUnix))),
            "InvalidSignatureException");
}

TEST(SigV4VerifierTest, CanonicalRequestNormalisesThePathAndSortsTheQuery) {
  Request r;
  r.method = "GET";
  r.target = "/a/./b/../c%20d?b=2&a=1&a=0";
  r.headers = {{"Host", "h"}, {"X-Amz-Date", "  20240301T101500Z  "}};
  EXPECT_EQ(CanonicalRequest(r, "host;x-amz-date", "abc"),
            "GET\n/a/c%2520d\na=0&a=1&b=2\nhost:h\nx-amz-date:20240301T101500Z\n\n"
            "host;x-amz-date\nabc");
}

}  // namespace
}  // namespace imagemill::server
