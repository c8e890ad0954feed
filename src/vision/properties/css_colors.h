// Naming a colour: the nearest CSS named colour, and its simplified colour.
//
// Rekognition's DominantColor has a CSSColor (a CSS named colour) and a SimplifiedColor ("one of 12
// simplified color names"; AWS does not publish the list). imagemill's twelve are black, white,
// gray, red, pink, orange, yellow, brown, green, teal, blue and purple: the colour families into
// which colour references group the CSS names (e.g. W3Schools' "colors by group"), with black
// split from the grays, and the slate blues counted as blue (as their names say). The simplified
// colour is the family of the nearest CSS colour, so the two fields never disagree.
#pragma once

#include <string_view>

namespace imagemill::vision {

struct NamedColor {
  std::string_view css;         // "darkolivegreen"
  std::string_view simplified;  // "green"
};

// The CSS named colour nearest to sRGB (r, g, b) by the CIE94 colour difference (CIELAB, D65), and
// its simplified colour. Neutral colours (CIELAB chroma below 10) are named among the CSS colours
// of the black, gray and white families and colourful ones among the others, so that a dull brown
// is not called "dimgray" nor a gray "rosybrown". Duplicate CSS names are reported once: "gray"
// (not "grey"), "cyan" (not "aqua"), "magenta" (not "fuchsia"). Thread-safe.
NamedColor NearestNamedColor(int r, int g, int b);

// CIELAB (D65) of an sRGB colour, each channel 0..255. Thread-safe.
struct Lab {
  float l, a, b;
};
Lab SrgbToLab(int r, int g, int b);

}  // namespace imagemill::vision
