// pg::Connection: one connection to PostgreSQL, named by a libpq URI or the PG* variables,
// re-made with backoff when it is lost, with failures sorted into transient and permanent.
//
// Every statement runs inside Transact(), which rolls back and runs the whole transaction again
// after a transient failure (connection lost, server restarting, serialisation failure,
// deadlock, too many connections), so callers never see a half-done transaction and never
// retry on their own. What is still failing after RetryOptions::give_up_after, or fails
// permanently (bad credentials, a missing database, bad SQL, a constraint), throws pg::Error.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <pqxx/pqxx>

#include "db/database_error.h"
#include "util/clock.h"

namespace imagemill::pg {

// A failure of PostgreSQL or of the way to it, with a message that names the database (never
// its password) and says what to do: the backend-neutral DatabaseError the engine and the front
// ends handle.
class Error : public DatabaseError {
 public:
  Error(const std::string& message, Kind kind) : DatabaseError(kind, message) {}
  // `transient`: the same work may succeed later (the database was unreachable for too long).
  Error(const std::string& message, bool transient)
      : DatabaseError(transient ? Kind::kTransient : Kind::kPermanent, message) {}
};

// SQLSTATEs worth trying again: class 08 (connection), 40001 (serialisation), 40P01 (deadlock),
// class 53 (insufficient resources, too many connections), 57P01-57P05 (shutdown, crash
// recovery, cannot connect now, idle timeouts), 55P03 (lock not available). Not 53100 (disk
// full): that one waits for a person.
bool IsTransientSqlState(std::string_view sqlstate);

// Whether a failure to connect is worth trying again, from libpq's message: a refused or
// timed-out connection or a server starting up is; bad credentials or a missing database or
// role are not.
bool IsTransientConnectFailure(std::string_view message);

// Connection parameters as a libpq connection string: `uri` as given ("postgresql://...",
// "postgres://...", "key=value ..." or "" for the PG* variables alone), with TCP keepalives,
// a connect timeout and a TCP user timeout added unless it sets them, so that a silent network
// (a partition) is noticed within about 30 s instead of hanging a worker; and, unless it sets
// `options`, synchronous_commit off for imagemill's sessions (see the .cc).
// Throws Error (permanent) when libpq cannot parse it.
std::string ConnectionString(const std::string& uri);

// "postgresql://user@host:port/db": where `uri` (plus the PG* variables) points, without the
// password, for messages.
std::string DescribeTarget(const std::string& uri);

// `uri` as given, without its password (a "user:password@" part, a password= parameter): what a
// command printed for pasting may say with --db.
std::string WithoutPassword(const std::string& uri);

struct RetryOptions {
  std::chrono::milliseconds first_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
  // How long a transient failure may last before Transact gives up (and throws).
  std::chrono::milliseconds give_up_after{300000};
  // How long the first connection of a Connection may keep failing transiently (nobody
  // listening, the server starting) before the constructor gives up: short, so that a --db
  // naming the wrong place fails in seconds, not minutes. Once connected, give_up_after applies.
  std::chrono::milliseconds first_connect_give_up_after{30000};
};

// The environment variable that sets RetryOptions::first_connect_give_up_after, in seconds.
inline constexpr const char* kConnectWaitVariable = "IMAGEMILL_DB_WAIT";

// Exponential backoff with jitter over [delay/2, delay], doubling from first_backoff to
// max_backoff, on `clock`.
class Backoff {
 public:
  Backoff(const RetryOptions& options, Clock& clock);
  // Sleeps before try number tries() + 1. False (without sleeping) once give_up_after has
  // passed since the first failure.
  bool Wait();
  int tries() const { return tries_; }
  // How long the next Wait() sleeps at most.
  std::chrono::milliseconds next_delay() const { return delay_; }

 private:
  const RetryOptions& options_;
  Clock& clock_;
  std::chrono::steady_clock::time_point first_failure_;
  std::chrono::milliseconds delay_;
  int tries_ = 0;
};

class Connection {
 public:
  // Connects to `uri` (see ConnectionString), waiting with backoff while the server cannot be
  // reached. Throws Error when the connection string is bad, the server refuses us for good (bad
  // credentials, no such database or user: at once), or it stays unreachable for
  // first_connect_give_up_after. `clock` must outlive the connection.
  Connection(const std::string& uri, Clock& clock, RetryOptions retry = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs fn(pqxx::work&) in a transaction and commits it; returns what fn returns. On a
  // transient failure the transaction is rolled back, the connection re-made if it was lost, and
  // fn run again from the start after a backoff: fn must have no effect outside the
  // transaction but its return value. A commit whose outcome is unknown (the connection broke
  // during COMMIT) is run again too, so the transaction's effect must be idempotent or checked.
  // Throws Error when the failure is permanent or lasts past give_up_after.
  // Not thread-safe: callers serialise.
  template <typename Fn>
  std::invoke_result_t<Fn&, pqxx::work&> Transact(std::string_view what, Fn&& fn) {
    return Run<pqxx::work>(what, fn);
  }
  // As Transact, for fn that runs one statement: it runs in autocommit, one round trip instead
  // of three (BEGIN, the statement, COMMIT), and is as atomic.
  template <typename Fn>
  std::invoke_result_t<Fn&, pqxx::nontransaction&> Once(std::string_view what, Fn&& fn) {
    return Run<pqxx::nontransaction>(what, fn);
  }

  // Statements prepared on every connection made (libpqxx prepares them on first use).
  void Prepare(const std::string& name, const std::string& sql);

  // "postgresql://user@host:port/db", for messages.
  const std::string& target() const { return target_; }
  // The server process serving this connection (for pg_terminate_backend in tests); 0 when
  // not connected.
  int BackendPid() const;
  // Connections made so far, the first included.
  int connects() const { return connects_; }

 private:
  template <typename Tx, typename Fn>
  std::invoke_result_t<Fn&, Tx&> Run(std::string_view what, Fn& fn) {
    RetryOptions retry = retry_;
    if (connects_ == 0) retry.give_up_after = retry_.first_connect_give_up_after;
    Backoff backoff(retry, clock_);
    for (;;) {
      try {
        pqxx::connection& c = Connected(backoff, retry.give_up_after);
        Tx tx(c);
        if constexpr (std::is_void_v<std::invoke_result_t<Fn&, Tx&>>) {
          fn(tx);
          tx.commit();
          return;
        } else {
          auto result = fn(tx);
          tx.commit();
          return result;
        }
      } catch (const Error&) {
        throw;
      } catch (const std::exception& e) {
        Failed(what, e, backoff, retry.give_up_after);  // throws unless worth trying again
      }
    }
  }

  // The live connection, re-made (with backoff) when there is none. `give_up_after` is the
  // backoff's limit, for messages.
  pqxx::connection& Connected(Backoff& backoff, std::chrono::milliseconds give_up_after);
  // Decides what a failure means: throws Error when it is permanent or too long-lasting;
  // otherwise drops a broken connection, logs and sleeps.
  void Failed(std::string_view what, const std::exception& e, Backoff& backoff,
              std::chrono::milliseconds give_up_after);

  std::string conninfo_;
  std::string target_;
  Clock& clock_;
  RetryOptions retry_;
  std::unique_ptr<pqxx::connection> conn_;
  std::vector<std::pair<std::string, std::string>> prepared_;
  int connects_ = 0;
};

}  // namespace imagemill::pg
