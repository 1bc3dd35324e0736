// Progress of a long run on stderr: a live bar on a terminal, a plain line every few seconds
// otherwise (a log file, CI), and always a last line when done.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>

namespace warpsynth {

class Progress {
 public:
  Progress(std::ostream& out, std::uint64_t total, bool enabled);
  // Redraws if it is time to; cheap to call often.
  void update(std::uint64_t done, std::uint64_t failed, bool force = false);
  void finish(std::uint64_t done, std::uint64_t failed);

 private:
  using Clock = std::chrono::steady_clock;
  std::ostream& out_;
  std::uint64_t total_;
  std::uint64_t start_done_ = UINT64_MAX;  // samples already done when the run started (resume)
  bool enabled_;
  bool terminal_;
  Clock::time_point started_ = Clock::now();
  Clock::time_point last_;  // the first line comes one interval after the start
};

}  // namespace warpsynth
