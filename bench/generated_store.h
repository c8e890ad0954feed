// GeneratedStore: an object store of `n` generated keys "img/00000000.jpg".. of 16 bytes each,
// listed in key order and never stored: the benchmarks' source when the engine, not the disk or
// the network, is measured. Shared by the benchmark programs (each bench/*.cc is one).
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "objectstore/object_store.h"

namespace imagemill::bench {

class GeneratedStore final : public ObjectStore {
 public:
  explicit GeneratedStore(int64_t n) : n_(n) {}
  // The prefix is ignored: every key is listed.
  Result<ListPage> List(std::string_view, std::string_view after, size_t max) override {
    ListPage page;
    int64_t i = 0;
    if (after.size() == 16) i = std::stoll(std::string(after.substr(4, 8))) + 1;
    for (; i < n_ && page.objects.size() < max; ++i) page.objects.push_back(Info(i));
    page.truncated = i < n_;
    return page;
  }
  Result<std::string> Get(std::string_view, std::optional<ByteRange>) override {
    return std::string(16, 'x');
  }
  Result<ObjectInfo> Head(std::string_view key) override {
    return Info(std::stoll(std::string(key.substr(4, 8))));
  }
  Status Put(std::string_view, std::string_view, std::string_view) override { return Status::Ok(); }
  std::string Uri() const override { return "generated://"; }
  std::string Bucket() const override { return "generated"; }
  // The listing's `i`th object.
  static ObjectInfo Info(int64_t i) {
    char key[32];
    std::snprintf(key, sizeof(key), "img/%08lld.jpg", static_cast<long long>(i));
    return {key, 16, "\"e\"", "2026-01-01T00:00:00.000Z"};
  }

 private:
  int64_t n_;
};

}  // namespace imagemill::bench
