// The DetectFaces answer: from the faces BlazeFace found in one image to the JSON Rekognition's
// DetectFaces returns (botocore's DetectFacesResponse shape, the oracle):
//
//   {"FaceDetails": [{"BoundingBox": {"Width", "Height", "Left", "Top"}, "Confidence",
//     "Landmarks": [{"Type", "X", "Y"}], "Pose": {"Roll"}, "Quality": {"Brightness",
//     "Sharpness"}}]}
//
// What each member is, and what is left out because it cannot be derived honestly:
//   BoundingBox  the face's box as ratios of the image as displayed; like Rekognition's it may
//                pass the image's edge (Left or Top below 0) for a face cut by the frame.
//   Confidence   the detector's score x 100 (faces under its threshold are not answered).
//   Landmarks    eyeLeft, eyeRight and nose: the three of BlazeFace's six keypoints that are
//                points Rekognition names. "Left" and "right" are the viewer's, as in
//                Rekognition's examples (eyeLeft has the smaller X in a frontal face).
//                BlazeFace's mouth centre and ear tragions have no LandmarkType (Rekognition
//                has mouth corners, lips and jawline points, other points) and are left out.
//   Pose         Roll only: the angle of the line from eyeLeft to eyeRight against the
//                horizontal, in degrees, positive when the face is turned clockwise as seen.
//                Yaw and Pitch need a 3-D model of the head that six points do not give.
//   Quality      Brightness and Sharpness of the face's pixels, with ImageProperties' formulas
//                (image_properties.h) on the face's box within the working copy.
// AgeRange, Gender, Emotions, Smile, Eyeglasses and the other ALL attributes are not given: no
// model measured well enough on labelled faces has been found (docs/faces.md).
#pragma once

#include <nlohmann/json.hpp>
#include <opencv2/core/mat.hpp>
#include <vector>

#include "vision/faces/face_detector.h"
#include "workflow/records.h"

namespace imagemill::vision {

// The response for `faces` (best first) found in an image of `width` x `height` pixels as
// displayed; `work` is that image at any scale (CV_8UC3), used to measure each face's Quality.
nlohmann::json DetectFacesAnswer(const std::vector<Face>& faces, int width, int height,
                                 const cv::Mat& work);

// What a results query finds `response` (a DetectFaces answer) by: one entry "Face" with the
// highest face Confidence when FaceDetails holds any face, none otherwise.
std::vector<IndexEntry> FaceIndexEntries(const nlohmann::json& response);

}  // namespace imagemill::vision
