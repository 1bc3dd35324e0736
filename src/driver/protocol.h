// The driver <-> worker protocol: one JSON object per line over the worker's stdin/stdout.
// The Python side is python/warpsynth_worker/protocol.py; both carry kProtocolVersion.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "driver/line_map.h"

namespace warpsynth::protocol {

inline constexpr int kProtocolVersion = 1;

// A line from the worker that is not a well-formed message of this protocol.
struct ProtocolError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ReadyMessage {
  std::string warp_version;
  std::string pinned_warp_version;
  std::string worker_version;
};

struct Reply {
  std::int64_t id = 0;
  bool ok = false;
  nlohmann::json result;  // when ok
  std::string error;      // when !ok
  // What the request's code left changed in the worker's interpreter ("warp.vec3", ...): the
  // worker must be replaced before its next request (python/warpsynth_worker/state_guard.py).
  std::vector<std::string> restart;
};

// `call`: a function of the file to call after importing it (empty: none).
std::string extract_request(std::int64_t id, const std::string& path, const std::string& label,
                            const std::string& call = "");
std::string shutdown_request();
// Set-up of a worker for an extraction: import, in the order given, every file of `paths` that
// belongs to a package, so that every worker holds the same modules whatever files it then takes.
std::string preload_request(std::int64_t id, const std::vector<std::string>& paths);
// The module-level kernels a file declares, from its source alone (no import): {"declared"}.
std::string declared_request(std::int64_t id, const std::string& path);
// Where an installed package is (the reply's result: {"path"}).
std::string locate_package_request(std::int64_t id, const std::string& name);
std::string catalog_request(std::int64_t id);
// run_sources: how the worker launches an item's kernel (python/warpsynth_worker/run_check.py).
struct RunPlan {
  std::optional<std::string> kernel;  // which kernel, where the source may have several (a record's Python)
  // The launch's dimensions; null or absent: the worker guesses one from wp.tid() (extracted code).
  std::optional<nlohmann::json> dims;
  nlohmann::json array_shapes = nlohmann::json::object();  // argument -> shape, where the launch says
  nlohmann::json host_objects = nlohmann::json::object();  // argument -> "wp.Mesh", "wp.Bvh", ...
  int block_dim = 0;                                        // 0: wp.launch; else wp.launch_tiled
  std::uint64_t seed = 0;                                   // of the inputs (run_input_seed)
  bool grad = false;  // also compare the adjoint with finite differences (grad_check.py)
  int opt_level = -1;  // the builds' optimization level; -1: Warp's defaults

  nlohmann::json to_json() const;
};

// The seed of the inputs `--verify run` and `grad` launch sample `index` on (31 bits: the worker
// seeds numpy with it); `warpsynth verify` gives a generated record the same one, so that its
// checksum replays.
inline std::uint64_t run_input_seed(std::uint64_t sample_seed, std::uint64_t index) {
  return (sample_seed ^ index) & 0x7fffffffull;
}

struct SourceItem {
  std::string label;
  std::string source;
  std::optional<RunPlan> run;  // run_sources only
};
// Codegen of a batch of sources (generated kernels); the reply's result has "items", one
// extract-style result per source, in order.
std::string codegen_sources_request(std::int64_t id, const std::vector<SourceItem>& items);
// The same, and each item's kernels compiled: CPU object and CUDA PTX ("verify" in each item).
std::string compile_sources_request(std::int64_t id, const std::vector<SourceItem>& items);
// The same, and each item's kernel built as Warp builds it for a CPU launch and run on seeded
// inputs ("verify" adds "cpu_run", and "grad_check" where the plan asks; "run" and "grad" in each
// item say what replays the checks).
std::string run_sources_request(std::int64_t id, const std::vector<SourceItem>& items);

ReadyMessage parse_ready(const std::string& line);
Reply parse_reply(const std::string& line);

// ---------------------------------------------------------------------------------------------
// Typed replies. The worker's results are parsed here, and only here; every other layer reads
// these structs. A result of the wrong shape throws ProtocolError.

// Generated identifiers that carry hashes or per-process counters, for the normalizer.
struct NameTable {
  std::pair<std::string, std::string> kernel;                    // mangled name, key
  std::vector<std::pair<std::string, std::string>> structs;      // native name, key
  std::vector<std::pair<std::string, std::string>> functions;    // C name `{key}_{N}`, key
};

// One device's code of a kernel.
struct TargetCode {
  std::string module;    // the kernel's unit without Warp's preamble ("" where only the functions were sent)
  std::string preamble;  // Warp's preamble of the unit, exactly
  std::optional<std::string> forward;   // the kernel's functions, cut from `module`; none where
  std::optional<std::string> backward;  // Warp generated none (backward disabled)
  int block_dim = 0;
  NameTable names;
};

// The record's Python loaded alone and generated again (`verify.self_contained`).
struct SelfContainedCheck {
  std::string error;  // why it could not be done; empty when the code below is there
  TargetCode cpu, cuda;
  LineMap line_map;
};

struct ArgType {
  std::string name;
  std::string type;
};

// The quality measures of a kernel's Python (python/warpsynth_worker/quality.py), in the order the
// worker wrote them: each a count, a flag, or counts by name (the wp.* calls).
struct QualityMeasures {
  using Counts = std::vector<std::pair<std::string, std::uint64_t>>;
  struct Measure {
    std::string name;
    std::variant<std::uint64_t, bool, Counts> value;
  };
  std::vector<Measure> measures;

  // From the worker's object; throws std::invalid_argument naming the measure of another shape.
  template <class Json>
  static QualityMeasures from_json(const Json& j);
  template <class Json>
  Json to_json() const;
};

// One kernel of a source, with its generated code.
struct KernelCode {
  std::string kernel;                 // Warp's key
  int line = 0;                       // the `def` line in its file
  std::optional<std::string> python;  // the record's Python (extracted); none for a generated source
  LineMap line_map;
  std::vector<ArgType> arg_types;
  std::vector<std::string> builtins;
  std::vector<std::string> stubbed_imports;
  // The quality measures of the record's Python; none where the worker could not measure.
  std::optional<QualityMeasures> quality;
  bool enable_backward = true;
  bool cpu_blocks = false;
  int cuda_arch = 0;
  TargetCode cpu, cuda;
  std::optional<SelfContainedCheck> self_contained;
};

struct WorkerError {
  std::string stage;    // syntax, import, call, codegen, ...
  std::string message;
  std::string kernel;   // empty for an error of the whole source
};

// The installed distribution that ships a file.
struct Provenance {
  std::string distribution, version, license, file;
};

// The result for one source: an `extract` request's, or one item of a batch.
struct SourceReply {
  std::vector<std::string> declared;  // module-level @wp.kernel names, from the source alone
  std::vector<KernelCode> kernels;
  std::vector<WorkerError> errors;
  std::optional<Provenance> provenance;
  std::vector<std::pair<std::string, std::string>> verify;  // compile_sources: level -> "ok" | "failed: ..."
  // run_sources: what replays the run check (seed, sizes, shapes, outputs, checksum, moved_by) and
  // the gradient check (inputs, outputs, held_fixed, errors), objects the driver does not read but
  // keeps in the record as the worker wrote them (python/warpsynth_worker/run_check.py).
  std::optional<nlohmann::json> run;
  std::optional<nlohmann::json> grad;
};

// `extract`.
SourceReply parse_source_reply(const nlohmann::json& result);
// One kernel of a source reply (`kernels[i]`).
KernelCode parse_kernel_code(const nlohmann::json& kernel);
// `codegen_sources` / `compile_sources`: one per item, in order.
std::vector<SourceReply> parse_sources_reply(const nlohmann::json& result);
// `declared`.
std::vector<std::string> parse_declared_reply(const nlohmann::json& result);
// `locate_package`.
std::string parse_package_location(const nlohmann::json& result);

template <class Json>
QualityMeasures QualityMeasures::from_json(const Json& j) {
  if (!j.is_object()) throw std::invalid_argument(" is not an object");
  QualityMeasures q;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it->is_boolean()) {
      q.measures.push_back({it.key(), it->template get<bool>()});
    } else if (it->is_number_unsigned()) {
      q.measures.push_back({it.key(), it->template get<std::uint64_t>()});
    } else if (it->is_object()) {
      Counts counts;
      for (auto c = it->begin(); c != it->end(); ++c) {
        if (!c->is_number_unsigned()) throw std::invalid_argument("." + it.key() + "." + c.key() + " is not a count");
        counts.emplace_back(c.key(), c->template get<std::uint64_t>());
      }
      q.measures.push_back({it.key(), std::move(counts)});
    } else {
      throw std::invalid_argument("." + it.key() + " is neither a count nor a flag");
    }
  }
  return q;
}

template <class Json>
Json QualityMeasures::to_json() const {
  Json j = Json::object();
  for (const auto& m : measures) {
    if (const auto* counts = std::get_if<Counts>(&m.value)) {
      Json object = Json::object();
      for (const auto& [name, n] : *counts) object[name] = n;
      j[m.name] = std::move(object);
    } else {
      std::visit([&](const auto& v) { j[m.name] = v; }, m.value);
    }
  }
  return j;
}

}  // namespace warpsynth::protocol
