#include "db/postgres_arrays.h"

#include <charconv>

namespace imagemill::pg {

void ArrayLiteral::Separate() {
  if (count_++ > 0) body_ += ',';
}

ArrayLiteral& ArrayLiteral::Text(std::string_view v) {
  Separate();
  body_ += '"';
  for (char c : v) {
    if (c == '"' || c == '\\') body_ += '\\';
    body_ += c;
  }
  body_ += '"';
  return *this;
}

ArrayLiteral& ArrayLiteral::Int(int64_t v) {
  Separate();
  body_ += std::to_string(v);
  return *this;
}

ArrayLiteral& ArrayLiteral::Double(double v) {
  Separate();
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  body_.append(buf, end);
  return *this;
}

ArrayLiteral& ArrayLiteral::Bool(bool v) {
  Separate();
  body_ += v ? 't' : 'f';
  return *this;
}

ArrayLiteral& ArrayLiteral::Null() {
  Separate();
  body_ += "NULL";
  return *this;
}

ArrayLiteral& ArrayLiteral::Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  Separate();
  if (bytes.empty()) {
    body_ += "\"\"";  // an empty element, not none
    return *this;
  }
  body_.reserve(body_.size() + bytes.size() * 2);
  for (unsigned char c : bytes) {
    body_ += kDigits[c >> 4];
    body_ += kDigits[c & 15];
  }
  return *this;
}

}  // namespace imagemill::pg
