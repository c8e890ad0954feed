// Reading one detected line: the text detector's rotated box is cut out of the image upright
// (an affine warp), scaled to the height Tesseract reads best, read word by word (WordReader),
// and each word's box is mapped back onto the image as a rotated quadrilateral.
#pragma once

#include <array>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "vision/text/text_detector.h"
#include "vision/text/word_reader.h"

namespace imagemill::vision {

// A word or line found in an image: corners as ratios (0..1) of the image's width and height,
// clockwise from the top-left corner of the text as read.
struct TextWord {
  std::string text;
  float confidence = 0;  // 0..100
  std::array<cv::Point2f, 4> corners;
};

struct TextLine {
  std::vector<TextWord> words;         // left to right as read
  std::array<cv::Point2f, 4> corners;  // the detector's box
  float detector_score = 0;            // 0..1
};

struct LineReaderOptions {
  int line_height = 48;  // the height the cut-out line is scaled to, in pixels
  int margin = 8;        // pixels added around it (Tesseract misreads text at the edge)
  // Words Tesseract is less sure of than this (0..100), and words with no letter or digit, are
  // noise (edges, textures, parts of letters cut off by the box), not text. Chosen on
  // bench/text_eval's images (docs/text.md): 45 leaves one false word on 24 photos without text
  // and reads as many words right as 30.
  float min_confidence = 45;
};

// The upright cut-out of `corners` (ratios of `gray`'s size, ordered as TextBox::corners) from
// `gray` (CV_8UC1), scaled to options.line_height rows plus options.margin on every side,
// and the 2x3 affine transform from its pixels back to `gray`'s pixels.
struct LineImage {
  cv::Mat pixels;
  cv::Matx23d to_image;
};
LineImage CutOutLine(const cv::Mat& gray, const std::array<cv::Point2f, 4>& corners,
                     const LineReaderOptions& options = {});

// Reads the line `box` of `gray` (the image as displayed, at any scale). The line's words are
// empty when Tesseract reads nothing there (or only noise, see LineReaderOptions).
TextLine ReadTextLine(WordReader& reader, const cv::Mat& gray, const TextBox& box,
                      const LineReaderOptions& options = {});

}  // namespace imagemill::vision
