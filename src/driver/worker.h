// One Python worker process, driven through the line protocol.
//
// A call never hangs and never throws for a misbehaving worker: a reply that does not come in
// time, a worker that dies, or a line that is not protocol all end the process and come back as
// an outcome; the next call starts a fresh worker.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "driver/protocol.h"
#include "driver/worker_locator.h"
#include "util/log_file.h"
#include "util/subprocess.h"

namespace warpsynth {

// The worker could not be started at all (no Python, no Warp, ...): nothing can proceed.
struct WorkerStartError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct CallOutcome {
  enum class Kind { kOk, kRequestError, kTimeout, kCrashed, kGarbled };
  Kind kind = Kind::kOk;
  nlohmann::json result;  // kOk
  std::string detail;     // why, for every other kind
};

// The stage name a failed call is reported under: "timeout", "crash", "protocol", "worker".
std::string failure_stage(CallOutcome::Kind kind);

class Worker {
 public:
  Worker(WorkerCommand command, LogFile& log, std::chrono::milliseconds startup_timeout);
  ~Worker();

  // Starts the process when none runs, without waiting for it to be ready (workers import Warp
  // side by side); throws WorkerStartError.
  void launch();
  // Starts the process when none runs and waits until it is ready; throws WorkerStartError.
  const protocol::ReadyMessage& ensure_started();
  CallOutcome call(std::int64_t id, const std::string& request_line, std::chrono::milliseconds timeout);
  void shutdown();
  int restarts() const { return restarts_; }
  // Peak resident memory of the worker processes this object ran, in KiB (VmHWM, sampled after
  // each call and before each shutdown).
  long peak_rss_kb() const { return peak_rss_kb_; }

 private:
  void kill_after_failure();
  std::string recent_stderr() const;

  WorkerCommand command_;
  LogFile& log_;
  std::chrono::milliseconds startup_timeout_;
  std::unique_ptr<Subprocess> process_;
  std::optional<protocol::ReadyMessage> ready_;
  Subprocess::Clock::time_point launched_at_;
  std::deque<std::string> stderr_tail_;
  int starts_ = 0;
  int restarts_ = 0;
  long peak_rss_kb_ = 0;
  void sample_rss();
};

}  // namespace warpsynth
