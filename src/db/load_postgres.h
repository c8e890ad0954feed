// Finds the PostgreSQL backend (postgres_backend.h): linked into this binary, or the module
// libimagemill_postgres.so, looked for beside the running binary (the build tree) and then in
// the installed library folder relative to it (PREFIX/bin/imagemill finds
// PREFIX/lib/imagemill/libimagemill_postgres.so). Loaded once per process, on first use.
#pragma once

#include "db/postgres_backend.h"
#include "util/status.h"

namespace imagemill {

// The backend, or Unsupported naming the module, where it was looked for, why it did not load
// and what to do. Thread-safe.
Result<const PostgresBackend*> LoadPostgresBackend();

}  // namespace imagemill
