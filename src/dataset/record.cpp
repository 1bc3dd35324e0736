#include "dataset/record.h"

#include <cstdio>
#include <stdexcept>

#include <fmt/format.h>
#include <xxhash.h>

#include "dataset/normalize.h"
#include "dataset/preambles.h"
#include "dataset/verdict.h"

namespace warpsynth {
namespace {

NameRenames renames_of(const protocol::NameTable& names) {
  return renames_from(names.kernel, names.structs, names.functions);
}

nlohmann::ordered_json normalized(const std::optional<std::string>& code, const NameRenames& renames,
                                  const LineMap& lines) {
  if (!code) return nullptr;  // Warp generated none (backward disabled)
  return normalize_generated_code(*code, renames, &lines);
}

nlohmann::ordered_json normalized_target(const protocol::TargetCode& target, const LineMap& lines) {
  const NameRenames renames = renames_of(target.names);
  return {{"forward", normalized(target.forward, renames, lines)},
          {"backward", normalized(target.backward, renames, lines)},
          {"module", normalize_generated_code(target.module, renames, &lines)}};
}

// The first line where two texts differ (1-based), 0 when they are equal.
int first_difference(const std::string& a, const std::string& b) {
  int line = 1;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    if (a[i] != b[i]) return line;
    line += a[i] == '\n';
  }
  return a.size() == b.size() ? 0 : line;
}

// `verify.self_contained`: the worker loaded the record's Python alone and generated the kernel
// again; it passes when that gives the record's code, CPU and CUDA, byte for byte (both normalized
// the same way, the second with its own names and lines): the kernel's forward and backward
// functions, then the whole unit, where a helper with another body or a struct with its fields in
// another order shows while the kernel's own functions read the same.
Verdict self_contained_verdict(const protocol::SelfContainedCheck& check, const nlohmann::ordered_json& record) {
  if (!check.error.empty()) return Verdict::failed(check.error);
  for (const auto& [device, target] : {std::pair<const char*, const protocol::TargetCode*>{"cpu", &check.cpu},
                                       std::pair<const char*, const protocol::TargetCode*>{"cuda", &check.cuda}}) {
    const NameRenames renames = renames_of(target->names);
    for (const auto& [part, piece] : {std::pair<const char*, const std::optional<std::string>*>{"forward", &target->forward},
                                      std::pair<const char*, const std::optional<std::string>*>{"backward", &target->backward}}) {
      const auto& recorded = record[device][part];
      if (piece->has_value() == recorded.is_null()) {
        return Verdict::failed(fmt::format("the Python alone gives {} {} {} code", piece->has_value() ? "some" : "no",
                                           device, part));
      }
      if (!piece->has_value()) continue;
      std::string again = normalize_generated_code(**piece, renames, &check.line_map);
      if (int line = first_difference(again, recorded.get<std::string>())) {
        return Verdict::failed(fmt::format("{} {} differs from line {}", device, part, line));
      }
    }
    std::string unit = normalize_generated_code(target->module, renames, &check.line_map);
    if (int line = first_difference(unit, record[device]["module"].get<std::string>())) {
      return Verdict::failed(fmt::format("{} module differs from line {}", device, line));
    }
  }
  return Verdict::ok();
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
nlohmann::ordered_json base_record(const char* origin, const protocol::KernelCode& kernel,
                                   const std::string& python_text, const RecordContext& context) {
  std::string python = normalize_python(python_text);
  nlohmann::ordered_json record;
  record["schema_version"] = kSchemaVersion;
  record["id"] = sample_id(python, context.warp_version);
  record["origin"] = origin;
  record["kernel"] = kernel.kernel;
  record["python"] = python;
  record["cpu"] = normalized_target(kernel.cpu, kernel.line_map);
  record["cuda"] = normalized_target(kernel.cuda, kernel.line_map);
  return record;
}

nlohmann::ordered_json arg_types_json(const std::vector<protocol::ArgType>& types) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& t : types) list.push_back({{"name", t.name}, {"type", t.type}});
  return list;
}

nlohmann::ordered_json provenance_json(const std::optional<protocol::Provenance>& p) {
  if (!p) return nullptr;
  return {{"distribution", p->distribution}, {"version", p->version}, {"license", p->license}, {"file", p->file}};
}

// How the code was generated: per device the block dim a launch resolves to and the preamble its
// unit needs (by name: the text is in the dataset's preambles/ folder), and the CUDA architecture.
void add_build_meta(nlohmann::ordered_json& meta, const protocol::KernelCode& kernel) {
  meta["enable_backward"] = kernel.enable_backward;
  meta["block_dim"] = {{"cpu", kernel.cpu.block_dim}, {"cuda", kernel.cuda.block_dim}};
  meta["cpu_blocks"] = kernel.cpu_blocks;  // CPU code as with wp.config.enable_cpu_blocks
  meta["cuda_arch"] = kernel.cuda_arch;
  meta["preamble"] = {{"cpu", unit_preamble("cpu", kernel.cpu).name}, {"cuda", unit_preamble("cuda", kernel.cuda).name}};
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
  const std::string ok = Verdict::ok().text(), skipped = Verdict::skipped().text();
  return {{"codegen", ok},         {"cpu_compile", skipped}, {"cpu_run", skipped},
          {"grad_check", skipped}, {"cuda_ptx", skipped},    {"gpu_run", skipped}};
}

std::string hex64(std::uint64_t value) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(value));
  return hex;
}

}  // namespace

std::vector<UnitPreamble> record_preambles(const protocol::KernelCode& kernel) {
  return {unit_preamble("cpu", kernel.cpu), unit_preamble("cuda", kernel.cuda)};
}

nlohmann::ordered_json make_extracted_record(const protocol::KernelCode& kernel, const RecordContext& context) {
  if (!kernel.python) throw std::invalid_argument("an extracted kernel without its Python: " + kernel.kernel);
  nlohmann::ordered_json record = base_record("extracted", kernel, *kernel.python, context);
  nlohmann::ordered_json meta;
  meta["warp_version"] = context.warp_version;
  meta["warpsynth_version"] = context.warpsynth_version;
  meta["source"] = {{"file", context.source_file}, {"line", kernel.line}, {"package", provenance_json(context.provenance)}};
  meta["arg_types"] = arg_types_json(kernel.arg_types);
  meta["launch_dims"] = nullptr;  // not known for code that was extracted, not launched
  add_build_meta(meta, kernel);
  meta["builtins"] = kernel.builtins;
  meta["stubbed_imports"] = kernel.stubbed_imports;
  meta["quality"] = kernel.quality;
  meta["lines"] = line_counts(record);
  record["meta"] = std::move(meta);
  record["verify"] = codegen_verified();
  record["verify"]["self_contained"] =
      (kernel.self_contained ? self_contained_verdict(*kernel.self_contained, record) : Verdict::skipped()).text();
  return record;
}

protocol::RunPlan run_plan_of(const nlohmann::json& record, bool grad, int opt_level) {
  protocol::RunPlan plan;
  plan.grad = grad;
  plan.opt_level = opt_level;
  if (!record.is_object()) return plan;
  plan.kernel = record.value("kernel", "");
  static const nlohmann::json kNone = nlohmann::json::object();
  auto found = record.find("meta");
  const nlohmann::json& meta = found != record.end() && found->is_object() ? *found : kNone;
  if (meta.contains("launch_dims")) plan.dims = meta["launch_dims"];
  if (meta.contains("array_shapes") && meta["array_shapes"].is_object()) plan.array_shapes = meta["array_shapes"];
  if (auto launch = meta.find("launch"); launch != meta.end() && launch->is_object()) {
    plan.host_objects = launch->value("host_objects", nlohmann::json::object());
    plan.block_dim = launch->value("block_dim", 0);
  }
  if (auto g = meta.find("generator"); g != meta.end() && g->contains("seed") && g->contains("index")) {
    plan.seed = protocol::run_input_seed(std::stoull(g->at("seed").get<std::string>(), nullptr, 16),
                                         g->at("index").get<std::uint64_t>());
  } else {  // extracted: a seed of the record's own
    const std::string id = record.value("id", std::string());
    plan.seed = protocol::run_input_seed(XXH3_64bits(id.data(), id.size()), 0);
  }
  return plan;
}

std::string display_name_of(const nlohmann::ordered_json& record) {
  static const nlohmann::ordered_json kNone = nlohmann::ordered_json::object();
  auto found = record.find("meta");
  const auto& meta = found != record.end() && found->is_object() ? *found : kNone;
  if (auto g = meta.find("generator"); g != meta.end() && g->contains("template")) return g->at("template").get<std::string>();
  return record.value("kernel", std::string("?"));
}

nlohmann::ordered_json make_synthetic_record(const protocol::KernelCode& kernel, const SyntheticInfo& info,
                                             const RecordContext& context) {
  nlohmann::ordered_json record = base_record("synthetic", kernel, info.python, context);
  nlohmann::ordered_json meta;
  meta["warp_version"] = context.warp_version;
  meta["warpsynth_version"] = context.warpsynth_version;
  meta["generator"] = {{"run_seed", info.run_seed},        {"index", info.index},
                       {"seed", hex64(info.sample_seed)},  {"template", info.template_name},
                       {"config_hash", info.config_hash}};
  meta["arg_types"] = arg_types_json(kernel.arg_types);
  meta["launch_dims"] = info.launch_dims;
  meta["array_shapes"] = info.array_shapes;
  meta["launch"] = info.launch;
  add_build_meta(meta, kernel);
  meta["features"] = info.features;
  meta["quality"] = kernel.quality;
  meta["lines"] = line_counts(record);
  record["meta"] = std::move(meta);
  record["verify"] = codegen_verified();
  // The Python is the file the worker loaded alone and Warp generated this code from.
  record["verify"]["self_contained"] = Verdict::ok().text();
  return record;
}

}  // namespace warpsynth
