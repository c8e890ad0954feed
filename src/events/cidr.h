// IP address ranges for the "cidr" match of event patterns: IPv4 ("10.0.0.0/24") and IPv6
// ("2001:db8::/32"). Pure and thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "util/status.h"

namespace imagemill::events {

class IpRange {
 public:
  // InvalidArgument saying what is wrong with `cidr`: no '/', mask bits that are not a number or
  // are too many for the address family, or an address that is not one.
  static Result<IpRange> Parse(std::string_view cidr);

  // True when `address` is an IP address of the same family inside the range.
  bool Contains(std::string_view address) const;

 private:
  bool v6_ = false;
  int bits_ = 0;
  std::array<uint8_t, 16> base_{};
};

}  // namespace imagemill::events
