// Taxonomy: how a detector's class becomes a label in Rekognition's style. Each of the 80 COCO
// classes has a Rekognition-style name ("traffic light" -> "Traffic Light", "cell phone" ->
// "Mobile Phone"), its ancestors from the most specific up (Dog -> Pet, Canine, Mammal, Animal),
// aliases, and categories named as Rekognition names them ("Animals and Pets", "Vehicles and
// Automotive"). The table is imagemill's own, written in Rekognition's naming; it is not a copy of
// Rekognition's label list, which has thousands of labels this model cannot see.
//
// A class the table does not know (a user's model) keeps its own name, title-cased, with no
// parents, aliases or categories.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace imagemill::vision {

struct LabelTaxon {
  std::string name;                     // "Dog"
  std::vector<std::string> parents;     // every ancestor, nearest first
  std::vector<std::string> aliases;     // other names of the same thing
  std::vector<std::string> categories;  // "Animals and Pets"
};

// The taxon of a class named as COCO names it ("traffic light"), as Rekognition names it
// ("Traffic Light"), or by an alias ("Cell Phone"), ignoring case and '_' for ' '.
// Thread-safe.
LabelTaxon TaxonForClass(std::string_view class_name);

// The category names the table uses, sorted. Thread-safe.
const std::vector<std::string>& KnownCategories();

// "traffic light" -> "Traffic Light", "hair_drier" -> "Hair Drier".
std::string TitleCase(std::string_view name);

}  // namespace imagemill::vision
