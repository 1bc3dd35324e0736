#include "util/subprocess.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace warpsynth {
namespace {

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

std::runtime_error system_error(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

bool allowed(std::string_view name, const std::vector<std::string>& allow) {
  if (allow.empty()) return true;
  for (const auto& pattern : allow) {
    if (!pattern.empty() && pattern.back() == '*') {
      if (name.substr(0, pattern.size() - 1) == std::string_view(pattern).substr(0, pattern.size() - 1)) return true;
    } else if (name == pattern) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> merged_environment(const std::map<std::string, std::string>& overrides,
                                            const std::vector<std::string>& allow) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    auto eq = entry.find('=');
    if (eq == std::string_view::npos || !allowed(entry.substr(0, eq), allow)) continue;
    if (overrides.count(std::string(entry.substr(0, eq)))) continue;
    env.emplace_back(entry);
  }
  for (const auto& [key, value] : overrides) env.push_back(key + "=" + value);
  return env;
}

}  // namespace

Subprocess::Subprocess(const SpawnOptions& options) {
  if (options.argv.empty()) throw std::runtime_error("no command to start");
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) throw system_error("pipe");
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw system_error("pipe");
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) throw system_error("pipe");

  // Everything the child needs is prepared before fork: only async-signal-safe calls after it.
  std::vector<std::string> env = merged_environment(options.env_overrides, options.env_allow);
  std::vector<char*> argv, envp;
  for (const auto& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  // An exec failure is reported to the parent through this pipe (closed on a successful exec).
  int exec_pipe[2];
  if (::pipe2(exec_pipe, O_CLOEXEC) != 0) throw system_error("pipe");

  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) throw system_error("fork");
  if (pid_ == 0) {
    if (options.die_with_parent) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);  // the parent died before the line above
    }
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    ::setpgid(0, 0);  // own process group: killing it also stops grandchildren
    for (const auto& [resource, value] : options.limits) {
      struct rlimit limit{static_cast<rlim_t>(value), static_cast<rlim_t>(value)};
      if (::setrlimit(resource, &limit) != 0) {
        int err = errno;
        [[maybe_unused]] auto n = ::write(exec_pipe[1], &err, sizeof err);
        ::_exit(127);
      }
    }
    ::execvpe(argv[0], argv.data(), envp.data());
    int err = errno;
    [[maybe_unused]] auto n = ::write(exec_pipe[1], &err, sizeof err);
    ::_exit(127);
  }
  ::close(exec_pipe[1]);
  int exec_errno = 0;
  ssize_t got = ::read(exec_pipe[0], &exec_errno, sizeof exec_errno);
  ::close(exec_pipe[0]);
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  stdin_fd_ = in_pipe[1];
  stdout_fd_ = out_pipe[0];
  stderr_fd_ = err_pipe[0];
  if (got == static_cast<ssize_t>(sizeof exec_errno)) {
    reap(true);
    close_fd(stdin_fd_);
    close_fd(stdout_fd_);
    close_fd(stderr_fd_);
    throw std::runtime_error("cannot run " + options.argv[0] + ": " + std::strerror(exec_errno));
  }
  ::fcntl(stdout_fd_, F_SETFL, O_NONBLOCK);
  ::fcntl(stderr_fd_, F_SETFL, O_NONBLOCK);
  ::signal(SIGPIPE, SIG_IGN);  // a dead child must surface as a failed write, not kill us
}

Subprocess::~Subprocess() {
  kill();
  close_fd(stdin_fd_);
  close_fd(stdout_fd_);
  close_fd(stderr_fd_);
}

bool Subprocess::write_all(std::string_view data) {
  while (!data.empty()) {
    if (stdin_fd_ < 0) return false;
    ssize_t n = ::write(stdin_fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void Subprocess::drain_stderr(bool flush_partial) {
  char chunk[65536];
  while (stderr_fd_ >= 0) {
    ssize_t n = ::read(stderr_fd_, chunk, sizeof chunk);
    if (n > 0) {
      stderr_buffer_.append(chunk, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) close_fd(stderr_fd_);
    break;  // EAGAIN or EOF
  }
  size_t start = 0, nl;
  while ((nl = stderr_buffer_.find('\n', start)) != std::string::npos) {
    if (stderr_sink_) stderr_sink_(std::string_view(stderr_buffer_).substr(start, nl - start));
    start = nl + 1;
  }
  stderr_buffer_.erase(0, start);
  if (flush_partial && !stderr_buffer_.empty()) {
    if (stderr_sink_) stderr_sink_(stderr_buffer_);
    stderr_buffer_.clear();
  }
}

Subprocess::ReadStatus Subprocess::read_line(std::string& line, Clock::time_point deadline, std::size_t max_bytes) {
  char chunk[65536];
  for (;;) {
    auto nl = stdout_buffer_.find('\n', stdout_scanned_);
    if (nl != std::string::npos) {
      line.assign(stdout_buffer_, 0, nl);
      stdout_buffer_.erase(0, nl + 1);
      stdout_scanned_ = 0;
      return ReadStatus::kLine;
    }
    stdout_scanned_ = stdout_buffer_.size();
    if (stdout_buffer_.size() > max_bytes) return ReadStatus::kTooLong;
    if (stdout_fd_ < 0) {
      drain_stderr(true);
      return ReadStatus::kEof;
    }
    auto now = Clock::now();
    if (now >= deadline) {
      drain_stderr(false);
      return ReadStatus::kTimeout;
    }
    auto wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    pollfd fds[2] = {{stdout_fd_, POLLIN, 0}, {stderr_fd_, POLLIN, 0}};
    int rc = ::poll(fds, stderr_fd_ >= 0 ? 2 : 1, static_cast<int>(std::min<long long>(wait_ms + 1, 1000)));
    if (rc < 0 && errno != EINTR) throw system_error("poll");
    if (stderr_fd_ >= 0) drain_stderr(false);
    for (;;) {
      ssize_t n = ::read(stdout_fd_, chunk, sizeof chunk);
      if (n > 0) {
        stdout_buffer_.append(chunk, static_cast<size_t>(n));
        if (stdout_buffer_.size() > max_bytes) break;  // judged above, before more is read
        continue;
      }
      if (n == 0) close_fd(stdout_fd_);
      else if (errno == EINTR) continue;
      break;
    }
  }
}

void Subprocess::reap(bool block) {
  if (exited_ || pid_ <= 0) return;
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) {
    exited_ = true;
    wait_status_ = status;
  }
}

bool Subprocess::running() {
  reap(false);
  return pid_ > 0 && !exited_;
}

void Subprocess::finish(std::chrono::milliseconds grace) {
  close_fd(stdin_fd_);
  auto deadline = Clock::now() + grace;
  while (running() && Clock::now() < deadline) {
    drain_stderr(false);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill();
}

void Subprocess::kill() {
  if (pid_ > 0 && !exited_) {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
    reap(true);
  }
  drain_stderr(true);
}

ExitStatus Subprocess::exit_status() {
  reap(false);
  if (!exited_) return {};
  if (WIFEXITED(wait_status_)) return {ExitStatus::Kind::kExited, WEXITSTATUS(wait_status_)};
  if (WIFSIGNALED(wait_status_)) return {ExitStatus::Kind::kSignaled, WTERMSIG(wait_status_)};
  return {ExitStatus::Kind::kStopped, 0};
}

std::string ExitStatus::describe() const {
  switch (kind) {
    case Kind::kRunning:
      return "running";
    case Kind::kExited:
      return "exit code " + std::to_string(code);
    case Kind::kSignaled: {
      const char* name = sigabbrev_np(code);
      return "killed by signal " + std::to_string(code) + (name ? std::string(" (SIG") + name + ")" : "");
    }
    case Kind::kStopped:
      break;
  }
  return "stopped";
}

}  // namespace warpsynth
