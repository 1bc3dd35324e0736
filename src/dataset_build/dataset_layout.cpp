#include "dataset_build/dataset_layout.h"

#include <fmt/format.h>

namespace warpsynth {
namespace {

nlohmann::json text_or_null(const std::optional<std::string>& text) { return text ? nlohmann::json(*text) : nlohmann::json(); }

}  // namespace

const std::vector<DatasetColumn>& dataset_columns() {
  static const std::vector<DatasetColumn> columns = {
      {"id", "string", "XXH3-128 of the normalized Python (hex): equal ids are the same kernel"},
      {"origin", "string", "synthetic (warpsynth generate) or extracted (real code, warpsynth extract)"},
      {"kernel", "string", "the kernel's name"},
      {"python", "string", "the kernel's Python, self-contained: everything it uses, importing only warp, numpy, math"},
      {"cpu_forward", "string", "the C++ forward function Warp generates for a CPU launch"},
      {"cpu_backward", "string", "the C++ adjoint (backward) function; empty for a forward-only kernel"},
      {"cpu_module", "string", "the whole C++ unit of the kernel's module (with cpu_preamble, it compiles)"},
      {"cuda_forward", "string", "the CUDA C++ forward kernel"},
      {"cuda_backward", "string", "the CUDA C++ backward kernel; empty for a forward-only kernel"},
      {"cuda_module", "string", "the whole CUDA unit of the kernel's module"},
      {"verify_codegen", "string", "ok, or failed/skipped with the reason (docs/verification.md)"},
      {"verify_cpu_compile", "string", "the CPU unit built by Warp's compiler"},
      {"verify_cuda_ptx", "string", "the CUDA unit built to PTX by NVRTC"},
      {"verify_cpu_run", "string", "launched on the CPU and checked (finite, deterministic, not constant)"},
      {"verify_gpu_run", "string", "launched on a GPU and compared with the CPU"},
      {"verify_grad_check", "string", "the backward against finite differences"},
      {"verify_self_contained", "string", "the python alone gives the same code"},
      {"template", "string", "generated records: the generator template"},
      {"source_file", "string", "extracted records: the file, relative to what was extracted"},
      {"source_package", "string", "extracted records: the distribution that ships the file"},
      {"source_license", "string", "extracted records: that distribution's license"},
      {"warp_version", "string", "the warp-lang version that generated the code"},
      {"cuda_arch", "int64", "the CUDA architecture the CUDA code was generated for"},
      {"block_dim_cpu", "int64", "the block dim of a CPU launch (part of the generated code)"},
      {"block_dim_cuda", "int64", "the block dim of a CUDA launch"},
      {"cpu_preamble", "string", "the name of the CPU preamble (preambles/<name>.h) the CPU unit includes"},
      {"cuda_preamble", "string", "the name of the CUDA preamble"},
      {"lines_python", "int64", "lines of python"},
      {"near_cluster", "string", "the smallest id of the record's near-duplicate cluster (itself when alone)"},
      {"near_cluster_size", "int64", "records in that cluster, before near-dedup kept one"},
      {"meta", "string", "the rest of the record's metadata, as JSON (docs/dataset.md)"},
  };
  return columns;
}

nlohmann::ordered_json dataset_row(const Record& record, const std::string& near_cluster,
                                   std::uint64_t near_cluster_size) {
  const RecordMeta& meta = record.meta;
  nlohmann::ordered_json row;
  row["id"] = record.id;
  row["origin"] = origin_name(record.origin);
  row["kernel"] = record.kernel;
  row["python"] = record.python;
  for (const auto& [device, code] : {std::pair<const char*, const DeviceCode*>{"cpu", &record.code.cpu},
                                     std::pair<const char*, const DeviceCode*>{"cuda", &record.code.cuda}}) {
    row[fmt::format("{}_forward", device)] = text_or_null(code->forward);
    row[fmt::format("{}_backward", device)] = text_or_null(code->backward);
    row[fmt::format("{}_module", device)] = code->module;
  }
  for (const char* level : {"codegen", "cpu_compile", "cuda_ptx", "cpu_run", "gpu_run", "grad_check", "self_contained"}) {
    const Verdict* verdict = record.verify.find(level);
    row[fmt::format("verify_{}", level)] = verdict ? nlohmann::json(verdict->text()) : nlohmann::json();
  }
  row["template"] = meta.generator ? nlohmann::json(meta.generator->template_name) : nlohmann::json();
  const protocol::Provenance* package = meta.package();
  row["source_file"] = meta.source ? nlohmann::json(meta.source->file) : nlohmann::json();
  row["source_package"] = package ? nlohmann::json(package->distribution) : nlohmann::json();
  row["source_license"] = package ? nlohmann::json(package->license) : nlohmann::json();
  row["warp_version"] = meta.warp_version;
  row["cuda_arch"] = meta.cuda_arch;
  row["block_dim_cpu"] = meta.block_dim.cpu;
  row["block_dim_cuda"] = meta.block_dim.cuda;
  row["cpu_preamble"] = meta.preamble.cpu;
  row["cuda_preamble"] = meta.preamble.cuda;
  row["lines_python"] = meta.lines.python;
  row["near_cluster"] = near_cluster;
  row["near_cluster_size"] = near_cluster_size;
  row["meta"] = meta_column_json(meta).dump();  // keys sorted: the same text for the same meta
  return row;
}

std::string dataset_card(const CardFacts& facts) {
  std::string out = "---\n";
  out += "pretty_name: warpsynth — NVIDIA Warp kernels with their generated C++ and CUDA\n";
  out += "license: other\n";
  out += "license_name: per-origin\n";
  out += "license_details: see \"Licenses\" below (generated kernels, and each extracted package's own license)\n";
  out += "tags:\n- code\n- warp\n- cuda\n- cpp\n- compilers\n";
  out += "task_categories:\n- text-generation\n";
  out += "configs:\n- config_name: default\n  data_files:\n";
  const std::string extension = dataset_format_name(facts.format);
  for (const auto& split : facts.split_order) {
    if (!facts.split_rows.count(split)) continue;
    out += fmt::format("  - split: {}\n    path: data/{}-*.{}\n", split, split, extension);
  }
  out += "dataset_info:\n  features:\n";
  for (const auto& column : dataset_columns()) out += fmt::format("  - name: {}\n    dtype: {}\n", column.name, column.dtype);
  out += "  splits:\n";
  for (const auto& split : facts.split_order) {
    auto it = facts.split_rows.find(split);
    if (it == facts.split_rows.end()) continue;
    out += fmt::format("  - name: {}\n    num_examples: {}\n", split, it->second);
  }
  out += "---\n\n";

  out += "# warpsynth: NVIDIA Warp kernels with their generated C++ and CUDA\n\n";
  out += "Each row is one NVIDIA Warp kernel (`@wp.kernel`): its Python, and the C++ (CPU) and CUDA C++ (GPU)\n"
         "forward and backward (adjoint) code that Warp generates for it, with how far each was verified.\n"
         "Made by warpsynth (`warpsynth dataset`) from generated kernels and from real Warp code.\n\n";
  out += "## Splits\n\n| split | rows | files |\n|---|---:|---:|\n";
  for (const auto& split : facts.split_order) {
    auto it = facts.split_rows.find(split);
    if (it == facts.split_rows.end()) continue;
    out += fmt::format("| {} | {} | {} |\n", split, it->second, facts.split_files.at(split));
  }
  out += "\nSplits do not leak: a near-duplicate cluster goes whole to one split, and so do the kernels of one\n"
         "source file; the split of a group is a hash of its smallest id, so the same inputs give the same\n"
         "splits and added data moves only the groups it joins.\n\n";
  out += "## How it was made\n\n```\n" + facts.command + "\n```\n\nFrom:\n\n";
  for (const auto& line : facts.how_made) out += "- " + line + "\n";
  out += "\nVersions: ";
  for (std::size_t i = 0; i < facts.versions.size(); ++i) out += (i ? ", " : "") + facts.versions[i];
  out += ".\n\n## Records at each step\n\n| step | records |\n|---|---:|\n";
  for (const auto& [step, count] : facts.removed) out += fmt::format("| {} | {} |\n", step, count);
  out += "\n## Figures\n\n| measure | value |\n|---|---|\n";
  for (const auto& [name, value] : facts.figures) out += fmt::format("| {} | {} |\n", name, value);
  out += "\n## Columns\n\n| column | type | what it holds |\n|---|---|---|\n";
  for (const auto& column : dataset_columns()) {
    out += fmt::format("| `{}` | {} | {} |\n", column.name, column.dtype, column.description);
  }
  out += "\n## Licenses\n\n| origin | license |\n|---|---|\n";
  for (const auto& [origin, license] : facts.licenses) out += fmt::format("| {} | {} |\n", origin, license);
  out += "\n## Loading it\n\n```python\nfrom datasets import load_dataset\n\n";
  if (facts.format == DatasetFormat::kParquet) {
    out += "data = load_dataset(\"parquet\", data_files={";
  } else {
    out += "data = load_dataset(\"json\", data_files={";
  }
  bool first = true;
  for (const auto& split : facts.split_order) {
    if (!facts.split_rows.count(split)) continue;
    out += fmt::format("{}\"{}\": \"data/{}-*.{}\"", first ? "" : ", ", split, split, extension);
    first = false;
  }
  out += "})\nprint(data[\"train\"][0][\"python\"])\n```\n\n";
  out += "The C++ of a row compiles with its preamble: `preambles/<cpu_preamble>.h` in this folder is the header\n"
         "its `cpu_module` includes (docs/dataset.md of warpsynth says how to rebuild a unit).\n\n";
  out += "## As instruction pairs for fine-tuning\n\n```python\ndef to_pair(row):\n"
         "    return {\n"
         "        \"instruction\": \"Write the CUDA C++ forward kernel that NVIDIA Warp generates for this kernel.\\n\\n\"\n"
         "        + row[\"python\"],\n"
         "        \"response\": row[\"cuda_forward\"],\n"
         "    }\n\n"
         "pairs = data[\"train\"].filter(lambda r: r[\"verify_codegen\"] == \"ok\").map(to_pair)\n```\n";
  return out;
}

}  // namespace warpsynth
