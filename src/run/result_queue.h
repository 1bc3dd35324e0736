// Results that the worker pool's threads deliver (samples finished in any order) and the driver's
// thread collects to write them into their shards. Shared by the jobs of `generate` and `verify`.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

#include "run/shard_assembler.h"

namespace warpsynth {

class ResultQueue {
 public:
  // Called from the pool's threads.
  void deliver(std::vector<SampleResult> out) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& r : out) {
      failed_ += !r.ok;
      ++finished_;
      results_.push_back(std::move(r));
    }
    changed_.notify_all();
  }
  // The results that arrived since the last call, and the counts so far.
  std::vector<SampleResult> collect(std::uint64_t& finished, std::uint64_t& failed) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<SampleResult> arrived;
    arrived.swap(results_);
    finished = finished_;
    failed = failed_;
    return arrived;
  }
  void wait_for_results(std::chrono::milliseconds at_most) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait_for(lock, at_most, [this] { return !results_.empty(); });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<SampleResult> results_;  // finished samples, any order
  std::uint64_t finished_ = 0, failed_ = 0;
};

}  // namespace warpsynth
