#include "events/cidr.h"

#include <arpa/inet.h>

#include <charconv>
#include <string>

namespace imagemill::events {
namespace {

// Parses an IPv4 or IPv6 literal into `bytes`; the family in `v6`. False when it is neither.
bool ParseAddress(std::string_view text, std::array<uint8_t, 16>& bytes, bool& v6) {
  if (text.empty() || text.size() > 64) return false;
  std::string s(text);
  bytes.fill(0);
  if (s.find(':') != std::string::npos) {
    v6 = true;
    return inet_pton(AF_INET6, s.c_str(), bytes.data()) == 1;
  }
  v6 = false;
  return inet_pton(AF_INET, s.c_str(), bytes.data()) == 1;
}

}  // namespace

Result<IpRange> IpRange::Parse(std::string_view cidr) {
  size_t slash = cidr.find('/');
  if (slash == std::string_view::npos || cidr.find('/', slash + 1) != std::string_view::npos) {
    return Status::InvalidArgument("Malformed CIDR, one '/' required");
  }
  std::string_view bits_text = cidr.substr(slash + 1);
  IpRange r;
  auto [end, ec] = std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), r.bits_);
  if (bits_text.empty() || ec != std::errc() || end != bits_text.data() + bits_text.size()) {
    return Status::InvalidArgument("Malformed CIDR, mask bits must be an integer");
  }
  if (r.bits_ < 0) {
    return Status::InvalidArgument("Malformed CIDR, mask bits must not be negative");
  }
  if (!ParseAddress(cidr.substr(0, slash), r.base_, r.v6_)) {
    return Status::InvalidArgument("Invalid IP address: " + std::string(cidr.substr(0, slash)));
  }
  if (!r.v6_ && r.bits_ > 32) return Status::InvalidArgument("IPv4 mask bits must be <= 32");
  if (r.v6_ && r.bits_ > 128) return Status::InvalidArgument("IPv6 mask bits must be <= 128");
  return r;
}

bool IpRange::Contains(std::string_view address) const {
  std::array<uint8_t, 16> bytes;
  bool v6 = false;
  if (!ParseAddress(address, bytes, v6) || v6 != v6_) return false;
  int full = bits_ / 8;
  for (int i = 0; i < full; ++i) {
    if (bytes[i] != base_[i]) return false;
  }
  int rest = bits_ % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (bytes[full] & mask) == (base_[full] & mask);
}

}  // namespace imagemill::events
