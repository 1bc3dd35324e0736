// An append-only text log. Lines are flushed at once so a crash or kill loses nothing.
#pragma once

#include <fstream>
#include <mutex>
#include <string>
#include <string_view>

namespace warpsynth {

class LogFile {
 public:
  LogFile() = default;  // discards everything
  explicit LogFile(const std::string& path);
  void line(std::string_view text);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::ofstream out_;
  std::mutex mutex_;  // workers on several threads write to one log
};

}  // namespace warpsynth
