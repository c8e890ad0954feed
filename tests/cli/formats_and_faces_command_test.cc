// The imagemill binary as a user runs it: a folder of images in every format, and detect-faces.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "support/cached_assets.h"
#include "support/encoders.h"
#include "support/images.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace imagemill::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

cv::Mat Noise(int w, int h) {
  cv::Mat m(h, w, CV_8UC3);
  cv::randu(m, 0, 255);
  return m;
}

// A run over HEIC, AVIF, GIF, a JPEG 2000 file and a text file: the three images are labelled,
// the other two skipped (not failed) with their reasons in the summary, and the run succeeds at a
// failure tolerance of 0.
TEST(FormatsCommandTest, ImagesInEveryFormatAreLabelledAndTheRestSkippedWithTheirReason) {
  TempDir dir;
  dir.Write("photos/phone.heic", Encode(Noise(96, 64), ".heic"));
  dir.Write("photos/camera.avif", Encode(Noise(96, 64), ".avif"));
  dir.Write("photos/anim.gif", EncodeGif(Noise(40, 30), {.frames = 3}));
  dir.Write("photos/scan.jp2", std::string("\0\0\0\x0CjP  \r\n\x87\n\0\0\0\0", 16));
  dir.Write("photos/notes.txt", "not an image\n");
  const CommandResult r =
      RunCommand({IMAGEMILL_BINARY, "run", dir.path() + "/photos", "--db", dir.path() + "/m.db",
                  "--processor", "image-properties", "--tolerated-failure-count", "0", "-q"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("3 succeeded, 0 failed, 2 skipped"));
  EXPECT_THAT(r.output, HasSubstr("skipped, not images imagemill can label (NotAnImage 2)"));
  EXPECT_THAT(r.output, HasSubstr("scan.jp2: JPEG 2000 is a format imagemill does not read"));
  EXPECT_THAT(r.output, HasSubstr("notes.txt: not an image"));
}

// Faces are answers of their own kind: a faces run over images already labelled keeps their
// labels, and each kind is read on its own.
TEST(FacesRunTest, FacesAreKeptBesideTheLabelsOfTheSameImages) {
  if (ModelsDir().empty()) GTEST_SKIP() << "run scripts/fetch-models.sh";
  TempDir dir;
  dir.Write("photos/grey.png",
            Encode(cv::Mat(200, 300, CV_8UC3, cv::Scalar(128, 128, 128)), ".png"));
  const std::string db = dir.path() + "/m.db";
  const std::vector<std::string> env = {"IMAGEMILL_MODELS=" + ModelsDir().string()};
  for (const std::string processor : {"image-properties", "faces"}) {
    std::vector<std::string> argv = {IMAGEMILL_BINARY, "run", dir.path() + "/photos",
                                     "--db",           db,    "--processor",
                                     processor,        "-q"};
    // --models-dir says where the face model is; it is not a label flag refused for faces.
    if (processor == "faces") argv.insert(argv.end(), {"--models-dir", ModelsDir().string()});
    const CommandResult r = RunCommand(argv);
    EXPECT_EQ(r.exit_code, 0) << processor << ": " << r.output;
    EXPECT_THAT(r.output, HasSubstr("1 succeeded")) << processor;
  }
  CommandResult r = RunCommand({IMAGEMILL_BINARY, "results", "--db", db, "--kind", "faces"}, env,
                               "", /*capture_stderr=*/false);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("grey.png"));
  EXPECT_THAT(r.output, HasSubstr("no face"));
  r = RunCommand({IMAGEMILL_BINARY, "get", "grey.png", "--db", db, "--kind", "labels"}, env, "",
                 /*capture_stderr=*/false);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("ImageProperties"));
}

TEST(DetectFacesCommandTest, PrintsTheDetectFacesAnswer) {
  if (ModelsDir().empty()) GTEST_SKIP() << "run scripts/fetch-models.sh";
  TempDir dir;
  dir.Write("grey.png", Encode(cv::Mat(200, 300, CV_8UC3, cv::Scalar(128, 128, 128)), ".png"));
  CommandResult r = RunCommand({IMAGEMILL_BINARY, "detect-faces", dir.path() + "/grey.png",
                                "--annotate", dir.path() + "/seen.jpg"},
                               {"IMAGEMILL_MODELS=" + ModelsDir().string()}, "",
                               /*capture_stderr=*/false);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "{\n  \"FaceDetails\": []\n}\n");
  r = RunCommand({IMAGEMILL_BINARY, "detect-faces", dir.path() + "/missing.jpg"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("cannot read"));
}

}  // namespace
}  // namespace imagemill::testing
