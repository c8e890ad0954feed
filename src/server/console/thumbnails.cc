#include "server/console/thumbnails.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>
#include <thread>

#include "util/digest.h"
#include "vision/decode/image.h"

namespace imagemill::server::console {

namespace fs = std::filesystem;

bool IsRenditionSize(int size) { return size == kThumbnailSize || size == kPictureSize; }

RenditionCache::RenditionCache(std::string dir, StoreOpener open)
    : dir_(std::move(dir)), open_(std::move(open)) {}

std::string RenditionCache::PathFor(const RenditionKey& key) const {
  std::string name;
  for (const std::string* part : {&key.source, &key.id, &key.etag}) {
    name += *part;
    name.push_back('\0');
  }
  name += std::to_string(key.size);
  const std::string hash = Sha256Hex(name);
  // Two levels of fan-out keep a folder small at a million renditions.
  return dir_ + "/" + hash.substr(0, 2) + "/" + hash + ".jpg";
}

std::string RenditionCache::Render(const cv::Mat& bgr, int size) {
  cv::Mat out = bgr;
  const int longer = std::max(bgr.cols, bgr.rows);
  if (longer > size) {
    const double f = static_cast<double>(size) / longer;
    cv::resize(bgr, out,
               cv::Size(std::max(1, static_cast<int>(bgr.cols * f + 0.5)),
                        std::max(1, static_cast<int>(bgr.rows * f + 0.5))),
               0, 0, cv::INTER_AREA);
  }
  std::vector<uchar> jpeg;
  cv::imencode(".jpg", out, jpeg, {cv::IMWRITE_JPEG_QUALITY, 82});
  return std::string(jpeg.begin(), jpeg.end());
}

Result<ObjectStore*> RenditionCache::Store(const std::string& source) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = stores_.find(source);
  if (it != stores_.end()) return it->second.get();
  Result<std::unique_ptr<ObjectStore>> opened = open_(source);
  if (!opened.ok()) return opened.status();
  ObjectStore* store = opened->get();
  stores_[source] = std::move(opened).value();
  return store;
}

Result<std::string> RenditionCache::Get(const RenditionKey& key) {
  if (!IsRenditionSize(key.size)) {
    return Status::InvalidArgument("rendition size " + std::to_string(key.size) +
                                   " is not offered: ask for " + std::to_string(kThumbnailSize) +
                                   " or " + std::to_string(kPictureSize));
  }
  const std::string path = PathFor(key);
  if (std::ifstream in(path, std::ios::binary); in) {
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!bytes.str().empty()) return bytes.str();
  }
  Result<ObjectStore*> store = Store(key.source);
  if (!store.ok()) return store.status();
  Result<std::string> bytes = (*store)->Get(key.id);
  if (!bytes.ok()) return bytes.status();
  vision::DecodeOptions options;
  options.min_long_side = key.size;  // a JPEG decodes at a reduced scale when it can
  Result<vision::Image> image = vision::DecodeImage(*bytes, key.source + "/" + key.id, options);
  if (!image.ok()) return image.status();
  std::string jpeg = Render(image->bgr, key.size);
  // Written whole under a temporary name, then renamed: a reader never sees half a file.
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  const std::string tmp = path + ".tmp" + std::to_string(::getpid()) + "-" +
                          std::to_string(std::hash<std::thread::id>()(std::this_thread::get_id()));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(jpeg.data(), static_cast<std::streamsize>(jpeg.size()));
    if (!out) ec = std::make_error_code(std::errc::io_error);
  }
  if (!ec) fs::rename(tmp, path, ec);
  if (ec) fs::remove(tmp, ec);  // the rendition is still answered; it is made again next time
  return jpeg;
}

}  // namespace imagemill::server::console
