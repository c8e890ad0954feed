// ObjectStore: the one interface between imagemill and where images (and result files) live.
//
// A store is a flat namespace of keys, as in S3: a local folder is a bucket whose keys are the
// relative paths of its files joined with '/'. Backends are chosen by URI scheme (OpenObjectStore):
// `/path`, `./path`, `file:///path` -> LocalStore; `s3://bucket` -> S3Store; `mem://` -> MemoryStore.
// Tests wrap a real store in FaultyStore to inject errors and latency.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace imagemill {

// One listed object, as ListObjectsV2 describes it.
struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  std::string etag;           // opaque; changes when the content changes (quoted, as S3 sends it)
  std::string last_modified;  // ISO 8601, UTC
};

struct ListPage {
  std::vector<ObjectInfo> objects;  // in UTF-8 byte order of key
  bool truncated = false;           // more keys follow the last one in `objects`
};

// Half-open byte range [offset, offset + length).
struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;
};

// Contract for every backend:
// - Thread-safe: any method may be called from any thread at the same time.
// - Errors are values naming the object: NotFound for a missing key, Throttled or Io for
//   transient failures (the caller retries), PermissionDenied for refused credentials.
class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // Keys that start with `prefix` (a plain string prefix, not a folder: "sample" matches
  // "sample/a.jpg" and "samples.jpg") and sort strictly after `start_after` (empty: from the
  // first), in UTF-8 byte order, at most `max_keys` of them (1 <= max_keys <= 1000).
  // Listing page after page, each starting after the last key of the one before, visits every
  // key once. Cheap to continue from the previous page's last key; any other start_after works too.
  virtual Result<ListPage> List(std::string_view prefix, std::string_view start_after,
                                size_t max_keys) = 0;

  // The object's bytes, or the bytes in `range` (clamped to the object's end).
  virtual Result<std::string> Get(std::string_view key,
                                  std::optional<ByteRange> range = std::nullopt) = 0;

  // The object's listing entry without its bytes.
  virtual Result<ObjectInfo> Head(std::string_view key) = 0;

  // Creates or replaces the object.
  virtual Status Put(std::string_view key, std::string_view bytes,
                     std::string_view content_type = "application/octet-stream") = 0;

  // Where the store lives, for messages and records: "/srv/photos", "s3://bucket".
  virtual std::string Uri() const = 0;

  // The bucket name in DynamoDB/S3 terms: an S3 bucket's name, a folder's absolute path.
  virtual std::string Bucket() const = 0;
};

// Settings a backend may need; each backend reads what applies to it.
struct StoreOptions {
  // S3-compatible stores (see storage/s3_store.h): explicit endpoint, else from the environment.
  std::string endpoint_url;
  std::string region;
  std::string profile;
  enum class Addressing { kAuto, kPath, kVirtual } addressing = Addressing::kAuto;
  int connect_timeout_ms = 5000;
  int request_timeout_ms = 60000;
  // Get refuses an object (or range) larger than this with TooLarge, so one huge object cannot
  // exhaust memory; 0: no limit. Read by S3Store (Rekognition's limit for S3 images is 15 MB).
  uint64_t max_object_bytes = 0;
  // Create a missing folder / refuse nothing: used for result-writer destinations.
  bool create_if_missing = false;
};

// A store URI split into the store's location and the key prefix inside it:
// "s3://bucket/some/prefix" -> {"s3://bucket", "some/prefix"}; a folder has no prefix part.
struct StoreLocation {
  std::string store_uri;
  std::string prefix;
};
Result<StoreLocation> ParseStoreUri(std::string_view uri);

// Opens the store `uri` names (see the scheme list above). Errors say what is wrong with the URI
// or why the store cannot be reached (missing folder, unknown scheme).
Result<std::unique_ptr<ObjectStore>> OpenObjectStore(std::string_view uri,
                                                     const StoreOptions& options = {});

}  // namespace imagemill
