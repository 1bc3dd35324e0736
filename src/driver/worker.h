// One Python worker process, driven through the line protocol.
//
// A call never hangs and never throws for a misbehaving worker: a reply that does not come in
// time, a worker that dies, or a line that is not protocol all end the process and come back as
// an outcome; the next call starts a fresh worker.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "driver/protocol.h"
#include "driver/worker_connection.h"
#include "driver/worker_locator.h"
#include "util/log_file.h"
#include "util/subprocess.h"

namespace warpsynth {

struct WorkerSetup;

// Limits on each worker process, for a run that executes code it did not write (extract;
// docs/security.md). 0: no limit.
struct WorkerLimits {
  // RLIMIT_DATA, soft and hard, from the process's start: the heap and every private writable
  // mapping (Python's objects, numpy arrays). Not RLIMIT_AS: the CUDA driver reserves far more
  // address space than it uses, and fails to start under an address-space limit.
  std::uint64_t memory_bytes = 0;
  // RLIMIT_CPU, set by the worker before each file to the CPU time it has used plus this
  // (WARPSYNTH_CPU_LIMIT_S): a file spinning on every core is stopped by SIGXCPU even before
  // the wall-clock timeout.
  double cpu_seconds_per_request = 0;
};

class Worker : public WorkerConnection {
 public:
  // A reply longer than this is not read to its end: the worker is killed and the call fails.
  static constexpr std::size_t kDefaultMaxReplyBytes = std::size_t{512} << 20;

  Worker(WorkerCommand command, LogFile& log, std::chrono::milliseconds startup_timeout,
         std::size_t max_reply_bytes = kDefaultMaxReplyBytes);
  // Variables added to the worker's environment.
  void set_environment(std::map<std::string, std::string> variables) { environment_ = std::move(variables); }
  // A request sent to every process this object starts, once it is ready and before any call, so
  // that every worker of a run is in the same state (extract: the run's package modules
  // imported). When it fails (an error, a crash, a hang past `timeout`), `setup_failed` is set,
  // the process is replaced, and this and every worker sharing the flag go on without set-up.
  // The set-up is read when a process starts, so it can be given after the object is made.
  void set_setup(std::shared_ptr<const struct WorkerSetup> setup) { setup_ = std::move(setup); }
  void set_limits(WorkerLimits limits) { limits_ = limits; }
  ~Worker() override;

  void launch() override;
  const protocol::ReadyMessage& ensure_started() override;
  CallOutcome call(std::int64_t id, const std::string& request_line, std::chrono::milliseconds timeout) override;
  void shutdown() override;
  int restarts() const override { return restarts_; }
  // Peak resident memory of the worker processes this object ran, in KiB (VmHWM, sampled after
  // each call and before each shutdown).
  long peak_rss_kb() const override { return peak_rss_kb_; }

 private:
  void kill_after_failure();
  std::string recent_stderr() const;

  WorkerCommand command_;
  LogFile& log_;
  std::chrono::milliseconds startup_timeout_;
  std::size_t max_reply_bytes_;
  std::map<std::string, std::string> environment_;
  std::shared_ptr<const struct WorkerSetup> setup_;
  WorkerLimits limits_;
  bool run_setup();
  std::unique_ptr<Subprocess> process_;
  std::optional<protocol::ReadyMessage> ready_;
  Subprocess::Clock::time_point launched_at_;
  std::deque<std::string> stderr_tail_;
  std::uint64_t stderr_lines_ = 0;  // lines the processes printed on stderr, all told
  std::uint64_t logged_bytes_ = 0;  // of stderr, since the request began (or the process)
  bool log_capped_ = false;
  int starts_ = 0;
  int restarts_ = 0;
  long peak_rss_kb_ = 0;
  void sample_rss();
};

// The names (or "PREFIX*" patterns) of the driver's environment variables a worker inherits:
// what Python, Warp, CUDA and the project's own settings read (docs/security.md).
const std::vector<std::string>& worker_environment_allow_list();

// The workers of a pool. Each gets a Warp kernel cache of its own under `kernel_cache_root`:
// code a file runs at import may compile modules, and two workers compiling the same module into
// one cache at once break each other. WARPSYNTH_KERNEL_CACHE, when set, names one cache for all.
WorkerFactory worker_factory(WorkerCommand command, LogFile& log, std::chrono::milliseconds startup_timeout,
                             std::filesystem::path kernel_cache_root);

// What every worker of a run does before its first call (Worker::set_setup; empty: nothing), and
// whether it failed in one of them (then none does it any more).
struct WorkerSetup {
  std::string request_line;
  std::chrono::milliseconds timeout{0};
  mutable std::atomic<bool> failed{false};
};
WorkerFactory worker_factory(WorkerCommand command, LogFile& log, std::chrono::milliseconds startup_timeout,
                             std::filesystem::path kernel_cache_root, std::shared_ptr<const WorkerSetup> setup,
                             WorkerLimits limits = {});

}  // namespace warpsynth
