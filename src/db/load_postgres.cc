#include "db/load_postgres.h"

#include <dlfcn.h>

#include <filesystem>
#include <vector>

// Where the module is installed, relative to the installed binary's folder ("../lib/imagemill");
// CMakeLists.txt sets it from the install layout.
#ifndef IMAGEMILL_MODULE_DIR_FROM_BINDIR
#define IMAGEMILL_MODULE_DIR_FROM_BINDIR "../lib/imagemill"
#endif

// Defined when the backend's objects are linked into this binary; null otherwise (a weak
// reference never pulls them in).
extern "C" const imagemill::PostgresBackend* imagemill_postgres_backend_v1() __attribute__((weak));

namespace imagemill {
namespace {

Result<const PostgresBackend*> Load() {
  if (imagemill_postgres_backend_v1 != nullptr) return imagemill_postgres_backend_v1();

  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec)
    return Status::Internal("cannot find the running binary (/proc/self/exe): " + ec.message());
  const std::filesystem::path bin_dir = exe.parent_path();
  const std::vector<std::filesystem::path> candidates = {
      bin_dir / kPostgresModuleFile,
      (bin_dir / IMAGEMILL_MODULE_DIR_FROM_BINDIR / kPostgresModuleFile).lexically_normal(),
  };
  for (const std::filesystem::path& file : candidates) {
    if (!std::filesystem::exists(file, ec)) continue;
    void* module = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (module == nullptr) {
      const char* why = ::dlerror();
      return Status::Unsupported(
          "the PostgreSQL backend " + file.string() +
          " cannot be loaded: " + (why != nullptr ? why : "unknown error") +
          "; install the PostgreSQL client libraries (scripts/install-deps.sh installs libpq5 "
          "and libpqxx) or use a SQLite database (--db sqlite:PATH)");
    }
    using Entry = const PostgresBackend* (*)();
    auto entry = reinterpret_cast<Entry>(::dlsym(module, kPostgresBackendSymbol));
    if (entry == nullptr) {
      return Status::Unsupported("the PostgreSQL backend " + file.string() + " has no " +
                                 kPostgresBackendSymbol +
                                 ": it is from another imagemill build; reinstall imagemill "
                                 "(make install) or rebuild it");
    }
    return entry();  // the module stays loaded for the life of the process
  }
  return Status::Unsupported(
      std::string("the PostgreSQL backend ") + kPostgresModuleFile + " is not beside " +
      exe.string() + " nor in " + candidates[1].parent_path().string() +
      ": postgresql:// databases need it; `make install` installs it with the binary (in "
      "PREFIX/lib/imagemill), a build makes it beside the binary; or use a SQLite database "
      "(--db sqlite:PATH)");
}

}  // namespace

Result<const PostgresBackend*> LoadPostgresBackend() {
  static const Result<const PostgresBackend*> loaded = Load();
  return loaded;
}

}  // namespace imagemill
