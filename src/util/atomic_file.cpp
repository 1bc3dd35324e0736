#include "util/atomic_file.h"

#include <cstdio>
#include <filesystem>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <unistd.h>

namespace warpsynth {

AtomicFile::AtomicFile(std::string path)
    : path_(std::move(path)), temp_path_(path_ + ".tmp-" + std::to_string(::getpid())) {
  out_.open(temp_path_, std::ios::binary | std::ios::trunc);
  if (!out_) throw std::runtime_error("cannot write " + temp_path_);
}

AtomicFile::~AtomicFile() {
  if (committed_) return;
  out_.close();
  std::error_code ec;
  std::filesystem::remove(temp_path_, ec);
}

void AtomicFile::commit() {
  out_.flush();
  if (!out_) {
    // errno from the failed write (ENOSPC: the disk is full), said in words
    throw std::runtime_error("cannot write " + path_ + ": " + std::strerror(errno ? errno : EIO));
  }
  out_.close();
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    throw std::runtime_error("cannot rename " + temp_path_ + " to " + path_);
  }
  committed_ = true;
}

}  // namespace warpsynth
