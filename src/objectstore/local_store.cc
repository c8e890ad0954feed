#include "objectstore/local_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "util/clock.h"

namespace imagemill {
namespace {

namespace fs = std::filesystem;

Status ErrnoStatus(int err, const std::string& what) {
  std::string msg = what + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
    case ENOTDIR:
    case EISDIR: return Status::NotFound(msg);
    case EACCES:
    case EPERM: return Status::PermissionDenied(msg + " (check the file's permissions)");
    case EFBIG: return Status::TooLarge(msg);
    default: return Status::Io(msg);
  }
}

int64_t MtimeNs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

int64_t CtimeNs(const struct stat& st) {
  return static_cast<int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
}

ObjectInfo InfoFromStat(std::string key, const struct stat& st) {
  ObjectInfo info;
  info.key = std::move(key);
  info.size = static_cast<uint64_t>(st.st_size);
  info.etag = LocalEtag(info.size, MtimeNs(st), CtimeNs(st), static_cast<uint64_t>(st.st_ino));
  info.last_modified = FormatIso8601(FromUnixMillis(MtimeNs(st) / 1'000'000));
  return info;
}

}  // namespace

std::string LocalEtag(uint64_t size, int64_t mtime_ns, int64_t ctime_ns, uint64_t inode) {
  char buf[96];
  std::snprintf(buf, sizeof(buf), "\"%llx-%llx-%llx-%llx\"",
                static_cast<unsigned long long>(mtime_ns), static_cast<unsigned long long>(size),
                static_cast<unsigned long long>(ctime_ns), static_cast<unsigned long long>(inode));
  return buf;
}

Result<int> OpenBeneath(int dir_fd, const std::string& dir_real, const std::string& rel,
                        const std::string& shown) {
  constexpr int kFlags = O_RDONLY | O_NONBLOCK | O_CLOEXEC;
  struct open_how how {};
  how.flags = kFlags;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  int fd = static_cast<int>(::syscall(SYS_openat2, dir_fd, rel.c_str(), &how, sizeof how));
  if (fd < 0 && (errno == EXDEV || errno == ENOSYS)) {
    // An absolute link, or a kernel before 5.6: where the path really leads decides.
    char real[PATH_MAX];
    const std::string path = dir_real + "/" + rel;
    if (::realpath(path.c_str(), real) == nullptr) return ErrnoStatus(errno, shown);
    if (!std::string_view(real).starts_with(dir_real + "/")) {
      return Status::PermissionDenied(shown + ": a link that leads outside the folder; only what "
                                      "lies under the folder is read");
    }
    fd = ::open(real, kFlags);
  }
  if (fd < 0) return ErrnoStatus(errno, shown);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    Status s = ErrnoStatus(errno, shown);
    ::close(fd);
    return s;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    if (S_ISDIR(st.st_mode)) return Status::NotFound(shown + ": is a folder, not an object");
    return Status::NotAnImage(shown + ": not a regular file (a named pipe, socket or device); "
                              "only regular files are read");
  }
  return fd;
}

namespace {

Result<std::string> ReadAll(int fd, const std::string& shown, uint64_t offset, uint64_t length) {
  std::string bytes(length, '\0');
  uint64_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd, bytes.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return n == 0 ? Status::Io(shown + ": file shrank while being read")
                    : ErrnoStatus(errno, shown);
    }
    done += static_cast<uint64_t>(n);
  }
  return bytes;
}

}  // namespace

Result<std::string> ReadRegularFile(const std::string& path, uint64_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, path);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const bool dir = S_ISDIR(st.st_mode);
    ::close(fd);
    if (dir) return Status::NotFound(path + ": is a folder (give the path of an image file)");
    return Status::NotAnImage(path + ": not a regular file (a named pipe, socket or device)");
  }
  const auto size = static_cast<uint64_t>(st.st_size);
  if (max_bytes > 0 && size > max_bytes) {
    ::close(fd);
    return Status::TooLarge(path + ": " + std::to_string(size) + " bytes, over the limit of " +
                            std::to_string(max_bytes));
  }
  Result<std::string> bytes = ReadAll(fd, path, 0, size);
  ::close(fd);
  return bytes;
}

bool LocalStore::LinkStaysInside(const std::string& rel, struct stat* target) const {
  Result<int> fd = OpenBeneath(root_fd_, real_, rel, rel);
  if (!fd.ok()) return false;
  bool ok = ::fstat(*fd, target) == 0;
  ::close(*fd);
  return ok;
}

Result<std::unique_ptr<ObjectStore>> LocalStore::Open(const std::string& root,
                                                      bool create_if_missing) {
  std::error_code ec;
  fs::path path = fs::absolute(fs::path(root), ec).lexically_normal();
  if (ec) return Status::InvalidArgument(root + ": not a usable path: " + ec.message());
  std::string abs = path.string();
  while (abs.size() > 1 && abs.back() == '/') abs.pop_back();

  struct stat st {};
  if (::stat(abs.c_str(), &st) != 0) {
    if (errno == ENOENT && create_if_missing) {
      fs::create_directories(abs, ec);
      if (ec) return Status::Io(abs + ": cannot create the folder: " + ec.message());
    } else if (errno == ENOENT) {
      return Status::NotFound(abs + ": no such folder (give an existing folder or s3://bucket)");
    } else {
      return ErrnoStatus(errno, abs);
    }
  } else if (!S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument(abs + ": is a file, not a folder (give the folder holding it)");
  }
  int fd = ::open(abs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, abs);
  char real[PATH_MAX];
  if (::realpath(abs.c_str(), real) == nullptr) {
    Status s = ErrnoStatus(errno, abs);
    ::close(fd);
    return s;
  }
  std::string real_root = real;
  if (real_root == "/") real_root.clear();
  if (abs == "/") abs.clear();
  return std::unique_ptr<ObjectStore>(new LocalStore(abs, real_root, fd));
}

LocalStore::~LocalStore() { ::close(root_fd_); }

Result<std::string> LocalStore::PathFor(std::string_view key) const {
  if (key.empty() || key.front() == '/' || key.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("'" + std::string(key) + "': not a valid key in " + Uri());
  }
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view seg = key.substr(start, end - start);
    if (seg.empty() || seg == "." || seg == "..") {
      return Status::InvalidArgument("'" + std::string(key) + "': key leaves the folder " + Uri());
    }
    start = end + 1;
  }
  return root_ + "/" + std::string(key);
}

void LocalStore::PushDirectory(const std::string& key_prefix, std::string_view prefix,
                               std::string_view start_after) {
  const std::string dir_path = root_ + "/" + key_prefix;
  DIR* dir = ::opendir(dir_path.c_str());
  if (dir == nullptr) {
    spdlog::warn("{}: cannot read the folder, its files are not listed: {}", dir_path,
                 std::strerror(errno));
    return;
  }
  Level level;
  level.key_prefix = key_prefix;
  while (struct dirent* de = ::readdir(dir)) {
    std::string name = de->d_name;
    if (name == "." || name == "..") continue;
    bool is_dir = de->d_type == DT_DIR;
    if (de->d_type == DT_UNKNOWN || de->d_type == DT_LNK) {
      // Symbolic links to files are followed; links to folders are not (they could loop).
      struct stat lst {};
      const std::string rel = key_prefix + name;
      if (::fstatat(root_fd_, rel.c_str(), &lst, AT_SYMLINK_NOFOLLOW) != 0) continue;
      if (S_ISLNK(lst.st_mode)) {
        struct stat st {};
        if (!LinkStaysInside(rel, &st)) {
          spdlog::warn("{}: a link to something that is not a file inside {}; not listed",
                       root_ + "/" + rel, Uri());
          continue;
        }
        is_dir = false;
      } else {
        is_dir = S_ISDIR(lst.st_mode);
      }
    } else if (de->d_type != DT_REG && !is_dir) {
      continue;  // sockets, fifos, devices are not objects
    }
    std::string key = key_prefix + name;
    if (is_dir) {
      key += '/';
      bool matches = key.starts_with(prefix) || prefix.starts_with(key);
      bool after = key > start_after || start_after.starts_with(key);
      if (!matches || !after) continue;
    } else if (!key.starts_with(prefix) || key <= start_after) {
      continue;
    }
    level.entries.push_back({is_dir ? name + '/' : std::move(name), is_dir});
  }
  ::closedir(dir);
  // A folder's keys all start with "name/", so it sorts as "name/" among its siblings.
  std::sort(level.entries.begin(), level.entries.end(),
            [](const Entry& a, const Entry& b) { return a.name < b.name; });
  walk_.push_back(std::move(level));
}

void LocalStore::Seek(std::string_view prefix, std::string_view start_after) {
  walk_.clear();
  PushDirectory("", prefix, start_after);
  walk_prefix_ = std::string(prefix);
  walk_valid_ = true;
}

Result<ListPage> LocalStore::List(std::string_view prefix, std::string_view start_after,
                                  size_t max_keys) {
  if (max_keys == 0 || max_keys > 1000) {
    return Status::InvalidArgument("list: max_keys must be between 1 and 1000");
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!walk_valid_ || walk_prefix_ != prefix || walk_last_key_ != start_after) {
    Seek(prefix, start_after);
  }
  ListPage page;
  while (!walk_.empty() && page.objects.size() < max_keys) {
    Level& level = walk_.back();
    if (level.next >= level.entries.size()) {
      walk_.pop_back();
      continue;
    }
    const Entry& e = level.entries[level.next++];
    std::string key = level.key_prefix + e.name;
    if (e.is_dir) {
      PushDirectory(key, prefix, start_after);  // invalidates `level`
      continue;
    }
    struct stat st {};
    if (::fstatat(root_fd_, key.c_str(), &st, 0) != 0 || !S_ISREG(st.st_mode)) continue;
    page.objects.push_back(InfoFromStat(std::move(key), st));
  }
  page.truncated = !walk_.empty();
  walk_last_key_ = page.objects.empty() ? std::string(start_after) : page.objects.back().key;
  if (!page.truncated) walk_valid_ = false;
  return page;
}

Result<std::string> LocalStore::Get(std::string_view key, std::optional<ByteRange> range) {
  Result<std::string> path = PathFor(key);
  if (!path.ok()) return path.status();
  Result<int> opened = OpenBeneath(root_fd_, real_, std::string(key), *path);
  if (!opened.ok()) return opened.status();
  const int fd = *opened;
  struct stat st {};
  ::fstat(fd, &st);
  uint64_t size = static_cast<uint64_t>(st.st_size);
  uint64_t offset = range ? std::min(range->offset, size) : 0;
  uint64_t length = range ? std::min(range->length, size - offset) : size;
  Result<std::string> bytes = ReadAll(fd, *path, offset, length);
  ::close(fd);
  return bytes;
}

Result<ObjectInfo> LocalStore::Head(std::string_view key) {
  Result<std::string> path = PathFor(key);
  if (!path.ok()) return path.status();
  Result<int> fd = OpenBeneath(root_fd_, real_, std::string(key), *path);
  if (!fd.ok()) return fd.status();
  struct stat st {};
  const int rc = ::fstat(*fd, &st);
  ::close(*fd);
  if (rc != 0) return ErrnoStatus(errno, *path);
  return InfoFromStat(std::string(key), st);
}

Status LocalStore::Put(std::string_view key, std::string_view bytes, std::string_view) {
  Result<std::string> path = PathFor(key);
  if (!path.ok()) return path.status();
  std::error_code ec;
  fs::create_directories(fs::path(*path).parent_path(), ec);
  if (ec) return Status::Io(*path + ": cannot create its folder: " + ec.message());
  static std::atomic<uint64_t> counter{0};
  std::string tmp = *path + ".tmp." + std::to_string(::getpid()) + "." +
                    std::to_string(counter.fetch_add(1));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus(errno, tmp);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = ErrnoStatus(errno, *path);
      ::close(fd);
      ::unlink(tmp.c_str());
      return s;
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), path->c_str()) != 0) {
    Status s = ErrnoStatus(errno, *path);
    ::unlink(tmp.c_str());
    return s;
  }
  return Status::Ok();
}

}  // namespace imagemill
