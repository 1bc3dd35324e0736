// libFuzzer target: a shard of any bytes, plain or zstd-compressed, is read record by record (each
// line read as a Record, or refused as one with RecordFormatError) or refused with std::runtime_error:
// never a crash, a hang or undefined behaviour. The first byte picks the form.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "dataset/record.h"
#include "dataset/shard_files.h"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const fs::path dir = fs::temp_directory_path() / ("warpsynth-fuzz-shard-" + std::to_string(::getpid()));
  if (size == 0) return 0;
  fs::remove_all(dir);
  fs::create_directories(dir);
  const bool compressed = data[0] & 1;
  {
    std::ofstream out(dir / (compressed ? "kernels-00000.jsonl.zst" : "kernels-00000.jsonl"), std::ios::binary);
    out.write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
  }
  try {
    warpsynth::for_each_record(dir.string(), [](const std::string&, const std::string& line) {
      try {
        warpsynth::Record::parse(line).to_line();  // read, and written again
      } catch (const warpsynth::RecordFormatError&) {
      }
    });
  } catch (const std::runtime_error&) {
  }
  return 0;
}
