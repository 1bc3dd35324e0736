// The sample record: one JSON object per line of a dataset (fields in docs/ir-format.md and
// shared/design.md). Built from a worker's raw reply; all generated code is normalized here.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace warpsynth {

struct RecordContext {
  std::string warp_version;
  std::string warpsynth_version;
  std::string source_file;  // label of the file a kernel was extracted from
};

// Stable id: XXH3-128 (hex) of the normalized Python and the Warp version that generated the code.
std::string sample_id(std::string_view normalized_python, std::string_view warp_version);

// Number of lines of a text ("" has 0, "a" and "a\n" have 1).
int count_lines(std::string_view text);

// `kernel` is one entry of the worker's extract reply (`kernels[i]`). Throws
// nlohmann::json::exception when the entry lacks a field.
nlohmann::ordered_json make_extracted_record(const nlohmann::json& kernel, const RecordContext& context);

}  // namespace warpsynth
