#include "vision/properties/css_colors.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace imagemill::vision {
namespace {

struct CssColor {
  std::string_view name;
  uint32_t rgb;  // 0xRRGGBB
  std::string_view simplified;
};

// The CSS Color Module Level 4 named colours, without the duplicate spellings.
constexpr CssColor kCssColors[] = {
    {"aliceblue", 0xf0f8ff, "white"},
    {"antiquewhite", 0xfaebd7, "white"},
    {"aquamarine", 0x7fffd4, "teal"},
    {"azure", 0xf0ffff, "white"},
    {"beige", 0xf5f5dc, "white"},
    {"bisque", 0xffe4c4, "brown"},
    {"black", 0x000000, "black"},
    {"blanchedalmond", 0xffebcd, "brown"},
    {"blue", 0x0000ff, "blue"},
    {"blueviolet", 0x8a2be2, "purple"},
    {"brown", 0xa52a2a, "brown"},
    {"burlywood", 0xdeb887, "brown"},
    {"cadetblue", 0x5f9ea0, "blue"},
    {"chartreuse", 0x7fff00, "green"},
    {"chocolate", 0xd2691e, "brown"},
    {"coral", 0xff7f50, "orange"},
    {"cornflowerblue", 0x6495ed, "blue"},
    {"cornsilk", 0xfff8dc, "brown"},
    {"crimson", 0xdc143c, "red"},
    {"cyan", 0x00ffff, "teal"},
    {"darkblue", 0x00008b, "blue"},
    {"darkcyan", 0x008b8b, "teal"},
    {"darkgoldenrod", 0xb8860b, "brown"},
    {"darkgray", 0xa9a9a9, "gray"},
    {"darkgreen", 0x006400, "green"},
    {"darkkhaki", 0xbdb76b, "yellow"},
    {"darkmagenta", 0x8b008b, "purple"},
    {"darkolivegreen", 0x556b2f, "green"},
    {"darkorange", 0xff8c00, "orange"},
    {"darkorchid", 0x9932cc, "purple"},
    {"darkred", 0x8b0000, "red"},
    {"darksalmon", 0xe9967a, "red"},
    {"darkseagreen", 0x8fbc8f, "green"},
    {"darkslateblue", 0x483d8b, "blue"},
    {"darkslategray", 0x2f4f4f, "gray"},
    {"darkturquoise", 0x00ced1, "teal"},
    {"darkviolet", 0x9400d3, "purple"},
    {"deeppink", 0xff1493, "pink"},
    {"deepskyblue", 0x00bfff, "blue"},
    {"dimgray", 0x696969, "gray"},
    {"dodgerblue", 0x1e90ff, "blue"},
    {"firebrick", 0xb22222, "red"},
    {"floralwhite", 0xfffaf0, "white"},
    {"forestgreen", 0x228b22, "green"},
    {"gainsboro", 0xdcdcdc, "gray"},
    {"ghostwhite", 0xf8f8ff, "white"},
    {"gold", 0xffd700, "yellow"},
    {"goldenrod", 0xdaa520, "brown"},
    {"gray", 0x808080, "gray"},
    {"green", 0x008000, "green"},
    {"greenyellow", 0xadff2f, "green"},
    {"honeydew", 0xf0fff0, "white"},
    {"hotpink", 0xff69b4, "pink"},
    {"indianred", 0xcd5c5c, "red"},
    {"indigo", 0x4b0082, "purple"},
    {"ivory", 0xfffff0, "white"},
    {"khaki", 0xf0e68c, "yellow"},
    {"lavender", 0xe6e6fa, "purple"},
    {"lavenderblush", 0xfff0f5, "white"},
    {"lawngreen", 0x7cfc00, "green"},
    {"lemonchiffon", 0xfffacd, "yellow"},
    {"lightblue", 0xadd8e6, "blue"},
    {"lightcoral", 0xf08080, "red"},
    {"lightcyan", 0xe0ffff, "teal"},
    {"lightgoldenrodyellow", 0xfafad2, "yellow"},
    {"lightgray", 0xd3d3d3, "gray"},
    {"lightgreen", 0x90ee90, "green"},
    {"lightpink", 0xffb6c1, "pink"},
    {"lightsalmon", 0xffa07a, "orange"},
    {"lightseagreen", 0x20b2aa, "teal"},
    {"lightskyblue", 0x87cefa, "blue"},
    {"lightslategray", 0x778899, "gray"},
    {"lightsteelblue", 0xb0c4de, "blue"},
    {"lightyellow", 0xffffe0, "yellow"},
    {"lime", 0x00ff00, "green"},
    {"limegreen", 0x32cd32, "green"},
    {"linen", 0xfaf0e6, "white"},
    {"magenta", 0xff00ff, "purple"},
    {"maroon", 0x800000, "red"},
    {"mediumaquamarine", 0x66cdaa, "green"},
    {"mediumblue", 0x0000cd, "blue"},
    {"mediumorchid", 0xba55d3, "purple"},
    {"mediumpurple", 0x9370db, "purple"},
    {"mediumseagreen", 0x3cb371, "green"},
    {"mediumslateblue", 0x7b68ee, "blue"},
    {"mediumspringgreen", 0x00fa9a, "green"},
    {"mediumturquoise", 0x48d1cc, "teal"},
    {"mediumvioletred", 0xc71585, "pink"},
    {"midnightblue", 0x191970, "blue"},
    {"mintcream", 0xf5fffa, "white"},
    {"mistyrose", 0xffe4e1, "white"},
    {"moccasin", 0xffe4b5, "yellow"},
    {"navajowhite", 0xffdead, "brown"},
    {"navy", 0x000080, "blue"},
    {"oldlace", 0xfdf5e6, "white"},
    {"olive", 0x808000, "green"},
    {"olivedrab", 0x6b8e23, "green"},
    {"orange", 0xffa500, "orange"},
    {"orangered", 0xff4500, "orange"},
    {"orchid", 0xda70d6, "purple"},
    {"palegoldenrod", 0xeee8aa, "yellow"},
    {"palegreen", 0x98fb98, "green"},
    {"paleturquoise", 0xafeeee, "teal"},
    {"palevioletred", 0xdb7093, "pink"},
    {"papayawhip", 0xffefd5, "yellow"},
    {"peachpuff", 0xffdab9, "yellow"},
    {"peru", 0xcd853f, "brown"},
    {"pink", 0xffc0cb, "pink"},
    {"plum", 0xdda0dd, "purple"},
    {"powderblue", 0xb0e0e6, "blue"},
    {"purple", 0x800080, "purple"},
    {"rebeccapurple", 0x663399, "purple"},
    {"red", 0xff0000, "red"},
    {"rosybrown", 0xbc8f8f, "brown"},
    {"royalblue", 0x4169e1, "blue"},
    {"saddlebrown", 0x8b4513, "brown"},
    {"salmon", 0xfa8072, "red"},
    {"sandybrown", 0xf4a460, "brown"},
    {"seagreen", 0x2e8b57, "green"},
    {"seashell", 0xfff5ee, "white"},
    {"sienna", 0xa0522d, "brown"},
    {"silver", 0xc0c0c0, "gray"},
    {"skyblue", 0x87ceeb, "blue"},
    {"slateblue", 0x6a5acd, "blue"},
    {"slategray", 0x708090, "gray"},
    {"snow", 0xfffafa, "white"},
    {"springgreen", 0x00ff7f, "green"},
    {"steelblue", 0x4682b4, "blue"},
    {"tan", 0xd2b48c, "brown"},
    {"teal", 0x008080, "teal"},
    {"thistle", 0xd8bfd8, "purple"},
    {"tomato", 0xff6347, "orange"},
    {"turquoise", 0x40e0d0, "teal"},
    {"violet", 0xee82ee, "purple"},
    {"wheat", 0xf5deb3, "brown"},
    {"white", 0xffffff, "white"},
    {"whitesmoke", 0xf5f5f5, "white"},
    {"yellow", 0xffff00, "yellow"},
    {"yellowgreen", 0x9acd32, "green"},
};

float SrgbToLinear(int v) {
  const float c = static_cast<float>(v) / 255.0f;
  return c <= 0.04045f ? c / 12.92f : std::pow((c + 0.055f) / 1.055f, 2.4f);
}

float LabF(float t) {
  constexpr float kDelta = 6.0f / 29.0f;
  return t > kDelta * kDelta * kDelta ? std::cbrt(t) : t / (3 * kDelta * kDelta) + 4.0f / 29.0f;
}

// Colours with a CIELAB chroma below this are named among the neutral CSS colours (the black,
// gray and white families), the others among the rest: the CSS list has few dull mid-tones, and a
// plainly brown (109, 77, 57) is otherwise nearest to "dimgray".
constexpr float kNeutralChroma = 10.0f;

float Chroma(const Lab& c) { return std::sqrt(c.a * c.a + c.b * c.b); }

// CIE94 colour difference (graphic-arts weights), squared, with `ref` as the reference colour.
// Unlike Euclidean Lab distance it discounts chroma differences among saturated colours, which
// keeps a dull brown nearer "saddlebrown" than "darkolivegreen".
float DeltaE94Squared(const Lab& ref, const Lab& c) {
  const float c1 = Chroma(ref), c2 = Chroma(c);
  const float dl = ref.l - c.l, dc = c1 - c2, da = ref.a - c.a, db = ref.b - c.b;
  const float dh2 = std::max(0.0f, da * da + db * db - dc * dc);
  const float sc = 1.0f + 0.045f * c1, sh = 1.0f + 0.015f * c1;
  return dl * dl + (dc * dc) / (sc * sc) + dh2 / (sh * sh);
}

bool IsNeutralFamily(std::string_view simplified) {
  return simplified == "black" || simplified == "gray" || simplified == "white";
}

const std::vector<Lab>& CssLab() {
  static const std::vector<Lab> table = [] {
    std::vector<Lab> t;
    for (const CssColor& c : kCssColors) {
      t.push_back(SrgbToLab(c.rgb >> 16, (c.rgb >> 8) & 0xFF, c.rgb & 0xFF));
    }
    return t;
  }();
  return table;
}

}  // namespace

Lab SrgbToLab(int r, int g, int b) {
  const float lr = SrgbToLinear(r), lg = SrgbToLinear(g), lb = SrgbToLinear(b);
  // sRGB (D65) to XYZ, normalised by the D65 white point.
  const float x = (0.4124564f * lr + 0.3575761f * lg + 0.1804375f * lb) / 0.95047f;
  const float y = 0.2126729f * lr + 0.7151522f * lg + 0.0721750f * lb;
  const float z = (0.0193339f * lr + 0.1191920f * lg + 0.9503041f * lb) / 1.08883f;
  const float fx = LabF(x), fy = LabF(y), fz = LabF(z);
  return {116.0f * fy - 16.0f, 500.0f * (fx - fy), 200.0f * (fy - fz)};
}

NamedColor NearestNamedColor(int r, int g, int b) {
  const Lab q = SrgbToLab(r, g, b);
  const bool neutral = Chroma(q) < kNeutralChroma;
  const std::vector<Lab>& table = CssLab();
  size_t best = 0;
  float best_d = std::numeric_limits<float>::max();
  for (size_t i = 0; i < table.size(); ++i) {
    if (IsNeutralFamily(kCssColors[i].simplified) != neutral) continue;
    const float d = DeltaE94Squared(table[i], q);
    if (d < best_d) {
      best_d = d;
      best = i;
    }
  }
  return {kCssColors[best].name, kCssColors[best].simplified};
}

}  // namespace imagemill::vision
