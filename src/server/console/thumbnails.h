// Thumbnails: small JPEG renditions of the labelled images, made by the server from the object in
// its source and kept on disk, so that the console sends renditions, never the originals.
//
// A rendition is named by a hash of (source, id, etag, size): an object that changes gets a new
// one, and a key's characters never reach a file name. Only the sizes in kRenditionSizes are
// made. The object is read only from the source the stored answer names (the caller looks the
// answer up first), so no URL can make the server read anything else.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <opencv2/core/mat.hpp>
#include <string>

#include "objectstore/object_store.h"
#include "util/status.h"

namespace imagemill::server::console {

// The longer side, in pixels, of the renditions the console asks for: gallery thumbnails and the
// one-image page's picture.
inline constexpr int kThumbnailSize = 240;
inline constexpr int kPictureSize = 1024;
bool IsRenditionSize(int size);

struct RenditionKey {
  std::string source;  // the store's URI, as the results table holds it
  std::string id;      // the object's key
  std::string etag;    // the stored answer's ETag
  int size = kThumbnailSize;
};

// Opens the store `source` names (the server's store options apply).
using StoreOpener = std::function<Result<std::unique_ptr<ObjectStore>>(const std::string& source)>;

class RenditionCache {
 public:
  // `dir` is created on first use. `open` must be thread-safe.
  RenditionCache(std::string dir, StoreOpener open);

  // The JPEG rendition of `key` (longer side at most key.size, never enlarged): from the cache,
  // else made from the object and stored. Errors name the object: the store's (NotFound, Io),
  // the decoder's (NotAnImage, Corrupt, TooLarge), InvalidArgument for a size not offered.
  // Thread-safe; two callers may make the same rendition at once (the last write wins, whole).
  Result<std::string> Get(const RenditionKey& key);

  // Where the rendition of `key` is kept.
  std::string PathFor(const RenditionKey& key) const;

  // Encodes `bgr` (CV_8UC3) scaled so its longer side is at most `size`, as a baseline JPEG.
  static std::string Render(const cv::Mat& bgr, int size);

 private:
  Result<ObjectStore*> Store(const std::string& source);

  const std::string dir_;
  const StoreOpener open_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<ObjectStore>> stores_;  // guarded by mu_
};

}  // namespace imagemill::server::console
