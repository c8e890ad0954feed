#include "db/sqlite.h"

#include <algorithm>
#include <cstdio>

namespace imagemill::sqlite {
namespace {

DatabaseError::Kind KindOf(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return DatabaseError::Kind::kTransient;
    case SQLITE_FULL: return DatabaseError::Kind::kFull;
    default: return DatabaseError::Kind::kPermanent;
  }
}

std::string Explain(int rc, const std::string& path) {
  if ((rc & 0xff) == SQLITE_FULL) {
    return " (the disk holding " + path + " is full: free some space, then run the same "
           "command again to resume)";
  }
  return "";
}

[[noreturn]] void Fail(sqlite3* db, const std::string& path, std::string_view what) {
  const int rc = db != nullptr ? sqlite3_extended_errcode(db) : SQLITE_NOMEM;
  throw DatabaseError(KindOf(rc), "database " + path + ": " + std::string(what) + ": " +
                                      (db != nullptr ? sqlite3_errmsg(db) : "out of memory") +
                                      Explain(rc, path));
}

constexpr int kBusyTimeoutMs = 30000;

}  // namespace

Connection::Connection(const std::string& path) : path_(path) {
  int rc = sqlite3_open_v2(path.c_str(), &db_,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw DatabaseError("cannot open the database " + path + ": " + msg +
                        " (check that its folder exists and is writable)");
  }
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  // Changing the journal mode takes the file for itself; SQLite answers BUSY at once, without the
  // busy handler, while another process opening the same new file does the same. Wait as any
  // other access does.
  for (int waited_ms = 0;; waited_ms += 10) {
    try {
      Exec("PRAGMA journal_mode=WAL");
      break;
    } catch (const DatabaseError& e) {
      if (!e.transient() || waited_ms >= kBusyTimeoutMs) throw;
      sqlite3_sleep(10);
    }
  }
  Exec("PRAGMA synchronous=NORMAL");
  Exec("PRAGMA foreign_keys=OFF");
  Exec("PRAGMA cache_size=-65536");  // 64 MiB of pages: the hot tables stay in memory
  Exec("PRAGMA temp_store=MEMORY");
  // Checkpoint the WAL into the database every ~40 MiB instead of every 4 MiB: a results row's
  // pages are rewritten by several commits in a row, and each checkpoint ends in an fsync.
  // engine_bench --items 100000: 1.25x the items per second of the default (1000 pages).
  Exec("PRAGMA wal_autocheckpoint=10000");
}

Connection::~Connection() {
  for (auto& [sql, stmts] : idle_) {
    for (sqlite3_stmt* s : stmts) sqlite3_finalize(s);
  }
  sqlite3_close_v2(db_);
}

sqlite3_stmt* Connection::Take(const std::string& sql) {
  auto it = idle_.find(sql);
  if (it != idle_.end() && !it->second.empty()) {
    sqlite3_stmt* s = it->second.back();
    it->second.pop_back();
    return s;
  }
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &s, nullptr) != SQLITE_OK) {
    Fail(db_, path_, "cannot prepare a statement");
  }
  return s;
}

void Connection::Give(const std::string& sql, sqlite3_stmt* stmt) {
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  idle_[sql].push_back(stmt);
}

void Connection::Exec(std::string_view sql) {
  char* err = nullptr;
  std::string s(sql);
  if (int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err); rc != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    rc = sqlite3_extended_errcode(db_);
    throw DatabaseError(KindOf(rc), "database " + path_ + ": " + msg + " (in: " +
                                        s.substr(0, 60) + ")" + Explain(rc, path_));
  }
}

Statement Connection::Prepare(std::string_view sql) { return Statement(*this, sql); }

int64_t Connection::Changes() const { return sqlite3_changes64(db_); }

Statement::Statement(Connection& conn, std::string_view sql)
    : conn_(&conn), sql_(sql), stmt_(conn.Take(sql_)) {}

Statement::~Statement() {
  if (stmt_ != nullptr) conn_->Give(sql_, stmt_);
}

Statement::Statement(Statement&& other) noexcept
    : conn_(other.conn_), sql_(std::move(other.sql_)), stmt_(other.stmt_) {
  other.stmt_ = nullptr;
}

Statement& Statement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}
Statement& Statement::Bind(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  return *this;
}
// An empty view may have no data pointer, which SQLite would bind as NULL: bind "" instead.
Statement& Statement::Bind(int index, std::string_view value) {
  sqlite3_bind_text64(stmt_, index, value.data() != nullptr ? value.data() : "", value.size(),
                      SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}
Statement& Statement::BindView(int index, std::string_view value) {
  sqlite3_bind_text64(stmt_, index, value.data() != nullptr ? value.data() : "", value.size(),
                      SQLITE_STATIC, SQLITE_UTF8);
  return *this;
}
Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

bool Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Fail(conn_->raw(), conn_->path(), "statement failed");
}

void Statement::Run() {
  while (Step()) {
  }
  Reset();
}

// Bindings stay until re-bound (a statement is cleared when it goes back to the cache): the hot
// loops bind every parameter each time, and clearing cost a call per row.
void Statement::Reset() { sqlite3_reset(stmt_); }

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::Double(int column) const { return sqlite3_column_double(stmt_, column); }
std::string Statement::Text(int column) const {
  const unsigned char* p = sqlite3_column_text(stmt_, column);
  return p != nullptr ? std::string(reinterpret_cast<const char*>(p),
                                    static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
                      : std::string();
}
bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

WalCheckpointer::WalCheckpointer(Connection& conn, int due_pages, int force_pages)
    : conn_(conn), due_pages_(due_pages), force_pages_(force_pages) {
  sqlite3_wal_hook(conn_.raw(), &WalCheckpointer::OnCommit, this);  // replaces the automatic one
}

WalCheckpointer::~WalCheckpointer() {
  sqlite3_wal_hook(conn_.raw(), nullptr, nullptr);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool WalCheckpointer::Due() const {
  return wal_pages_ >= due_pages_ && wal_pages_ >= copied_ + due_pages_ / 4;
}

int WalCheckpointer::OnCommit(void* self, sqlite3* db, const char* schema, int pages) {
  auto* c = static_cast<WalCheckpointer*>(self);
  if (pages >= c->force_pages_) {
    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
  std::lock_guard<std::mutex> lock(c->mu_);
  if (pages < c->wal_pages_) {  // the WAL started again from its beginning
    c->copied_ = 0;
    ++c->restarts_;
  }
  c->wal_pages_ = pages;
  if (c->Due()) {
    if (!c->thread_.joinable()) c->thread_ = std::thread([c] { c->Loop(); });
    c->wake_.notify_one();
  }
  return SQLITE_OK;
}

void WalCheckpointer::Loop() {
  std::unique_ptr<Connection> own;
  bool warned = false;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stop_ || Due(); });
    if (stop_) return;
    const int64_t restarts = restarts_;
    lock.unlock();
    int log = 0, copied = 0;
    int rc = SQLITE_OK;
    try {
      if (own == nullptr) own = std::make_unique<Connection>(conn_.path());
      rc = sqlite3_wal_checkpoint_v2(own->raw(), "main", SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    } catch (const DatabaseError&) {
      rc = SQLITE_CANTOPEN;
    }
    ++checkpoints_;
    if (rc != SQLITE_OK && rc != SQLITE_BUSY && !warned) {
      // The commits' own checkpoint (at force_pages) still keeps the WAL bounded.
      std::fprintf(stderr, "imagemill: database %s: background checkpoint failed: %s\n",
                   conn_.path().c_str(), own != nullptr ? sqlite3_errmsg(own->raw()) : "cannot open");
      warned = true;
    }
    lock.lock();
    // Commits went on while copying; the next pass waits for a quarter of `due_pages` more, so
    // each pass (and its fsync) copies a good share. A failed or busy pass waits the same way.
    // If the WAL started again meanwhile, what the pass copied belonged to the old one.
    if (restarts_ == restarts) copied_ = std::max(copied_, rc == SQLITE_OK ? copied : wal_pages_);
  }
}

Transaction::Transaction(Connection& conn, Mode mode) : conn_(conn) {
  conn_.Exec(mode == Mode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
}

Transaction::~Transaction() {
  if (!done_) {
    try {
      conn_.Exec("ROLLBACK");
    } catch (const DatabaseError&) {  // NOLINT(bugprone-empty-catch): nothing left to undo
    }
  }
}

void Transaction::Commit() {
  conn_.Exec("COMMIT");
  done_ = true;
}

}  // namespace imagemill::sqlite
