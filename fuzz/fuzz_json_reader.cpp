// libFuzzer target: read_json (simdjson) gives what nlohmann's parser gives, for any bytes: the same
// verdict on validity and the same value (`make test-sanitize` runs it). Except after a NUL byte:
// nlohmann takes NUL for the end of the input (`""\t\0` and `1\0garbage` parse), simdjson rightly
// refuses it; such inputs are still read, for crashes and undefined behaviour, but not compared.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "util/json_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::optional<nlohmann::json> ours = warpsynth::read_json(text);
  if (text.find('\0') != std::string_view::npos) return 0;
  nlohmann::json reference = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (ours.has_value() != !reference.is_discarded()) std::abort();
  if (ours && *ours != reference) std::abort();
  return 0;
}
