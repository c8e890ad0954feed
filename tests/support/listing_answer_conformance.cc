// The DatabaseConformance suite's part on answers that are their object's listing entry (the
// inventory's): stored as the object's fields, built when read, the same bytes for every reader
// as when their text was stored (workflow/listing_answer.h).
#include <string>
#include <vector>

#include "support/state_store_conformance.h"

namespace imagemill::testing {
namespace {

const AnswerTarget kInventory{"/photos", "inventory", "none"};

// What readers got when the answer's text was stored: the entry dumped compact by nlohmann.
std::string AsStoredBefore(const ObjectInfo& item) {
  return nlohmann::json{{"Key", item.key},
                        {"Size", item.size},
                        {"ETag", item.etag},
                        {"LastModified", item.last_modified}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Lists `items` into execution `name`, one batch, and completes it with their listing answers
// (an empty response), or with `texts` where given (an answer stored as text by an older build).
void RunInventory(Database& db, const std::string& name, const std::vector<ObjectInfo>& items,
                  const std::vector<std::string>& texts = {}) {
  ExecutionRecord r;
  r.name = name;
  r.map_run_id = "map-" + name;
  r.spec = {{"source", "/photos"}, {"name", name}};
  bool created = false;
  db.CreateOrGetExecution(r, &created);
  ListingStep step;
  step.batches.push_back(BatchRecord{0, items, 0, 0});
  step.listed = static_cast<int64_t>(items.size());
  step.cursor = items.back().key;
  step.done = true;
  ASSERT_TRUE(db.AppendListing(name, "", step));
  std::vector<BatchRecord> claimed = db.ClaimBatches(name, "w", 1, 0, int64_t{1} << 50);
  ASSERT_EQ(claimed.size(), 1u);
  FinishedBatch done{claimed[0].seq, claimed[0].attempt, true, {}};
  for (size_t i = 0; i < items.size(); ++i) {
    ItemOutcome o;
    o.item = items[i];
    o.status = ItemStatus::kSucceeded;
    o.start_ms = 1000;
    o.stop_ms = 2000;
    if (i < texts.size()) o.response = texts[i];
    done.outcomes.push_back(std::move(o));
  }
  EXPECT_EQ(db.CompleteBatches(name, "w", kInventory, {done}).size(), 1u);
}

TEST_P(DatabaseConformance, AListingAnswerReadsAsItsListingEntryFromEveryReader) {
  std::unique_ptr<Database> db = GetParam()();
  const std::vector<ObjectInfo> items = {
      {"a \"quoted\" \\ key.jpg", 0, "\"9b2cf535f27731c974343645a3985328\"",
       "2026-12-07T02:00:00Z"},
      {"caf\xc3\xa9/\xe5\x86\x99\xe7\x9c\x9f.jpg", 5000000000, "\"e-2\"",
       "2026-01-01T00:00:00.000Z"},
      {"tab\tkey.jpg", 16, "", ""}};
  RunInventory(*db, "inv", items);

  for (const ObjectInfo& item : items) {
    const std::string expected = AsStoredBefore(item);
    std::optional<StoredResult> got = db->GetResult("/photos", item.key, "inventory");
    ASSERT_TRUE(got) << item.key;
    EXPECT_EQ(got->response.dump(), expected);
    EXPECT_EQ(got->etag, item.etag);
    EXPECT_EQ(got->size, item.size);
    std::vector<StoredResult> found = db->FindResults(item.key);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].response.dump(), expected);
  }
  ResultFilter f;
  f.kind = "inventory";
  std::vector<std::string> listed;
  db->ForEachResult(f, [&](const StoredResult& r) { listed.push_back(r.response.dump()); });
  BrowseQuery q;
  q.kind = "inventory";
  std::vector<std::string> browsed;
  for (const BrowseEntry& e : db->BrowseResults(q)) browsed.push_back(e.result.response.dump());
  // The result writer's SUCCEEDED records: the answer as text.
  std::vector<std::string> written;
  db->ForEachBatch("inv", kInventory, [&](const BatchReport& b) {
    for (const ItemOutcome& o : b.items) written.push_back(o.response);
  });
  std::vector<std::string> expected;  // in key order, as `items` are
  for (const ObjectInfo& item : items) expected.push_back(AsStoredBefore(item));
  EXPECT_EQ(listed, expected);
  EXPECT_EQ(browsed, expected);
  EXPECT_EQ(written, expected);
}

TEST_P(DatabaseConformance, AListingAnswerFollowsItsObjectAndAStoredTextIsReadAsStored) {
  std::unique_ptr<Database> db = GetParam()();
  ObjectInfo dog{"dog.jpg", 10, "\"v1\"", "2026-01-01T00:00:00.000Z"};
  ObjectInfo cat{"cat.jpg", 20, "\"c1\"", "2026-01-02T00:00:00.000Z"};
  const std::string old_text = R"({"ETag":"\"c1\"","Key":"cat.jpg","Note":"stored as text"})";
  RunInventory(*db, "first", {cat, dog}, {old_text});
  EXPECT_EQ(db->GetResult("/photos", "cat.jpg", "inventory")->response.dump(), old_text);

  ObjectInfo dog2{"dog.jpg", 11, "\"v2\"", "2026-02-01T00:00:00.000Z"};
  RunInventory(*db, "second", {cat, dog2});
  EXPECT_EQ(db->GetResult("/photos", "dog.jpg", "inventory")->response.dump(),
            AsStoredBefore(dog2));
  EXPECT_EQ(db->GetResult("/photos", "cat.jpg", "inventory")->response.dump(),
            AsStoredBefore(cat))
      << "an answer written again as a listing answer drops the text stored before";
}

}  // namespace
}  // namespace imagemill::testing
