#include "dataset/preambles.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <xxhash.h>

#include "util/atomic_file.h"

namespace fs = std::filesystem;

namespace warpsynth {

UnitPreamble unit_preamble(std::string_view device, const protocol::TargetCode& target) {
  UnitPreamble preamble;
  preamble.text = target.preamble;
  auto hash = static_cast<unsigned long long>(XXH3_64bits(preamble.text.data(), preamble.text.size()));
  preamble.name = fmt::format("{}-block{}-{:08x}", device, target.block_dim, hash >> 32);
  return preamble;
}

PreambleStore::PreambleStore(const fs::path& out_dir) : dir_(out_dir / kPreambleDirName) {}

void PreambleStore::add(const UnitPreamble& preamble) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto seen = seen_.find(preamble.name);
  if (seen != seen_.end()) {
    if (seen->second != preamble.text) throw std::runtime_error("two preambles named " + preamble.name);
    return;
  }
  fs::path path = dir_ / (preamble.name + ".h");
  if (fs::exists(path)) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (text.str() != preamble.text) {
      throw std::runtime_error(path.string() + " holds another text than its name says; remove it and re-run");
    }
  } else {
    fs::create_directories(dir_);
    AtomicFile file(path.string());
    file.stream() << preamble.text;
    file.commit();
  }
  seen_.emplace(preamble.name, preamble.text);
}

}  // namespace warpsynth
