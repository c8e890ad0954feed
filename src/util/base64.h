// Base64 (RFC 4648, standard alphabet), as AWS's JSON protocols carry blobs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace imagemill {

// Lenient: skips every character outside the alphabet ('=' padding, whitespace).
std::string Base64DecodeLenient(std::string_view in);

// Strict: the standard alphabet with '=' padding to a multiple of 4 characters and nothing
// else; nullopt for anything that is not such text.
std::optional<std::string> Base64Decode(std::string_view in);

std::string Base64Encode(std::string_view bytes);

}  // namespace imagemill
