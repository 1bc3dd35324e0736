#include "util/progress.h"

#include <unistd.h>

#include <fmt/format.h>

namespace warpsynth {

Progress::Progress(std::ostream& out, std::uint64_t total, bool enabled)
    : out_(out), total_(total), enabled_(enabled), terminal_(::isatty(2)), last_(Clock::now()) {}

void Progress::update(std::uint64_t done, std::uint64_t failed, bool force) {
  if (!enabled_) return;
  if (start_done_ == UINT64_MAX) start_done_ = done;
  auto now = Clock::now();
  auto interval = terminal_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(5000);
  if (!force && now - last_ < interval) return;
  last_ = now;
  double seconds = std::chrono::duration<double>(now - started_).count();
  double rate = seconds > 0 ? (done - start_done_) / seconds : 0;
  double eta = rate > 0 ? (total_ - done) / rate : 0;
  std::string eta_text = fmt::format("{}m{:02d}s", static_cast<int>(eta) / 60, static_cast<int>(eta) % 60);
  if (terminal_) {
    constexpr int kWidth = 30;
    int filled = total_ ? static_cast<int>(kWidth * done / total_) : kWidth;
    out_ << fmt::format("\r[{}{}] {}/{}  {:.1f}/s  ETA {}  failed {}   ", std::string(filled, '#'),
                        std::string(kWidth - filled, '.'), done, total_, rate, eta_text, failed)
         << std::flush;
  } else {
    out_ << fmt::format("[{}/{}] {:.1f} kernels/s, ETA {}, {} failed\n", done, total_, rate, eta_text, failed);
  }
}

void Progress::finish(std::uint64_t done, std::uint64_t failed) {
  if (!enabled_) return;
  update(done, failed, true);
  if (terminal_) out_ << "\n";
}

}  // namespace warpsynth
