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

PackedBytes& PackedBytes::Add(std::string_view bytes) {
  offsets_.Int(static_cast<int64_t>(data_.size()) + 1);
  lengths_.Int(static_cast<int64_t>(bytes.size()));
  data_.append(bytes);
  return *this;
}

}  // namespace imagemill::pg
