#include "objectstore/object_store.h"

#include "objectstore/local_store.h"
#include "objectstore/memory_store.h"
#include "objectstore/s3_store.h"

namespace imagemill {

Result<StoreLocation> ParseStoreUri(std::string_view uri) {
  if (uri.empty()) return Status::InvalidArgument("empty store URI: give a folder or s3://bucket");
  if (uri.starts_with("s3://")) {
    std::string_view rest = uri.substr(5);
    size_t slash = rest.find('/');
    std::string bucket(rest.substr(0, slash));
    if (bucket.empty()) {
      return Status::InvalidArgument(std::string(uri) + ": no bucket name (write s3://bucket/prefix)");
    }
    std::string prefix = slash == std::string_view::npos ? "" : std::string(rest.substr(slash + 1));
    return StoreLocation{"s3://" + bucket, prefix};
  }
  if (uri.starts_with("mem://")) return StoreLocation{std::string(uri), ""};
  if (uri.starts_with("file://")) {
    std::string_view path = uri.substr(7);
    if (!path.starts_with("/")) {
      return Status::InvalidArgument(std::string(uri) +
                                     ": file:// URIs need an absolute path (file:///srv/photos)");
    }
    return StoreLocation{std::string(path), ""};
  }
  if (uri.find("://") != std::string_view::npos) {
    return Status::InvalidArgument(std::string(uri) +
                                   ": unknown scheme (imagemill reads folders and s3:// buckets)");
  }
  return StoreLocation{std::string(uri), ""};
}

Result<std::unique_ptr<ObjectStore>> OpenObjectStore(std::string_view uri,
                                                     const StoreOptions& options) {
  Result<StoreLocation> loc = ParseStoreUri(uri);
  if (!loc.ok()) return loc.status();
  const std::string& where = loc->store_uri;
  if (where.starts_with("mem://")) return MemoryStore::Shared(where);
  if (where.starts_with("s3://")) {
    Result<std::unique_ptr<S3Store>> s3 = S3Store::Open(where.substr(5), options);
    if (!s3.ok()) return s3.status();
    return std::unique_ptr<ObjectStore>(std::move(*s3));
  }
  return LocalStore::Open(where, options.create_if_missing);
}

}  // namespace imagemill
