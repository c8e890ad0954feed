// Percent-decoding (RFC 3986): every "%XX" with two hex digits becomes that byte; anything else,
// including a '%' not followed by two hex digits and '+', is kept as it is. Never fails.
#pragma once

#include <string>
#include <string_view>

namespace imagemill {

std::string PercentDecode(std::string_view s);

}  // namespace imagemill
