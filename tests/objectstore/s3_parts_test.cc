// The pieces of S3Store that need no server: request encoding, the XML reader, AWS configuration
// resolution, backoff.
#include <gtest/gtest.h>

#include <random>

#include "objectstore/aws_config.h"
#include "objectstore/s3_request.h"
#include "objectstore/s3_retry.h"
#include "objectstore/s3_xml.h"
#include "support/temp_dir.h"

namespace imagemill {
namespace {

using testing::TempDir;

TEST(S3RequestTest, UriEncodeUsesUppercaseHexAndKeepsOnlyUnreserved) {
  EXPECT_EQ(UriEncode("a b+c&d=e/f~g_h-i.j", true), "a%20b%2Bc%26d%3De/f~g_h-i.j");
  EXPECT_EQ(UriEncode("a/b", false), "a%2Fb");
  EXPECT_EQ(UriEncode("caf\xc3\xa9", true), "caf%C3%A9");
  EXPECT_EQ(UriEncode("%", true), "%25");
  EXPECT_EQ(UriEncode(std::string("\0x", 2), true), "%00x");
}

TEST(S3RequestTest, CanonicalQuerySortsEncodesAndWritesEmptyValues) {
  EXPECT_EQ(CanonicalQuery({{"prefix", ""},
                            {"list-type", "2"},
                            {"continuation-token", "1n9m6L/kffz+10p3=="},
                            {"max-keys", "1000"}}),
            "continuation-token=1n9m6L%2Fkffz%2B10p3%3D%3D&list-type=2&max-keys=1000&prefix=");
  EXPECT_EQ(CanonicalQuery({{"start-after", "a b/c"}}), "start-after=a%20b%2Fc");
  EXPECT_EQ(CanonicalQuery({}), "");
}

TEST(S3RequestTest, UrlsInBothAddressingStyles) {
  S3Endpoint path = ParseEndpointUrl("http://127.0.0.1:9000/").value();
  EXPECT_TRUE(path.path_style);
  EXPECT_EQ(S3Url(path, "bkt", "a b/c+d.jpg"), "http://127.0.0.1:9000/bkt/a%20b/c%2Bd.jpg");
  EXPECT_EQ(S3Url(path, "bkt", "", "list-type=2"), "http://127.0.0.1:9000/bkt?list-type=2");
  EXPECT_EQ(S3Url(path, "bkt", "a/../b"), "http://127.0.0.1:9000/bkt/a/../b");
  S3Endpoint mounted = ParseEndpointUrl("https://gw.example.com/s3//").value();
  EXPECT_EQ(S3Url(mounted, "bkt", "k"), "https://gw.example.com/s3/bkt/k");
  S3Endpoint aws = AwsEndpoint("eu-west-1");
  EXPECT_FALSE(aws.path_style);
  EXPECT_EQ(S3Url(aws, "photos", "x y.jpg"), "https://photos.s3.eu-west-1.amazonaws.com/x%20y.jpg");
  EXPECT_EQ(S3Url(aws, "photos", "", "list-type=2"),
            "https://photos.s3.eu-west-1.amazonaws.com/?list-type=2");
  EXPECT_EQ(ParseEndpointUrl("127.0.0.1:9000").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseEndpointUrl("http://").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseEndpointUrl("http://h/?x=1").status().code(), Code::kInvalidArgument);
}

TEST(S3RequestTest, VirtualHostableBucketNames) {
  EXPECT_TRUE(IsVirtualHostable("my-photos-2024", true));
  EXPECT_FALSE(IsVirtualHostable("my.photos", true));
  EXPECT_TRUE(IsVirtualHostable("my.photos", false));
  EXPECT_FALSE(IsVirtualHostable("My_Photos", false));
  EXPECT_FALSE(IsVirtualHostable("ab", false));
  EXPECT_FALSE(IsVirtualHostable("-abc", false));
}

constexpr char kListing[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bkt</Name><Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <NextContinuationToken>1n9m/kf+z10p3==</NextContinuationToken>
  <Contents>
    <Key>p/a b&amp;c=d+&lt;e&gt;&quot;&apos;&#233;&#x65E5;.jpg</Key>
    <LastModified>2026-11-27T00:02:45.000Z</LastModified>
    <ETag>&quot;b026324c6904b2a9cb4b88d6d61c81d1&quot;</ETag>
    <Size>12345678901</Size><StorageClass>STANDARD</StorageClass>
  </Contents>
  <Contents><Key><![CDATA[p/<raw>&.jpg]]></Key><Size>0</Size><ETag>"x"</ETag></Contents>
</ListBucketResult>
)";

TEST(S3XmlTest, ParsesAListingWithEntitiesAndCdata) {
  Result<ListBucketResult> r = ParseListBucketResult(kListing);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->truncated);
  EXPECT_EQ(r->next_continuation_token, "1n9m/kf+z10p3==");
  ASSERT_EQ(r->objects.size(), 2u);
  EXPECT_EQ(r->objects[0].key, "p/a b&c=d+<e>\"'\xc3\xa9\xe6\x97\xa5.jpg");
  EXPECT_EQ(r->objects[0].size, 12345678901u);
  EXPECT_EQ(r->objects[0].etag, "\"b026324c6904b2a9cb4b88d6d61c81d1\"");
  EXPECT_EQ(r->objects[0].last_modified, "2026-11-27T00:02:45.000Z");
  EXPECT_EQ(r->objects[1].key, "p/<raw>&.jpg");
}

TEST(S3XmlTest, UrlEncodedListingsAreDecoded) {
  Result<ListBucketResult> r = ParseListBucketResult(
      "<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>"
      "<Contents><Key>a+b%2Bc%26%E6%97%A5%01</Key><Size>1</Size></Contents></ListBucketResult>");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->objects.size(), 1u);
  EXPECT_EQ(r->objects[0].key, "a b+c&\xe6\x97\xa5\x01");
  EXPECT_FALSE(r->truncated);
}

TEST(S3XmlTest, RefusesWhatIsNotAListing) {
  for (const char* bad : {
           "",
           "<ListBucketResult>",
           "<ListBucketResult></ListBucketRezult>",
           "<Error><Code>NoSuchBucket</Code></Error>",
           "<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>",
           "<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents></ListBucketResult>",
           "<ListBucketResult><IsTruncated>maybe</IsTruncated></ListBucketResult>",
           "<!DOCTYPE x [<!ENTITY a \"b\">]><ListBucketResult/>",
           "<ListBucketResult>&unknown;</ListBucketResult>",
           "<ListBucketResult>&#0;</ListBucketResult>",
           "<ListBucketResult>&#xD800;</ListBucketResult>",
           "<ListBucketResult a=\"1\"b=\"2\"/>",
           "<ListBucketResult/><second/>",
       }) {
    EXPECT_FALSE(ParseListBucketResult(bad).ok()) << bad;
  }
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "<a>";
  EXPECT_EQ(ParseXml(deep).status().code(), Code::kCorrupt);
}

TEST(S3XmlTest, ParsesErrorDocuments) {
  S3ErrorInfo e = ParseS3Error(
      "<?xml version=\"1.0\"?><Error><Code>PermanentRedirect</Code><Message>Use the right "
      "endpoint &amp; region.</Message><Region>eu-west-1</Region><Endpoint>b.s3.eu-west-1."
      "amazonaws.com</Endpoint><RequestId>1</RequestId></Error>");
  EXPECT_EQ(e.code, "PermanentRedirect");
  EXPECT_EQ(e.message, "Use the right endpoint & region.");
  EXPECT_EQ(e.region, "eu-west-1");
  EXPECT_EQ(e.endpoint, "b.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(ParseS3Error("<html><body>502 Bad Gateway</body></html>").code, "");
  EXPECT_EQ(ParseS3Error("").code, "");
}

// Truncations and random byte flips of real documents: the reader must fail cleanly or succeed,
// never crash or hang (ASan runs this too; fuzz/s3_xml_fuzz.cc goes further).
TEST(S3XmlTest, SurvivesMutatedDocuments) {
  const std::string doc = kListing;
  for (size_t n = 0; n < doc.size(); ++n) (void)ParseListBucketResult(doc.substr(0, n));
  std::mt19937 rng(42);
  const std::string alphabet = "<>/&;#x![]CDATA?-=\"' \nabc0";
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string m = doc;
    for (int k = 0; k < 3; ++k) {
      m[rng() % m.size()] = alphabet[rng() % alphabet.size()];
    }
    parsed += ParseListBucketResult(m).ok() ? 1 : 0;
  }
  EXPECT_GT(parsed, 0);  // some mutations (inside text) leave a valid document
}

class AwsConfigTest : public ::testing::Test {
 protected:
  EnvLookup Env() {
    return [this](const char* name) -> std::optional<std::string> {
      auto it = env_.find(name);
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
  }
  void WriteFiles(const std::string& credentials, const std::string& config) {
    home_.Write(".aws/credentials", credentials);
    home_.Write(".aws/config", config);
    env_["HOME"] = home_.path();
  }

  TempDir home_;
  std::map<std::string, std::string> env_;
};

TEST_F(AwsConfigTest, DefaultsToAwsWithVirtualHostedAddressing) {
  Result<S3ClientConfig> c = ResolveS3Config("photos", {}, Env());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->region, "us-east-1");
  EXPECT_FALSE(c->custom_endpoint);
  EXPECT_FALSE(c->endpoint.path_style);
  EXPECT_EQ(c->endpoint.authority, "s3.us-east-1.amazonaws.com");
  EXPECT_TRUE(c->credentials.anonymous());
  // A bucket name with dots cannot be a TLS host name: path-style.
  EXPECT_TRUE(ResolveS3Config("my.photos", {}, Env())->endpoint.path_style);
}

TEST_F(AwsConfigTest, EndpointOrderOptionThenS3SpecificThenGeneral) {
  env_["AWS_ENDPOINT_URL"] = "http://general:1";
  EXPECT_EQ(ResolveS3Config("b", {}, Env())->endpoint.authority, "general:1");
  env_["AWS_ENDPOINT_URL_S3"] = "http://s3specific:2";
  Result<S3ClientConfig> c = ResolveS3Config("bucket", {}, Env());
  EXPECT_EQ(c->endpoint.authority, "s3specific:2");
  EXPECT_TRUE(c->endpoint.path_style);
  StoreOptions options;
  options.endpoint_url = "https://explicit:3";
  EXPECT_EQ(ResolveS3Config("b", options, Env())->endpoint.authority, "explicit:3");
  options.addressing = StoreOptions::Addressing::kVirtual;
  c = ResolveS3Config("bucket", options, Env());
  EXPECT_FALSE(c->endpoint.path_style);
  options.endpoint_url = "ftp://x";
  EXPECT_EQ(ResolveS3Config("b", options, Env()).status().code(), Code::kInvalidArgument);
}

TEST_F(AwsConfigTest, RegionOrder) {
  WriteFiles("", "[default]\nregion = ap-south-1\n");
  EXPECT_EQ(ResolveS3Config("b", {}, Env())->region, "ap-south-1");
  env_["AWS_DEFAULT_REGION"] = "eu-central-1";
  EXPECT_EQ(ResolveS3Config("b", {}, Env())->region, "eu-central-1");
  env_["AWS_REGION"] = "eu-west-3";
  EXPECT_EQ(ResolveS3Config("b", {}, Env())->region, "eu-west-3");
  StoreOptions options;
  options.region = "sa-east-1";
  Result<S3ClientConfig> c = ResolveS3Config("b", options, Env());
  EXPECT_EQ(c->region, "sa-east-1");
  EXPECT_EQ(c->endpoint.authority, "s3.sa-east-1.amazonaws.com");
}

TEST_F(AwsConfigTest, CredentialsFromEnvironmentBeforeFiles) {
  WriteFiles("[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = filesecret\n", "");
  EXPECT_EQ(ResolveS3Config("b", {}, Env())->credentials.access_key_id, "FILEKEY");
  env_["AWS_ACCESS_KEY_ID"] = "ENVKEY";
  EXPECT_EQ(ResolveS3Config("b", {}, Env()).status().code(), Code::kInvalidArgument);
  env_["AWS_SECRET_ACCESS_KEY"] = "envsecret";
  env_["AWS_SESSION_TOKEN"] = "tok";
  Result<S3ClientConfig> c = ResolveS3Config("b", {}, Env());
  EXPECT_EQ(c->credentials.access_key_id, "ENVKEY");
  EXPECT_EQ(c->credentials.secret_access_key, "envsecret");
  EXPECT_EQ(c->credentials.session_token, "tok");
  // An explicit profile wins over the environment, as with `aws --profile`.
  StoreOptions options;
  options.profile = "default";
  EXPECT_EQ(ResolveS3Config("b", options, Env())->credentials.access_key_id, "FILEKEY");
}

TEST_F(AwsConfigTest, NamedProfilesFromBothFiles) {
  WriteFiles(
      "# comment\n[dev]\naws_access_key_id=DEVKEY\naws_secret_access_key = devsecret\n"
      "aws_session_token = devtoken\n",
      "[default]\nregion = us-west-2\n[profile dev]\nregion = eu-north-1\n"
      "endpoint_url = http://minio.local:9000\ns3 =\n  addressing_style = virtual\n"
      "[profile cfgonly]\naws_access_key_id = CFGKEY\naws_secret_access_key = cfgsecret\n"
      "[profile sso]\nsso_start_url = https://x\n");
  env_["AWS_PROFILE"] = "dev";
  Result<S3ClientConfig> c = ResolveS3Config("bucket", {}, Env());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->credentials.access_key_id, "DEVKEY");
  EXPECT_EQ(c->credentials.session_token, "devtoken");
  EXPECT_EQ(c->region, "eu-north-1");
  EXPECT_EQ(c->endpoint.authority, "minio.local:9000");
  EXPECT_FALSE(c->endpoint.path_style);
  EXPECT_NE(c->credentials.source.find("credentials"), std::string::npos);

  env_["AWS_PROFILE"] = "cfgonly";
  EXPECT_EQ(ResolveS3Config("b", {}, Env())->credentials.access_key_id, "CFGKEY");
  env_["AWS_PROFILE"] = "missing";
  Result<S3ClientConfig> missing = ResolveS3Config("b", {}, Env());
  EXPECT_EQ(missing.status().code(), Code::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("'missing'"), std::string::npos);
  env_["AWS_PROFILE"] = "sso";
  Result<S3ClientConfig> sso = ResolveS3Config("b", {}, Env());
  EXPECT_EQ(sso.status().code(), Code::kInvalidArgument);
  EXPECT_NE(sso.status().message().find("sso_start_url"), std::string::npos);
}

TEST_F(AwsConfigTest, SharedFileLocationsFromTheEnvironment) {
  home_.Write("elsewhere/creds", "[default]\naws_access_key_id = K\naws_secret_access_key = S\n");
  env_["AWS_SHARED_CREDENTIALS_FILE"] = home_.path() + "/elsewhere/creds";
  EXPECT_EQ(ResolveS3Config("b", {}, Env())->credentials.access_key_id, "K");
}

class FixedClock final : public Clock {
 public:
  explicit FixedClock(double uniform) : uniform_(uniform) {}
  TimePoint Now() override { return FromUnixMillis(1'700'000'000'000); }
  std::chrono::steady_clock::time_point Steady() override { return {}; }
  void SleepFor(Duration) override {}
  double Uniform() override { return uniform_; }

 private:
  double uniform_;
};

TEST(S3RetryTest, ParsesRetryAfterSecondsAndDates) {
  Clock::TimePoint now = FromUnixMillis(1'700'000'000'000);  // Tue, 14 Nov 2023 22:13:20 GMT
  EXPECT_EQ(ParseRetryAfter("5", now), std::chrono::seconds(5));
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), std::chrono::seconds(0));
  EXPECT_EQ(ParseRetryAfter("Tue, 14 Nov 2023 22:13:30 GMT", now), std::chrono::seconds(10));
  EXPECT_EQ(ParseRetryAfter("Tue, 14 Nov 2023 22:00:00 GMT", now), Clock::Duration::zero());
  EXPECT_EQ(ParseRetryAfter("soon", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-3", now), std::nullopt);
}

}  // namespace
}  // namespace imagemill
