#include "dataset/record.h"

#include <cstdio>
#include <stdexcept>

#include <xxhash.h>

#include "dataset/normalize.h"
#include "dataset/preambles.h"

namespace warpsynth {
namespace {

nlohmann::ordered_json normalized_target(const nlohmann::json& target, const LineMap& lines) {
  const NameRenames renames = renames_from_worker(target.at("names"));
  const std::string& unit = target.at("module").get_ref<const std::string&>();
  auto code = [&](const char* part) -> nlohmann::ordered_json {
    const auto& piece = target.at(part);
    if (piece.is_null()) return nullptr;  // Warp generated none (backward disabled)
    if (piece.is_array()) {               // [start, end) in the unit's text
      auto start = piece.at(0).get<size_t>(), end = piece.at(1).get<size_t>();
      if (start > end || end > unit.size()) throw std::out_of_range(std::string("bad offsets for ") + part);
      return normalize_generated_code(std::string_view(unit).substr(start, end - start), renames, &lines);
    }
    return normalize_generated_code(piece.get<std::string>(), renames, &lines);
  };
  return {{"forward", code("forward")}, {"backward", code("backward")}, {"module", code("module")}};
}

int count_lines_of(const nlohmann::ordered_json& text) {
  return text.is_string() ? count_lines(text.get_ref<const std::string&>()) : 0;
}

}  // namespace

std::string sample_id(std::string_view normalized_python, std::string_view warp_version) {
  XXH3_state_t* state = XXH3_createState();
  XXH3_128bits_reset(state);
  XXH3_128bits_update(state, normalized_python.data(), normalized_python.size());
  XXH3_128bits_update(state, "\0", 1);
  XXH3_128bits_update(state, warp_version.data(), warp_version.size());
  XXH128_hash_t hash = XXH3_128bits_digest(state);
  XXH3_freeState(state);
  char hex[33];
  std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(hash.high64),
                static_cast<unsigned long long>(hash.low64));
  return hex;
}

int count_lines(std::string_view text) {
  if (text.empty()) return 0;
  int lines = 0;
  for (char c : text) lines += c == '\n';
  return text.back() == '\n' ? lines : lines + 1;
}

namespace {

// The fields every record has, from the worker's reply for one kernel and its Python.
nlohmann::ordered_json base_record(const char* origin, const nlohmann::json& kernel, const std::string& python_text,
                                   const RecordContext& context) {
  LineMap lines = line_map_from_worker(kernel.at("line_map"));
  std::string python = normalize_python(python_text);
  nlohmann::ordered_json record;
  record["schema_version"] = kSchemaVersion;
  record["id"] = sample_id(python, context.warp_version);
  record["origin"] = origin;
  record["kernel"] = kernel.at("kernel");
  record["python"] = python;
  record["cpu"] = normalized_target(kernel.at("cpu"), lines);
  record["cuda"] = normalized_target(kernel.at("cuda"), lines);
  return record;
}

// How the code was generated: per device the block dim a launch resolves to and the preamble its
// unit needs (by name: the text is in the dataset's preambles/ folder), and the CUDA architecture.
void add_build_meta(nlohmann::ordered_json& meta, const nlohmann::json& kernel) {
  meta["enable_backward"] = kernel.at("enable_backward");
  meta["block_dim"] = {{"cpu", kernel.at("cpu").at("block_dim")}, {"cuda", kernel.at("cuda").at("block_dim")}};
  meta["cpu_blocks"] = kernel.at("cpu_blocks");  // CPU code as with wp.config.enable_cpu_blocks
  meta["cuda_arch"] = kernel.at("cuda_arch");
  meta["preamble"] = {{"cpu", unit_preamble("cpu", kernel.at("cpu")).name},
                      {"cuda", unit_preamble("cuda", kernel.at("cuda")).name}};
}

nlohmann::ordered_json line_counts(const nlohmann::ordered_json& record) {
  return {
      {"python", count_lines(record["python"].get_ref<const std::string&>())},
      {"cpu_forward", count_lines_of(record["cpu"]["forward"])},
      {"cpu_backward", count_lines_of(record["cpu"]["backward"])},
      {"cuda_forward", count_lines_of(record["cuda"]["forward"])},
      {"cuda_backward", count_lines_of(record["cuda"]["backward"])},
  };
}

nlohmann::ordered_json codegen_verified() {
  return {{"codegen", "ok"},         {"cpu_compile", "skipped"}, {"cpu_run", "skipped"},
          {"grad_check", "skipped"}, {"cuda_ptx", "skipped"},    {"gpu_run", "skipped"}};
}

std::string hex64(std::uint64_t value) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(value));
  return hex;
}

}  // namespace

std::vector<UnitPreamble> record_preambles(const nlohmann::json& kernel) {
  return {unit_preamble("cpu", kernel.at("cpu")), unit_preamble("cuda", kernel.at("cuda"))};
}

nlohmann::ordered_json make_extracted_record(const nlohmann::json& kernel, const RecordContext& context) {
  nlohmann::ordered_json record = base_record("extracted", kernel, kernel.at("python").get<std::string>(), context);
  nlohmann::ordered_json meta;
  meta["warp_version"] = context.warp_version;
  meta["warpsynth_version"] = context.warpsynth_version;
  meta["source"] = {{"file", context.source_file}, {"line", kernel.at("line")}};
  meta["arg_types"] = kernel.at("arg_types");
  meta["launch_dims"] = nullptr;  // not known for code that was extracted, not launched
  add_build_meta(meta, kernel);
  meta["builtins"] = kernel.at("builtins");
  meta["stubbed_imports"] = kernel.at("stubbed_imports");
  meta["lines"] = line_counts(record);
  record["meta"] = std::move(meta);
  record["verify"] = codegen_verified();
  return record;
}

nlohmann::ordered_json make_synthetic_record(const nlohmann::json& kernel, const SyntheticInfo& info,
                                             const RecordContext& context) {
  nlohmann::ordered_json record = base_record("synthetic", kernel, info.python, context);
  nlohmann::ordered_json meta;
  meta["warp_version"] = context.warp_version;
  meta["warpsynth_version"] = context.warpsynth_version;
  meta["generator"] = {{"run_seed", info.run_seed},        {"index", info.index},
                       {"seed", hex64(info.sample_seed)},  {"template", info.template_name},
                       {"config_hash", info.config_hash}};
  meta["arg_types"] = kernel.at("arg_types");
  meta["launch_dims"] = info.launch_dims;
  meta["array_shapes"] = info.array_shapes;
  add_build_meta(meta, kernel);
  meta["features"] = info.features;
  meta["lines"] = line_counts(record);
  record["meta"] = std::move(meta);
  record["verify"] = codegen_verified();
  return record;
}

}  // namespace warpsynth
