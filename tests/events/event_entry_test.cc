#include "events/event_entry.h"

#include <gtest/gtest.h>

namespace imagemill::events {
namespace {

const Account kAccount{"eu-west-1", "111122223333"};

Clock::TimePoint At(int64_t seconds) { return Clock::TimePoint(std::chrono::seconds(seconds)); }

EntryFailure Refused(const nlohmann::json& entry) {
  auto outcome = AcceptEntry(entry, kAccount, At(0));
  EXPECT_TRUE(std::holds_alternative<EntryFailure>(outcome)) << entry.dump();
  return std::holds_alternative<EntryFailure>(outcome) ? std::get<EntryFailure>(outcome)
                                                       : EntryFailure{};
}

TEST(EventEntryTest, TheSeedsEntryBecomesTheEnvelopeAwsBuilds) {
  nlohmann::json entry = {
      {"Source", "serverless-data-processing"},
      {"DetailType", "ServerlessDataProcessing"},
      {"Detail", R"({"myStateInput": {"Bucket": "photos", "Prefix": "sample"}})"}};
  auto outcome = AcceptEntry(entry, kAccount, At(1513968228));
  ASSERT_TRUE(std::holds_alternative<AcceptedEvent>(outcome));
  const AcceptedEvent& a = std::get<AcceptedEvent>(outcome);
  EXPECT_EQ(a.bus, "default");
  EXPECT_EQ(a.id.size(), 36u);
  std::string expected = R"({"version":"0","id":")" + a.id +
                         R"(","detail-type":"ServerlessDataProcessing",)"
                         R"("source":"serverless-data-processing","account":"111122223333",)"
                         R"("time":"2017-12-22T18:43:48Z","region":"eu-west-1","resources":[],)"
                         R"("detail":{"myStateInput":{"Bucket":"photos","Prefix":"sample"}}})";
  EXPECT_EQ(ToJson(a.event), expected);
}

TEST(EventEntryTest, TimeResourcesAndBusAreTaken) {
  nlohmann::json entry = {{"Source", "s"},
                          {"DetailType", "d"},
                          {"Detail", "{}"},
                          {"Time", 1700000000.5},
                          {"Resources", {"arn:aws:s3:::photos"}},
                          {"EventBusName", "arn:aws:events:eu-west-1:111122223333:event-bus/b1"}};
  auto outcome = AcceptEntry(entry, kAccount, At(0));
  ASSERT_TRUE(std::holds_alternative<AcceptedEvent>(outcome));
  const AcceptedEvent& a = std::get<AcceptedEvent>(outcome);
  EXPECT_EQ(a.bus, "b1");
  EXPECT_EQ(a.event.Find("time")->text(), "2023-11-14T22:13:20Z");
  EXPECT_EQ(ToJson(*a.event.Find("resources")), R"(["arn:aws:s3:::photos"])");
  entry["Time"] = "2024-05-01T12:00:00.250+02:00";
  outcome = AcceptEntry(entry, kAccount, At(0));
  ASSERT_TRUE(std::holds_alternative<AcceptedEvent>(outcome));
  EXPECT_EQ(std::get<AcceptedEvent>(outcome).event.Find("time")->text(), "2024-05-01T10:00:00Z");
}

TEST(EventEntryTest, RefusesEntriesAsPutEventsDoes) {
  EntryFailure f = Refused({{"DetailType", "d"}, {"Detail", "{}"}});
  EXPECT_EQ(f.code, "InvalidArgument");
  EXPECT_EQ(f.message, "Parameter Source is not valid. Reason: Source is a required argument.");
  f = Refused({{"Source", "s"}, {"Detail", "{}"}});
  EXPECT_EQ(f.message,
            "Parameter DetailType is not valid. Reason: DetailType is a required argument.");
  f = Refused({{"Source", "s"}, {"DetailType", "d"}});
  EXPECT_EQ(f.message, "Parameter Detail is not valid. Reason: Detail is a required argument.");
  f = Refused({{"Source", "s"}, {"DetailType", "d"}, {"Detail", "{\"a\": "}});
  EXPECT_EQ(f.code, "MalformedDetail");
  EXPECT_EQ(f.message.rfind("Detail is malformed", 0), 0u);
  f = Refused({{"Source", "s"}, {"DetailType", "d"}, {"Detail", "[1]"}});
  EXPECT_EQ(f.code, "MalformedDetail");
  f = Refused({{"Source", "s"}, {"DetailType", "d"}, {"Detail", "{}"}, {"Time", "yesterday"}});
  EXPECT_NE(f.message.find("Parameter Time is not valid"), std::string::npos);
  f = Refused({{"Source", "s"}, {"DetailType", "d"}, {"Detail", "{}"}, {"Resources", "x"}});
  EXPECT_NE(f.message.find("Parameter Resources is not valid"), std::string::npos);
  f = Refused({{"Source", "s"}, {"DetailType", "d"}, {"Detail", "{}"}, {"EventBusName", "a b"}});
  EXPECT_NE(f.message.find("Parameter EventBusName is not valid"), std::string::npos);
  f = Refused({{"Source", 5}, {"DetailType", "d"}, {"Detail", "{}"}});
  EXPECT_NE(f.message.find("must be a string"), std::string::npos);
}

TEST(EventEntryTest, SizeCountsAsTheGuideSays) {
  nlohmann::json entry = {{"Source", "ab"}, {"DetailType", "cde"}, {"Detail", "{}"}};
  EXPECT_EQ(EntrySize(entry), 7u);
  entry["Time"] = 1;
  entry["Resources"] = {"é", "xyz"};
  EXPECT_EQ(EntrySize(entry), 7u + 14u + 2u + 3u);
}

}  // namespace
}  // namespace imagemill::events
