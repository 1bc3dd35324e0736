// A file that appears under its final name only when complete: written to a temporary name in
// the same folder and renamed on commit(); removed if never committed (error, exception).
#pragma once

#include <fstream>
#include <string>

namespace warpsynth {

class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::ostream& stream() { return out_; }
  // Flushes, checks for write errors, renames into place; throws std::runtime_error on failure.
  void commit();
  const std::string& temp_path() const { return temp_path_; }

 private:
  std::string path_;
  std::string temp_path_;
  std::ofstream out_;
  bool committed_ = false;
};

}  // namespace warpsynth
