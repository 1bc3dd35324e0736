// A child process with pipes on its stdin, stdout and stderr.
//
// The driver talks to Python workers line by line and must never block forever on one: every
// read takes a deadline, stderr is drained while waiting so a chatty child cannot stall on a
// full pipe, and the child can be killed at any moment.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sys/types.h>

namespace warpsynth {

struct SpawnOptions {
  std::vector<std::string> argv;                      // argv[0] is looked up on PATH
  std::map<std::string, std::string> env_overrides;   // added to (or replacing) the environment
  // When not empty, only the variables of this process's environment named here pass to the child
  // ("NAME", or "PREFIX*" for every name starting with PREFIX), env_overrides added; when empty,
  // the whole environment.
  std::vector<std::string> env_allow;
  // The child is killed when the thread that started it ends, the driver included, however it
  // ends (kill -9 too): Linux's PR_SET_PDEATHSIG. The thread must outlive the child's use.
  bool die_with_parent = false;
  // Resource limits (setrlimit: soft and hard) the child starts with, e.g. {RLIMIT_DATA, bytes}.
  std::vector<std::pair<int, std::uint64_t>> limits;
};

// How a child process ended.
struct ExitStatus {
  enum class Kind { kRunning, kExited, kSignaled, kStopped };
  Kind kind = Kind::kRunning;
  int code = 0;  // the exit code (kExited) or the signal (kSignaled)

  bool success() const { return kind == Kind::kExited && code == 0; }
  // "exit code N", "killed by signal N (NAME)", "running" or "stopped".
  std::string describe() const;
};

class Subprocess {
 public:
  using Clock = std::chrono::steady_clock;
  enum class ReadStatus { kLine, kTimeout, kEof, kTooLong };

  // Starts the child; throws std::runtime_error when it cannot be started.
  explicit Subprocess(const SpawnOptions& options);
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  // Called with each complete line the child writes to stderr (without the newline).
  void set_stderr_sink(std::function<void(std::string_view)> sink) { stderr_sink_ = std::move(sink); }

  // Writes all of `data` to the child's stdin; false if the child closed it.
  bool write_all(std::string_view data);

  // Reads one line from the child's stdout (without the newline) before `deadline`; kTooLong
  // when more than `max_bytes` arrive without a newline (the rest is not read).
  ReadStatus read_line(std::string& line, Clock::time_point deadline, std::size_t max_bytes = SIZE_MAX);

  // Closes stdin and waits up to `grace` for the child to exit, then kills it.
  void finish(std::chrono::milliseconds grace);
  // Kills the child (SIGKILL) and reaps it. Safe to call more than once.
  void kill();
  bool running();
  // How the child ended (or that it has not).
  ExitStatus exit_status();
  // exit_status().describe().
  std::string exit_description() { return exit_status().describe(); }
  pid_t pid() const { return pid_; }

 private:
  void drain_stderr(bool flush_partial);
  void reap(bool block);

  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  bool exited_ = false;
  int wait_status_ = 0;
  std::string stdout_buffer_;
  size_t stdout_scanned_ = 0;  // bytes of stdout_buffer_ known to hold no newline (long lines arrive in chunks)
  std::string stderr_buffer_;
  std::function<void(std::string_view)> stderr_sink_;
};

}  // namespace warpsynth
