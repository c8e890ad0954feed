#include "service/processor_cache.h"

#include <gtest/gtest.h>

namespace imagemill::service {
namespace {

ProcessorSettings Named(const std::string& name, uint64_t max_pixels = 1'000'000) {
  ProcessorSettings s;
  s.name = name;
  s.max_pixels = max_pixels;
  return s;
}

TEST(ProcessorCacheTest, SettingsOfTheSameNameGetTheSameProcessorLoadedOnce) {
  ProcessorCache cache(2);
  auto a = cache.Get(Named("image-properties"));
  auto b = cache.Get(Named("image-properties"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->get(), b->get());
  EXPECT_EQ(cache.size(), 1u);
}

TEST(ProcessorCacheTest, AnotherNameOrPixelLimitIsAnotherProcessor) {
  ProcessorCache cache(2);
  auto a = cache.Get(Named("image-properties"));
  auto b = cache.Get(Named("image-properties", 5'000'000));
  auto c = cache.Get(Named("none"));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_NE(a->get(), b->get());
  EXPECT_NE(a->get(), c->get());
  EXPECT_EQ(cache.size(), 3u);
}

TEST(ProcessorCacheTest, AnUnknownProcessorIsRefusedAndNotKept) {
  ProcessorCache cache(2);
  auto p = cache.Get(Named("colours"));
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("colours"), std::string::npos);
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace imagemill::service
