#include "vision/labels/taxonomy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "vision/detectors/detector_coco_classes.h"

namespace imagemill::vision {
namespace {

std::vector<std::string> V(std::initializer_list<const char*> names) {
  return {names.begin(), names.end()};
}

TEST(TaxonomyTest, EveryCocoClassHasARekognitionStyleEntry) {
  std::set<std::string> names;
  const auto& categories = KnownCategories();
  for (int c = 0; c < kCocoClassCount; ++c) {
    const std::string coco(CocoClassName(c));
    const LabelTaxon t = TaxonForClass(coco);
    SCOPED_TRACE(coco);
    ASSERT_FALSE(t.name.empty());
    EXPECT_TRUE(std::isupper(static_cast<unsigned char>(t.name[0]))) << t.name;
    EXPECT_TRUE(names.insert(t.name).second) << "two classes are both called " << t.name;
    ASSERT_FALSE(t.categories.empty());
    for (const std::string& cat : t.categories) {
      EXPECT_TRUE(std::binary_search(categories.begin(), categories.end(), cat)) << cat;
    }
    for (const std::string& p : t.parents) EXPECT_NE(p, t.name);
    // The Rekognition-style name and every alias lead back to the same entry.
    EXPECT_EQ(TaxonForClass(t.name).name, t.name);
    for (const std::string& alias : t.aliases) EXPECT_EQ(TaxonForClass(alias).name, t.name);
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(kCocoClassCount));
}

TEST(TaxonomyTest, NamesParentsAndCategoriesAsRekognitionWritesThem) {
  const LabelTaxon dog = TaxonForClass("dog");
  EXPECT_EQ(dog.name, "Dog");
  EXPECT_EQ(dog.parents, V({"Pet", "Canine", "Mammal", "Animal"}));
  EXPECT_EQ(dog.categories, V({"Animals and Pets"}));
  const LabelTaxon car = TaxonForClass("car");
  EXPECT_EQ(car.parents, V({"Vehicle", "Transportation"}));
  EXPECT_EQ(car.categories, V({"Vehicles and Automotive"}));
  EXPECT_EQ(TaxonForClass("traffic light").name, "Traffic Light");
  EXPECT_EQ(TaxonForClass("traffic_light").name, "Traffic Light");
  EXPECT_EQ(TaxonForClass("cell phone").name, "Mobile Phone");
  EXPECT_EQ(TaxonForClass("Cell Phone").name, "Mobile Phone");  // by alias
  EXPECT_EQ(TaxonForClass("PERSON").name, "Person");
  EXPECT_TRUE(TaxonForClass("person").parents.empty());
}

TEST(TaxonomyTest, UnknownClassesKeepTheirNameTitleCased) {
  const LabelTaxon t = TaxonForClass("hot_air balloon");
  EXPECT_EQ(t.name, "Hot Air Balloon");
  EXPECT_TRUE(t.parents.empty());
  EXPECT_TRUE(t.aliases.empty());
  EXPECT_TRUE(t.categories.empty());
  EXPECT_EQ(TitleCase("t-shirt"), "T-Shirt");
}

}  // namespace
}  // namespace imagemill::vision
