// Key ranges for prefix scans, as S3 compares keys: by their bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace imagemill {

// The least string greater than every string that starts with `prefix`; nullopt when there is
// none (an empty prefix, or one of 0xff bytes only).
std::optional<std::string> PrefixEnd(std::string_view prefix);

}  // namespace imagemill
