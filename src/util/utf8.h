// UTF-8: writing a code point, and reading one back. Pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace imagemill {

// Appends `cp` (at most 0x10FFFF) to `out` as UTF-8.
void AppendUtf8(uint32_t cp, std::string& out);

// Reads the UTF-8 sequence at s[i] into `cp`; returns its length in bytes, or 0 when s[i] does
// not start a well-formed sequence. REQUIRES: i < s.size().
size_t DecodeUtf8(std::string_view s, size_t i, uint32_t& cp);

}  // namespace imagemill
