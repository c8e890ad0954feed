#include "vision/labels/taxonomy.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

namespace imagemill::vision {
namespace {

// One row per COCO class, in the models' class order. Parents list every ancestor, nearest first;
// lists are '|'-separated to keep the table readable.
struct Row {
  const char* coco;
  const char* name;
  const char* parents;
  const char* aliases;
  const char* categories;
};

constexpr const char* kAnimals = "Animals and Pets";
constexpr const char* kVehicles = "Vehicles and Automotive";
constexpr const char* kFood = "Food and Beverage";
constexpr const char* kKitchen = "Kitchen and Dining";
constexpr const char* kFurniture = "Furniture and Furnishings";
constexpr const char* kTech = "Technology and Computing";
constexpr const char* kSports = "Sports";
constexpr const char* kApparel = "Apparel and Accessories";
constexpr const char* kHome = "Home and Indoors";
constexpr const char* kEveryday = "Everyday Objects";
constexpr const char* kHobbies = "Hobbies and Interests";
constexpr const char* kSafety = "Public Safety";
constexpr const char* kPlants = "Plants and Flowers";
constexpr const char* kTravel = "Travel and Adventure";
constexpr const char* kTools = "Tools and Machinery";
constexpr const char* kPerson = "Person Description";

const std::array<Row, 80> kRows = {{
    {"person", "Person", "", "Human", kPerson},
    {"bicycle", "Bicycle", "Vehicle|Transportation", "Bike", kVehicles},
    {"car", "Car", "Vehicle|Transportation", "Automobile", kVehicles},
    {"motorcycle", "Motorcycle", "Vehicle|Transportation", "Motorbike", kVehicles},
    {"airplane", "Airplane", "Aircraft|Vehicle|Transportation", "Aeroplane", kVehicles},
    {"bus", "Bus", "Vehicle|Transportation", "", kVehicles},
    {"train", "Train", "Vehicle|Transportation", "Locomotive", kVehicles},
    {"truck", "Truck", "Vehicle|Transportation", "Lorry", kVehicles},
    {"boat", "Boat", "Watercraft|Vehicle|Transportation", "", kVehicles},
    {"traffic light", "Traffic Light", "Light", "Traffic Signal", kSafety},
    {"fire hydrant", "Fire Hydrant", "Hydrant", "", kSafety},
    {"stop sign", "Stop Sign", "Road Sign|Sign|Symbol", "", kSafety},
    {"parking meter", "Parking Meter", "", "", kEveryday},
    {"bench", "Bench", "Furniture", "", kFurniture},
    {"bird", "Bird", "Animal", "", kAnimals},
    {"cat", "Cat", "Pet|Mammal|Animal", "", kAnimals},
    {"dog", "Dog", "Pet|Canine|Mammal|Animal", "", kAnimals},
    {"horse", "Horse", "Mammal|Animal", "", kAnimals},
    {"sheep", "Sheep", "Livestock|Mammal|Animal", "", kAnimals},
    {"cow", "Cow", "Cattle|Livestock|Mammal|Animal", "", kAnimals},
    {"elephant", "Elephant", "Wildlife|Mammal|Animal", "", kAnimals},
    {"bear", "Bear", "Wildlife|Mammal|Animal", "", kAnimals},
    {"zebra", "Zebra", "Wildlife|Mammal|Animal", "", kAnimals},
    {"giraffe", "Giraffe", "Wildlife|Mammal|Animal", "", kAnimals},
    {"backpack", "Backpack", "Bag|Accessories", "Rucksack", kApparel},
    {"umbrella", "Umbrella", "Accessories", "", kApparel},
    {"handbag", "Handbag", "Bag|Accessories", "Purse", kApparel},
    {"tie", "Tie", "Formal Wear|Clothing|Accessories", "Necktie", kApparel},
    {"suitcase", "Suitcase", "Luggage|Bag", "", kTravel},
    {"frisbee", "Frisbee", "Toy", "Flying Disc", kSports},
    {"skis", "Ski", "Sports Equipment", "Skis", kSports},
    {"snowboard", "Snowboard", "Sports Equipment", "", kSports},
    {"sports ball", "Ball", "Sports Equipment", "Sports Ball", kSports},
    {"kite", "Kite", "Toy", "", kHobbies},
    {"baseball bat", "Baseball Bat", "Sports Equipment", "", kSports},
    {"baseball glove", "Baseball Glove", "Sports Equipment", "Baseball Mitt", kSports},
    {"skateboard", "Skateboard", "Sports Equipment", "", kSports},
    {"surfboard", "Surfboard", "Sports Equipment", "", kSports},
    {"tennis racket", "Racket", "Sports Equipment", "Tennis Racket", kSports},
    {"bottle", "Bottle", "", "", kKitchen},
    {"wine glass", "Wine Glass", "Glass", "Goblet", kKitchen},
    {"cup", "Cup", "", "", kKitchen},
    {"fork", "Fork", "Cutlery", "", kKitchen},
    {"knife", "Knife", "Cutlery", "", kKitchen},
    {"spoon", "Spoon", "Cutlery", "", kKitchen},
    {"bowl", "Bowl", "", "", kKitchen},
    {"banana", "Banana", "Fruit|Produce|Food", "", kFood},
    {"apple", "Apple", "Fruit|Produce|Food", "", kFood},
    {"sandwich", "Sandwich", "Food", "", kFood},
    {"orange", "Orange", "Citrus Fruit|Fruit|Produce|Food", "", kFood},
    {"broccoli", "Broccoli", "Vegetable|Produce|Food", "", kFood},
    {"carrot", "Carrot", "Vegetable|Produce|Food", "", kFood},
    {"hot dog", "Hot Dog", "Food", "", kFood},
    {"pizza", "Pizza", "Food", "", kFood},
    {"donut", "Donut", "Dessert|Food", "Doughnut", kFood},
    {"cake", "Cake", "Dessert|Food", "", kFood},
    {"chair", "Chair", "Furniture", "", kFurniture},
    {"couch", "Couch", "Furniture", "Sofa", kFurniture},
    {"potted plant", "Potted Plant", "Plant", "Houseplant", kPlants},
    {"bed", "Bed", "Furniture", "", kFurniture},
    {"dining table", "Dining Table", "Table|Furniture", "", kFurniture},
    {"toilet", "Toilet", "", "", kHome},
    {"tv", "TV", "Screen|Electronics", "Television", kTech},
    {"laptop", "Laptop", "Computer|Electronics", "Notebook Computer", kTech},
    {"mouse", "Mouse", "Computer Hardware|Hardware|Electronics", "Computer Mouse", kTech},
    {"remote", "Remote Control", "Electronics", "Remote", kTech},
    {"keyboard", "Computer Keyboard", "Computer Hardware|Hardware|Electronics", "Keyboard", kTech},
    {"cell phone", "Mobile Phone", "Phone|Electronics", "Cell Phone", kTech},
    {"microwave", "Microwave", "Appliance|Electrical Device", "Microwave Oven", kHome},
    {"oven", "Oven", "Appliance|Electrical Device", "", kHome},
    {"toaster", "Toaster", "Appliance|Electrical Device", "", kHome},
    {"sink", "Sink", "", "", kHome},
    {"refrigerator", "Refrigerator", "Appliance|Electrical Device", "Fridge", kHome},
    {"book", "Book", "Publication", "", kEveryday},
    {"clock", "Clock", "", "", kEveryday},
    {"vase", "Vase", "Pottery", "", kHome},
    {"scissors", "Scissors", "Tool", "", kTools},
    {"teddy bear", "Teddy Bear", "Toy", "", kHobbies},
    {"hair drier", "Hair Dryer", "Appliance|Electrical Device", "Blow Dryer", kHome},
    {"toothbrush", "Toothbrush", "Brush|Tool", "", kHome},
}};

std::vector<std::string> Split(const char* list) {
  std::vector<std::string> out;
  std::string_view s(list);
  while (!s.empty()) {
    const size_t bar = s.find('|');
    out.emplace_back(s.substr(0, bar));
    if (bar == std::string_view::npos) break;
    s.remove_prefix(bar + 1);
  }
  return out;
}

// Lower case, '_' as ' '.
std::string Key(std::string_view name) {
  std::string k(name);
  for (char& c : k)
    c = c == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return k;
}

LabelTaxon FromRow(const Row& r) {
  return {r.name, Split(r.parents), Split(r.aliases), Split(r.categories)};
}

}  // namespace

std::string TitleCase(std::string_view name) {
  std::string out(name);
  bool start = true;
  for (char& c : out) {
    if (c == '_') c = ' ';
    const auto u = static_cast<unsigned char>(c);
    if (start && std::isalpha(u)) c = static_cast<char>(std::toupper(u));
    start = c == ' ' || c == '-';
  }
  return out;
}

LabelTaxon TaxonForClass(std::string_view class_name) {
  const std::string key = Key(class_name);
  for (const Row& r : kRows) {
    if (key == r.coco || key == Key(r.name)) return FromRow(r);
    for (const std::string& alias : Split(r.aliases)) {
      if (key == Key(alias)) return FromRow(r);
    }
  }
  return {TitleCase(class_name), {}, {}, {}};
}

const std::vector<std::string>& KnownCategories() {
  static const std::vector<std::string> all = [] {
    std::set<std::string> s;
    for (const Row& r : kRows) {
      for (std::string& c : Split(r.categories)) s.insert(std::move(c));
    }
    return std::vector<std::string>(s.begin(), s.end());
  }();
  return all;
}

}  // namespace imagemill::vision
