// A fresh folder under the system temp directory, removed with its contents on destruction.
#pragma once

#include <filesystem>
#include <string>

namespace imagemill::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Writes `bytes` to path()/rel, creating folders on the way.
  void Write(const std::string& rel, const std::string& bytes) const;

 private:
  std::string path_;
};

}  // namespace imagemill::testing
