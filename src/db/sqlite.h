// A thin RAII layer over the SQLite C API: a connection, prepared statements with typed binds,
// and a transaction guard. Failures throw DatabaseError (db/database_error.h), its kind from
// SQLite's code: busy or locked is transient, a full disk is kFull, anything else permanent.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "db/database_error.h"

namespace imagemill::sqlite {

class Statement;

// One connection. Not thread-safe: callers serialise access (SqliteDatabase holds a mutex).
class Connection {
 public:
  // Opens (creating if needed) the database file at `path`; sets WAL, NORMAL sync and a busy
  // timeout so several processes can share the file. Waits (up to the busy timeout) while another
  // process holds the file, creating or opening it too.
  explicit Connection(const std::string& path);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void Exec(std::string_view sql);
  Statement Prepare(std::string_view sql);
  int64_t Changes() const;
  const std::string& path() const { return path_; }
  sqlite3* raw() { return db_; }

 private:
  friend class Statement;
  // Prepared statements are kept for re-use: a Statement takes an idle one for its SQL text, or
  // prepares it, and gives it back (reset) when destroyed.
  sqlite3_stmt* Take(const std::string& sql);
  void Give(const std::string& sql, sqlite3_stmt* stmt);

  sqlite3* db_ = nullptr;
  std::string path_;
  std::unordered_map<std::string, std::vector<sqlite3_stmt*>> idle_;
};

class Statement {
 public:
  Statement(Connection& conn, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;

  // Binds by 1-based index. Returns *this so binds chain.
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, double value);
  Statement& Bind(int index, std::string_view value);
  // Binds without a copy: SQLite reads `value` where it is, so it must stay alive and unchanged
  // until the statement has run and is reset, or is bound again. For the hot loops.
  Statement& BindView(int index, std::string_view value);
  Statement& BindNull(int index);

  // Advances; true while a row is available.
  bool Step();
  // Runs a statement that returns no rows.
  void Run();
  // Resets for re-use with new binds.
  void Reset();

  int64_t Int(int column) const;
  double Double(int column) const;
  std::string Text(int column) const;
  bool IsNull(int column) const;

 private:
  Connection* conn_;
  std::string sql_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Checkpoints a connection's WAL on a thread of its own, over a second connection to the same
// file. With SQLite's automatic checkpoint, the commit that crosses the threshold copies the WAL
// into the database and waits for the disk (fsync) inside the transaction, and every thread that
// needs the connection waits with it. Here a commit only notes the WAL's size; once it reaches
// `due_pages` the thread checkpoints in PASSIVE mode, which never blocks a reader or a writer,
// and again after each further quarter of `due_pages`. Commits that go on all the time leave no
// moment when the whole WAL is copied and it could start again from its beginning; the commit
// that finds `force_pages` checkpoints itself, as SQLite would (copying only what the thread
// has not), and the WAL starts again: it never grows past about `force_pages`.
class WalCheckpointer {
 public:
  // Takes over `conn`'s checkpoints; `conn` must outlive this object. The thread starts at the
  // first checkpoint due.
  WalCheckpointer(Connection& conn, int due_pages, int force_pages);
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Checkpoints run by the thread so far.
  int64_t checkpoints() const { return checkpoints_.load(); }

 private:
  static int OnCommit(void* self, sqlite3* db, const char* schema, int pages);
  void Loop();
  bool Due() const;  // with mu_ held

  Connection& conn_;
  const int due_pages_;
  const int force_pages_;
  std::mutex mu_;
  std::condition_variable wake_;
  int wal_pages_ = 0;  // guarded by mu_: the WAL's size at the last commit
  int copied_ = 0;     // guarded by mu_: pages of this WAL copied by the last pass
  int64_t restarts_ = 0;  // guarded by mu_: times the WAL started again from its beginning
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
  std::atomic<int64_t> checkpoints_{0};
};

// BEGIN IMMEDIATE (kWrite) or BEGIN (kRead) on construction; ROLLBACK on destruction unless
// Commit() was called. A read transaction reads one snapshot and takes the database's read lock
// once for all its statements; outside a transaction SQLite takes and releases it per statement
// (two fcntl calls each in WAL mode), which dominates a loop of point lookups.
class Transaction {
 public:
  enum class Mode { kWrite, kRead };
  explicit Transaction(Connection& conn, Mode mode = Mode::kWrite);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void Commit();

 private:
  Connection& conn_;
  bool done_ = false;
};

}  // namespace imagemill::sqlite
