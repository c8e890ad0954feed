#include "service/processors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace imagemill::service {
namespace {

using ::testing::HasSubstr;

TEST(ProcessorsTest, ExtraLabelsAreInTheNameAndTheStoredSettings) {
  ProcessorSettings s;
  s.name = "labels";
  s.extra_labels = {"face"};
  Result<std::string> name = ProcessorName(s);
  ASSERT_TRUE(name.ok()) << name.status().ToString();
  EXPECT_EQ(*name, "labels/nanodet-320.v5+face");
  ExecutionSpec spec;
  spec.processor = *name;
  spec.processor_settings = s.ToJson();
  Result<ProcessorSettings> back = ProcessorSettings::FromSpec(spec);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->extra_labels, std::vector<std::string>{"face"});
  // Without extra labels the stored settings are those of before (resumable by older runs).
  s.extra_labels.clear();
  EXPECT_FALSE(s.ToJson().contains("extraLabels"));
}

TEST(ProcessorsTest, UnknownExtraLabelsAreRefused) {
  ProcessorSettings s;
  s.name = "labels";
  s.extra_labels = {"text-in-klingon"};
  Result<std::string> name = ProcessorName(s);
  EXPECT_EQ(name.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(name.status().message(), HasSubstr("known: face"));
}

TEST(ProcessorsTest, FacesIsAProcessorOfItsOwn) {
  EXPECT_THAT(ProcessorNames(), ::testing::Contains("faces"));
  ProcessorSettings s;
  s.name = "faces";
  EXPECT_EQ(ProcessorName(s).value(), "faces/blazeface-256");
  EXPECT_EQ(ProcessorKind(s).value(), "faces");  // kept beside the labels, never replacing them
  for (const char* models_dir : {"", "/models"}) {
    s.model.models_dir = models_dir;
    ExecutionSpec spec;
    spec.processor = "faces/blazeface-256";
    spec.processor_settings = s.ToJson();
    Result<ProcessorSettings> back = ProcessorSettings::FromSpec(spec);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->name, "faces") << "stored settings: " << spec.processor_settings;
    EXPECT_EQ(back->model.models_dir, models_dir);
  }
}

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
