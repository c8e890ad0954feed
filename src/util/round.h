// Rounding of the numbers in an answer's JSON, as AWS's services print them.
#pragma once

#include <cmath>

namespace imagemill {

// `v` rounded to 4 decimal places: enough for a confidence or a box ratio, and short JSON.
inline double Round4(double v) { return std::round(v * 1e4) / 1e4; }

}  // namespace imagemill
