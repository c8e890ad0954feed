#include "util/base64.h"

#include <array>

namespace imagemill {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

const std::array<int, 256>& Table() {
  static const std::array<int, 256> table = [] {
    std::array<int, 256> t{};
    t.fill(-1);
    for (int k = 0; k < 64; ++k) t[static_cast<unsigned char>(kAlphabet[k])] = k;
    return t;
  }();
  return table;
}

}  // namespace

std::string Base64DecodeLenient(std::string_view in) {
  const auto& table = Table();
  std::string out;
  out.reserve(in.size() / 4 * 3);
  int bits = 0;
  int value = 0;
  for (unsigned char c : in) {
    if (table[c] < 0) continue;
    value = ((value << 6) | table[c]) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((value >> bits) & 0xff));
    }
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view in) {
  if (in.size() % 4 != 0) return std::nullopt;
  size_t pad = 0;
  if (!in.empty() && in.back() == '=') pad = in.size() >= 2 && in[in.size() - 2] == '=' ? 2 : 1;
  const auto& table = Table();
  std::string out(in.size() / 4 * 3, '\0');
  char* o = out.data();
  const unsigned char* p = reinterpret_cast<const unsigned char*>(in.data());
  const size_t full = in.size() - (pad > 0 ? 4 : 0);  // groups without padding
  for (size_t i = 0; i < full; i += 4, o += 3) {
    const int a = table[p[i]], b = table[p[i + 1]], c = table[p[i + 2]], d = table[p[i + 3]];
    if ((a | b | c | d) < 0) return std::nullopt;
    const unsigned v = (unsigned(a) << 18) | (unsigned(b) << 12) | (unsigned(c) << 6) | unsigned(d);
    o[0] = static_cast<char>(v >> 16);
    o[1] = static_cast<char>(v >> 8);
    o[2] = static_cast<char>(v);
  }
  if (pad > 0) {
    const size_t i = full;
    const int a = table[p[i]], b = table[p[i + 1]];
    const int c = pad == 1 ? table[p[i + 2]] : 0;
    if ((a | b | c) < 0) return std::nullopt;
    const unsigned v = (unsigned(a) << 18) | (unsigned(b) << 12) | (unsigned(c) << 6);
    o[0] = static_cast<char>(v >> 16);
    if (pad == 1) o[1] = static_cast<char>(v >> 8);
    out.resize(out.size() - pad);
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                 (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace imagemill
