#include "db/postgres_connection.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <map>

#include <spdlog/spdlog.h>

namespace imagemill::pg {

bool IsTransientSqlState(std::string_view s) {
  if (s.size() != 5) return false;
  if (s == "53100") return false;  // disk full
  if (s.starts_with("08") || s.starts_with("53")) return true;
  return s == "40001" || s == "40P01" || s == "55P03" || s == "57P01" || s == "57P02" ||
         s == "57P03" || s == "57P04" || s == "57P05";
}

bool IsTransientConnectFailure(std::string_view message) {
  for (std::string_view permanent :
       {"authentication failed", "does not exist", "no password supplied", "invalid ",
        "not permitted", "permission denied", "no pg_hba.conf entry", "unsupported"}) {
    if (message.find(permanent) != std::string_view::npos) return false;
  }
  return true;
}

namespace {

// The keywords libpq finds in `conninfo`, with their values (only those set). Throws Error when
// libpq cannot parse it.
std::map<std::string, std::string> ParseConninfo(const std::string& conninfo) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (opts == nullptr) {
    std::string why = err ? err : "out of memory";
    PQfreemem(err);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    throw Error("--db " + std::string(conninfo.starts_with("postgres") ? "URI" : "value") +
                    " is not a PostgreSQL connection string libpq reads (" + why +
                    "); write postgresql://USER:PASSWORD@HOST:PORT/DATABASE",
                false);
  }
  std::map<std::string, std::string> set;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (o->val != nullptr && *o->val != '\0') set[o->keyword] = o->val;
  }
  PQconninfoFree(opts);
  return set;
}

// libpq's messages span lines ("...failed: Connection refused\n\tIs the server running..."): one
// line for a log.
std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text) {
    bool space = c == '\n' || c == '\t' || c == ' ';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// "30 s", "1.5 s".
std::string Seconds(std::chrono::milliseconds d) {
  const auto ms = d.count();
  std::string out = std::to_string(ms / 1000);
  if (ms % 1000 != 0) out += "." + std::to_string(ms % 1000 / 100);
  return out + " s";
}

// What a user does about a connection the server refused for good (`why`, libpq's message).
std::string WhatToDoWhenRefused(std::string_view why) {
  auto has = [&](std::string_view s) { return why.find(s) != std::string_view::npos; };
  if (has("password authentication failed") || has("no password supplied") ||
      has("authentication failed")) {
    return "give the right password in --db (postgresql://USER:PASSWORD@HOST/DATABASE), "
           "PGPASSWORD or ~/.pgpass";
  }
  if (has("database \"") && has("does not exist")) {
    return "create it (createdb -O USER DATABASE on the server) or name an existing database "
           "in --db";
  }
  if (has("role \"") && has("does not exist")) {
    return "create the user (createuser -P USER on the server) or name another in --db";
  }
  if (has("no pg_hba.conf entry")) {
    return "the server does not let this user in from this machine: add a line for it to the "
           "server's pg_hba.conf";
  }
  return "check the user, password and database in --db (or PGUSER, PGPASSWORD, PGDATABASE)";
}

std::string Quote(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

std::string ConnectionString(const std::string& uri) {
  std::map<std::string, std::string> set = ParseConninfo(uri);
  // A partition leaves a socket silent: keepalives and the TCP user timeout notice it, so the
  // transaction fails (and is retried) instead of hanging.
  static const std::pair<const char*, const char*> kDefaults[] = {
      {"connect_timeout", "10"},     {"keepalives", "1"},      {"keepalives_idle", "10"},
      {"keepalives_interval", "5"},  {"keepalives_count", "3"}, {"tcp_user_timeout", "30000"},
      {"application_name", "imagemill"},
      // A commit does not wait for its WAL to reach the disk (as SQLite's synchronous=NORMAL):
      // a server crash may lose the last few hundred ms of commits, never half of one, and a
      // batch whose completion was lost is simply claimed and run again.
      {"options", "-c synchronous_commit=off"},
  };
  for (const auto& [key, value] : kDefaults) set.emplace(key, value);
  std::string out;
  for (const auto& [key, value] : set) {
    if (!out.empty()) out += ' ';
    out += key + "=" + Quote(value);
  }
  return out;
}

std::string DescribeTarget(const std::string& uri) {
  std::map<std::string, std::string> set = ParseConninfo(uri);
  auto get = [&](const char* key, const char* env, std::string fallback) {
    if (auto it = set.find(key); it != set.end()) return it->second;
    if (const char* v = std::getenv(env); v != nullptr && *v != '\0') return std::string(v);
    return fallback;
  };
  const char* login = std::getenv("USER");
  std::string user = get("user", "PGUSER", login ? login : "");
  std::string host = get("host", "PGHOST", "localhost");
  std::string port = get("port", "PGPORT", "5432");
  std::string db = get("dbname", "PGDATABASE", user);
  std::string out = "postgresql://";
  if (!user.empty()) out += user + "@";
  if (host.starts_with('/')) return out + "[" + host + "]:" + port + "/" + db;
  return out + host + ":" + port + "/" + db;
}

std::string WithoutPassword(const std::string& uri) {
  std::string out = uri;
  const size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    const size_t start = scheme + 3;
    const size_t end = std::min(out.find_first_of("/?", start), out.size());
    const size_t at = out.rfind('@', end);
    if (at != std::string::npos && at >= start) {
      const size_t colon = out.find(':', start);
      if (colon < at) out.erase(colon, at - colon);
    }
  }
  // password=... as a query parameter or a key=value pair.
  for (size_t p = out.find("password="); p != std::string::npos; p = out.find("password=")) {
    size_t from = p;
    if (from > 0 && (out[from - 1] == '&' || out[from - 1] == ' ')) --from;
    size_t to = out.find_first_of("& ", p);
    out.erase(from, to == std::string::npos ? std::string::npos : to - from);
    if (from < out.size() && out[from] == '&' && from > 0 && out[from - 1] == '?') {
      out.erase(from, 1);
    }
  }
  if (!out.empty() && out.back() == '?') out.pop_back();
  return out;
}

Backoff::Backoff(const RetryOptions& options, Clock& clock)
    : options_(options), clock_(clock), delay_(options.first_backoff) {}

bool Backoff::Wait() {
  if (tries_ == 0) first_failure_ = clock_.Steady();
  if (clock_.Steady() - first_failure_ >= options_.give_up_after) return false;
  // Jitter over [delay/2, delay] spreads the reconnects of a fleet that lost the server at once.
  auto sleep = std::chrono::duration_cast<std::chrono::milliseconds>(
      delay_ * (0.5 + 0.5 * clock_.Uniform()));
  clock_.SleepFor(sleep);
  ++tries_;
  delay_ = std::min(delay_ * 2, options_.max_backoff);
  return true;
}

Connection::Connection(const std::string& uri, Clock& clock, RetryOptions retry)
    : conninfo_(ConnectionString(uri)), target_(DescribeTarget(uri)), clock_(clock),
      retry_(retry) {
  Transact("connect", [](pqxx::work&) {});
}

Connection::~Connection() = default;

void Connection::Prepare(const std::string& name, const std::string& sql) {
  prepared_.emplace_back(name, sql);
  if (conn_) conn_->prepare(name, sql);
}

int Connection::BackendPid() const { return conn_ && conn_->is_open() ? conn_->backendpid() : 0; }

pqxx::connection& Connection::Connected(Backoff& backoff,
                                        std::chrono::milliseconds give_up_after) {
  if (conn_ && conn_->is_open()) return *conn_;
  conn_.reset();
  for (;;) {
    try {
      auto c = std::make_unique<pqxx::connection>(conninfo_);
      for (const auto& [name, sql] : prepared_) c->prepare(name, sql);
      if (connects_++ > 0) {
        spdlog::info("PostgreSQL at {}: connected again after {} tries", target_,
                     backoff.tries());
      }
      conn_ = std::move(c);
      return *conn_;
    } catch (const std::exception& e) {
      std::string why = OneLine(e.what());
      if (!IsTransientConnectFailure(why)) {
        throw Error("cannot connect to PostgreSQL at " + target_ + ": " + why + "; " +
                        WhatToDoWhenRefused(why),
                    false);
      }
      const std::string wait = Seconds(give_up_after);
      if (backoff.tries() == 0 || backoff.tries() % 10 == 0) {
        spdlog::warn("PostgreSQL at {} cannot be reached ({}); trying again for up to {}",
                     target_, why, wait);
      }
      if (!backoff.Wait()) {
        std::string msg = "PostgreSQL at " + target_ + " could not be reached for " + wait +
                          " (" + why + "); check that the server runs and --db names it";
        if (connects_ == 0 && retry_.first_connect_give_up_after < retry_.give_up_after) {
          msg += std::string(" (") + kConnectWaitVariable + "=SECONDS waits longer for it)";
        }
        throw Error(msg + ", then run the same command again: the execution resumes", true);
      }
    }
  }
}

void Connection::Failed(std::string_view what, const std::exception& e, Backoff& backoff,
                        std::chrono::milliseconds give_up_after) {
  std::string why = OneLine(e.what());
  bool transient = false;
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr ||
      dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr ||
      dynamic_cast<const pqxx::transaction_rollback*>(&e) != nullptr) {
    transient = true;
  } else if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    transient = IsTransientSqlState(sql->sqlstate());
  }
  // A connection that broke under a statement is never used again.
  if (conn_ && !conn_->is_open()) {
    conn_.reset();
    why = "the connection was lost: " + why;
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e);
      sql != nullptr && sql->sqlstate() == "53100") {
    throw Error("PostgreSQL at " + target_ + " has no room left to " + std::string(what) + ": " +
                    why + "; free space on the server's disk, then run the same command again: "
                    "the execution resumes",
                DatabaseError::Kind::kFull);
  }
  if (!transient) {
    throw Error("PostgreSQL at " + target_ + " failed to " + std::string(what) + ": " + why,
                false);
  }
  if (conn_) {
    // Server-side failures (deadlock, serialisation) leave the connection usable; an
    // administrator's termination may not have closed the socket yet: drop it to be sure.
    if (why.find("terminating connection") != std::string::npos) conn_.reset();
  }
  spdlog::warn("PostgreSQL at {}: {} failed ({}); trying again in {} ms", target_, what, why,
               backoff.next_delay().count());
  if (!backoff.Wait()) {
    throw Error("PostgreSQL at " + target_ + " kept failing to " + std::string(what) + " for " +
                    Seconds(give_up_after) + " (" + why +
                    "); run the same command again once it is back: the execution resumes",
                true);
  }
}

}  // namespace imagemill::pg
