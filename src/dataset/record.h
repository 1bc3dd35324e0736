// The sample record: one JSON object per line of a dataset (fields in docs/dataset.md, the
// generated code in docs/ir-format.md). Built from a worker's typed reply (protocol.h); all
// generated code is normalized here.
#pragma once

#include <string>
#include <string_view>
#include <vector>
#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "driver/protocol.h"

namespace warpsynth {

struct UnitPreamble;

// The record format's version; docs/dataset.md keeps the history of what each one changed.
inline constexpr int kSchemaVersion = 4;

struct RecordContext {
  std::string warp_version;
  std::string warpsynth_version;
  std::string source_file;  // label of the file a kernel was extracted from
  // The installed distribution that ships the file; none for a file no installed distribution lists.
  std::optional<protocol::Provenance> provenance;
};

// Stable id: XXH3-128 (hex) of the normalized Python and the Warp version that generated the code.
std::string sample_id(std::string_view normalized_python, std::string_view warp_version);

// Number of lines of a text ("" has 0, "a" and "a\n" have 1).
int count_lines(std::string_view text);

// A record of a kernel the worker extracted (it has its Python).
nlohmann::ordered_json make_extracted_record(const protocol::KernelCode& kernel, const RecordContext& context);

// How the worker launches a record's kernel again (`warpsynth verify`). A generated record says its
// launch (dims, array shapes, host objects, tiled block size) and gets the input seed
// `generate --verify run` gave it; an extracted record names its kernel, and the worker guesses a
// launch from wp.tid(). Anything but a JSON object gives a plan of defaults.
protocol::RunPlan run_plan_of(const nlohmann::json& record, bool grad, int opt_level);

// What a summary calls a record: its generator template, else its kernel's name ("?" for none).
std::string display_name_of(const nlohmann::ordered_json& record);

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
  nlohmann::ordered_json launch;        // how the kernel is launched: function, block_dim, host objects
};

nlohmann::ordered_json make_synthetic_record(const protocol::KernelCode& kernel, const SyntheticInfo& info,
                                             const RecordContext& context);

// The preambles (CPU, CUDA) of the units of a worker reply's kernel, named as its record names
// them; a run writes each once into its output folder (PreambleStore).
std::vector<UnitPreamble> record_preambles(const protocol::KernelCode& kernel);

}  // namespace warpsynth
