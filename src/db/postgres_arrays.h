// PostgreSQL array literals for statement parameters: a whole batch's rows travel as a few array
// parameters and unnest() into one INSERT or UPDATE, one round trip instead of one per row.
// Written by hand because libpqxx 6.4 converts no container to an array parameter.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/binarystring>

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
  // The literal, "{}" when empty.
  std::string str() const { return body_.empty() ? "{}" : "{" + body_ + "}"; }
  size_t size() const { return count_; }

 private:
  void Separate();
  std::string body_;
  size_t count_ = 0;
};

// Byte strings packed into one bytea parameter with their 1-based offsets and lengths as int[]
// literals: libpqxx sends a pqxx::binarystring in binary, so the bytes are neither hex-encoded
// nor parsed as array text. On the server, element i is substring(blob FROM offsets[i] FOR
// lengths[i]).
class PackedBytes {
 public:
  PackedBytes& Add(std::string_view bytes);
  pqxx::binarystring blob() const { return pqxx::binarystring(data_.data(), data_.size()); }
  std::string offsets() const { return offsets_.str(); }
  std::string lengths() const { return lengths_.str(); }

 private:
  std::string data_;
  ArrayLiteral offsets_, lengths_;
};

}  // namespace imagemill::pg
