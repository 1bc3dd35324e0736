#include "dataset_build/record_spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace warpsynth {

RecordSpool::RecordSpool(std::filesystem::path path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd_ < 0) throw std::runtime_error("cannot make " + path_.string() + ": " + std::strerror(errno));
}

RecordSpool::~RecordSpool() {
  if (fd_ >= 0) ::close(fd_);
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

SpooledLine RecordSpool::append(std::string_view line) {
  SpooledLine at{size_, line.size()};
  const char* data = line.data();
  std::size_t left = line.size();
  while (left > 0) {
    const ssize_t n = ::pwrite(fd_, data, left, static_cast<off_t>(size_));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("cannot write " + path_.string() + ": " + std::strerror(n < 0 ? errno : ENOSPC));
    data += n, left -= static_cast<std::size_t>(n), size_ += static_cast<std::uint64_t>(n);
  }
  return at;
}

std::string RecordSpool::read(const SpooledLine& at) const {
  std::string line(at.size, '\0');
  std::size_t done = 0;
  while (done < at.size) {
    const ssize_t n = ::pread(fd_, line.data() + done, at.size - done, static_cast<off_t>(at.offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("cannot read " + path_.string() + ": " + (n < 0 ? std::strerror(errno) : "cut short"));
    done += static_cast<std::size_t>(n);
  }
  return line;
}

}  // namespace warpsynth
