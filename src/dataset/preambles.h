// Warp's module preamble: the text Warp puts before a unit's own code (the block dim, its headers,
// the `builtin_tid*` and cast macros). It is the same for thousands of records, so a record holds
// only its name, and a dataset folder holds each preamble once, as `preambles/<name>.h`:
// `preamble + record.cpu.module` is the unit Warp compiles (docs/dataset.md).
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "driver/protocol.h"

namespace warpsynth {

inline constexpr const char* kPreambleDirName = "preambles";

struct UnitPreamble {
  std::string name;  // `{device}-block{block dim}-{8 hex of its text's hash}`
  std::string text;
};

// The preamble of one device's unit.
UnitPreamble unit_preamble(std::string_view device, const protocol::TargetCode& target);

// The preambles of an output folder, each written once (whole or not at all) when first seen.
// Safe to call from several threads. A run that resumes finds its files again.
class PreambleStore {
 public:
  explicit PreambleStore(const std::filesystem::path& out_dir);
  // Writes `preambles/<name>.h` unless it is there already; throws std::runtime_error when a file
  // of that name holds another text (the name's hash makes that a corrupted folder).
  void add(const UnitPreamble& preamble);

 private:
  std::filesystem::path dir_;
  std::mutex mutex_;
  std::map<std::string, std::string, std::less<>> seen_;
};

}  // namespace warpsynth
