#include "model/npy.h"

#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <vector>

namespace imagemill::model {

Result<cv::Mat> ReadNpy(const std::filesystem::path& path) {
  const std::string file = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(file + ": cannot open the file");
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0) {
    return Status::Corrupt(file + ": not a .npy file");
  }
  uint32_t header_len = 0;
  if (magic[6] == 1) {
    unsigned char b[2];
    in.read(reinterpret_cast<char*>(b), 2);
    header_len = b[0] | (b[1] << 8);
  } else {
    unsigned char b[4];
    in.read(reinterpret_cast<char*>(b), 4);
    header_len = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<uint32_t>(b[3]) << 24);
  }
  std::string header(header_len, '\0');
  if (!in.read(header.data(), header_len)) return Status::Corrupt(file + ": truncated header");
  if (header.find("'descr': '<f4'") == std::string::npos) {
    return Status::Unsupported(file + ": only little-endian float32 ('<f4') arrays are read");
  }
  if (header.find("'fortran_order': False") == std::string::npos) {
    return Status::Unsupported(file + ": only C-order arrays are read");
  }
  std::smatch m;
  if (!std::regex_search(header, m, std::regex(R"('shape':\s*\(([^)]*)\))"))) {
    return Status::Corrupt(file + ": no shape in the header");
  }
  std::vector<int> dims;
  std::stringstream shape(m[1].str());
  std::string item;
  while (std::getline(shape, item, ',')) {
    if (item.find_first_not_of(' ') == std::string::npos) continue;
    dims.push_back(std::stoi(item));
  }
  if (dims.empty()) dims.push_back(1);
  cv::Mat t(static_cast<int>(dims.size()), dims.data(), CV_32F);
  const size_t bytes = t.total() * sizeof(float);
  if (!in.read(reinterpret_cast<char*>(t.data), static_cast<std::streamsize>(bytes))) {
    return Status::Corrupt(file + ": data shorter than the shape says");
  }
  return t;
}

Status WriteNpy(const std::filesystem::path& path, const cv::Mat& tensor) {
  if (tensor.type() != CV_32F || !tensor.isContinuous()) {
    return Status::InvalidArgument(path.string() + ": only continuous float32 tensors are written");
  }
  std::string shape = "(";
  for (int k = 0; k < tensor.dims; ++k) shape += std::to_string(tensor.size[k]) + ",";
  shape += ")";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  // Magic (6) + version (2) + length (2) + header + '\n', padded to a multiple of 64.
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  if (!out) return Status::Io(path.string() + ": cannot create the file");
  out.write("\x93NUMPY\x01\x00", 8);
  const uint16_t len = static_cast<uint16_t>(header.size());
  const char len_bytes[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
  out.write(len_bytes, 2);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(reinterpret_cast<const char*>(tensor.data),
            static_cast<std::streamsize>(tensor.total() * sizeof(float)));
  if (!out) return Status::Io(path.string() + ": write failed");
  return Status::Ok();
}

}  // namespace imagemill::model
