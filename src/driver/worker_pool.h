// The pool of Python workers every command runs its work through (generate, extract, verify).
//
// A command hands the pool a queue of items (sample indices, file numbers) and a BatchJob that
// knows how to turn a batch of items into a request and how to take a reply. J threads each drive
// one worker: they take batches, send them, and on a failed batch (crash, hang, garbage, a reply
// that does not account for its items) bisect it until the items at fault are alone, so only they
// are lost. Workers are replaced after `recycle_after` batches (memory stays bounded) and their
// peak memory is kept. The pool never reads the worker's JSON: the job does, through the
// protocol layer's parsers.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "driver/worker_connection.h"
#include "util/log_file.h"

namespace warpsynth {

struct PoolOptions {
  int jobs = 1;                                // worker processes
  int recycle_after = 100;                     // batches a worker serves before it is replaced
  std::chrono::milliseconds timeout{300'000};  // for one request (a batch, or a part of a bisected one)
};

// Items waiting to be sent, as ranges [begin, end) of item numbers, each range at most `batch`
// long. Near the end batches shrink (to a share of what is left per worker, at least an eighth
// of `batch`) so the workers finish together; batch sizes never change what a job produces.
class BatchQueue {
 public:
  explicit BatchQueue(std::uint64_t batch) : batch_(std::max<std::uint64_t>(1, batch)) {}
  void add(std::uint64_t begin, std::uint64_t end);
  bool empty() const { return ranges_.empty(); }
  std::uint64_t items() const { return queued_; }
  std::size_t ranges() const { return ranges_.size(); }
  // The next batch for one of `workers` workers.
  std::pair<std::uint64_t, std::uint64_t> take(int workers);

 private:
  std::uint64_t batch_;
  std::deque<std::pair<std::uint64_t, std::uint64_t>> ranges_;
  std::uint64_t queued_ = 0;
};

// What a command asks of the pool. Called from the pool's threads, several at once (one batch
// per thread at a time): what an implementation shares between batches it guards itself.
class BatchJob {
 public:
  virtual ~BatchJob() = default;
  // The request line for these items.
  virtual std::string request(std::int64_t id, std::span<const std::uint64_t> items) = 0;
  // The reply to that request. False when it does not account for every item (it is then
  // treated as a failed batch: bisected, and an item alone reported lost).
  virtual bool accept(std::span<const std::uint64_t> items, const nlohmann::json& result) = 0;
  // An item lost alone: the stage ("crash", "timeout", "protocol", "worker") and why.
  virtual void lost(std::uint64_t item, const std::string& stage, const std::string& message) = 0;
};

class WorkerPool {
 public:
  // Makes `jobs` workers with `factory`; the first is started at once (without waiting).
  WorkerPool(const WorkerFactory& factory, PoolOptions options, LogFile& log);
  // Starts up to `count` of the workers side by side, without waiting (they import Warp while
  // the caller goes on); start() starts the ones it needs that are not running yet.
  void launch(int count);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // The first worker, for calls outside a queue (its ready message, the builtin catalog).
  WorkerConnection& first() { return *workers_.front(); }

  // Runs the queue through the workers (at most as many as there are batches), returning at
  // once; `job` and `queue` must outlive wait().
  void start(BatchQueue& queue, BatchJob& job);
  // True once a worker could not start: the others stop taking batches.
  bool failed() const;
  // Waits for every batch to be done; throws WorkerStartError when a worker could not start.
  void wait();
  // start() then wait().
  void run(BatchQueue& queue, BatchJob& job);

  // Ends the worker processes (also done by the destructor).
  void shutdown();
  // Hands out no more batches, waits for those in flight and shuts the workers down: for a run
  // that ends early on an error of its own (a shard that could not be written), before the job
  // its threads call goes.
  void stop();
  long peak_rss_kb() const;
  int restarts() const;

 private:
  void serve(WorkerConnection& worker, BatchJob& job);
  void send(WorkerConnection& worker, BatchJob& job, std::int64_t& next_id, std::span<const std::uint64_t> items);

  PoolOptions options_;
  LogFile& log_;
  std::vector<std::unique_ptr<WorkerConnection>> workers_;
  std::vector<std::thread> threads_;
  mutable std::mutex mutex_;
  BatchQueue* queue_ = nullptr;
  int active_ = 1;
  std::string fatal_;
  bool stopping_ = false;  // stop(): no more batches
};

}  // namespace warpsynth
