#include "support/encoders.h"

#include <gif_lib.h>
#include <libheif/heif.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace imagemill::testing {
namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "test fixture: %s\n", what);
  std::abort();
}

int Write(GifFileType* gif, const GifByteType* data, int n) {
  static_cast<std::string*>(gif->UserData)->append(reinterpret_cast<const char*>(data), n);
  return n;
}

int Level(int v) { return (v * 5 + 127) / 255; }

}  // namespace

int GifIndex(const cv::Vec3b& bgr) {
  return Level(bgr[2]) * 36 + Level(bgr[1]) * 6 + Level(bgr[0]);
}

std::string EncodeGif(const cv::Mat& bgr, const GifOptions& o) {
  std::string out;
  int error = 0;
  GifFileType* gif = EGifOpen(&out, Write, &error);
  if (gif == nullptr) Die("EGifOpen failed");
  ColorMapObject* map = GifMakeMapObject(256, nullptr);
  for (int i = 0; i < 256; ++i) {
    const int r = i / 36, g = i / 6 % 6, b = i % 6;
    map->Colors[i] =
        GifColorType{static_cast<GifByteType>(r * 51), static_cast<GifByteType>(g * 51),
                     static_cast<GifByteType>(b * 51)};
    if (i >= 216) map->Colors[i] = GifColorType{0, 0, 0};
  }
  EGifSetGifVersion(gif, true);
  const int sw = o.screen_width > 0 ? o.screen_width : bgr.cols;
  const int sh = o.screen_height > 0 ? o.screen_height : bgr.rows;
  if (EGifPutScreenDesc(gif, sw, sh, 8, 0, map) == GIF_ERROR) Die("EGifPutScreenDesc failed");
  std::vector<GifPixelType> line(bgr.cols);
  for (int frame = 0; frame < o.frames; ++frame) {
    if (o.transparent_index >= 0) {
      const GifByteType gce[4] = {1, 0, 0, static_cast<GifByteType>(o.transparent_index)};
      EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, 4, gce);
    }
    if (EGifPutImageDesc(gif, o.frame_left, o.frame_top, bgr.cols, bgr.rows, o.interlaced,
                         nullptr) == GIF_ERROR) {
      Die("EGifPutImageDesc failed");
    }
    std::vector<int> rows;
    if (o.interlaced) {
      for (int start : {0, 4, 2, 1}) {
        const int step = start == 0 ? 8 : start == 4 ? 8 : start == 2 ? 4 : 2;
        for (int y = start; y < bgr.rows; y += step) rows.push_back(y);
      }
    } else {
      for (int y = 0; y < bgr.rows; ++y) rows.push_back(y);
    }
    for (int y : rows) {
      for (int x = 0; x < bgr.cols; ++x) {
        cv::Vec3b p = bgr.at<cv::Vec3b>(y, x);
        if (frame > 0) p = cv::Vec3b(255 - p[0], 255 - p[1], 255 - p[2]);
        line[x] = static_cast<GifPixelType>(GifIndex(p));
      }
      if (EGifPutLine(gif, line.data(), bgr.cols) == GIF_ERROR) Die("EGifPutLine failed");
    }
  }
  if (EGifCloseFile(gif, &error) == GIF_ERROR) Die("EGifCloseFile failed");
  GifFreeMapObject(map);
  return out;
}

std::string EncodeHeif(const cv::Mat& bgr, bool avif, int quality) {
  heif_init(nullptr);
  heif_context* ctx = heif_context_alloc();
  heif_encoder* encoder = nullptr;
  if (heif_context_get_encoder_for_format(ctx, avif ? heif_compression_AV1 : heif_compression_HEVC,
                                          &encoder)
          .code != heif_error_Ok) {
    Die("libheif has no encoder for the format");
  }
  heif_encoder_set_lossy_quality(encoder, quality);
  heif_image* image = nullptr;
  heif_image_create(bgr.cols, bgr.rows, heif_colorspace_RGB, heif_chroma_interleaved_RGB, &image);
  heif_image_add_plane(image, heif_channel_interleaved, bgr.cols, bgr.rows, 8);
  int stride = 0;
  uint8_t* plane = heif_image_get_plane(image, heif_channel_interleaved, &stride);
  for (int y = 0; y < bgr.rows; ++y) {
    for (int x = 0; x < bgr.cols; ++x) {
      const cv::Vec3b p = bgr.at<cv::Vec3b>(y, x);
      uint8_t* q = plane + y * stride + 3 * x;
      q[0] = p[2];
      q[1] = p[1];
      q[2] = p[0];
    }
  }
  if (heif_context_encode_image(ctx, image, encoder, nullptr, nullptr).code != heif_error_Ok) {
    Die("libheif could not encode");
  }
  std::string out;
  heif_writer writer{};
  writer.writer_api_version = 1;
  writer.write = [](heif_context*, const void* data, size_t size, void* user) {
    static_cast<std::string*>(user)->append(static_cast<const char*>(data), size);
    return heif_error{heif_error_Ok, heif_suberror_Unspecified, "ok"};
  };
  if (heif_context_write(ctx, &writer, &out).code != heif_error_Ok) Die("libheif write failed");
  heif_image_release(image);
  heif_encoder_release(encoder);
  heif_context_free(ctx);
  return out;
}

}  // namespace imagemill::testing
