// SHA-256 and HMAC-SHA-256 through OpenSSL, in the forms AWS SigV4 uses them (lowercase hex
// digests, raw HMAC keys), for the S3 client and the server's signature check alike.
#pragma once

#include <string>
#include <string_view>

namespace imagemill {

// The SHA-256 digest of `bytes`, as 64 lowercase hex digits.
std::string Sha256Hex(std::string_view bytes);

// HMAC-SHA-256 of `data` under `key`: 32 raw bytes.
std::string HmacSha256(std::string_view key, std::string_view data);

// `bytes` as lowercase hex, two digits a byte.
std::string HexLower(std::string_view bytes);

// True when `a` and `b` are equal, in time that depends only on their lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace imagemill
