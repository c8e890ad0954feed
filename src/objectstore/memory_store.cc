#include "objectstore/memory_store.h"

#include <algorithm>
#include <unordered_map>

#include "util/clock.h"

namespace imagemill {
namespace {

std::mutex& RegistryMutex() {
  static std::mutex mu;
  return mu;
}

}  // namespace

MemoryStore::MemoryStore(std::string name) : bucket_(std::make_shared<Space>()) {
  bucket_->name = std::move(name);
}

std::unique_ptr<ObjectStore> MemoryStore::Shared(const std::string& uri) {
  // Buckets live for the whole process, as a server's would.
  static auto* registry = new std::unordered_map<std::string, std::shared_ptr<Space>>();
  std::lock_guard<std::mutex> lock(RegistryMutex());
  std::shared_ptr<Space>& bucket = (*registry)[uri];
  if (!bucket) {
    bucket = std::make_shared<Space>();
    bucket->name = uri;
  }
  return std::unique_ptr<ObjectStore>(new MemoryStore(bucket));
}

std::string MemoryStore::Uri() const { return bucket_->name; }
std::string MemoryStore::Bucket() const { return bucket_->name; }

Result<ListPage> MemoryStore::List(std::string_view prefix, std::string_view start_after,
                                   size_t max_keys) {
  if (max_keys == 0 || max_keys > 1000) {
    return Status::InvalidArgument("list: max_keys must be between 1 and 1000");
  }
  std::lock_guard<std::mutex> lock(bucket_->mu);
  ListPage page;
  auto it = start_after < prefix ? bucket_->objects.lower_bound(prefix)
                                 : bucket_->objects.upper_bound(start_after);
  for (; it != bucket_->objects.end() && it->first.starts_with(prefix); ++it) {
    if (page.objects.size() == max_keys) {
      page.truncated = true;
      break;
    }
    page.objects.push_back(it->second.info);
  }
  return page;
}

Result<std::string> MemoryStore::Get(std::string_view key, std::optional<ByteRange> range) {
  std::lock_guard<std::mutex> lock(bucket_->mu);
  auto it = bucket_->objects.find(key);
  if (it == bucket_->objects.end()) {
    return Status::NotFound(Uri() + "/" + std::string(key) + ": no such key");
  }
  const std::string& bytes = it->second.bytes;
  if (!range) return bytes;
  uint64_t offset = std::min<uint64_t>(range->offset, bytes.size());
  return bytes.substr(offset, std::min<uint64_t>(range->length, bytes.size() - offset));
}

Result<ObjectInfo> MemoryStore::Head(std::string_view key) {
  std::lock_guard<std::mutex> lock(bucket_->mu);
  auto it = bucket_->objects.find(key);
  if (it == bucket_->objects.end()) {
    return Status::NotFound(Uri() + "/" + std::string(key) + ": no such key");
  }
  return it->second.info;
}

Status MemoryStore::Put(std::string_view key, std::string_view bytes, std::string_view) {
  if (key.empty()) return Status::InvalidArgument(Uri() + ": empty key");
  std::lock_guard<std::mutex> lock(bucket_->mu);
  Object obj;
  obj.bytes = std::string(bytes);
  obj.info.key = std::string(key);
  obj.info.size = bytes.size();
  obj.info.etag = "\"v" + std::to_string(++bucket_->version) + "\"";
  obj.info.last_modified = FormatIso8601(Clock::Real().Now());
  bucket_->objects.insert_or_assign(std::string(key), std::move(obj));
  return Status::Ok();
}

Status MemoryStore::Delete(std::string_view key) {
  std::lock_guard<std::mutex> lock(bucket_->mu);
  auto it = bucket_->objects.find(key);
  if (it == bucket_->objects.end()) {
    return Status::NotFound(Uri() + "/" + std::string(key) + ": no such key");
  }
  bucket_->objects.erase(it);
  return Status::Ok();
}

size_t MemoryStore::size() const {
  std::lock_guard<std::mutex> lock(bucket_->mu);
  return bucket_->objects.size();
}

}  // namespace imagemill
