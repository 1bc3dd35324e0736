#include "driver/worker_pool.h"

#include <algorithm>

#include <fmt/format.h>

namespace warpsynth {

void BatchQueue::add(std::uint64_t begin, std::uint64_t end) {
  for (std::uint64_t b = begin; b < end; b += batch_) {
    ranges_.emplace_back(b, std::min(end, b + batch_));
    queued_ += ranges_.back().second - b;
  }
}

std::pair<std::uint64_t, std::uint64_t> BatchQueue::take(int workers) {
  auto& front = ranges_.front();
  std::uint64_t size = front.second - front.first;
  std::uint64_t floor = std::max<std::uint64_t>(1, batch_ / 8);
  std::uint64_t per_worker = 2 * static_cast<std::uint64_t>(std::max(1, workers));
  std::uint64_t share = (queued_ + per_worker - 1) / per_worker;
  std::uint64_t take = std::min(size, std::max(floor, share));
  std::pair<std::uint64_t, std::uint64_t> range{front.first, front.first + take};
  front.first += take;
  if (front.first == front.second) ranges_.pop_front();
  queued_ -= take;
  return range;
}

WorkerPool::WorkerPool(const WorkerFactory& factory, PoolOptions options, LogFile& log)
    : options_(options), log_(log) {
  for (int j = 0; j < std::max(1, options_.jobs); ++j) workers_.push_back(factory());
  launch(1);
}

void WorkerPool::launch(int count) {
  for (int j = 0; j < std::min<int>(count, static_cast<int>(workers_.size())); ++j) workers_[j]->launch();
}

WorkerPool::~WorkerPool() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  shutdown();
}

void WorkerPool::start(BatchQueue& queue, BatchJob& job) {
  queue_ = &queue;
  fatal_.clear();
  // No more workers than batches: a worker with nothing to do would only cost its start.
  active_ = static_cast<int>(std::min<std::size_t>(workers_.size(), std::max<std::size_t>(1, queue.ranges())));
  if (queue.empty()) return;
  launch(active_);
  for (int j = 0; j < active_; ++j) threads_.emplace_back(&WorkerPool::serve, this, std::ref(*workers_[j]), std::ref(job));
}

bool WorkerPool::failed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return !fatal_.empty();
}

void WorkerPool::wait() {
  for (auto& t : threads_) t.join();
  threads_.clear();
  if (!fatal_.empty()) throw WorkerStartError(fatal_);
}

void WorkerPool::run(BatchQueue& queue, BatchJob& job) {
  start(queue, job);
  wait();
}

void WorkerPool::serve(WorkerConnection& worker, BatchJob& job) {
  std::int64_t next_id = 1;
  int served = 0;
  for (;;) {
    std::pair<std::uint64_t, std::uint64_t> range;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (queue_->empty() || !fatal_.empty() || stopping_) break;
      range = queue_->take(active_);
    }
    std::vector<std::uint64_t> items;
    for (std::uint64_t i = range.first; i < range.second; ++i) items.push_back(i);
    try {
      send(worker, job, next_id, items);
    } catch (const WorkerStartError& e) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (fatal_.empty()) fatal_ = e.what();
      break;
    }
    if (++served >= options_.recycle_after) {
      worker.shutdown();  // a fresh process for the next batch keeps memory bounded
      served = 0;
    }
  }
  worker.shutdown();
}

// Sends a batch; when the batch as a whole fails it is bisected until the items at fault are
// alone, so only they are lost.
void WorkerPool::send(WorkerConnection& worker, BatchJob& job, std::int64_t& next_id,
                      std::span<const std::uint64_t> items) {
  std::int64_t id = next_id++;
  CallOutcome outcome = worker.call(id, job.request(id, items), options_.timeout);
  std::string detail = outcome.detail;
  if (outcome.kind == CallOutcome::Kind::kOk) {
    if (job.accept(items, outcome.result)) return;
    outcome.kind = CallOutcome::Kind::kGarbled;
    detail = "the reply does not account for every item of the request";
  }
  if (items.size() == 1) {
    std::string stage = failure_stage(outcome.kind);
    log_.line(fmt::format("[driver] item {} lost: {}: {}", items[0], stage, detail));
    job.lost(items[0], stage, detail);
    return;
  }
  log_.line(fmt::format("[driver] batch of {} from item {} failed ({}); bisecting", items.size(), items[0], detail));
  std::size_t half = items.size() / 2;
  send(worker, job, next_id, items.first(half));
  send(worker, job, next_id, items.subspan(half));
}

void WorkerPool::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  shutdown();
}

void WorkerPool::shutdown() {
  for (auto& w : workers_) w->shutdown();
}

long WorkerPool::peak_rss_kb() const {
  long peak = 0;
  for (const auto& w : workers_) peak = std::max(peak, w->peak_rss_kb());
  return peak;
}

int WorkerPool::restarts() const {
  int n = 0;
  for (const auto& w : workers_) n += w->restarts();
  return n;
}

}  // namespace warpsynth
