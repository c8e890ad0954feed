#include "support/postgres_cluster.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace imagemill::testing {

namespace {

// A TCP port free on 127.0.0.1 now (the kernel's choice), for the server to take.
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("could not find a free TCP port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::string PostgresCluster::BinDir() {
  std::string best;
  int best_version = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    int version = std::atoi(entry.path().filename().c_str());
    if (version > best_version && std::filesystem::exists(entry.path() / "bin" / "initdb")) {
      best_version = version;
      best = (entry.path() / "bin").string();
    }
  }
  return best;
}

CommandResult PostgresCluster::AsServerUser(const std::vector<std::string>& argv) {
  std::vector<std::string> cmd;
  if (::geteuid() == 0) cmd = {"runuser", "-u", "postgres", "--"};
  cmd.insert(cmd.end(), argv.begin(), argv.end());
  return RunCommand(cmd);
}

PostgresCluster::PostgresCluster(Options options) : options_(std::move(options)) {
  bin_ = BinDir();
  if (bin_.empty()) {
    throw std::runtime_error(
        "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); run "
        "scripts/install-deps.sh --test");
  }
  if (::geteuid() == 0) {
    std::filesystem::permissions(dir_.path(), std::filesystem::perms::owner_all |
                                                  std::filesystem::perms::group_exec |
                                                  std::filesystem::perms::others_exec);
    CommandResult own = RunCommand({"chown", "postgres:postgres", dir_.path()});
    if (own.exit_code != 0) throw std::runtime_error("chown postgres failed: " + own.output);
  }
  // initdb takes seconds; a copy of a cluster initdb made once (per user and server version)
  // takes a fraction of one. The template is made under a temporary name and renamed into
  // place, so test processes running at once never see half of one.
  std::string tmp = std::filesystem::temp_directory_path().string();
  std::string version = std::filesystem::path(bin_).parent_path().filename().string();
  std::string tmpl = tmp + "/imagemill-pg-template-" + version + "-" + std::to_string(::geteuid());
  if (!std::filesystem::exists(tmpl + "/PG_VERSION")) {
    std::string fresh = tmpl + ".new-" + std::to_string(::getpid());
    std::filesystem::remove_all(fresh);
    std::filesystem::create_directories(fresh);
    if (::geteuid() == 0) RunCommand({"chown", "postgres:postgres", fresh});
    CommandResult init = AsServerUser({bin_ + "/initdb", "-D", fresh, "-A", "trust", "-U",
                                       "imagemill", "-E", "UTF8", "--locale=C", "--no-sync"});
    if (init.exit_code != 0) throw std::runtime_error("initdb failed: " + init.output);
    // Worker processes in network-namespace hosts connect from the test network.
    std::ofstream(fresh + "/pg_hba.conf", std::ios::app) << "host all all 198.51.100.0/24 trust\n";
    std::error_code ec;
    std::filesystem::rename(fresh, tmpl, ec);
    if (ec) std::filesystem::remove_all(fresh);  // another process made it first
  }
  CommandResult copy = RunCommand({"cp", "-a", tmpl, dir_.path() + "/data"});
  if (copy.exit_code != 0) throw std::runtime_error("copying the cluster failed: " + copy.output);
  port_ = FreePort();
  Start();
}

PostgresCluster::~PostgresCluster() {
  if (running_) Stop();
}

void PostgresCluster::Start() {
  std::string listen;
  for (const std::string& a : options_.listen) listen += (listen.empty() ? "" : ",") + a;
  std::string opts = "-p " + std::to_string(port_) + " -k " + dir_.path() +
                     " -c listen_addresses=" + listen + " -c max_connections=100";
  if (!options_.durable) opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
  CommandResult r = AsServerUser({bin_ + "/pg_ctl", "-D", dir_.path() + "/data", "-o", opts, "-l",
                                  dir_.path() + "/server.log", "-w", "-t", "60", "start"});
  if (r.exit_code != 0) {
    throw std::runtime_error("pg_ctl start failed: " + r.output + "\nserver log:\n" +
                             ReadFile(dir_.path() + "/server.log"));
  }
  running_ = true;
}

void PostgresCluster::Stop() {
  CommandResult r = AsServerUser(
      {bin_ + "/pg_ctl", "-D", dir_.path() + "/data", "-m", "immediate", "-w", "stop"});
  running_ = false;
  if (r.exit_code != 0) throw std::runtime_error("pg_ctl stop failed: " + r.output);
}

std::string PostgresCluster::Uri(const std::string& db) const {
  return "postgresql://imagemill@" + options_.listen.front() + ":" + std::to_string(port_) + "/" +
         db;
}

std::string PostgresCluster::Psql(const std::string& sql, const std::string& db) {
  CommandResult r =
      RunCommand({bin_ + "/psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", Uri(db), "-c", sql},
                 {"PGCONNECT_TIMEOUT=10", "PGOPTIONS=-c client_min_messages=warning"});
  if (r.exit_code != 0) throw std::runtime_error("psql failed on: " + sql + "\n" + r.output);
  while (!r.output.empty() && r.output.back() == '\n') r.output.pop_back();
  return r.output;
}

std::string PostgresCluster::CreateDatabase(const std::string& db) {
  Psql("CREATE DATABASE \"" + db + "\"");
  return Uri(db);
}

PostgresCluster& SharedCluster() {
  static PostgresCluster cluster;
  return cluster;
}

std::string NewSchemaUri(const std::string& schema) {
  static std::atomic<int> n{0};
  const std::string name = schema.empty() ? "s" + std::to_string(++n) : schema;
  SharedCluster().Psql("CREATE SCHEMA " + name);
  return SharedCluster().Uri() + "?options=-csearch_path%3D" + name;
}

}  // namespace imagemill::testing
