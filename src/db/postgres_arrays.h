// PostgreSQL array literals for statement parameters: a whole batch's rows travel as a few array
// parameters and unnest() into one INSERT or UPDATE, one round trip instead of one per row.
// Written by hand because libpqxx 6.4 converts no container to an array parameter.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace imagemill::pg {

// Builds "{...}" literals element by element.
class ArrayLiteral {
 public:
  // A text element, double-quoted with backslashes and quotes escaped. REQUIRES: no NUL byte
  // (PostgreSQL text holds none).
  ArrayLiteral& Text(std::string_view v);
  ArrayLiteral& Int(int64_t v);
  ArrayLiteral& Double(double v);
  ArrayLiteral& Bool(bool v);
  // SQL NULL.
  ArrayLiteral& Null();
  // Bytes as a hex text element, for decode(x, 'hex') on the server.
  ArrayLiteral& Hex(std::string_view bytes);
  // The literal, "{}" when empty.
  std::string str() const { return body_.empty() ? "{}" : "{" + body_ + "}"; }
  size_t size() const { return count_; }

 private:
  void Separate();
  std::string body_;
  size_t count_ = 0;
};

}  // namespace imagemill::pg
