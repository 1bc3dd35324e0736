// The sample record: one JSON object per line of a dataset (fields in docs/dataset.md, the
// generated code in docs/ir-format.md). `Record` is its typed form; record_json.cpp maps it to and
// from JSON and is the only code that spells the record's field names. Records are built from a
// worker's typed reply (protocol.h) in record.cpp, where all generated code is normalized.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "dataset/verdict.h"
#include "driver/protocol.h"
#include "model/features.h"
#include "model/launch_spec.h"

namespace warpsynth {

struct UnitPreamble;

// The record format's version; docs/dataset.md keeps the history of what each one changed.
inline constexpr int kSchemaVersion = 5;

// A line that is not a record: not JSON; of the wrong shape (a field every record has missing or of
// another type: the first such named); or a field inside `meta`, `verify` or the code of the wrong
// type, missing, or unknown (its path named).
struct RecordFormatError : std::runtime_error {
  enum class Kind { kNotJson, kShape, kField };
  Kind kind;
  RecordFormatError(Kind k, const std::string& what) : std::runtime_error(what), kind(k) {}
};

// One device's generated code, normalized.
struct DeviceCode {
  std::optional<std::string> forward;   // none: Warp generated none
  std::optional<std::string> backward;  // none: backward disabled
  std::string module;                   // the whole unit, without Warp's preamble
};

template <class T>
struct PerDevice {
  T cpu{};
  T cuda{};
};

// Where an extracted kernel comes from.
struct RecordSource {
  std::string file;  // relative to what was extracted
  int line = 0;      // of the `def`
  std::optional<protocol::Provenance> package;  // none: no installed distribution ships the file
};

// The real kernel a variant (`generate --from`) was made from: the record it came in, and where
// that one came from.
struct ParentStamp {
  std::string id;      // the real record's id
  std::string kernel;  // its kernel (the variant keeps the name)
  std::string file;    // its meta.source.file
  std::optional<protocol::Provenance> package;  // its meta.source.package: distribution, version, license
};

// How a generated kernel was made (meta.generator): enough to make it again.
struct GeneratorStamp {
  std::uint64_t run_seed = 0;
  std::uint64_t index = 0;    // sample index in the run
  std::string seed;           // the sample seed, 16 hex digits
  std::string template_name;  // "variant" for a variant of a real kernel
  std::string config_hash;
  std::optional<ParentStamp> parent;  // variants only
  std::vector<std::string> edits;     // variants only: what was changed, in order
};

// Lines of the record's texts (0 for none).
struct LineCounts {
  int python = 0, cpu_forward = 0, cpu_backward = 0, cuda_forward = 0, cuda_backward = 0;
  // (name, count) in the record's order: what `stats` averages.
  std::vector<std::pair<const char*, int>> named() const;
};

struct RecordMeta {
  std::string warp_version;
  std::string warpsynth_version;
  std::optional<GeneratorStamp> generator;  // generated records
  std::optional<RecordSource> source;       // extracted records
  std::vector<protocol::ArgType> arg_types;
  std::optional<std::vector<int>> launch_dims;  // none for extracted code: not launched
  // Generated records: each array argument's shape at the launch, and how it is launched.
  std::optional<std::vector<std::pair<std::string, std::vector<int>>>> array_shapes;
  std::optional<model::LaunchSpec> launch;
  bool enable_backward = true;
  PerDevice<int> block_dim;
  bool cpu_blocks = false;  // CPU code as with wp.config.enable_cpu_blocks
  int cuda_arch = 0;
  PerDevice<std::string> preamble;  // names: the texts are in the dataset's preambles/ folder
  std::optional<model::Features> features;                 // generated records
  std::optional<std::vector<std::string>> builtins;        // extracted records
  std::optional<std::vector<std::string>> stubbed_imports;  // extracted records
  std::optional<protocol::QualityMeasures> quality;        // none: the worker could not measure
  LineCounts lines;
  std::optional<int> opt_level;  // an opt-in build level other than Warp's default

  // The distribution whose code this is: the one that ships an extracted record's file, or a
  // variant's parent's; null for kernels made from scratch and files no installed distribution lists.
  const protocol::Provenance* package() const {
    if (source && source->package) return &*source->package;
    if (generator && generator->parent && generator->parent->package) return &*generator->parent->package;
    return nullptr;
  }
  // The file whose code this is, as package() says its distribution; null for kernels made from scratch.
  const std::string* code_file() const {
    if (source) return &source->file;
    if (generator && generator->parent) return &generator->parent->file;
    return nullptr;
  }
};

// What a record's checks found: a verdict per level, in the order first written, and what replays
// the run and gradient checks (the worker's own data, kept as it wrote it).
struct VerifyResults {
  std::vector<std::pair<std::string, Verdict>> levels;
  std::optional<nlohmann::ordered_json> run;
  std::optional<nlohmann::ordered_json> grad;

  // Sets a level's verdict where it is, or adds it last.
  void set(const std::string& level, Verdict verdict);
  const Verdict* find(std::string_view level) const;
  int count_ok() const;
};

enum class Origin { kSynthetic, kExtracted };
const char* origin_name(Origin origin);

struct Record {
  int schema_version = kSchemaVersion;
  std::string id;
  Origin origin = Origin::kSynthetic;
  std::string kernel;
  std::string python;
  PerDevice<DeviceCode> code;
  RecordMeta meta;
  VerifyResults verify;

  // Throws RecordFormatError on anything that is not a record (docs/dataset.md).
  static Record from_json(const nlohmann::ordered_json& j);
  // Parses a JSON line; throws RecordFormatError.
  static Record parse(std::string_view line);
  nlohmann::ordered_json to_json() const;
  // The record's line, as written into a dataset (no newline).
  std::string to_line() const;

  // What a summary calls a record: its generator template, else its kernel's name.
  std::string display_name() const;
  // The dataset's license key and text for it (the card's "Licenses" section).
  std::string license_key() const;
  std::string license_text() const;
};

// The meta as JSON, less the fields a dataset row has columns of their own for (warp version,
// CUDA architecture, block dims, preambles): a dataset's `meta` column.
nlohmann::json meta_column_json(const RecordMeta& meta);

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
Record make_extracted_record(const protocol::KernelCode& kernel, const RecordContext& context);

// How the worker launches a record's kernel again (`warpsynth verify`). A generated record says its
// launch (dims, array shapes, host objects, tiled block size) and gets the input seed
// `generate --verify run` gave it; an extracted record names its kernel, and the worker guesses a
// launch from wp.tid().
protocol::RunPlan run_plan_of(const Record& record, bool grad, int opt_level);

// What the generator knows of a synthetic kernel, beyond what Warp reports.
struct SyntheticInfo {
  std::string python;             // the generated source, exactly as compiled
  std::uint64_t run_seed = 0;
  std::uint64_t index = 0;        // sample index in the run
  std::uint64_t sample_seed = 0;  // the seed that regenerates this kernel alone
  std::string template_name;
  std::string config_hash;
  model::Features features;  // builtins, types, constructs
  std::vector<int> launch_dims;
  std::vector<std::pair<std::string, std::vector<int>>> array_shapes;  // parameter name -> shape
  model::LaunchSpec launch;
};

Record make_synthetic_record(const protocol::KernelCode& kernel, const SyntheticInfo& info,
                             const RecordContext& context);

// What `generate --from` knows of a variant of a real kernel.
struct VariantInfo {
  std::string python;  // the variant's source, exactly as compiled
  std::uint64_t run_seed = 0;
  std::uint64_t index = 0;
  std::uint64_t sample_seed = 0;
  std::string config_hash;
  ParentStamp parent;
  std::vector<std::string> edits;
  std::vector<std::string> builtins;  // wp.<name>( calls, as extract records them
};

// A variant's record: synthetic, its generator stamp naming the parent; launched as an extracted
// kernel is (no launch dims: the worker guesses one from wp.tid()).
Record make_variant_record(const protocol::KernelCode& kernel, const VariantInfo& info, const RecordContext& context);

// The preambles (CPU, CUDA) of the units of a worker reply's kernel, named as its record names
// them; a run writes each once into its output folder (PreambleStore).
std::vector<UnitPreamble> record_preambles(const protocol::KernelCode& kernel);

}  // namespace warpsynth
