#include "vision/decode/heif_decoder.h"

#include <libheif/heif.h>

#include <memory>
#include <mutex>
#include <opencv2/imgproc.hpp>
#include <string>

namespace imagemill::vision {
namespace {

// libheif's plugins are registered once per process and never released (heif_deinit would
// unload them under other threads' feet).
void InitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { heif_init(nullptr); });
}

struct ContextDeleter {
  void operator()(heif_context* c) const { heif_context_free(c); }
};
struct HandleDeleter {
  void operator()(heif_image_handle* h) const { heif_image_handle_release(h); }
};
struct ImageDeleter {
  void operator()(heif_image* i) const { heif_image_release(i); }
};
struct OptionsDeleter {
  void operator()(heif_decoding_options* o) const { heif_decoding_options_free(o); }
};
using Context = std::unique_ptr<heif_context, ContextDeleter>;
using Handle = std::unique_ptr<heif_image_handle, HandleDeleter>;

Status FromHeifError(const heif_error& e, std::string_view name, ImageFormat format,
                     std::string_view doing) {
  const std::string reason = std::string(doing) + ": " + (e.message ? e.message : "unknown error");
  if (e.code == heif_error_Unsupported_filetype || e.code == heif_error_Unsupported_feature) {
    return UndecodableImage(name, std::string(FormatName(format)) + " variant (" + reason + ")");
  }
  if (e.code == heif_error_Memory_allocation_error) {
    return Status::TooLarge(std::string(name) + ": out of memory decoding it (" + reason + ")");
  }
  return CorruptImage(name, format, reason);
}

// The parsed file and its primary image. `bytes` must outlive the context (read in place).
struct Primary {
  Context context;
  Handle handle;
};

Result<Primary> OpenPrimary(std::string_view bytes, std::string_view name, ImageFormat format) {
  InitOnce();
  Primary p;
  p.context.reset(heif_context_alloc());
  if (!p.context) return Status::Internal(std::string(name) + ": libheif could not start");
  heif_error e = heif_context_read_from_memory_without_copy(p.context.get(), bytes.data(),
                                                            bytes.size(), nullptr);
  if (e.code != heif_error_Ok) return FromHeifError(e, name, format, "reading its header");
  heif_image_handle* handle = nullptr;
  e = heif_context_get_primary_image_handle(p.context.get(), &handle);
  if (e.code != heif_error_Ok) return FromHeifError(e, name, format, "finding its image");
  p.handle.reset(handle);
  return p;
}

}  // namespace

Status ReadHeifHeader(std::string_view bytes, std::string_view name, ImageHeader& h) {
  Result<Primary> p = OpenPrimary(bytes, name, h.format);
  if (!p.ok()) return p.status();
  const int w = heif_image_handle_get_width(p->handle.get());
  const int ht = heif_image_handle_get_height(p->handle.get());
  if (w <= 0 || ht <= 0) {
    return CorruptImage(
        name, h.format,
        "header gives an impossible size " + std::to_string(w) + "x" + std::to_string(ht));
  }
  h.width = w;
  h.height = ht;
  h.orientation = 1;
  return Status::Ok();
}

Result<cv::Mat> DecodeHeif(std::string_view bytes, std::string_view name, ImageFormat format) {
  Result<Primary> p = OpenPrimary(bytes, name, format);
  if (!p.ok()) return p.status();
  std::unique_ptr<heif_decoding_options, OptionsDeleter> options(heif_decoding_options_alloc());
  heif_image* decoded = nullptr;
  const heif_error e = heif_decode_image(p->handle.get(), &decoded, heif_colorspace_RGB,
                                         heif_chroma_interleaved_RGB, options.get());
  if (e.code != heif_error_Ok) return FromHeifError(e, name, format, "decoding its pixels");
  const std::unique_ptr<heif_image, ImageDeleter> image(decoded);
  int stride = 0;
  const uint8_t* plane =
      heif_image_get_plane_readonly(image.get(), heif_channel_interleaved, &stride);
  const int w = heif_image_get_width(image.get(), heif_channel_interleaved);
  const int h = heif_image_get_height(image.get(), heif_channel_interleaved);
  if (plane == nullptr || w <= 0 || h <= 0 || stride < 3 * w) {
    return CorruptImage(name, format, "the decoder returned no pixels");
  }
  const cv::Mat rgb(h, w, CV_8UC3, const_cast<uint8_t*>(plane), static_cast<size_t>(stride));
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  return bgr;
}

}  // namespace imagemill::vision
