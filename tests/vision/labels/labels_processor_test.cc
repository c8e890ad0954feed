// The default processor and the precise mode on real photos: answers on the darknet samples (one
// label per object, what MinConfidence 20, 80 and 90 keep), the DetectLabels shape, EXIF
// orientation, names, and start-up errors.
#include "vision/labels/labels_processor.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "support/cached_assets.h"
#include "support/images.h"
#include "support/rekognition_model.h"

namespace imagemill::vision {
namespace {

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::set<std::string> LabelNames(const nlohmann::json& answer) {
  std::set<std::string> names;
  for (const auto& l : answer["Labels"]) names.insert(l["Name"].get<std::string>());
  return names;
}

std::string Describe(const nlohmann::json& answer) {
  std::string s;
  for (const auto& l : answer["Labels"]) {
    s += l["Name"].get<std::string>() + ":" + std::to_string(l["Confidence"].get<double>()) + " ";
  }
  return s;
}

// The best instance's box of label `name`, or an empty box.
cv::Rect2f BestBox(const nlohmann::json& answer, const std::string& name) {
  for (const auto& l : answer["Labels"]) {
    if (l["Name"] != name || l["Instances"].empty()) continue;
    const auto& b = l["Instances"][0]["BoundingBox"];
    return {b["Left"].get<float>(), b["Top"].get<float>(), b["Width"].get<float>(),
            b["Height"].get<float>()};
  }
  return {};
}

class LabelsProcessorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    models_ = new std::filesystem::path(imagemill::testing::ModelsDir());
    samples_ = new std::filesystem::path(imagemill::testing::SamplesDir());
    if (models_->empty() || samples_->empty()) return;
    LabelsProcessorOptions o;
    o.model.models_dir = *models_;
    auto p = LabelsProcessor::Open(o);
    if (p.ok()) processor_ = std::move(p).value().release();
  }
  static void TearDownTestSuite() {
    delete processor_;
    delete models_;
    delete samples_;
    processor_ = nullptr;
  }
  void SetUp() override {
    ASSERT_FALSE(models_->empty()) << "scripts/fetch-models.sh failed";
    ASSERT_FALSE(samples_->empty()) << "scripts/fetch-samples.sh failed";
    ASSERT_NE(processor_, nullptr) << "the default labels processor did not open";
  }
  static Result<nlohmann::json> Label(const Processor& p, const std::string& key,
                                      std::string bytes) {
    ObjectInfo item;
    item.key = key;
    auto prepared = p.Prepare(item, std::move(bytes));
    if (!prepared.ok()) return prepared.status();
    auto worker = p.NewWorker();
    if (!worker.ok()) return worker.status();
    Result<Answer> answer = (*worker)->Process(item, **prepared);
    if (!answer.ok()) return answer.status();
    return answer->response;
  }
  nlohmann::json LabelPhoto(const std::string& name) {
    Result<nlohmann::json> a = Label(*processor_, name, ReadFile(*samples_ / name));
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return a.ok() ? *a : nlohmann::json::object();
  }

  static std::filesystem::path* models_;
  static std::filesystem::path* samples_;
  static LabelsProcessor* processor_;
};

std::filesystem::path* LabelsProcessorTest::models_ = nullptr;
std::filesystem::path* LabelsProcessorTest::samples_ = nullptr;
LabelsProcessor* LabelsProcessorTest::processor_ = nullptr;

// Every label of `all` in the answers to each photo, none of `never`, and each answer valid.
void ExpectLabels(
    const std::function<nlohmann::json(const std::string&)>& label, const std::string& version,
    const std::vector<std::pair<const char*, std::vector<std::string>>>& all,
    const std::vector<std::pair<const char*, std::vector<std::string>>>& never) {
  for (const auto& [photo, names] : all) {
    const nlohmann::json answer = label(photo);
    const std::set<std::string> found = LabelNames(answer);
    for (const std::string& name : names) {
      EXPECT_TRUE(found.count(name)) << photo << ": no " << name << " in " << Describe(answer);
    }
    EXPECT_EQ(answer["LabelModelVersion"], version);
    EXPECT_TRUE(answer.contains("ImageProperties"));
    for (const auto& l : answer["Labels"]) {
      EXPECT_GE(l["Confidence"].get<double>(), LabelSettings().min_confidence) << photo;
      EXPECT_FALSE(l["Instances"].empty()) << photo << ": a detector's label has boxes";
    }
    if (imagemill::testing::RekognitionModel()) {
      const auto errors = imagemill::testing::ShapeErrors(answer, "DetectLabelsResponse");
      EXPECT_TRUE(errors.empty()) << photo << ": " << errors.front();
    }
  }
  for (const auto& [photo, names] : never) {
    const nlohmann::json answer = label(photo);
    for (const std::string& name : names) {
      EXPECT_FALSE(LabelNames(answer).count(name)) << photo << ": " << Describe(answer);
    }
  }
}

TEST_F(LabelsProcessorTest, DefaultFindsTheDarknetPhotosSubjectsOneLabelPerObject) {
  // At the default MinConfidence (80, the balance point). One label per object: the pickup in
  // dog.jpg is Car or Truck but not both, the horse in person.jpg is not also a Cow
  // (docs/labels.md). The rider in person.jpg and the pickup score under 80
  // (UnsureLabelsAreThereBelowTheDefault).
  EXPECT_EQ(processor_->Name(), std::string("labels/") + kDefaultLabelModel + ".v5");
  ExpectLabels([&](const std::string& photo) { return LabelPhoto(photo); },
               std::string(kDefaultLabelModel) + ".v5",
               {{"dog.jpg", {"Dog", "Bicycle"}},
                {"horses.jpg", {"Horse"}},
                {"person.jpg", {"Dog", "Horse"}},
                {"giraffe.jpg", {"Giraffe"}},
                {"kite.jpg", {"Kite", "Person"}},
                {"eagle.jpg", {"Bird"}}},
               {{"dog.jpg", {"Truck"}}, {"person.jpg", {"Cow"}}, {"eagle.jpg", {"Dog"}}});
}

TEST_F(LabelsProcessorTest, DefaultScoresALabelFromAllItsInstancesSoTheHerdIsHorseFirst) {
  // NanoDet scores one box of horses.jpg as a cow (0.61) above every horse (0.57, 0.44, 0.43):
  // the label is scored from all its instances (label_score.h), so Horse comes first, with a box
  // for each horse that counts, and clears 90 where the lone Cow does not.
  const nlohmann::json horses = LabelPhoto("horses.jpg");
  ASSERT_FALSE(horses["Labels"].empty());
  const nlohmann::json& first = horses["Labels"][0];
  EXPECT_EQ(first["Name"], "Horse") << Describe(horses);
  EXPECT_GE(first["Confidence"].get<double>(), 90) << Describe(horses);
  EXPECT_GT(first["Confidence"].get<double>(), first["Instances"][0]["Confidence"].get<double>())
      << "the label is surer than its best box alone";
  for (const auto& l : horses["Labels"]) {
    if (l["Name"] == "Cow") {
      EXPECT_LT(l["Confidence"].get<double>(), 90) << Describe(horses);
    }
  }
  LabelsProcessorOptions o;
  o.model.models_dir = *models_;
  o.settings.min_confidence = 90;
  auto sure = LabelsProcessor::Open(o);
  ASSERT_TRUE(sure.ok()) << sure.status().ToString();
  Result<nlohmann::json> at90 = Label(**sure, "horses.jpg", ReadFile(*samples_ / "horses.jpg"));
  ASSERT_TRUE(at90.ok()) << at90.status().ToString();
  EXPECT_EQ(LabelNames(*at90), std::set<std::string>{"Horse"}) << Describe(*at90);
  ASSERT_FALSE((*at90)["Labels"].empty());
  EXPECT_FALSE((*at90)["Labels"][0]["Instances"].empty())
      << "a label kept for its instances together still shows its best box";
}

TEST_F(LabelsProcessorTest, DefaultConfidenceKeepsTheScalesPromiseOnTheDarknetPhotos) {
  // The confidence scale's promise (score_calibration.h, confidence_scale.h), on the darknet
  // photos whose objects are written down in bench/label_eval_set.txt: the labels at 90 or more
  // are right at least 9 times in 10, and at the balance point, 80 (the default and the seed's),
  // at least as often as on the tune half there (58 %); each keeps some. A class marked optional
  // there (the pickup as Car, the painted figure as Person) is neither right nor wrong.
  const std::map<std::string, std::set<std::string>> right = {
      {"dog.jpg", {"Dog", "Bicycle", "Truck"}}, {"horses.jpg", {"Horse"}},
      {"person.jpg", {"Person", "Dog", "Horse"}}, {"giraffe.jpg", {"Giraffe", "Zebra"}},
      {"kite.jpg", {"Kite", "Person"}},         {"eagle.jpg", {"Bird"}},
      {"scream.jpg", {}}};
  const std::map<std::string, std::set<std::string>> optional = {{"dog.jpg", {"Car"}},
                                                                 {"scream.jpg", {"Person"}}};
  std::vector<std::pair<double, bool>> labels;  // Confidence, right
  for (const auto& [photo, names] : right) {
    const nlohmann::json answer = LabelPhoto(photo);
    for (const auto& l : answer["Labels"]) {
      const std::string name = l["Name"];
      if (optional.count(photo) && optional.at(photo).count(name)) continue;
      labels.emplace_back(l["Confidence"].get<double>(), names.count(name) > 0);
    }
  }
  for (const auto& [c, share] : {std::pair{80.0, 0.58}, std::pair{90.0, 0.9}}) {
    int kept = 0, ok = 0;
    for (const auto& [confidence, is_right] : labels) {
      kept += confidence >= c;
      ok += confidence >= c && is_right;
    }
    SCOPED_TRACE("MinConfidence " + std::to_string(c));
    EXPECT_GT(kept, 0) << "a clear object clears it";
    EXPECT_GE(ok, share * kept) << ok << " right of " << kept;
  }
}

TEST_F(LabelsProcessorTest, PreciseModeAnswersTheDarknetPhotosOneLabelPerObject) {
  // The precise mode asks CenterNet where NanoDet is unsure, so the horses are Horse and not
  // also Cow, the eagle is not also a Dog and the painting holds no bench; on its confidence
  // scale the dog clears the seed's 80 (the rider in person.jpg does not: the e2e test finds him
  // at 50).
  LabelsProcessorOptions o;
  o.model.models_dir = *models_;
  o.model.builtin = kPreciseLabelModel;
  auto precise = LabelsProcessor::Open(o);
  ASSERT_TRUE(precise.ok()) << precise.status().ToString();
  auto label = [&](const std::string& photo) {
    Result<nlohmann::json> a = Label(**precise, photo, ReadFile(*samples_ / photo));
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return a.ok() ? *a : nlohmann::json::object();
  };
  ExpectLabels(label, std::string(kPreciseLabelModel) + ".v5",
               {{"dog.jpg", {"Dog", "Car"}},
                {"horses.jpg", {"Horse"}},
                {"person.jpg", {"Dog", "Horse"}},
                {"giraffe.jpg", {"Giraffe"}},
                {"kite.jpg", {"Kite", "Person"}},
                {"eagle.jpg", {"Bird"}}},
               {{"dog.jpg", {"Truck"}},
                {"horses.jpg", {"Cow"}},
                {"person.jpg", {"Cow"}},
                {"eagle.jpg", {"Dog"}},
                {"scream.jpg", {"Bench", "Bed", "Suitcase"}}});
  const nlohmann::json dog = label("dog.jpg");
  for (const auto& l : dog["Labels"]) {
    if (l["Name"] == "Dog") {
      EXPECT_GE(l["Confidence"].get<double>(), 80) << Describe(dog);
    }
  }
  const nlohmann::json horses = label("horses.jpg");
  ASSERT_FALSE(horses["Labels"].empty());
  EXPECT_EQ(horses["Labels"][0]["Name"], "Horse") << Describe(horses);
  EXPECT_GE(horses["Labels"][0]["Instances"].size(), 3u) << "every horse has its box";
  o.settings.min_confidence = 90;
  auto high = LabelsProcessor::Open(o);
  ASSERT_TRUE(high.ok());
  Result<nlohmann::json> giraffe =
      Label(**high, "giraffe.jpg", ReadFile(*samples_ / "giraffe.jpg"));
  ASSERT_TRUE(giraffe.ok());
  EXPECT_EQ(LabelNames(*giraffe), std::set<std::string>{"Giraffe"}) << Describe(*giraffe);
}

TEST_F(LabelsProcessorTest, UnsureLabelsAreThereBelowTheDefault) {
  // The zebra behind the giraffe, the rider in person.jpg and the pickup in dog.jpg score under
  // the default 80, the balance point; labels at such scores were right less often than not on
  // the labelled set. A lower MinConfidence finds them, beside the rest.
  LabelsProcessorOptions o;
  o.model.models_dir = *models_;
  o.settings.min_confidence = 20;
  auto low = LabelsProcessor::Open(o);
  ASSERT_TRUE(low.ok()) << low.status().ToString();
  const std::vector<std::pair<const char*, std::vector<std::string>>> expected = {
      {"dog.jpg", {"Dog", "Bicycle", "Car"}},
      {"person.jpg", {"Person", "Dog", "Horse"}},
      {"giraffe.jpg", {"Giraffe", "Zebra"}}};
  for (const auto& [photo, names] : expected) {
    Result<nlohmann::json> a = Label(**low, photo, ReadFile(*samples_ / photo));
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    for (const std::string& name : names) {
      EXPECT_TRUE(LabelNames(*a).count(name)) << photo << ": no " << name << " in " << Describe(*a);
    }
  }
}

TEST_F(LabelsProcessorTest, BoxesAreRatiosOfTheDisplayedImageUnderExifOrientation) {
  const cv::Mat dog = cv::imread((*samples_ / "dog.jpg").string());
  ASSERT_FALSE(dog.empty());
  // Boxes, not thresholds, are what this checks: a low MinConfidence keeps the dog and the
  // bicycle however a re-encoded copy moves their scores.
  LabelsProcessorOptions o;
  o.model.models_dir = *models_;
  o.settings.min_confidence = 20;
  auto opened = LabelsProcessor::Open(o);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  const Processor& processor = **opened;
  const nlohmann::json upright =
      *Label(processor, "upright.jpg", imagemill::testing::Encode(dog, ".jpg"));
  const cv::Rect2f want = BestBox(upright, "Dog");
  ASSERT_GT(want.area(), 0) << Describe(upright);
  // Stored turned a quarter to the left, tagged "rotate 90° clockwise to display" (6); and stored
  // upside down, tagged 3. Both display as the upright photo.
  struct Case {
    cv::RotateFlags stored;
    int orientation;
  };
  for (const Case c : {Case{cv::ROTATE_90_COUNTERCLOCKWISE, 6}, Case{cv::ROTATE_180, 3}}) {
    cv::Mat stored;
    cv::rotate(dog, stored, c.stored);
    const std::string tagged = imagemill::testing::WithJpegOrientation(
        imagemill::testing::Encode(stored, ".jpg"), c.orientation);
    Result<nlohmann::json> answer = Label(processor, "tagged.jpg", tagged);
    ASSERT_TRUE(answer.ok()) << answer.status().ToString();
    SCOPED_TRACE("orientation " + std::to_string(c.orientation) + ": " + Describe(*answer));
    const std::set<std::string> found = LabelNames(*answer);
    for (const char* name : {"Dog", "Bicycle"}) EXPECT_TRUE(found.count(name)) << name;
    const cv::Rect2f got = BestBox(*answer, "Dog");
    EXPECT_NEAR(got.x, want.x, 0.03);
    EXPECT_NEAR(got.y, want.y, 0.03);
    EXPECT_NEAR(got.width, want.width, 0.03);
    EXPECT_NEAR(got.height, want.height, 0.03);
  }
  // Without the tag the same stored pixels are a sideways photo, and a dog found in it is
  // elsewhere: what proves that the orientation was applied above.
  cv::Mat sideways;
  cv::rotate(dog, sideways, cv::ROTATE_90_COUNTERCLOCKWISE);
  Result<nlohmann::json> untagged =
      Label(processor, "untagged.jpg", imagemill::testing::Encode(sideways, ".jpg"));
  ASSERT_TRUE(untagged.ok());
  const cv::Rect2f side = BestBox(*untagged, "Dog");
  if (side.area() > 0) {
    EXPECT_GT(std::abs(side.x - want.x) + std::abs(side.y - want.y), 0.2);
  }
}

TEST_F(LabelsProcessorTest, NameChangesWithEverySettingThatChangesAnswers) {
  LabelsProcessorOptions o;
  o.model.models_dir = *models_;
  // A built-in model's name carries the revision of its suppression and calibration: results
  // made before either changed are labelled again.
  const std::string base = *LabelsProcessor::NameFor(o);
  EXPECT_EQ(base, "labels/nanodet-320.v5");
  o.max_pixels = 1000;  // fails more items, changes no answer
  EXPECT_EQ(*LabelsProcessor::NameFor(o), base);
  o.settings.min_confidence = 90;
  EXPECT_EQ(*LabelsProcessor::NameFor(o), "labels/nanodet-320.v5/c90");
  o.settings = LabelSettings();
  o.model.builtin = "nanodet-416+mirror";
  EXPECT_EQ(*LabelsProcessor::NameFor(o), "labels/nanodet-416+mirror.v5");
  o.model.builtin = "mirror+nanodet";  // canonical order and size
  EXPECT_EQ(*LabelsProcessor::NameFor(o), "labels/nanodet-416+mirror.v5");
  o.model.builtin = "nanodet-320.v5";  // the name it answers with is accepted back
  EXPECT_EQ(*LabelsProcessor::NameFor(o), base);
  o.model.builtin = kPreciseLabelModel;
  EXPECT_EQ(*LabelsProcessor::NameFor(o), "labels/nanodet-320~centernet-256.v5");
  o.model.builtin = "nanodet-320.v4";  // an older revision is not this imagemill's to give
  const Status old = LabelsProcessor::NameFor(o).status();
  EXPECT_EQ(old.code(), Code::kInvalidArgument);
  EXPECT_NE(old.message().find("without it, e.g. nanodet-320"), std::string::npos) << old.message();
  o.model.builtin = "nanodet-300";
  EXPECT_EQ(LabelsProcessor::NameFor(o).status().code(), Code::kInvalidArgument);
  o.model.builtin = "yolo";
  EXPECT_EQ(LabelsProcessor::NameFor(o).status().code(), Code::kInvalidArgument);
}

TEST_F(LabelsProcessorTest, MissingModelsAreAStartUpErrorThatSaysWhatToDo) {
  LabelsProcessorOptions o;
  o.model.models_dir = std::filesystem::temp_directory_path() / "imagemill-no-models-here";
  auto p = LabelsProcessor::Open(o);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), Code::kNotFound);
  EXPECT_NE(p.status().message().find("scripts/fetch-models.sh"), std::string::npos)
      << p.status().message();
  EXPECT_NE(p.status().message().find("imagemill-no-models-here"), std::string::npos);
}

TEST_F(LabelsProcessorTest, NonImagesAreSkippedAndBrokenImagesFailNamingTheKey) {
  auto text = Label(*processor_, "notes.txt", "just some text, not an image");
  EXPECT_EQ(text.status().code(), Code::kNotAnImage);
  std::string jpeg = ReadFile(*samples_ / "dog.jpg");
  jpeg.resize(jpeg.size() / 2);
  auto broken = Label(*processor_, "half.jpg", jpeg);
  EXPECT_EQ(broken.status().code(), Code::kCorrupt);
  EXPECT_NE(broken.status().message().find("half.jpg"), std::string::npos);
}

TEST_F(LabelsProcessorTest, FeaturesNarrowTheAnswer) {
  LabelsProcessorOptions o;
  o.model.models_dir = *models_;
  o.settings.image_properties = false;
  auto labels_only = LabelsProcessor::Open(o);
  ASSERT_TRUE(labels_only.ok()) << labels_only.status().ToString();
  auto a = Label(**labels_only, "eagle.jpg", ReadFile(*samples_ / "eagle.jpg"));
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->contains("ImageProperties"));
  EXPECT_TRUE(LabelNames(*a).count("Bird"));
  o.settings.image_properties = true;
  o.settings.general_labels = false;
  auto props_only = LabelsProcessor::Open(o);
  ASSERT_TRUE(props_only.ok());
  auto b = Label(**props_only, "eagle.jpg", ReadFile(*samples_ / "eagle.jpg"));
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->contains("Labels"));
  EXPECT_TRUE(b->contains("ImageProperties"));
}

TEST_F(LabelsProcessorTest, WorkersOnThreadsOfTheirOwnGiveTheSameAnswers) {
  const std::string bytes = ReadFile(*samples_ / "giraffe.jpg");
  const nlohmann::json reference = LabelPhoto("giraffe.jpg");
  std::vector<nlohmann::json> answers(2);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < answers.size(); ++t) {
    threads.emplace_back([&, t] {
      auto a = Label(*processor_, "giraffe.jpg", bytes);
      if (a.ok()) answers[t] = *a;
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& a : answers) EXPECT_EQ(a, reference);
}

}  // namespace
}  // namespace imagemill::vision

namespace imagemill::vision {
namespace {

TEST_F(LabelsProcessorTest, SharedNetworksAnswerAsOwnNetworksAndLoadNoMoreThanAsked) {
  LabelsProcessorOptions o;
  o.model.models_dir = *models_;
  o.shared_networks = 1;
  auto shared = LabelsProcessor::Open(o);
  ASSERT_TRUE(shared.ok()) << shared.status().ToString();
  EXPECT_EQ((*shared)->Name(), processor_->Name());  // the same answers: the same name
  const std::string bytes = ReadFile(*samples_ / "dog.jpg");
  std::vector<std::thread> threads;
  std::vector<Result<nlohmann::json>> answers(4, Status::Internal("not run"));
  for (size_t i = 0; i < answers.size(); ++i) {
    threads.emplace_back([&, i] { answers[i] = Label(**shared, "dog.jpg", bytes); });
  }
  for (auto& t : threads) t.join();
  const Result<nlohmann::json> own = Label(*processor_, "dog.jpg", bytes);
  ASSERT_TRUE(own.ok());
  for (const auto& a : answers) {
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    EXPECT_EQ((*a)["Labels"], (*own)["Labels"]);
  }
  EXPECT_EQ((*shared)->SharedNetworksLoaded(), 1);  // four workers, one set of networks
  EXPECT_EQ(processor_->SharedNetworksLoaded(), 0);
}

}  // namespace
}  // namespace imagemill::vision
