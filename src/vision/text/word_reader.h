// WordReader: reads the words of one line of text with Tesseract's LSTM engine (Debian's
// libtesseract and its English data, tesseract-ocr-eng). The text detector finds the lines;
// Tesseract only reads what is inside each one, treating it as a single line
// (PSM_SINGLE_LINE), so it does no page layout analysis of its own.
//
// Threads: a WordReader holds one Tesseract engine and is used by one thread at a time (each
// worker opens its own). Opening the first one switches OpenMP's parallel regions off for the
// whole process (word_reader.cc says why).
#pragma once

#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "util/status.h"

namespace tesseract {
class TessBaseAPI;
}

namespace imagemill::vision {

struct WordReaderOptions {
  // Tesseract's data folder (holding eng.traineddata); empty: $TESSDATA_PREFIX, else the
  // folder Debian's tesseract-ocr-eng installs to.
  std::string tessdata_dir;
  std::string language = "eng";
};

// One word as Tesseract read it.
struct ReadWord {
  std::string text;      // UTF-8, no spaces
  float confidence = 0;  // Tesseract's, 0..100
  cv::Rect box;          // in the line image's pixels
};

class WordReader {
 public:
  // NotFound, saying which Debian package to install, when the language data is missing.
  static Result<std::unique_ptr<WordReader>> Open(const WordReaderOptions& options = {});
  ~WordReader();
  WordReader(const WordReader&) = delete;
  WordReader& operator=(const WordReader&) = delete;

  // The words of `line` (CV_8UC1, one line of text reading left to right, dark on light or
  // light on dark), left to right. Empty when Tesseract finds nothing it can read.
  std::vector<ReadWord> ReadLine(const cv::Mat& line);

  // "tesseract-5.3.0"
  static std::string Version();

 private:
  explicit WordReader(std::unique_ptr<tesseract::TessBaseAPI> api);
  std::unique_ptr<tesseract::TessBaseAPI> api_;
};

}  // namespace imagemill::vision
