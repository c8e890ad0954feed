#include "util/ids.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <mutex>
#include <random>

namespace imagemill {
namespace {

uint64_t Random64() {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard<std::mutex> lock(mu);
  return rng();
}

std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0) return "localhost";
  return buf;
}

}  // namespace

std::string NewUuid() {
  uint64_t a = Random64(), b = Random64();
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-4%03x-%04x-%012llx",
                static_cast<unsigned>(a >> 32), static_cast<unsigned>((a >> 16) & 0xffff),
                static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

std::string NewOwnerId() {
  char nonce[20];
  std::snprintf(nonce, sizeof(nonce), "%012llx",
                static_cast<unsigned long long>(Random64() & 0xffffffffffffULL));
  return HostName() + ":" + std::to_string(::getpid()) + ":" + nonce;
}

bool OwnerIsDeadOnThisHost(const std::string& owner) {
  size_t c2 = owner.rfind(':');
  if (c2 == std::string::npos || c2 == 0) return false;
  size_t c1 = owner.rfind(':', c2 - 1);
  if (c1 == std::string::npos) return false;
  if (owner.substr(0, c1) != HostName()) return false;
  long pid = std::strtol(owner.c_str() + c1 + 1, nullptr, 10);
  if (pid <= 0) return false;
  if (pid == ::getpid()) return true;  // an earlier run in this process has ended
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

}  // namespace imagemill
