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

std::optional<std::string> normalized(const std::optional<std::string>& code, const NameRenames& renames,
                                      const LineMap& lines) {
  if (!code) return std::nullopt;  // Warp generated none (backward disabled)
  return normalize_generated_code(*code, renames, &lines);
}

DeviceCode normalized_target(const protocol::TargetCode& target, const LineMap& lines) {
  const NameRenames renames = renames_of(target.names);
  return {normalized(target.forward, renames, lines), normalized(target.backward, renames, lines),
          normalize_generated_code(target.module, renames, &lines)};
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
Verdict self_contained_verdict(const protocol::SelfContainedCheck& check, const Record& record) {
  if (!check.error.empty()) return Verdict::failed(check.error);
  struct Device {
    const char* name;
    const protocol::TargetCode& again;
    const DeviceCode& recorded;
  };
  for (const Device& device : {Device{"cpu", check.cpu, record.code.cpu}, Device{"cuda", check.cuda, record.code.cuda}}) {
    const NameRenames renames = renames_of(device.again.names);
    struct Part {
      const char* name;
      const std::optional<std::string>& again;
      const std::optional<std::string>& recorded;
    };
    for (const Part& part : {Part{"forward", device.again.forward, device.recorded.forward},
                             Part{"backward", device.again.backward, device.recorded.backward}}) {
      if (part.again.has_value() != part.recorded.has_value()) {
        return Verdict::failed(fmt::format("the Python alone gives {} {} {} code", part.again ? "some" : "no",
                                           device.name, part.name));
      }
      if (!part.again) continue;
      std::string again = normalize_generated_code(*part.again, renames, &check.line_map);
      if (int line = first_difference(again, *part.recorded)) {
        return Verdict::failed(fmt::format("{} {} differs from line {}", device.name, part.name, line));
      }
    }
    std::string unit = normalize_generated_code(device.again.module, renames, &check.line_map);
    if (int line = first_difference(unit, device.recorded.module)) {
      return Verdict::failed(fmt::format("{} module differs from line {}", device.name, line));
    }
  }
  return Verdict::ok();
}

int count_lines_of(const std::optional<std::string>& text) { return text ? count_lines(*text) : 0; }

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
Record base_record(Origin origin, const protocol::KernelCode& kernel, const std::string& python_text,
                   const RecordContext& context) {
  Record record;
  record.python = normalize_python(python_text);
  record.id = sample_id(record.python, context.warp_version);
  record.origin = origin;
  record.kernel = kernel.kernel;
  record.code = {normalized_target(kernel.cpu, kernel.line_map), normalized_target(kernel.cuda, kernel.line_map)};
  record.meta.warp_version = context.warp_version;
  record.meta.warpsynth_version = context.warpsynth_version;
  record.meta.arg_types = kernel.arg_types;
  return record;
}

// How the code was generated: per device the block dim a launch resolves to and the preamble its
// unit needs (by name: the text is in the dataset's preambles/ folder), and the CUDA architecture.
void add_build_meta(RecordMeta& meta, const protocol::KernelCode& kernel) {
  meta.enable_backward = kernel.enable_backward;
  meta.block_dim = {kernel.cpu.block_dim, kernel.cuda.block_dim};
  meta.cpu_blocks = kernel.cpu_blocks;
  meta.cuda_arch = kernel.cuda_arch;
  meta.preamble = {unit_preamble("cpu", kernel.cpu).name, unit_preamble("cuda", kernel.cuda).name};
}

LineCounts line_counts(const Record& record) {
  return {count_lines(record.python), count_lines_of(record.code.cpu.forward), count_lines_of(record.code.cpu.backward),
          count_lines_of(record.code.cuda.forward), count_lines_of(record.code.cuda.backward)};
}

VerifyResults codegen_verified() {
  return {{{"codegen", Verdict::ok()},
           {"cpu_compile", Verdict::skipped()},
           {"cpu_run", Verdict::skipped()},
           {"grad_check", Verdict::skipped()},
           {"cuda_ptx", Verdict::skipped()},
           {"gpu_run", Verdict::skipped()}},
          std::nullopt,
          std::nullopt};
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

Record make_extracted_record(const protocol::KernelCode& kernel, const RecordContext& context) {
  if (!kernel.python) throw std::invalid_argument("an extracted kernel without its Python: " + kernel.kernel);
  Record record = base_record(Origin::kExtracted, kernel, *kernel.python, context);
  RecordMeta& meta = record.meta;
  meta.source = RecordSource{context.source_file, kernel.line, context.provenance};
  meta.launch_dims = std::nullopt;  // not known for code that was extracted, not launched
  add_build_meta(meta, kernel);
  meta.builtins = kernel.builtins;
  meta.stubbed_imports = kernel.stubbed_imports;
  meta.quality = kernel.quality;
  meta.lines = line_counts(record);
  record.verify = codegen_verified();
  record.verify.set("self_contained",
                    kernel.self_contained ? self_contained_verdict(*kernel.self_contained, record) : Verdict::skipped());
  return record;
}

Record make_synthetic_record(const protocol::KernelCode& kernel, const SyntheticInfo& info,
                             const RecordContext& context) {
  Record record = base_record(Origin::kSynthetic, kernel, info.python, context);
  RecordMeta& meta = record.meta;
  meta.generator = GeneratorStamp{info.run_seed, info.index, hex64(info.sample_seed), info.template_name, info.config_hash,
                                  std::nullopt, {}};
  meta.launch_dims = info.launch_dims;
  meta.array_shapes = info.array_shapes;
  meta.launch = info.launch;
  add_build_meta(meta, kernel);
  meta.features = info.features;
  meta.quality = kernel.quality;
  meta.lines = line_counts(record);
  record.verify = codegen_verified();
  // The Python is the file the worker loaded alone and Warp generated this code from.
  record.verify.set("self_contained", Verdict::ok());
  return record;
}

Record make_variant_record(const protocol::KernelCode& kernel, const VariantInfo& info, const RecordContext& context) {
  Record record = base_record(Origin::kSynthetic, kernel, info.python, context);
  RecordMeta& meta = record.meta;
  meta.generator = GeneratorStamp{info.run_seed,    info.index,  hex64(info.sample_seed), "variant",
                                  info.config_hash, info.parent, info.edits};
  meta.launch_dims = std::nullopt;  // launched as the parent is: a launch guessed from wp.tid()
  add_build_meta(meta, kernel);
  meta.builtins = info.builtins;
  meta.stubbed_imports = std::vector<std::string>{};
  meta.quality = kernel.quality;
  meta.lines = line_counts(record);
  record.verify = codegen_verified();
  record.verify.set("self_contained", Verdict::ok());  // the variant's Python is the file the worker loaded alone
  return record;
}

protocol::RunPlan run_plan_of(const Record& record, bool grad, int opt_level) {
  protocol::RunPlan plan;
  plan.grad = grad;
  plan.opt_level = opt_level;
  plan.kernel = record.kernel;
  const RecordMeta& meta = record.meta;
  // null for extracted code: the worker guesses a launch from wp.tid() (the grad check reads the key).
  plan.dims = meta.launch_dims ? nlohmann::json(*meta.launch_dims) : nlohmann::json();
  if (meta.array_shapes) {
    for (const auto& [name, shape] : *meta.array_shapes) plan.array_shapes[name] = shape;
  }
  if (meta.launch) {
    for (const auto& [arg, what] : meta.launch->host_objects) plan.host_objects[arg] = what;
    plan.block_dim = meta.launch->tiled_block_dim;
  }
  if (const auto& g = meta.generator) {
    plan.seed = protocol::run_input_seed(std::stoull(g->seed, nullptr, 16), g->index);
  } else {  // extracted: a seed of the record's own
    plan.seed = protocol::run_input_seed(XXH3_64bits(record.id.data(), record.id.size()), 0);
  }
  return plan;
}

void VerifyResults::set(const std::string& level, Verdict verdict) {
  for (auto& [name, v] : levels) {
    if (name == level) {
      v = std::move(verdict);
      return;
    }
  }
  levels.emplace_back(level, std::move(verdict));
}

const Verdict* VerifyResults::find(std::string_view level) const {
  for (const auto& [name, v] : levels) {
    if (name == level) return &v;
  }
  return nullptr;
}

int VerifyResults::count_ok() const {
  int n = 0;
  for (const auto& [name, v] : levels) n += v.is_ok();
  return n;
}

std::string Record::display_name() const { return meta.generator ? meta.generator->template_name : kernel; }

namespace {
bool is_variant(const RecordMeta& meta) { return meta.generator && meta.generator->parent; }
}  // namespace

std::string Record::license_key() const {
  const protocol::Provenance* package = meta.package();
  const std::string distribution = package ? package->distribution : std::string("files of no installed distribution");
  if (is_variant(meta)) return "variants of: " + distribution;
  if (origin != Origin::kExtracted) return origin_name(origin);
  return "extracted: " + distribution;
}

std::string Record::license_text() const {
  const protocol::Provenance* package = meta.package();
  if (is_variant(meta)) {  // edits of licensed code remain under its license
    return package ? package->license : "unknown: the license of the code the parents were extracted from";
  }
  if (origin != Origin::kExtracted) return "generated by warpsynth from a seed: no upstream license";
  return package ? package->license : "unknown: the license of the code extracted";
}

}  // namespace warpsynth
