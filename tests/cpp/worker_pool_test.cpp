// The WorkerPool against fake workers (no processes), as Ninja tests its build loop with a fake
// CommandRunner: each fake answers a request by what its items ask for, so a test can make one
// item crash, hang, garble, answer too much, or a worker start slowly, and check that only that
// item is lost and everything else arrives once.
#include "driver/worker_pool.h"

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

using namespace warpsynth;
using namespace std::chrono_literals;

namespace {

// What item i does when it is in a request: most answer, a few misbehave.
enum class Behavior { kAnswer, kCrash, kHang, kGarbage, kOversize, kWrongCount };

struct Script {
  std::map<std::uint64_t, Behavior> items;  // the rest answer
  std::chrono::milliseconds startup{0};     // a slow start: ensure_started waits this long
  bool cannot_start = false;
};

// Shared by every fake of a test: what was asked, how often workers started.
struct FakeWorld {
  Script script;
  std::mutex mutex;
  int launches = 0;
  int calls = 0;
  std::set<std::thread::id> threads;
};

class FakeWorker : public WorkerConnection {
 public:
  explicit FakeWorker(FakeWorld& world) : world_(world) {}

  void launch() override {
    if (running_) return;
    if (world_.script.cannot_start) throw WorkerStartError("fake worker: python not found");
    std::lock_guard<std::mutex> lock(world_.mutex);
    ++world_.launches;
    if (started_++ > 0) ++restarts_;
    running_ = true;
    ready_ = false;
  }
  const protocol::ReadyMessage& ensure_started() override {
    launch();
    if (!ready_) std::this_thread::sleep_for(world_.script.startup);
    ready_ = true;
    return message_;
  }
  CallOutcome call(std::int64_t, const std::string& request, std::chrono::milliseconds timeout) override {
    ensure_started();
    {
      std::lock_guard<std::mutex> lock(world_.mutex);
      ++world_.calls;
      world_.threads.insert(std::this_thread::get_id());
    }
    // The fake request is the item numbers, space-separated.
    std::vector<std::uint64_t> items;
    std::size_t at = 0;
    while (at < request.size()) {
      std::size_t next = request.find(' ', at);
      items.push_back(std::stoull(request.substr(at, next - at)));
      if (next == std::string::npos) break;
      at = next + 1;
    }
    CallOutcome outcome;
    nlohmann::json answers = nlohmann::json::array();
    for (auto item : items) {
      auto it = world_.script.items.find(item);
      Behavior b = it == world_.script.items.end() ? Behavior::kAnswer : it->second;
      switch (b) {
        case Behavior::kCrash:
          running_ = false;  // the process is gone: the next call starts another
          return {CallOutcome::Kind::kCrashed, {}, "worker died (killed by signal 11)"};
        case Behavior::kHang:
          std::this_thread::sleep_for(std::min(timeout, 50ms));
          running_ = false;
          return {CallOutcome::Kind::kTimeout, {}, "timed out"};
        case Behavior::kGarbage:
          running_ = false;
          return {CallOutcome::Kind::kGarbled, {}, "worker sent a line that is not a JSON object"};
        case Behavior::kOversize:
          running_ = false;
          return {CallOutcome::Kind::kGarbled, {}, "reply longer than 1 MiB; worker stopped"};
        case Behavior::kWrongCount:
          answers.push_back(item);  // answers twice: the reply does not fit the request
          answers.push_back(item);
          break;
        case Behavior::kAnswer:
          answers.push_back(item);
          break;
      }
    }
    std::this_thread::sleep_for(1ms);  // long enough for every thread to take batches
    outcome.result = {{"items", answers}};
    return outcome;
  }
  void shutdown() override { running_ = false; }
  int restarts() const override { return restarts_; }
  long peak_rss_kb() const override { return 1000 + started_; }

 private:
  FakeWorld& world_;
  protocol::ReadyMessage message_{"0.0-fake", "0.0-fake", "fake"};
  bool running_ = false;
  bool ready_ = false;
  int started_ = 0;
  int restarts_ = 0;
};

// A job that records what arrived and what was lost.
class RecordingJob : public BatchJob {
 public:
  std::string request(std::int64_t, std::span<const std::uint64_t> items) override {
    std::string text;
    for (auto i : items) text += (text.empty() ? "" : " ") + std::to_string(i);
    return text;
  }
  bool accept(std::span<const std::uint64_t> items, const nlohmann::json& result) override {
    const auto& answers = result.at("items");
    if (answers.size() != items.size()) return false;
    std::lock_guard<std::mutex> lock(mutex);
    for (size_t k = 0; k < items.size(); ++k) {
      EXPECT_EQ(answers[k].get<std::uint64_t>(), items[k]);
      ++arrived[items[k]];
    }
    return true;
  }
  void lost(std::uint64_t item, const std::string& stage, const std::string&) override {
    std::lock_guard<std::mutex> lock(mutex);
    lost_items[item] = stage;
  }
  std::mutex mutex;
  std::map<std::uint64_t, int> arrived;
  std::map<std::uint64_t, std::string> lost_items;
};

struct PoolRun {
  RecordingJob job;
  int restarts = 0;
  long peak = 0;
};

void run_pool(FakeWorld& world, PoolRun& run, std::uint64_t items, int jobs, std::uint64_t batch, int recycle = 100) {
  LogFile quiet;
  WorkerPool pool([&] { return std::make_unique<FakeWorker>(world); }, {jobs, recycle, 1000ms}, quiet);
  BatchQueue queue(batch);
  queue.add(0, items);
  pool.run(queue, run.job);
  run.restarts = pool.restarts();
  run.peak = pool.peak_rss_kb();
}

void expect_all_once_except(const PoolRun& run, std::uint64_t items, const std::map<std::uint64_t, std::string>& lost) {
  EXPECT_EQ(run.job.lost_items, lost);
  for (std::uint64_t i = 0; i < items; ++i) {
    if (lost.count(i)) {
      EXPECT_EQ(run.job.arrived.count(i), 0u) << "item " << i;
    } else {
      EXPECT_EQ(run.job.arrived.count(i) ? run.job.arrived.at(i) : 0, 1) << "item " << i;
    }
  }
}

}  // namespace

TEST(BatchQueue, CoversEveryItemOnceAndShrinksBatchesNearTheEnd) {
  BatchQueue queue(32);
  queue.add(0, 100);
  queue.add(200, 210);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> taken;
  while (!queue.empty()) taken.push_back(queue.take(2));
  std::uint64_t covered = 0;
  for (auto [b, e] : taken) {
    EXPECT_LT(b, e);
    EXPECT_LE(e - b, 32u);
    covered += e - b;
  }
  EXPECT_EQ(covered, 110u);
  const std::pair<std::uint64_t, std::uint64_t> first{0, 28};  // a quarter of 110, rounded up
  EXPECT_EQ(taken.front(), first);
  EXPECT_LT(taken.back().second - taken.back().first, 8u + 1);
  EXPECT_EQ(taken.back().second, 210u);
}

TEST(WorkerPool, EveryItemArrivesOnceWithSeveralWorkers) {
  FakeWorld world;
  PoolRun run;
  run_pool(world, run, 500, 4, 16);
  expect_all_once_except(run, 500, {});
  EXPECT_EQ(world.threads.size(), 4u);
  EXPECT_EQ(run.restarts, 0);
}

TEST(WorkerPool, ACrashLosesOnlyTheItemThatCrashes) {
  FakeWorld world;
  world.script.items = {{37, Behavior::kCrash}, {38, Behavior::kCrash}, {90, Behavior::kCrash}};
  PoolRun run;
  run_pool(world, run, 128, 2, 32);
  expect_all_once_except(run, 128, {{37, "crash"}, {38, "crash"}, {90, "crash"}});
  EXPECT_GT(run.restarts, 0);  // a crashed worker is replaced, and the run goes on
}

TEST(WorkerPool, AHangIsTimedOutAndIsolated) {
  FakeWorld world;
  world.script.items = {{5, Behavior::kHang}};
  PoolRun run;
  run_pool(world, run, 40, 1, 8);
  expect_all_once_except(run, 40, {{5, "timeout"}});
}

TEST(WorkerPool, GarbageAndOversizeRepliesAreIsolated) {
  FakeWorld world;
  world.script.items = {{3, Behavior::kGarbage}, {20, Behavior::kOversize}, {21, Behavior::kWrongCount}};
  PoolRun run;
  run_pool(world, run, 64, 2, 16);
  expect_all_once_except(run, 64, {{3, "protocol"}, {20, "protocol"}, {21, "protocol"}});
}

TEST(WorkerPool, ASlowStartDelaysButLosesNothing) {
  FakeWorld world;
  world.script.startup = 200ms;
  PoolRun run;
  auto begin = std::chrono::steady_clock::now();
  run_pool(world, run, 50, 2, 10);
  EXPECT_GE(std::chrono::steady_clock::now() - begin, 200ms);
  expect_all_once_except(run, 50, {});
}

TEST(WorkerPool, WorkersAreRecycledAfterTheirBatches) {
  FakeWorld world;
  PoolRun run;
  run_pool(world, run, 100, 1, 10, /*recycle=*/3);
  expect_all_once_except(run, 100, {});
  EXPECT_GE(world.launches, 4);  // 10 batches, a fresh worker every 3
  EXPECT_GT(run.peak, 1000);
}

TEST(WorkerPool, NoMoreWorkersRunThanThereAreBatches) {
  FakeWorld world;
  PoolRun run;
  run_pool(world, run, 2, 8, 1);
  expect_all_once_except(run, 2, {});
  EXPECT_LE(world.threads.size(), 2u);
  EXPECT_LE(world.launches, 2);
}

TEST(WorkerPool, AWorkerThatCannotStartStopsTheRunWithItsReason) {
  FakeWorld world;
  world.script.cannot_start = true;
  LogFile quiet;
  EXPECT_THROW(
      {
        WorkerPool pool([&] { return std::make_unique<FakeWorker>(world); }, {2, 100, 1000ms}, quiet);
        RecordingJob job;
        BatchQueue queue(4);
        queue.add(0, 10);
        pool.run(queue, job);
      },
      WorkerStartError);
}
