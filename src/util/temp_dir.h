// A folder of this process's own under the system's temporary folder, removed with everything in
// it when the object goes.
#pragma once

#include <filesystem>
#include <string>

namespace warpsynth {

class TempDir {
 public:
  // Creates `<tmp>/<prefix>XXXXXX`; throws std::runtime_error when it cannot.
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace warpsynth
