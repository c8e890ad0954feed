#include "support/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>

extern char** environ;
#include <thread>

namespace imagemill::testing {
namespace {

// argv and the environment (the current one with `env` laid over it) as exec wants them, built
// before fork: a child of a threaded process may only call async-signal-safe functions.
class ExecArgs {
 public:
  ExecArgs(const std::vector<std::string>& argv, const std::vector<std::string>& env)
      : args_(argv) {
    for (char** e = environ; *e != nullptr; ++e) {
      std::string entry(*e);
      std::string name = entry.substr(0, entry.find('='));
      bool overridden = false;
      for (const std::string& o : env) overridden |= o.substr(0, o.find('=')) == name;
      if (!overridden) env_.push_back(std::move(entry));
    }
    for (const std::string& o : env) {
      if (o.find('=') != std::string::npos) env_.push_back(o);  // "NAME" alone: unset
    }
    for (std::string& a : args_) argp_.push_back(a.data());
    argp_.push_back(nullptr);
    for (std::string& e : env_) envp_.push_back(e.data());
    envp_.push_back(nullptr);
  }
  // In the child, after fork. Never returns.
  [[noreturn]] void Exec() {
    ::execvpe(argp_[0], argp_.data(), envp_.data());
    ::_exit(127);
  }

 private:
  std::vector<std::string> args_;
  std::vector<std::string> env_;
  std::vector<char*> argp_;
  std::vector<char*> envp_;
};

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv,
                           const std::vector<std::string>& env, const std::string& log_path) {
  ExecArgs exec(argv, env);
  const int out = ::open(log_path.empty() ? "/dev/null" : log_path.c_str(),
                         O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(1);
    if (out >= 0) {
      ::dup2(out, 1);
      ::dup2(out, 2);
    }
    if (in >= 0) ::dup2(in, 0);
    exec.Exec();
  }
  if (out >= 0) ::close(out);
  if (in >= 0) ::close(in);
}

ChildProcess::~ChildProcess() { Stop(); }

bool ChildProcess::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

void ChildProcess::Stop() {
  if (pid_ <= 0) return;
  ::kill(-pid_, SIGTERM);
  for (int i = 0; i < 50; ++i) {
    if (!Running()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(-pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

CommandResult RunCommand(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                         const std::string& stdin_data, bool capture_stderr) {
  CommandResult result;
  int out_pipe[2];
  int in_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return result;
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return result;
  }
  ExecArgs exec(argv, env);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    if (capture_stderr) ::dup2(out_pipe[1], 2);
    exec.Exec();
  }
  ::close(out_pipe[1]);
  ::close(in_pipe[0]);
  // Feed stdin from a thread so a child that writes a lot before reading cannot deadlock us.
  std::thread feeder([fd = in_pipe[1], &stdin_data] {
    size_t done = 0;
    while (done < stdin_data.size()) {
      ssize_t n = ::write(fd, stdin_data.data() + done, stdin_data.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    ::close(fd);
  });
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(out_pipe[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    result.output.append(buf, static_cast<size_t>(n));
  }
  ::close(out_pipe[0]);
  feeder.join();
  int status = 0;
  if (pid > 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  }
  return result;
}

std::string SourceDir() {
  const char* env = std::getenv("IMAGEMILL_SOURCE_DIR");
  return env != nullptr && *env != '\0' ? env : IMAGEMILL_SOURCE_DIR;
}


}  // namespace imagemill::testing
