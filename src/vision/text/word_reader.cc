#include "vision/text/word_reader.h"

#include <dlfcn.h>
#include <tesseract/baseapi.h>
#include <tesseract/resultiterator.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>

namespace imagemill::vision {
namespace {

// Where Debian's tesseract-ocr-eng puts the data (Tesseract 5's default, stated here so that a
// TESSDATA_PREFIX meant for another Tesseract does not hide it).
constexpr const char* kDebianTessdata = "/usr/share/tesseract-ocr/5/tessdata";

std::string TessdataDir(const WordReaderOptions& options) {
  if (!options.tessdata_dir.empty()) return options.tessdata_dir;
  if (const char* env = std::getenv("TESSDATA_PREFIX"); env != nullptr && *env != '\0') return env;
  return kDebianTessdata;
}

// Debian builds Tesseract with OpenMP, which runs each line's LSTM on a team of threads: measured
// over bench/text_eval's images, 3.4 times the CPU and 4 times the wall time of one thread, with
// the same words read (docs/text.md). imagemill already runs one worker per core, so parallel
// regions are switched off, process-wide, the first time a reader is opened. OpenMP is looked up
// at run time: a Tesseract built without it changes nothing, and imagemill needs no OpenMP of its
// own. (OpenCV, the other library that could use it, runs on TBB in Debian.)
void KeepTesseractOnOneThread() {
  static std::once_flag once;
  std::call_once(once, [] {
    using SetMaxActiveLevels = void (*)(int);
    if (auto set = reinterpret_cast<SetMaxActiveLevels>(
            dlsym(RTLD_DEFAULT, "omp_set_max_active_levels"))) {
      set(0);
    }
  });
}

}  // namespace

WordReader::WordReader(std::unique_ptr<tesseract::TessBaseAPI> api) : api_(std::move(api)) {}

WordReader::~WordReader() {
  if (api_) api_->End();
}

std::string WordReader::Version() {
  return std::string("tesseract-") + tesseract::TessBaseAPI::Version();
}

Result<std::unique_ptr<WordReader>> WordReader::Open(const WordReaderOptions& options) {
  const std::string dir = TessdataDir(options);
  const std::filesystem::path data =
      std::filesystem::path(dir) / (options.language + ".traineddata");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(data, ec)) {
    return Status::NotFound("Tesseract's language data " + data.string() +
                            " is missing; install the Debian package tesseract-ocr-" +
                            options.language + " (scripts/install-deps.sh does)");
  }
  KeepTesseractOnOneThread();
  auto api = std::make_unique<tesseract::TessBaseAPI>();
  // Tesseract's own messages (such as the resolution it guesses) would go to stderr unasked.
  api->SetVariable("debug_file", "/dev/null");
  if (api->Init(dir.c_str(), options.language.c_str(), tesseract::OEM_LSTM_ONLY) != 0) {
    return Status::Corrupt("Tesseract cannot load " + data.string() +
                           "; reinstall the Debian package tesseract-ocr-" + options.language);
  }
  api->SetPageSegMode(tesseract::PSM_SINGLE_LINE);
  return std::unique_ptr<WordReader>(new WordReader(std::move(api)));
}

std::vector<ReadWord> WordReader::ReadLine(const cv::Mat& line) {
  CV_Assert(line.type() == CV_8UC1);
  std::vector<ReadWord> words;
  if (line.empty()) return words;
  api_->SetImage(line.data, line.cols, line.rows, 1, static_cast<int>(line.step));
  api_->SetSourceResolution(300);
  if (api_->Recognize(nullptr) != 0) return words;
  std::unique_ptr<tesseract::ResultIterator> it(api_->GetIterator());
  if (!it) return words;
  do {
    std::unique_ptr<char[]> text(it->GetUTF8Text(tesseract::RIL_WORD));
    if (!text || *text.get() == '\0') continue;
    int left = 0, top = 0, right = 0, bottom = 0;
    if (!it->BoundingBox(tesseract::RIL_WORD, &left, &top, &right, &bottom)) continue;
    words.push_back({text.get(), it->Confidence(tesseract::RIL_WORD),
                     cv::Rect(left, top, right - left, bottom - top)});
  } while (it->Next(tesseract::RIL_WORD));
  api_->Clear();
  return words;
}

}  // namespace imagemill::vision
