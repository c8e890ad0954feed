// LocalStore: a folder on disk seen as a bucket. Keys are paths relative to the folder, joined
// with '/'. Listing walks the tree in key byte order without reading it all first: it holds one
// sorted directory per level of depth, never the whole listing.
//
// Only what lies under the folder is read: a symbolic link whose target is inside the folder is
// followed (links to folders are not: they could loop), one that leads out of it is neither listed
// nor read. Only regular files are objects: a named pipe, socket or device is never opened for
// reading (a pipe would block), and one that replaces a listed file is an item error.
#pragma once

#include <sys/stat.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "objectstore/object_store.h"

namespace imagemill {

class LocalStore final : public ObjectStore {
 public:
  // Opens the folder `root` (relative paths are resolved against the working directory).
  // NotFound when it does not exist (unless create_if_missing), InvalidArgument when it is a file.
  static Result<std::unique_ptr<ObjectStore>> Open(const std::string& root, bool create_if_missing);
  ~LocalStore() override;
  LocalStore(const LocalStore&) = delete;
  LocalStore& operator=(const LocalStore&) = delete;

  Result<ListPage> List(std::string_view prefix, std::string_view start_after,
                        size_t max_keys) override;
  Result<std::string> Get(std::string_view key, std::optional<ByteRange> range) override;
  Result<ObjectInfo> Head(std::string_view key) override;
  Status Put(std::string_view key, std::string_view bytes, std::string_view content_type) override;
  std::string Uri() const override { return root_.empty() ? "/" : root_; }
  std::string Bucket() const override { return Uri(); }

 private:
  LocalStore(std::string root, std::string real, int root_fd)
      : root_(std::move(root)), real_(std::move(real)), root_fd_(root_fd) {}

  struct Entry {
    std::string name;  // a folder's name ends in '/', so entries sort in key byte order
    bool is_dir = false;
  };
  // One directory being walked: its key prefix ("" or "a/b/"), sorted entries, next index.
  struct Level {
    std::string key_prefix;
    std::vector<Entry> entries;
    size_t next = 0;
  };

  // Rebuilds walk_ so that it yields the first key > start_after under prefix.
  void Seek(std::string_view prefix, std::string_view start_after);
  void PushDirectory(const std::string& key_prefix, std::string_view prefix,
                     std::string_view start_after);
  // The absolute path for `key`, or InvalidArgument for keys that would leave the folder.
  Result<std::string> PathFor(std::string_view key) const;
  // Whether the link `rel` (relative to the folder) resolves to a regular file inside it.
  bool LinkStaysInside(const std::string& rel, struct stat* target) const;

  const std::string root_;  // absolute, without a trailing '/'
  const std::string real_;  // root_ with every link in it resolved
  // The folder, opened once: files are opened and stat'ed relative to it, so the kernel walks
  // only the key's own path components (a deep root costs nothing per object).
  const int root_fd_;

  std::mutex mu_;
  // The walk that produced the last page, so the next page continues it.
  std::vector<Level> walk_;    // guarded by mu_
  std::string walk_prefix_;    // guarded by mu_
  std::string walk_last_key_;  // guarded by mu_
  bool walk_valid_ = false;    // guarded by mu_
};

// The ETag imagemill gives a local file: changes whenever its size, modification time, status
// change time or inode does. A rewrite that keeps the size and sets the old modification time back
// still changes the status change time, which no program can set; the price is that a chmod or
// a new hard link makes the file look changed too. Exposed for tests.
std::string LocalEtag(uint64_t size, int64_t mtime_ns, int64_t ctime_ns, uint64_t inode);

// Opens `rel` under the folder `dir_fd` (whose real path is `dir_real`) for reading without
// following a link out of it and without blocking on a named pipe; the result is a regular file's
// descriptor. Errors name `shown`: PermissionDenied for a path that leads outside the folder,
// NotAnImage for something that is not a regular file, or the errno's Status.
Result<int> OpenBeneath(int dir_fd, const std::string& dir_real, const std::string& rel,
                        const std::string& shown);

// The bytes of the regular file at `path` (links followed: the user named it), at most
// `max_bytes` (TooLarge beyond; 0: no limit). A named pipe, socket or device is refused without
// blocking (NotAnImage), as a folder is (NotFound).
Result<std::string> ReadRegularFile(const std::string& path, uint64_t max_bytes);

}  // namespace imagemill
