// MemoryStore: a bucket in memory, for tests and benchmarks. `mem://name` URIs open views of a
// process-wide named bucket, so a test can fill it and then point the CLI code at it.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "objectstore/object_store.h"

namespace imagemill {

class MemoryStore final : public ObjectStore {
 public:
  explicit MemoryStore(std::string name = "mem://");

  // A view of the process-wide bucket named `uri` ("mem://photos"), created empty on first use.
  static std::unique_ptr<ObjectStore> Shared(const std::string& uri);

  Result<ListPage> List(std::string_view prefix, std::string_view start_after,
                        size_t max_keys) override;
  Result<std::string> Get(std::string_view key, std::optional<ByteRange> range) override;
  Result<ObjectInfo> Head(std::string_view key) override;
  Status Put(std::string_view key, std::string_view bytes, std::string_view content_type) override;
  std::string Uri() const override;
  std::string Bucket() const override;

  // Removes `key`; NotFound if absent.
  Status Delete(std::string_view key);
  size_t size() const;

 private:
  struct Object {
    std::string bytes;
    ObjectInfo info;
  };
  struct Space {
    std::string name;
    mutable std::mutex mu;
    std::map<std::string, Object, std::less<>> objects;  // guarded by mu
    uint64_t version = 0;                                // guarded by mu
  };
  explicit MemoryStore(std::shared_ptr<Space> bucket) : bucket_(std::move(bucket)) {}

  std::shared_ptr<Space> bucket_;
};

}  // namespace imagemill
