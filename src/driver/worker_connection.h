// What the driver needs of one worker, behind an interface so that the WorkerPool can be tested
// with a fake (as Ninja tests its build loop with a fake CommandRunner): `Worker` is the real
// process, tests/cpp/worker_pool_test.cpp has the fake.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "driver/protocol.h"

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

// A call never hangs and never throws for a misbehaving worker: a reply that does not come in
// time, a worker that dies, or a line that is not protocol all end the process and come back as
// an outcome; the next call starts a fresh worker.
class WorkerConnection {
 public:
  virtual ~WorkerConnection() = default;
  // Starts the process when none runs, without waiting for it to be ready (workers import Warp
  // side by side); throws WorkerStartError.
  virtual void launch() = 0;
  // Starts the process when none runs and waits until it is ready; throws WorkerStartError.
  virtual const protocol::ReadyMessage& ensure_started() = 0;
  virtual CallOutcome call(std::int64_t id, const std::string& request_line, std::chrono::milliseconds timeout) = 0;
  // Ends the process (the next call starts another).
  virtual void shutdown() = 0;
  virtual int restarts() const = 0;
  virtual long peak_rss_kb() const = 0;
};

using WorkerFactory = std::function<std::unique_ptr<WorkerConnection>()>;

}  // namespace warpsynth
