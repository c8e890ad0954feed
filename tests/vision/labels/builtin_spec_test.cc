#include "vision/labels/builtin_spec.h"

#include <gtest/gtest.h>

namespace imagemill::vision {
namespace {

TEST(BuiltinSpecTest, NamesAreCanonicalAndCarryTheRevision) {
  struct Case {
    const char* spec;
    const char* base;
  };
  for (const Case& c : {Case{"nanodet", "nanodet-416"}, Case{"nanodet-320", "nanodet-320"},
                        Case{"mirror+nanodet-320", "nanodet-320+mirror"},
                        Case{"nanodet-320+max+centernet", "nanodet-320+centernet-512+max"},
                        Case{"nanodet-320~centernet-256", "nanodet-320~centernet-256"},
                        Case{"nanodet-320~centernet-256.v5", "nanodet-320~centernet-256"}}) {
    SCOPED_TRACE(c.spec);
    Result<BuiltinSpec> s = ParseBuiltinSpec(c.spec);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->base, c.base);
    EXPECT_EQ(s->name, std::string(c.base) + ".v" + std::to_string(kBuiltinRevision));
  }
  Result<BuiltinSpec> cascade = ParseBuiltinSpec("nanodet-320~centernet-256");
  ASSERT_TRUE(cascade.ok());
  EXPECT_EQ(cascade->detectors, std::vector<std::string>{"nanodet-320"});
  EXPECT_EQ(cascade->second, "centernet-256");
  EXPECT_EQ(InputSizeOf(cascade->second), 256);
}

TEST(BuiltinSpecTest, BadNamesSayWhatANameMayBe) {
  for (const char* bad : {"yolo", "nanodet-300", "nanodet-32x", "nanodet+nanodet-416", "",
                          "nanodet-320~", "nanodet-320~yolo", "nanodet-320.v1", "nanodet-320.v2",
                          "nanodet-320.v3", "nanodet-320.v4", "+mirror"}) {
    SCOPED_TRACE(bad);
    Result<BuiltinSpec> s = ParseBuiltinSpec(bad);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), Code::kInvalidArgument);
  }
  const std::string msg = ParseBuiltinSpec("yolo").status().message();
  EXPECT_NE(msg.find("nanodet-320~centernet-256"), std::string::npos) << msg;
}

}  // namespace
}  // namespace imagemill::vision
