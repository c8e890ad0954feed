// imagemill's own decoder for the common kind of PNG: 8 bits per sample, RGB, RGBA or grey, not
// interlaced, no transparency chunk. That is what cameras' converters, screenshots and OpenCV
// write, and about a tenth of a typical photo bucket.
//
// Why: a PNG's cost is its inflate. OpenCV decodes PNG through libpng and zlib; libdeflate
// inflates a whole stream at once faster than zlib, and the five row filters are undone in the
// same buffer, so the common PNG decodes in about half the time (bench/decode_bench.cc measures
// both; docs/benchmarks.md has the figures).
//
// The pixels are exactly OpenCV's: BGR, alpha dropped (OpenCV's IMREAD_COLOR strips it rather
// than compositing), grey copied to the three channels; no gamma or colour profile is applied
// (OpenCV applies none). tests/vision/png_decoder_test.cc compares the two byte for byte.
//
// Anything else, or anything irregular, is left to OpenCV (std::nullopt): other bit depths,
// palettes (or a PLTE chunk at all), interlacing, tRNS, an unknown critical chunk, a chunk type
// that is not letters, a CRC or Adler-32 mismatch, compressed data that is short, long or
// damaged, a missing IEND. libpng then decodes it or reports the error as it always did, so this
// decoder never changes what a damaged file does. fuzz/png_decoder_fuzz.cc checks that whatever
// it decodes, OpenCV decodes to the same pixels.
#pragma once

#include <opencv2/core/mat.hpp>
#include <optional>
#include <string_view>

namespace imagemill::vision {

// Decodes `bytes` (a whole PNG file) to CV_8UC3 BGR, or returns std::nullopt when the file is not
// of the kind described above. Thread-safe. An RGB image's rows are left where they were
// inflated: the result is not continuous (its step is the row's bytes plus one), which every
// OpenCV function and imagemill's row loops accept.
std::optional<cv::Mat> DecodeCommonPng(std::string_view bytes);

}  // namespace imagemill::vision
