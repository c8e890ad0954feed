// PostgresCluster: a throwaway PostgreSQL server for tests, started by the test itself.
//
// A copy of a cluster made once by initdb (trust authentication, superuser "imagemill", UTF-8, C
// locale) in a fresh temporary folder, then pg_ctl start on a free TCP port of the given
// loopback or test-host addresses;
// fsync off unless asked. PostgreSQL refuses to run as root, so as root the server runs as the
// `postgres` user through runuser. Stopped (immediate) and removed when the object is
// destroyed. Clients reach it over TCP only, so processes in other network namespaces can too.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace imagemill::testing {

class PostgresCluster {
 public:
  struct Options {
    std::vector<std::string> listen = {"127.0.0.1"};  // addresses the server listens on
    bool durable = false;                             // fsync and synchronous commit on
  };

  // Starts a cluster. Throws std::runtime_error saying what is missing or what failed (with the
  // server's log) when it cannot.
  explicit PostgresCluster(Options options);
  PostgresCluster() : PostgresCluster(Options{}) {}
  ~PostgresCluster();
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  int port() const { return port_; }
  // postgresql://imagemill@HOST:PORT/DB, HOST the first listen address.
  std::string Uri(const std::string& db = "postgres") const;
  // Creates database `db` and returns its URI.
  std::string CreateDatabase(const std::string& db);
  // Runs `sql` with psql (-At, stop on error) in `db`; its output, or throws on failure.
  std::string Psql(const std::string& sql, const std::string& db = "postgres");

  // Stops the server (-m immediate: as a crash would) and starts it again on the same port.
  void Stop();
  void Start();

  // Where initdb, pg_ctl and psql are (/usr/lib/postgresql/N/bin, the highest N); empty when
  // PostgreSQL is not installed.
  static std::string BinDir();

 private:
  CommandResult AsServerUser(const std::vector<std::string>& argv);

  Options options_;
  TempDir dir_;
  std::string bin_;
  int port_ = 0;
  bool running_ = false;
};

// The test process's own cluster, started on first use and removed when the process exits; the
// PostgreSQL tests share it, each in schemas of its own.
PostgresCluster& SharedCluster();
// Creates a schema in the shared cluster (`schema`, or a new name) and returns a URI whose
// connections use it (search_path).
std::string NewSchemaUri(const std::string& schema = "");

}  // namespace imagemill::testing
