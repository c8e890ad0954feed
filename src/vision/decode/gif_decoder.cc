#include "vision/decode/gif_decoder.h"

#include <gif_lib.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace imagemill::vision {
namespace {

struct GifReader {
  std::string_view bytes;
  size_t pos = 0;
};

int Read(GifFileType* gif, GifByteType* out, int n) {
  auto* r = static_cast<GifReader*>(gif->UserData);
  const size_t take = std::min(static_cast<size_t>(std::max(n, 0)), r->bytes.size() - r->pos);
  std::memcpy(out, r->bytes.data() + r->pos, take);
  r->pos += take;
  return static_cast<int>(take);
}

struct GifCloser {
  void operator()(GifFileType* g) const {
    int error = 0;
    DGifCloseFile(g, &error);
  }
};

std::string GifError(int code) {
  const char* s = GifErrorString(code);
  return s ? s : "error " + std::to_string(code);
}

}  // namespace

Result<cv::Mat> DecodeGif(std::string_view bytes, std::string_view name, const ImageHeader& h) {
  GifReader reader{bytes, 0};
  int error = 0;
  std::unique_ptr<GifFileType, GifCloser> gif(DGifOpen(&reader, Read, &error));
  if (!gif) return CorruptImage(name, h.format, GifError(error));
  auto fail = [&](const std::string& doing) {
    const std::string why = GifError(gif->Error);
    return CorruptImage(name, h.format, doing + " (" + why + ")");
  };
  int transparent = -1;  // from the graphic control extension before the first frame
  for (;;) {
    GifRecordType type = UNDEFINED_RECORD_TYPE;
    if (DGifGetRecordType(gif.get(), &type) == GIF_ERROR) return fail("it ends before a frame");
    if (type == TERMINATE_RECORD_TYPE) return CorruptImage(name, h.format, "it holds no frame");
    if (type == EXTENSION_RECORD_TYPE) {
      int code = 0;
      GifByteType* block = nullptr;
      if (DGifGetExtension(gif.get(), &code, &block) == GIF_ERROR) {
        return fail("damaged extension");
      }
      if (code == GRAPHICS_EXT_FUNC_CODE && block != nullptr && block[0] >= 4 && (block[1] & 1)) {
        transparent = block[4];
      }
      while (block != nullptr) {
        if (DGifGetExtensionNext(gif.get(), &block) == GIF_ERROR) return fail("damaged extension");
      }
      continue;
    }
    if (type != IMAGE_DESC_RECORD_TYPE) continue;
    if (DGifGetImageDesc(gif.get()) == GIF_ERROR) return fail("damaged frame header");
    break;
  }

  const GifImageDesc& d = gif->Image;
  const ColorMapObject* map = d.ColorMap != nullptr ? d.ColorMap : gif->SColorMap;
  if (map == nullptr || map->Colors == nullptr) {
    return CorruptImage(name, h.format, "its first frame has no colour table");
  }
  if (d.Width <= 0 || d.Height <= 0 || d.Left < 0 || d.Top < 0 || d.Left + d.Width > h.width ||
      d.Top + d.Height > h.height) {
    return CorruptImage(name, h.format, "its first frame lies outside its canvas");
  }
  cv::Mat canvas(h.height, h.width, CV_8UC3, cv::Scalar(255, 255, 255));
  std::vector<GifPixelType> line(static_cast<size_t>(d.Width));
  // Interlaced rows arrive in four passes: every 8th from 0, every 8th from 4, every 4th from 2,
  // every 2nd from 1.
  static constexpr int kStart[4] = {0, 4, 2, 1}, kStep[4] = {8, 8, 4, 2};
  const int passes = d.Interlace ? 4 : 1;
  for (int pass = 0; pass < passes; ++pass) {
    const int start = d.Interlace ? kStart[pass] : 0;
    const int step = d.Interlace ? kStep[pass] : 1;
    for (int y = start; y < d.Height; y += step) {
      if (DGifGetLine(gif.get(), line.data(), d.Width) == GIF_ERROR) {
        return fail("its pixel data ends early or is damaged (truncated?)");
      }
      auto* row = canvas.ptr<cv::Vec3b>(d.Top + y) + d.Left;
      for (int x = 0; x < d.Width; ++x) {
        const int index = line[x];
        if (index == transparent || index >= map->ColorCount) continue;
        const GifColorType& c = map->Colors[index];
        row[x] = cv::Vec3b(c.Blue, c.Green, c.Red);
      }
    }
  }
  return canvas;
}

}  // namespace imagemill::vision
