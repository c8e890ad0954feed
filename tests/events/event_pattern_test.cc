// Event patterns against the examples of EventBridge's user guide (event patterns, content
// filtering, comparison operators, arrays, null values) and of aws/event-ruler's README, the
// matching library EventBridge documents as its own.
#include "events/event_pattern.h"

#include <gtest/gtest.h>

#include <string>

namespace imagemill::events {
namespace {

// True when `pattern` matches `event`; fails the test when either does not parse.
bool Match(const std::string& pattern, const std::string& event) {
  Result<EventPattern> p = EventPattern::Parse(pattern);
  EXPECT_TRUE(p.ok()) << pattern << ": " << p.status().ToString();
  Result<JsonValue> e = ParseJson(event);
  EXPECT_TRUE(e.ok()) << event << ": " << e.status().ToString();
  return p.ok() && e.ok() && p->Matches(*e);
}

// The message of a pattern that must be refused.
std::string PatternRefusal(const std::string& pattern) {
  Result<EventPattern> p = EventPattern::Parse(pattern);
  EXPECT_FALSE(p.ok()) << pattern << " was accepted";
  return p.ok() ? "" : p.status().message();
}

// The user guide's EC2 state-change event.
constexpr const char* kEc2Event = R"({
  "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
  "account": "111122223333", "time": "2017-12-22T18:43:48Z", "region": "us-west-1",
  "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated"}})";

// event-ruler's sample event.
constexpr const char* kRulerEvent = R"({
  "version": "0", "id": "ddddd4-aaaa-7777-4444-345dd43cc333",
  "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
  "account": "012345679012", "time": "2017-10-02T16:24:49Z", "region": "us-east-1",
  "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
  "detail": {"c-count": 5, "d-count": 3, "x-limit": 301.8, "source-ip": "10.0.0.33",
             "instance-id": "i-000000aaaaaa00000", "state": "running"}})";

// The user guide's Auto Scaling event with an empty string and a null.
constexpr const char* kAutoScalingEvent = R"({
  "version": "0", "id": "3e3c153a-8339-4e30-8c35-687ebef853fe",
  "detail-type": "EC2 Instance Launch Successful", "source": "aws.autoscaling",
  "account": "123456789012", "time": "2015-11-11T21:31:47Z", "region": "us-east-1",
  "resources": [], "detail": {"eventVersion": "", "responseElements": null}})";

TEST(EventPatternTest, TheGuidesInstanceTerminationPatternMatchesTheEc2Event) {
  std::string pattern = R"({"source": ["aws.ec2"],
    "detail-type": ["EC2 Instance State-change Notification"],
    "detail": {"state": ["terminated"]}})";
  EXPECT_TRUE(Match(pattern, kEc2Event));
  EXPECT_FALSE(Match(R"({"detail": {"state": ["running"]}})", kEc2Event));
  // Every field named must be there, nested the same way.
  EXPECT_FALSE(Match(R"({"state": ["terminated"]})", kEc2Event));
}

TEST(EventPatternTest, AListOfValuesIsAnOr) {
  EXPECT_TRUE(Match(R"({"source": ["aws.ec2", "aws.fargate"]})", kEc2Event));
  EXPECT_TRUE(Match(R"({"source": ["aws.fargate", "aws.ec2"]})", kEc2Event));
  EXPECT_FALSE(Match(R"({"source": ["aws.fargate", "aws.s3"]})", kEc2Event));
}

TEST(EventPatternTest, NullAndEmptyStringMatchThemselvesOnly) {
  std::string field_example = R"({"source": ["aws.autoscaling"],
    "detail-type": ["EC2 Instance Launch Successful"], "detail": {"responseElements": [null]}})";
  EXPECT_TRUE(Match(field_example, kAutoScalingEvent));
  EXPECT_TRUE(Match(R"({"detail": {"eventVersion": [""]}})", kAutoScalingEvent));
  EXPECT_TRUE(Match(R"({"detail": {"responseElements": [null]}})", kAutoScalingEvent));
  // Null values and empty strings are not interchangeable.
  EXPECT_FALSE(Match(R"({"detail": {"eventVersion": [null]}})", kAutoScalingEvent));
  EXPECT_FALSE(Match(R"({"detail": {"responseElements": [""]}})", kAutoScalingEvent));
  // A null is a value: it exists.
  EXPECT_TRUE(Match(R"({"detail": {"responseElements": [{"exists": true}]}})", kAutoScalingEvent));
}

TEST(EventPatternTest, TheGuidesMacieValueExampleMatchesNestedNumbers) {
  std::string macie = R"({"version": "0", "id": "0948ba87-d3b8-c6d4-f2da-732a1example",
    "detail-type": "Macie Finding", "source": "aws.macie", "account": "123456789012",
    "time": "2021-04-29T23:12:15Z", "region": "us-east-1", "resources": [],
    "detail": {"schemaVersion": "1.0", "severity": {"score": 1, "description": "Low"},
               "count": 2}})";
  std::string pattern = R"({"source": ["aws.macie"], "detail-type": ["Macie Finding"],
    "detail": {"severity": {"score": [1]}, "count": [2]}})";
  EXPECT_TRUE(Match(pattern, macie));
  EXPECT_FALSE(Match(R"({"detail": {"severity": {"score": [2]}}})", macie));
}

TEST(EventPatternTest, NumbersMatchExactlyByTheirText) {
  // "300, 300.0, and 3.0e2 are not considered equal."
  EXPECT_TRUE(Match(R"({"n": [300]})", R"({"n": 300})"));
  EXPECT_FALSE(Match(R"({"n": [300]})", R"({"n": 300.0})"));
  EXPECT_FALSE(Match(R"({"n": [300.0]})", R"({"n": 3.0e2})"));
  EXPECT_FALSE(Match(R"({"n": ["300"]})", R"({"n": 300})"));
  EXPECT_FALSE(Match(R"({"n": [300]})", R"({"n": "300"})"));
  EXPECT_TRUE(Match(R"({"b": [true]})", R"({"b": true})"));
  EXPECT_FALSE(Match(R"({"b": ["true"]})", R"({"b": true})"));
}

TEST(EventPatternTest, StringsMatchCharacterByCharacter) {
  EXPECT_FALSE(Match(R"({"source": ["AWS.EC2"]})", kEc2Event));
  EXPECT_FALSE(Match(R"({"source": ["aws.ec2 "]})", kEc2Event));
}

TEST(EventPatternTest, AnEventArrayMatchesWhenAnyElementDoes) {
  // The arrays page: the first entry of the pattern matches the second of the event.
  std::string pattern = R"({"resources": [
    "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
    "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
    "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"]})";
  std::string event = R"({"resources": [
    "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate",
    "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]})";
  EXPECT_TRUE(Match(pattern, event));
  EXPECT_FALSE(Match(pattern, R"({"resources": []})"));
  EXPECT_FALSE(Match(pattern, R"({"resources": ["arn:aws:ec2:us-east-1:1:instance/x"]})"));
}

TEST(EventPatternTest, FieldsInsideOneArrayElementMustComeFromThatElement) {
  std::string employees = R"({"employees": [
    {"firstName": "John", "lastName": "Doe"},
    {"firstName": "Anna", "lastName": "Smith"},
    {"firstName": "Peter", "lastName": "Jones"}]})";
  EXPECT_TRUE(Match(R"({"employees": {"firstName": ["Anna"]}})", employees));
  EXPECT_TRUE(Match(R"({"employees": {"firstName": ["Anna"], "lastName": ["Smith"]}})", employees));
  EXPECT_FALSE(
      Match(R"({"employees": {"firstName": ["Anna"], "lastName": ["Jones"]}})", employees));
  // Arrays of arrays are flattened.
  std::string nested = R"({"employees": [[{"firstName": "John", "lastName": "Doe"},
    {"firstName": "Anna", "lastName": "Smith"}], [{"firstName": "Peter", "lastName": "Jones"}]]})";
  EXPECT_TRUE(Match(R"({"employees": {"firstName": ["Peter"]}})", nested));
  EXPECT_FALSE(Match(R"({"employees": {"firstName": ["Anna"], "lastName": ["Jones"]}})", nested));
}

TEST(EventPatternTest, PrefixMatching) {
  EXPECT_TRUE(Match(R"({"time": [{"prefix": "2017-10-02"}]})", kRulerEvent));
  EXPECT_FALSE(Match(R"({"time": [{"prefix": "2017-10-03"}]})", kRulerEvent));
  std::string europe = R"({"source": ["aws.autoscaling"], "region": [{"prefix": "eu-"}]})";
  EXPECT_TRUE(Match(europe, R"({"source": "aws.autoscaling", "region": "eu-west-1"})"));
  EXPECT_FALSE(Match(europe, R"({"source": "aws.autoscaling", "region": "us-east-1"})"));
  // Prefix matching works on strings only.
  EXPECT_FALSE(Match(R"({"n": [{"prefix": "12"}]})", R"({"n": 123})"));
  // Region is in the US (operators table).
  EXPECT_TRUE(Match(R"({"Region": [{"prefix": "us-"}]})", R"({"Region": "us-east-2"})"));
}

TEST(EventPatternTest, PrefixAndSuffixIgnoringCase) {
  std::string begins = R"({"service": [{"prefix": {"equals-ignore-case": "eventb"}}]})";
  EXPECT_TRUE(Match(begins, R"({"service": "EventBridge"})"));
  EXPECT_TRUE(Match(begins, R"({"service": "EVENTBRIDGE"})"));
  EXPECT_FALSE(Match(begins, R"({"service": "Lambda"})"));
  std::string ends = R"({"service": [{"suffix": {"equals-ignore-case": "tbridge"}}]})";
  EXPECT_TRUE(Match(ends, R"({"service": "EventBridge"})"));
  EXPECT_TRUE(Match(ends, R"({"service": "TBRIDGE"})"));
  EXPECT_FALSE(Match(ends, R"({"service": "EventBus"})"));
  EXPECT_TRUE(Match(R"({"source": [{"prefix": {"equals-ignore-case": "AWS.EC"}}]})", kEc2Event));
  EXPECT_TRUE(Match(R"({"source": [{"suffix": {"equals-ignore-case": "EC2"}}]})", kEc2Event));
}

TEST(EventPatternTest, SuffixMatching) {
  std::string png = R"({"FileName": [{"suffix": ".png"}]})";
  EXPECT_TRUE(Match(png, R"({"FileName": "photos/cat.png"})"));
  EXPECT_FALSE(Match(png, R"({"FileName": "photos/cat.PNG"})"));
  EXPECT_FALSE(Match(png, R"({"FileName": "photos/cat.jpg"})"));
  EXPECT_TRUE(Match(R"({"source": [{"suffix": "ec2"}]})", kEc2Event));
}

TEST(EventPatternTest, EqualsIgnoreCase) {
  // The guide's example event gives detail-type as an array.
  std::string event = R"({"detail-type": ["EC2 Instance State-change Notification"],
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341"],
    "detail": {"c-count": {"c1": 100}}})";
  EXPECT_TRUE(Match(
      R"({"detail-type": [{"equals-ignore-case": "ec2 instance state-change notification"}]})",
      event));
  EXPECT_TRUE(Match(R"({"Name": [{"equals-ignore-case": "alice"}]})", R"({"Name": "ALICE"})"));
  EXPECT_FALSE(Match(R"({"Name": [{"equals-ignore-case": "alice"}]})", R"({"Name": "Alicia"})"));
  // Beyond ASCII: Latin-1, Greek and Cyrillic letters fold too.
  EXPECT_TRUE(Match(R"({"c": [{"equals-ignore-case": "ÉCOLE Ωμέγα МОСКВА"}]})",
                    R"({"c": "école ωμέγα москва"})"));
}

TEST(EventPatternTest, AnythingButStringsAndNumbers) {
  std::string running = R"({"detail": {"state": "running", "x-limit": 123}})";
  std::string initializing = R"({"detail": {"state": "initializing", "x-limit": 124}})";
  std::string but_state = R"({"detail": {"state": [{"anything-but": "initializing"}]}})";
  EXPECT_TRUE(Match(but_state, running));
  EXPECT_FALSE(Match(but_state, initializing));
  std::string but_number = R"({"detail": {"x-limit": [{"anything-but": 123}]}})";
  EXPECT_FALSE(Match(but_number, running));
  EXPECT_TRUE(Match(but_number, initializing));
  std::string but_list = R"({"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}})";
  EXPECT_TRUE(Match(but_list, running));
  EXPECT_FALSE(Match(but_list, R"({"detail": {"state": "overloaded"}})"));
  std::string but_numbers = R"({"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}})";
  EXPECT_TRUE(Match(but_numbers, running));
  EXPECT_FALSE(Match(but_numbers, R"({"detail": {"x-limit": 200}})"));
  EXPECT_FALSE(Match(but_numbers, R"({"detail": {"x-limit": 2.0e2}})"));  // compared as numbers
  // Anything-but needs a value to compare: an absent field does not match.
  EXPECT_FALSE(Match(but_state, R"({"detail": {}})"));
  // Not CloudTrail; not from EC2 or S3 (the guide's examples).
  EXPECT_TRUE(
      Match(R"({"detail-type": [{"anything-but": "AWS API Call via CloudTrail"}]})", kEc2Event));
  EXPECT_FALSE(Match(R"({"source": [{"anything-but": ["aws.ec2", "aws.s3"]}]})", kEc2Event));
  EXPECT_TRUE(Match(R"({"source": [{"anything-but": ["aws.ec2", "aws.s3"]}]})",
                    R"({"source": "com.example"})"));
  // Weather is anything but raining.
  EXPECT_TRUE(Match(R"({"Weather": [{"anything-but": ["Raining"]}]})", R"({"Weather": "Sun"})"));
}

TEST(EventPatternTest, AnythingButPrefixSuffixIgnoreCaseAndWildcard) {
  std::string not_init = R"({"detail": {"state": [{"anything-but": {"prefix": "init"}}]}})";
  EXPECT_TRUE(Match(not_init, R"({"detail": {"state": "running"}})"));
  EXPECT_FALSE(Match(not_init, R"({"detail": {"state": "initializing"}})"));
  std::string own_events = R"({"source": [{"anything-but": {"prefix": "aws."}}]})";
  EXPECT_FALSE(Match(own_events, kEc2Event));
  EXPECT_TRUE(Match(own_events, R"({"source": "serverless-data-processing"})"));
  std::string not_us = R"({"Region": [{"anything-but": {"prefix": "us-"}}]})";
  EXPECT_TRUE(Match(not_us, R"({"Region": "eu-west-1"})"));
  EXPECT_FALSE(Match(not_us, R"({"Region": "us-west-1"})"));
  std::string not_png = R"({"FileName": [{"anything-but": {"suffix": ".png"}}]})";
  EXPECT_TRUE(Match(not_png, R"({"FileName": "a.jpg"})"));
  EXPECT_FALSE(Match(not_png, R"({"FileName": "a.png"})"));
  std::string not_init_any_case =
      R"({"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]})";
  EXPECT_FALSE(Match(not_init_any_case, R"({"state": "INITIALIZING"})"));
  EXPECT_TRUE(Match(not_init_any_case, R"({"state": "running"})"));
  std::string not_lib = R"({"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]})";
  EXPECT_FALSE(Match(not_lib, R"({"FilePath": "/usr/lib/x.so"})"));
  EXPECT_TRUE(Match(not_lib, R"({"FilePath": "/usr/bin/x"})"));
  // The lists of event-ruler's README.
  std::string prefixes = R"({"state": [{"anything-but": {"prefix": ["init", "error"]}}]})";
  EXPECT_FALSE(Match(prefixes, R"({"state": "error-3"})"));
  EXPECT_TRUE(Match(prefixes, R"({"state": "ok"})"));
  std::string suffixes = R"({"id": [{"anything-but": {"suffix": ["1234", "6789"]}}]})";
  EXPECT_FALSE(Match(suffixes, R"({"id": "i-6789"})"));
  EXPECT_TRUE(Match(suffixes, R"({"id": "i-0000"})"));
  std::string cases =
      R"({"state": [{"anything-but": {"equals-ignore-case": ["Stopped", "OverLoaded"]}}]})";
  EXPECT_FALSE(Match(cases, R"({"state": "overloaded"})"));
  EXPECT_TRUE(Match(cases, R"({"state": "running"})"));
  std::string jars =
      R"({"state": [{"anything-but": {"wildcard": ["*/bin/*.jar", "*/bin/*.class"]}}]})";
  EXPECT_FALSE(Match(jars, R"({"state": "/opt/bin/a.class"})"));
  EXPECT_TRUE(Match(jars, R"({"state": "/opt/lib/a.class"})"));
  // A number is never a string with that prefix, so it passes.
  EXPECT_TRUE(Match(R"({"n": [{"anything-but": {"prefix": "1"}}]})", R"({"n": 123})"));
}

TEST(EventPatternTest, NumericMatching) {
  std::string pattern = R"({"detail": {
    "c-count": [{"numeric": [">", 0, "<=", 5]}],
    "d-count": [{"numeric": ["<", 10]}],
    "x-limit": [{"numeric": ["=", 3.018e2]}]}})";
  EXPECT_TRUE(Match(pattern, kRulerEvent));
  EXPECT_FALSE(Match(pattern, R"({"detail": {"c-count": 0, "d-count": 3, "x-limit": 301.8}})"));
  EXPECT_FALSE(Match(pattern, R"({"detail": {"c-count": 6, "d-count": 3, "x-limit": 301.8}})"));
  EXPECT_FALSE(Match(pattern, R"({"detail": {"c-count": 1, "d-count": 10, "x-limit": 301.8}})"));
  EXPECT_FALSE(Match(pattern, R"({"detail": {"c-count": 1, "d-count": 3, "x-limit": 301}})"));
  // Numeric matching works on JSON numbers only.
  EXPECT_FALSE(Match(R"({"n": [{"numeric": [">", 0]}]})", R"({"n": "5"})"));
  // Price is 100; price is more than 10 and at most 20 (operators table).
  EXPECT_TRUE(Match(R"({"Price": [{"numeric": ["=", 100]}]})", R"({"Price": 100.0})"));
  std::string range = R"({"Price": [{"numeric": [">", 10, "<=", 20]}]})";
  EXPECT_TRUE(Match(range, R"({"Price": 20})"));
  EXPECT_FALSE(Match(range, R"({"Price": 10})"));
  EXPECT_TRUE(Match(R"({"p": [{"numeric": [">=", -1.5e9, "<", 0]}]})", R"({"p": -1500000000})"));
}

TEST(EventPatternTest, IpAddressMatching) {
  std::string v4 = R"({"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}})";
  EXPECT_TRUE(Match(v4, R"({"detail": {"sourceIPAddress": "10.0.0.255"}})"));
  EXPECT_TRUE(Match(v4, R"({"detail": {"sourceIPAddress": "10.0.0.0"}})"));
  EXPECT_FALSE(Match(v4, R"({"detail": {"sourceIPAddress": "10.0.1.1"}})"));
  EXPECT_FALSE(Match(v4, R"({"detail": {"sourceIPAddress": "not an address"}})"));
  EXPECT_TRUE(Match(R"({"detail": {"source-ip": [{"cidr": "10.0.0.0/8"}]}})", kRulerEvent));
  std::string v6 = R"({"ip": [{"cidr": "2001:db8::/32"}]})";
  EXPECT_TRUE(Match(v6, R"({"ip": "2001:db8:1::5"})"));
  EXPECT_FALSE(Match(v6, R"({"ip": "2001:db9::5"})"));
  EXPECT_FALSE(Match(v6, R"({"ip": "10.0.0.1"})"));
}

TEST(EventPatternTest, ExistsMatching) {
  std::string has_state = R"({"detail": {"state": [{"exists": true}]}})";
  std::string pending = R"({"version": "0", "id": "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
    "account": "123456789012", "time": "2015-11-11T21:29:54Z", "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
    "detail": {"instance-id": "i-abcd1111", "state": "pending"}})";
  std::string no_state = R"({"detail-type": ["EC2 Instance State-change Notification"],
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341"],
    "detail": {"c-count": {"c1": 100}}})";
  EXPECT_TRUE(Match(has_state, pending));
  EXPECT_FALSE(Match(has_state, no_state));

  std::string no_c_count = R"({"detail": {"c-count": [{"exists": false}]}})";
  std::string states = R"({"detail-type": ["EC2 Instance State-change Notification"],
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341"],
    "detail": {"state": ["initializing", "running"]}})";
  EXPECT_TRUE(Match(no_c_count, states));
  // Exists works on leaves only: an object is not a c-count value.
  EXPECT_TRUE(Match(no_c_count, no_state));
  EXPECT_FALSE(Match(no_c_count, kRulerEvent));
  // With no detail at all, detail.c-count is absent too.
  EXPECT_TRUE(Match(no_c_count, R"({"source": "x"})"));
  EXPECT_TRUE(Match(R"({"detail": {"description": [{"exists": true}]}})",
                    R"({"detail": {"description": "indexed"}})"));
  // An empty array holds no value.
  EXPECT_FALSE(Match(R"({"resources": [{"exists": true}]})", kAutoScalingEvent));
  EXPECT_TRUE(Match(R"({"ProductName": [{"exists": false}]})", kEc2Event));
  // Absence is of the whole event, whichever array element the other fields come from.
  std::string mixed = R"({"a": [{"b": 1}, {"c": 2}]})";
  EXPECT_FALSE(Match(R"({"a": {"b": [{"exists": false}]}})", mixed));
  EXPECT_TRUE(Match(R"({"a": {"d": [{"exists": false}], "c": [2]}})", mixed));
}

TEST(EventPatternTest, WildcardMatching) {
  EXPECT_TRUE(Match(R"({"source": [{"wildcard": "Simple*Service"}]})",
                    R"({"source": "SimpleQueueService"})"));
  EXPECT_TRUE(
      Match(R"({"source": [{"wildcard": "Simple*Service"}]})", R"({"source": "SimpleService"})"));
  EXPECT_FALSE(Match(R"({"source": [{"wildcard": "Simple*Service"}]})",
                     R"({"source": "SimpleQueueServices"})"));
  std::string buses =
      R"({"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]})";
  EXPECT_TRUE(
      Match(buses, R"({"EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/b"})"));
  EXPECT_FALSE(
      Match(buses, R"({"EventBusArn": "arn:aws:events:us-west-2:123456789012:event-bus/b"})"));
  std::string pngs = R"({"key": [{"wildcard": "dir/*.png"}]})";
  EXPECT_TRUE(Match(pngs, R"({"key": "dir/a/b.png"})"));
  EXPECT_FALSE(Match(pngs, R"({"key": "dir/a.png.jpg"})"));
  // An escaped star is a star; an escaped backslash a backslash.
  EXPECT_TRUE(Match(R"({"k": [{"wildcard": "a\\*b"}]})", R"({"k": "a*b"})"));
  EXPECT_FALSE(Match(R"({"k": [{"wildcard": "a\\*b"}]})", R"({"k": "axb"})"));
  EXPECT_TRUE(Match(R"({"k": [{"wildcard": "a\\\\*"}]})", R"({"k": "a\\bc"})"));
  EXPECT_TRUE(Match(R"({"k": [{"wildcard": "*"}]})", R"({"k": ""})"));
  EXPECT_TRUE(Match(R"({"k": [{"wildcard": "*a*b*"}]})", R"({"k": "xxaxxbxx"})"));
  EXPECT_FALSE(Match(R"({"k": [{"wildcard": "*a*b*"}]})", R"({"k": "xxbxxaxx"})"));
  EXPECT_FALSE(Match(R"({"k": [{"wildcard": "ab*ba"}]})", R"({"k": "aba"})"));
}

TEST(EventPatternTest, TheComplexExamplesCombineFilters) {
  std::string guide = R"({"time": [{"prefix": "2017-10-02"}],
    "detail": {"state": [{"anything-but": "initializing"}],
               "c-count": [{"numeric": [">", 0, "<=", 5]}],
               "d-count": [{"numeric": ["<", 10]}],
               "x-limit": [{"anything-but": [100, 200, 300]}]}})";
  EXPECT_TRUE(Match(guide, kRulerEvent));
  std::string ruler = R"({"time": [{"prefix": "2017-10-02"}],
    "detail": {"state": [{"anything-but": "initializing"}],
               "c-count": [{"numeric": [">", 0, "<=", 5]}],
               "d-count": [{"numeric": ["<", 10]}],
               "x-limit": [{"anything-but": [100, 200, 300]}],
               "source-ip": [{"cidr": "10.0.0.0/8"}]}})";
  EXPECT_TRUE(Match(ruler, kRulerEvent));
  EXPECT_FALSE(Match(ruler, R"({"time": "2017-10-02T00:00:00Z", "detail": {"state": "initializing",
    "c-count": 5, "d-count": 3, "x-limit": 301.8, "source-ip": "10.0.0.33"}})"));
  // Several filters in one field's array: any of them.
  EXPECT_TRUE(Match(R"({"source": [{"prefix": "com."}, "aws.ec2"]})", kEc2Event));
}

TEST(EventPatternTest, AKeyGivenTwiceKeepsItsLastValue) {
  std::string pattern = R"({"detail": {"location": [{"prefix": "us-"}],
                                       "location": [{"anything-but": "us-east"}]}})";
  EXPECT_FALSE(Match(pattern, R"({"detail": {"location": "us-east"}})"));
  EXPECT_TRUE(Match(pattern, R"({"detail": {"location": "eu-west"}})"));
}

TEST(EventPatternTest, OrAcrossFields) {
  std::string guide = R"({"detail": {"$or": [
    {"c-count": [{"numeric": [">", 0, "<=", 5]}]},
    {"d-count": [{"numeric": ["<", 10]}]},
    {"x-limit": [{"numeric": ["=", 3.018e2]}]}]}})";
  EXPECT_TRUE(Match(guide, R"({"detail": {"c-count": 9, "d-count": 99, "x-limit": 301.8}})"));
  EXPECT_TRUE(Match(guide, R"({"detail": {"d-count": 1}})"));
  EXPECT_FALSE(Match(guide, R"({"detail": {"c-count": 9, "d-count": 99, "x-limit": 1}})"));
  // Location is "New York", or Day is "Monday".
  std::string either = R"({"$or": [{"Location": ["New York"]}, {"Day": ["Monday"]}]})";
  EXPECT_TRUE(Match(either, R"({"Location": "Paris", "Day": "Monday"})"));
  EXPECT_FALSE(Match(either, R"({"Location": "Paris", "Day": "Sunday"})"));

  // event-ruler's examples: "source" && ("metricName" || "namespace").
  std::string normal = R"({"source": ["aws.cloudwatch"], "$or": [
    {"metricName": ["CPUUtilization", "ReadLatency"]}, {"namespace": ["AWS/EC2", "AWS/ES"]}]})";
  EXPECT_TRUE(Match(normal, R"({"source": "aws.cloudwatch", "namespace": "AWS/ES"})"));
  EXPECT_FALSE(Match(normal, R"({"source": "aws.ec2", "namespace": "AWS/ES"})"));
  // Parallel: ("metricName" || "namespace") && ("detail.source" || "detail.detail-type").
  std::string parallel = R"({"$or": [{"metricName": ["CPUUtilization", "ReadLatency"]},
                                     {"namespace": ["AWS/EC2", "AWS/ES"]}],
    "detail": {"$or": [{"source": ["aws.cloudwatch"]},
                       {"detail-type": ["CloudWatch Alarm State Change"]}]}})";
  EXPECT_TRUE(Match(parallel, R"({"metricName": "ReadLatency",
    "detail": {"detail-type": "CloudWatch Alarm State Change"}})"));
  EXPECT_FALSE(Match(parallel, R"({"metricName": "ReadLatency", "detail": {"source": "x"}})"));
  // An "and" inside an "or", and an "or" nested inside that.
  std::string nested = R"({"source": ["aws.cloudwatch"], "$or": [
    {"metricName": ["CPUUtilization", "ReadLatency"]},
    {"metricType": ["MetricType"], "namespace": ["AWS/EC2", "AWS/ES"],
     "$or": [{"metricId": [1234]}, {"spaceId": [1000]}]},
    {"scope": ["Service"]}]})";
  EXPECT_TRUE(Match(nested, R"({"source": "aws.cloudwatch", "metricType": "MetricType",
    "namespace": "AWS/EC2", "spaceId": 1000})"));
  EXPECT_FALSE(Match(nested, R"({"source": "aws.cloudwatch", "metricType": "MetricType",
    "namespace": "AWS/EC2", "spaceId": 1001})"));
  EXPECT_TRUE(Match(nested, R"({"source": "aws.cloudwatch", "scope": "Service"})"));
}

TEST(EventPatternTest, TooManyOrCombinationsAreRefused) {
  std::string group = R"([{"a": [1]}, {"b": [2]}, {"c": [3]}, {"d": [4]}, {"e": [5]}, {"f": [6]}])";
  std::string three = "{\"x\": {\"$or\": " + group + "}, \"y\": {\"$or\": " + group +
                      "}, \"z\": {\"$or\": " + group + "}}";
  EXPECT_TRUE(EventPattern::Parse(three).ok());  // 216 combinations
  std::string four = "{\"w\": {\"$or\": " + group + "}, \"x\": {\"$or\": " + group +
                     "}, \"y\": {\"$or\": " + group + "}, \"z\": {\"$or\": " + group + "}}";
  EXPECT_NE(PatternRefusal(four).find("1296 combinations"), std::string::npos);
}

TEST(EventPatternTest, InvalidPatternsNameTheProblemAndTheField) {
  EXPECT_EQ(PatternRefusal(R"({"source": "aws.ec2"})"),
            "Event pattern is not valid. Reason: \"source\" must be an object or an array "
            "(at source)");
  EXPECT_EQ(PatternRefusal(R"(["aws.ec2"])"),
            "Event pattern is not valid. Reason: Filter is not an object");
  EXPECT_EQ(PatternRefusal("{}"), "Event pattern is not valid. Reason: Empty objects are not allowed");
  EXPECT_EQ(PatternRefusal(R"({"detail": {"state": []}})"),
            "Event pattern is not valid. Reason: Empty arrays are not allowed (at detail.state)");
  EXPECT_EQ(PatternRefusal(R"({"detail": {}})"),
            "Event pattern is not valid. Reason: Empty objects are not allowed (at detail)");
  EXPECT_NE(PatternRefusal(R"({"a": [["x"]]})").find("Match value must be String, number, true, false"),
            std::string::npos);
  EXPECT_NE(PatternRefusal(R"({"a": [{"pre-fix": "x"}]})").find("Unrecognized match type pre-fix"),
            std::string::npos);
  EXPECT_NE(PatternRefusal(R"({"a": [{"prefix": "x", "suffix": "y"}]})")
                .find("Only one key allowed in match expression"),
            std::string::npos);
  EXPECT_NE(PatternRefusal(R"({"a": [{}]})").find("Match expression name not found"), std::string::npos);
  EXPECT_NE(PatternRefusal(R"({"a": [{"prefix": 5}]})").find("prefix match pattern must be a string"),
            std::string::npos);
  EXPECT_NE(PatternRefusal(R"({"a": [{"prefix": {"wildcard": "x"}}]})")
                .find("Unsupported prefix pattern: wildcard"),
            std::string::npos);
  EXPECT_NE(PatternRefusal(R"({"a": [{"exists": "yes"}]})").find("either true or false"),
            std::string::npos);
  EXPECT_NE(PatternRefusal(R"({"a": [{"numeric": 5}]})").find("must be an array"), std::string::npos);
  EXPECT_NE(PatternRefusal(R"({"a": [{"numeric": [">", "x"]}]})").find("Value of > must be numeric"),
            std::string::npos);
  EXPECT_NE(PatternRefusal(R"({"a": [{"numeric": ["=", 1, 2]}]})").find("Too many elements"),
            std::string::npos);
  EXPECT_NE(
      PatternRefusal(R"({"a": [{"numeric": [">", 5, "<", 1]}]})").find("Bottom must be less than top"),
      std::string::npos);
  EXPECT_NE(PatternRefusal(R"({"a": [{"numeric": [">", 5, ">", 9]}]})").find("Bad numeric range operator"),
            std::string::npos);
  EXPECT_NE(
      PatternRefusal(R"({"a": [{"numeric": ["~", 5]}]})").find("Unrecognized numeric range operator"),
      std::string::npos);
  EXPECT_NE(PatternRefusal(R"({"a": [{"anything-but": [1, "x"]}]})").find("mixed type is not supported"),
            std::string::npos);
  EXPECT_NE(PatternRefusal(R"({"a": [{"anything-but": [true]}]})").find("null|boolean is not supported"),
            std::string::npos);
  EXPECT_NE(PatternRefusal(R"({"a": [{"anything-but": {"prefix": ""}}]})").find("Null prefix/suffix"),
            std::string::npos);
  EXPECT_NE(PatternRefusal(R"({"a": [{"anything-but": {"numeric": [">", 1]}}]})")
                .find("Unsupported anything-but pattern: numeric"),
            std::string::npos);
  EXPECT_NE(PatternRefusal(R"({"a": [{"anything-but": null}]})").find("single string/number value"),
            std::string::npos);
  EXPECT_NE(PatternRefusal(R"({"a": [{"wildcard": "a**b"}]})").find("Consecutive wildcard characters"),
            std::string::npos);
  EXPECT_NE(PatternRefusal(R"({"a": [{"wildcard": "a\\b"}]})").find("Invalid escape character"),
            std::string::npos);
  EXPECT_NE(PatternRefusal(R"({"a": [{"cidr": "10.0.0.0"}]})").find("one '/' required"),
            std::string::npos);
  EXPECT_NE(PatternRefusal(R"({"a": [{"cidr": "10.0.0.0/33"}]})").find("IPv4 mask bits"),
            std::string::npos);
  EXPECT_NE(PatternRefusal(R"({"a": [{"cidr": "10.0.0/8"}]})").find("Invalid IP address"),
            std::string::npos);
  EXPECT_NE(PatternRefusal(R"({"$or": [{"a": [1]}]})").find("at least 2 Objects"), std::string::npos);
  EXPECT_NE(PatternRefusal(R"({"$or": {"a": [1]}})").find("must be an Array"), std::string::npos);
  EXPECT_NE(PatternRefusal(R"({"$or": [{"a": [1]}, "b"]})").find("Only JSON object is allowed"),
            std::string::npos);
  EXPECT_NE(PatternRefusal(R"({"$or": [{"a": [1]}, {"prefix": ["b"]}]})").find("reserved field name"),
            std::string::npos);
  EXPECT_NE(PatternRefusal(R"({"source": ["x"],)").find("not valid JSON"), std::string::npos);
}

}  // namespace
}  // namespace imagemill::events
