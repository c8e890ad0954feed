// Rekognition's ImageProperties (DetectLabels with Features IMAGE_PROPERTIES) for one image:
// Quality {Brightness, Sharpness, Contrast}, each 0..100, and DominantColors.
//
// How each value is computed (Rekognition does not publish its formulas; these are the standard
// measures, mapped to 0..100 so that the ends mean what the names say). All of them are computed
// on a working copy whose longer side is at most kAnalysisLongSide, so that they do not depend on
// the image's resolution; and all are deterministic for the same pixels.
//   Brightness  mean luma Y (Rec. 601, 0..255) x 100 / 255. Black 0, white 100.
//   Contrast    RMS contrast: the standard deviation of Y x 100 / 127.5 (127.5 is the largest
//               standard deviation 8-bit values can have: half black, half white). Flat 0.
//   Sharpness   the variance of the Laplacian of Y (3x3 kernel), v, mapped by 100 v / (v + 300):
//               a flat image 0, v = 300 gives 50, hard edges approach 100. At this working size
//               the darknet sample photos measure v = 230..12,000 (Sharpness 44..98, median
//               about 73); the same photos blurred with a Gaussian of sigma 2 px measure
//               v = 7..50 (Sharpness 2..14).
//   DominantColors  the pixels of the working copy grouped into at most MaxDominantColors
//               colours (color_clusters.h: exact when there are that few, else weighted k-means
//               in CIELAB with a fixed seed). Each reports the mean sRGB of its pixels, #rrggbb,
//               the nearest CSS colour and its simplified colour (css_colors.h), and its share of
//               the pixels; largest share first, ties by HexCode.
// Foreground and Background (Rekognition separates them) are not computed: both are optional
// members of the response, and a label model's boxes may provide a foreground later.
#pragma once

#include <nlohmann/json.hpp>
#include <opencv2/core/mat.hpp>
#include <string>
#include <vector>

namespace imagemill::vision {

inline constexpr int kAnalysisLongSide = 512;
inline constexpr int kMaxDominantColorsLimit = 20;  // Rekognition's MaxDominantColors maximum

struct ImageQuality {
  double brightness = 0;  // 0..100
  double sharpness = 0;   // 0..100
  double contrast = 0;    // 0..100
};

struct DominantColor {
  int red = 0, green = 0, blue = 0;  // 0..255
  std::string hex_code;              // "#rrggbb", lower case
  std::string css_color;             // nearest CSS named colour, "darkolivegreen"
  std::string simplified_color;      // one of 12: see css_colors.h
  double pixel_percent = 0;          // 0..100
};

struct ImageProperties {
  ImageQuality quality;
  std::vector<DominantColor> dominant_colors;  // by pixel_percent, largest first
};

struct ImagePropertiesOptions {
  int max_dominant_colors = 10;  // 0..kMaxDominantColorsLimit (values outside are clamped)
};

// The working copy the properties are computed on: `bgr` shrunk (Gaussian pyramid, then a last
// bilinear step) so that its longer side is at most kAnalysisLongSide, or `bgr` itself (sharing
// its pixels) when it is that small.
// Callers that keep images in a queue may shrink early; the properties do not change.
cv::Mat ShrinkForAnalysis(const cv::Mat& bgr);

// REQUIRES: bgr is a non-empty CV_8UC3 image in BGR order. Thread-safe; values rounded to 2
// decimals.
ImageProperties ComputeImageProperties(const cv::Mat& bgr,
                                       const ImagePropertiesOptions& options = {});

// {"Quality": {"Brightness", "Sharpness", "Contrast"}, "DominantColors": [{"Red", "Green",
// "Blue", "HexCode", "CSSColor", "SimplifiedColor", "PixelPercent"}]}: Rekognition's
// DetectLabelsImageProperties shape.
nlohmann::json ToJson(const ImageProperties& properties);

}  // namespace imagemill::vision
