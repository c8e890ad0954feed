// Proves the SigV4 signatures S3Store has libcurl compute against an independent signer,
// botocore's (Debian's python3-botocore): a loopback server records the exact requests
// S3Store sends, tests/objectstore/sigv4_check.py re-signs each with botocore for the same
// credentials, region and timestamp, and the Authorization headers must be identical.
// s3rver does not check signatures; a real S3 endpoint refuses any request this test would fail.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "objectstore/s3_store.h"
#include "support/scripted_http_server.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace imagemill {
namespace {

using testing::RecordedRequest;
using testing::ScriptedHttpServer;
using testing::TempDir;

constexpr char kAccessKey[] = "AKIDEXAMPLE";
constexpr char kSecretKey[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr char kRegion[] = "eu-west-2";
constexpr char kToken[] = "AbC+/dEf==gh+ij/";

std::string Hex(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 0x0F];
  }
  return out;
}

std::string TokenListing() {
  return "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>" +
         std::string(kToken) +
         "</NextContinuationToken><Contents><Key>tok/1</Key><Size>1</Size></Contents>"
         "<Contents><Key>tok/2</Key><Size>1</Size></Contents></ListBucketResult>";
}

void Answer(const RecordedRequest& r, httplib::Response& res) {
  const bool bucket_level = r.target == "/bkt" || r.target.starts_with("/bkt?");
  if (r.method == "PUT") {
    res.set_header("ETag", "\"put\"");
  } else if (bucket_level) {
    const bool first_tok_page = r.target.find("prefix=tok%2F") != std::string::npos &&
                                r.target.find("continuation-token") == std::string::npos;
    res.set_content(first_tok_page ? TokenListing()
                                   : "<ListBucketResult><IsTruncated>false</IsTruncated>"
                                     "</ListBucketResult>",
                    "application/xml");
  } else {
    // httplib answers a Range header itself (206 with the slice).
    res.set_header("ETag", "\"abc\"");
    res.set_header("Last-Modified", "Wed, 12 Oct 2009 17:50:00 GMT");
    res.set_content("0123456789abcdefghijklmnopqrstuvwxyz", "image/jpeg");
  }
}

S3Store::Config ConfigFor(const ScriptedHttpServer& server, const std::string& token) {
  S3Store::Config config;
  config.bucket = "bkt";
  config.client.endpoint = ParseEndpointUrl(server.endpoint_url()).value();
  config.client.endpoint_url = server.endpoint_url();
  config.client.custom_endpoint = true;
  config.client.region = kRegion;
  config.client.credentials = {kAccessKey, kSecretKey, token, "the test"};
  return config;
}

// Re-signs `requests` with botocore; one JSON object per request (see sigv4_check.py).
nlohmann::json Botocore(const std::vector<RecordedRequest>& requests, const std::string& token) {
  nlohmann::json doc = {{"access_key", kAccessKey},
                        {"secret_key", kSecretKey},
                        {"session_token", token},
                        {"region", kRegion},
                        {"requests", nlohmann::json::array()}};
  for (const RecordedRequest& r : requests) {
    nlohmann::json headers = nlohmann::json::array();
    for (const auto& [n, v] : r.headers) headers.push_back({n, v});
    doc["requests"].push_back({{"method", r.method},
                               {"target", r.target},
                               {"headers", headers},
                               {"body_hex", Hex(r.body)}});
  }
  TempDir dir;
  const std::string input = dir.path() + "/requests.json";
  std::ofstream(input) << doc.dump();
  testing::CommandResult out = testing::RunCommand(
      {"/usr/bin/python3", testing::SourceDir() + "/tests/objectstore/sigv4_check.py", input}, {}, "",
      false);
  EXPECT_EQ(out.exit_code, 0) << "sigv4_check.py failed (is python3-botocore installed? "
                                 "scripts/install-deps.sh installs it): "
                              << out.output;
  if (out.exit_code != 0) return nlohmann::json::array();
  return nlohmann::json::parse(out.output);
}

void ExpectSameSignatures(const std::vector<RecordedRequest>& requests, const std::string& token) {
  nlohmann::json results = Botocore(requests, token);
  ASSERT_EQ(results.size(), requests.size());
  for (size_t i = 0; i < results.size(); ++i) {
    const nlohmann::json& r = results[i];
    const std::string what = r["method"].get<std::string>() + " " + r["target"].get<std::string>();
    EXPECT_EQ(r["ours"], r["botocore"]) << what << "\nbotocore signed:\n"
                                        << r["canonical_request"].get<std::string>();
    const std::string target = r["target"];
    const size_t q = target.find('?');
    EXPECT_EQ(target.substr(0, q), r["canonical_path"]) << what;
    EXPECT_EQ(q == std::string::npos ? "" : target.substr(q + 1), r["canonical_query"]) << what;
    EXPECT_EQ(r["our_payload_hash"], r["payload_hash"]) << what;
    EXPECT_NE(r["ours"].get<std::string>().find("Credential=AKIDEXAMPLE/"), std::string::npos);
  }
}

TEST(S3SignatureTest, MatchesBotocoreForEveryKindOfRequest) {
  ScriptedHttpServer server(&Answer);
  S3Store store(ConfigFor(server, ""), Clock::Real());
  ASSERT_TRUE(store.List("", "", 1000).ok());
  ASSERT_TRUE(store.List("odd dir/\xc3\xa9+&=", "odd dir/\xc3\xa9+&=/a b", 5).ok());
  Result<ListPage> first = store.List("tok/", "", 2);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(first->truncated);
  ASSERT_TRUE(store.List("tok/", "tok/2", 2).ok());  // continues with the token
  ASSERT_TRUE(store.Get("photos/a b+c&d=e \xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac.jpg").ok());
  Result<std::string> range = store.Get("photos/x.jpg", ByteRange{10, 20});
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(*range, "abcdefghijklmnopqrst");
  ASSERT_TRUE(store.Head("dir/~tilde's (1)!*@$;,.jpg").ok());
  ASSERT_TRUE(store.Get("a/../b//c/./d%41").ok());
  ASSERT_TRUE(store
                  .Put("out/result 1+1=2&\xc3\xa9.json", std::string("{\"a\":1}\0\xff\x01", 10),
                       "application/json")
                  .ok());
  ASSERT_TRUE(store.Put("out/empty", "").ok());
  ASSERT_TRUE(store.Put("out/big.bin", std::string(3 << 20, 'z')).ok());

  std::vector<RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 11u);
  // What the requests say, decoded, is what was asked.
  EXPECT_NE(requests[1].target.find("start-after=odd%20dir%2F%C3%A9%2B%26%3D%2Fa%20b"),
            std::string::npos)
      << requests[1].target;
  EXPECT_NE(requests[3].target.find("continuation-token=AbC%2B%2FdEf%3D%3Dgh%2Bij%2F"),
            std::string::npos)
      << requests[3].target;
  EXPECT_EQ(requests[3].target.find("start-after"), std::string::npos);
  EXPECT_EQ(requests[4].target, "/bkt/photos/a%20b%2Bc%26d%3De%20%C3%A9%20%E6%97%A5%E6%9C%AC.jpg");
  EXPECT_EQ(requests[5].Header("Range"), "bytes=10-29");
  EXPECT_EQ(requests[6].method, "HEAD");
  EXPECT_EQ(requests[7].target, "/bkt/a/../b//c/./d%2541");
  EXPECT_EQ(requests[8].body, std::string("{\"a\":1}\0\xff\x01", 10));
  EXPECT_EQ(requests[8].Header("Content-Type"), "application/json");
  EXPECT_EQ(requests[10].body.size(), 3u << 20);
  ExpectSameSignatures(requests, "");
}

TEST(S3SignatureTest, SessionTokensAreSigned) {
  ScriptedHttpServer server(&Answer);
  const std::string token = "FwoGZXIvYXdzEJr//////////wEaDH+token=";
  S3Store store(ConfigFor(server, token), Clock::Real());
  ASSERT_TRUE(store.List("p/", "", 10).ok());
  ASSERT_TRUE(store.Get("k.jpg").ok());
  ASSERT_TRUE(store.Put("k2.json", "data").ok());
  std::vector<RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  for (const RecordedRequest& r : requests) {
    EXPECT_EQ(r.Header("x-amz-security-token"), token);
    EXPECT_NE(r.Header("Authorization").find("x-amz-security-token"), std::string::npos);
  }
  ExpectSameSignatures(requests, token);
}

TEST(S3SignatureTest, TheComparisonNoticesAlteredRequests) {
  ScriptedHttpServer server(&Answer);
  S3Store store(ConfigFor(server, ""), Clock::Real());
  ASSERT_TRUE(store.Put("a b.json", "payload").ok());
  ASSERT_TRUE(store.List("p/", "p/x y", 10).ok());
  std::vector<RecordedRequest> altered = server.requests();
  ASSERT_EQ(altered.size(), 2u);
  altered[0].body = "paylоad";  // a Cyrillic 'o'
  altered[1].target.replace(altered[1].target.find("%20"), 3, "+");
  nlohmann::json results = Botocore(altered, "");
  ASSERT_EQ(results.size(), 2u);
  EXPECT_NE(results[0]["ours"], results[0]["botocore"]);
  EXPECT_NE(results[1]["ours"], results[1]["botocore"]);
  EXPECT_NE(altered[1].target.substr(altered[1].target.find('?') + 1),
            results[1]["canonical_query"].get<std::string>());
}

}  // namespace
}  // namespace imagemill
