// Text for a terminal: keys shown one per line whatever bytes they hold.
#pragma once

#include <string>
#include <string_view>

namespace imagemill::cli {

// `key` with control characters and backslashes escaped (\n, \t, \\, \xNN), so one key is one
// line of output; printable UTF-8 is left as it is.
std::string EscapeKey(std::string_view key);

}  // namespace imagemill::cli
