// The records `warpsynth dataset` will write, kept on disk while it dedups and splits them.
//
// A record's line (its Python, C++ and CUDA, with whole modules: about 47 KB a generated kernel)
// is needed only when the rows are written, while what dedup and splitting use of it is small. So
// each line goes into one spool file as it is read, and the build keeps its place there: the memory a
// build needs grows with the records' Python, not with their modules (10,145 records: 2.1 GB when
// the lines were held, see docs/dataset-build.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace warpsynth {

struct SpooledLine {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

class RecordSpool {
 public:
  // Creates (or truncates) the spool file at `path`; removed when the spool goes. Throws
  // std::runtime_error naming the file when it cannot be made.
  explicit RecordSpool(std::filesystem::path path);
  ~RecordSpool();
  RecordSpool(const RecordSpool&) = delete;
  RecordSpool& operator=(const RecordSpool&) = delete;

  // Appends one line; throws std::runtime_error on a write error (a full disk).
  SpooledLine append(std::string_view line);
  // The line appended at `at`; throws std::runtime_error on a read error.
  std::string read(const SpooledLine& at) const;

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

}  // namespace warpsynth
