#include "service/processors.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace imagemill::service {
namespace {

TEST(Processors, TextIsOneAndItsFiltersSurviveTheExecutionsStoredSettings) {
  const std::vector<std::string> names = ProcessorNames();
  EXPECT_NE(std::find(names.begin(), names.end(), "text"), names.end());
  ProcessorSettings s;
  s.name = "text";
  s.text.min_confidence = 90;
  s.text.regions.push_back({cv::Rect2f(0, 0.5f, 1, 0.5f), {}});
  Result<std::string> name = ProcessorName(s);
  ASSERT_TRUE(name.ok()) << name.status().ToString();
  EXPECT_EQ(name->rfind("text/pp-ocrv4-det/c90-r1", 0), 0u) << *name;
  EXPECT_EQ(*ProcessorKind(s), "text");

  ExecutionSpec spec;
  spec.processor = *name;
  spec.processor_settings = s.ToJson();
  Result<ProcessorSettings> again = ProcessorSettings::FromSpec(spec);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->name, "text");
  EXPECT_EQ(again->text.ToJson(), s.text.ToJson());
  EXPECT_EQ(*ProcessorName(*again), *name);
}

}  // namespace
}  // namespace imagemill::service
