#include "server/console/gallery_api.h"

#include <gtest/gtest.h>

#include "db/database.h"
#include "support/temp_dir.h"

namespace imagemill::server::console {
namespace {

using Json = nlohmann::json;

// Stores an answer per (key, label, confidence, category), as an execution "e" of the labels
// processor would, the label's parent being "Animal" or "Vehicle".
void Store(Database& db, const std::vector<std::tuple<std::string, std::string, double, std::string>>& rows) {
  ExecutionRecord r;
  r.name = "e";
  r.map_run_id = "m";
  r.spec = {{"source", "/photos"}};
  bool created = false;
  db.CreateOrGetExecution(r, &created);
  ListingStep step;
  BatchRecord batch;
  for (const auto& row : rows) batch.items.push_back({std::get<0>(row), 10, "etag", ""});
  step.batches.push_back(batch);
  step.listed = static_cast<int64_t>(rows.size());
  step.cursor = batch.items.back().key;
  step.done = true;
  ASSERT_TRUE(db.AppendListing("e", "", step));
  BatchRecord claimed = db.ClaimBatches("e", "w", 1, 0, 1LL << 50).at(0);
  FinishedBatch done{claimed.seq, claimed.attempt, true, {}};
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& [key, label, confidence, category] = rows[i];
    const std::string parent = category == "Animals and Pets" ? "Animal" : "Vehicle";
    ItemOutcome o;
    o.item = claimed.items[i];
    o.response = Json{{"Labels",
                       {{{"Name", label},
                         {"Confidence", confidence},
                         {"Parents", {{{"Name", parent}}}},
                         {"Categories", {{{"Name", category}}}}}}}}
                     .dump();
    o.index = {{label, confidence, true}, {parent, confidence, false}};
    done.outcomes.push_back(o);
  }
  db.CompleteBatches("e", "w", {"/photos", "labels", "labels/test"}, {done});
}

class GalleryApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(OpenDatabase("mem:", OpenMode::kCreate)).value();
    Store(*db_, {{"a.jpg", "Dog", 90, "Animals and Pets"},
                 {"b.jpg", "Car", 95, "Vehicles and Automotive"},
                 {"c.jpg", "Cat", 70, "Animals and Pets"},
                 {"d.jpg", "Dog", 60, "Animals and Pets"}});
    gallery_ = std::make_unique<GalleryApi>(*db_, renditions_);
  }
  Json Gallery(const std::string& query) {
    Response r = gallery_->Gallery(QueryParams(query));
    EXPECT_EQ(r.status, 200) << r.body;
    return Json::parse(r.body);
  }
  static std::vector<std::string> Ids(const Json& page) {
    std::vector<std::string> ids;
    for (const Json& item : page["items"]) ids.push_back(item["id"]);
    return ids;
  }

  testing::TempDir state_;
  std::unique_ptr<Database> db_;
  RenditionCache renditions_{state_.path(), [](const std::string& s) { return OpenObjectStore(s); }};
  std::unique_ptr<GalleryApi> gallery_;
};

TEST_F(GalleryApiTest, AParentFindsItsChildrenMostConfidentFirstAboveTheMinimum) {
  EXPECT_EQ(Ids(Gallery("label=animal")), (std::vector<std::string>{"a.jpg", "c.jpg", "d.jpg"}));
  EXPECT_EQ(Ids(Gallery("label=Animal&min=65")), (std::vector<std::string>{"a.jpg", "c.jpg"}));
  Json page = Gallery("label=Dog&limit=1");
  EXPECT_EQ(page["items"][0]["confidence"], 90);
  ASSERT_FALSE(page["next"].is_null());
  EXPECT_EQ(page["next"]["after_conf"], 90);
  Json rest = Gallery("label=Dog&limit=1&after_source=%2Fphotos&after_id=a.jpg&after_conf=90");
  EXPECT_EQ(Ids(rest), std::vector<std::string>{"d.jpg"});
}

TEST_F(GalleryApiTest, ACategoryKeepsTheAnswersWithALabelOfIt) {
  EXPECT_EQ(Ids(Gallery("category=Vehicles+and+Automotive")), std::vector<std::string>{"b.jpg"});
  EXPECT_TRUE(Gallery("category=Nothing")["items"].empty());
}

TEST_F(GalleryApiTest, FacetsCountTheDetectedLabels) {
  Response r = gallery_->Facets(QueryParams(""));
  Json facets = Json::parse(r.body)["facets"];
  ASSERT_EQ(facets.size(), 3u) << "parents are not facets";
  EXPECT_EQ(facets[0], (Json{{"name", "Dog"}, {"count", 2}}));
}

TEST_F(GalleryApiTest, BadNumbersAreRefusedWithWhatToGive) {
  Response r = gallery_->Gallery(QueryParams("min=lots"));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("0 to 100"), std::string::npos);
  EXPECT_EQ(gallery_->Gallery(QueryParams("limit=501")).status, 400);
  EXPECT_EQ(gallery_->Gallery(QueryParams("after_conf=x")).status, 400);
}

}  // namespace
}  // namespace imagemill::server::console
