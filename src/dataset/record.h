// The sample record: one JSON object per line of a dataset (fields in docs/dataset.md, the
// generated code in docs/ir-format.md). Built from a worker's raw reply; all generated code is
// normalized here.
#pragma once

#include <string>
#include <string_view>
#include <vector>
#include <cstdint>

#include <nlohmann/json.hpp>

namespace warpsynth {

struct UnitPreamble;

// The record format's version; docs/dataset.md keeps the history of what each one changed.
inline constexpr int kSchemaVersion = 2;

struct RecordContext {
  std::string warp_version;
  std::string warpsynth_version;
  std::string source_file;  // label of the file a kernel was extracted from
  // The installed distribution that ships the file: {distribution, version, license, file}, or
  // null for a file no installed distribution lists.
  nlohmann::json provenance;
};

// Stable id: XXH3-128 (hex) of the normalized Python and the Warp version that generated the code.
std::string sample_id(std::string_view normalized_python, std::string_view warp_version);

// Number of lines of a text ("" has 0, "a" and "a\n" have 1).
int count_lines(std::string_view text);

// `kernel` is one entry of the worker's extract reply (`kernels[i]`). Throws
// nlohmann::json::exception when the entry lacks a field.
nlohmann::ordered_json make_extracted_record(const nlohmann::json& kernel, const RecordContext& context);

// What the generator knows of a synthetic kernel, beyond what Warp reports.
struct SyntheticInfo {
  std::string python;             // the generated source, exactly as compiled
  std::uint64_t run_seed = 0;
  std::uint64_t index = 0;        // sample index in the run
  std::uint64_t sample_seed = 0;  // the seed that regenerates this kernel alone
  std::string template_name;
  std::string config_hash;
  nlohmann::ordered_json features;  // builtins, types, constructs
  std::vector<int> launch_dims;
  nlohmann::ordered_json array_shapes;  // parameter name -> shape
};

nlohmann::ordered_json make_synthetic_record(const nlohmann::json& kernel, const SyntheticInfo& info,
                                             const RecordContext& context);

// The preambles (CPU, CUDA) of the units of a worker reply's kernel, named as its record names
// them; a run writes each once into its output folder (PreambleStore).
std::vector<UnitPreamble> record_preambles(const nlohmann::json& kernel);

}  // namespace warpsynth
