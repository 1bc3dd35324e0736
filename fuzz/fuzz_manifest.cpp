// libFuzzer target: a manifest.json of any content is read, or refused with std::runtime_error
// (the run then names the file and stops); one that is read is written back to the same manifest.
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "run/manifest.h"

using warpsynth::Manifest;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  for (const char* command : {"generate", "verify"}) {
    Manifest manifest;
    try {
      manifest = Manifest::parse(text, command);
    } catch (const std::runtime_error&) {
      continue;
    }
    std::string written = manifest.to_json().dump();
    if (Manifest::parse(written, command).to_json().dump() != written) std::abort();
  }
  return 0;
}
