#include "util/log_file.h"

#include <stdexcept>

namespace warpsynth {

LogFile::LogFile(const std::string& path) : path_(path), out_(path, std::ios::app) {
  if (!out_) throw std::runtime_error("cannot open log file " + path);
}

void LogFile::line(std::string_view text) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!out_.is_open()) return;
  out_ << text << '\n';
  out_.flush();
}

}  // namespace warpsynth
