#include "extract/extract_summary.h"

#include <fmt/format.h>

namespace warpsynth {

std::map<std::string, int> ExtractSummary::failures_by_stage() const {
  std::map<std::string, int> counts;
  for (const auto& f : failures) ++counts[f.stage];
  return counts;
}

nlohmann::ordered_json ExtractSummary::to_json() const {
  nlohmann::ordered_json failure_list = nlohmann::ordered_json::array();
  for (const auto& f : failures) {
    failure_list.push_back({{"file", f.file}, {"kernel", f.kernel}, {"stage", f.stage}, {"message", f.message}});
  }
  nlohmann::ordered_json inputs = nlohmann::ordered_json::array();
  for (const auto& c : by_input) {
    inputs.push_back({{"input", c.input},
                      {"files", c.files},
                      {"declared_module_level_kernels", c.declared},
                      {"declared_module_level_extracted", c.declared_extracted}});
  }
  return {
      {"files", files},
      {"files_with_kernels", files_with_kernels},
      {"files_without_kernels", files_without_kernels},
      {"declared_module_level_kernels", declared},
      {"declared_module_level_extracted", declared_extracted},
      {"kernels_extracted", kernels_extracted},
      {"duplicates_dropped", duplicates},
      {"records", records},
      {"by_input", inputs},
      {"failures_by_stage", failures_by_stage()},
      {"failures", failure_list},
  };
}

void ExtractSummary::print(std::ostream& out) const {
  out << fmt::format("files: {} read, {} with kernels, {} without\n", files, files_with_kernels,
                     files_without_kernels);
  out << fmt::format("module-level @wp.kernel: {} of {} extracted ({:.1f}%); a kernel of a file that failed counts "
                     "as missed\n",
                     declared_extracted, declared, 100.0 * declared_fraction());
  if (by_input.size() > 1) {
    for (const auto& c : by_input) {
      out << fmt::format("  {}: {} of {} ({:.1f}%) in {} files\n", c.input, c.declared_extracted, c.declared,
                         100.0 * c.fraction(), c.files);
    }
  }
  out << fmt::format("kernels extracted: {} (factory-made and overloads included); {} duplicates dropped; "
                     "{} records written\n",
                     kernels_extracted, duplicates, records);
  if (failures.empty()) {
    out << "failures: none\n";
    return;
  }
  out << fmt::format("failures: {}\n", failures.size());
  for (const auto& [stage, count] : failures_by_stage()) out << fmt::format("  {:<10} {}\n", stage, count);
  for (const auto& f : failures) {
    std::string where = f.kernel.empty() ? f.file : f.file + " (" + f.kernel + ")";
    std::string first_line = f.message.substr(0, f.message.find('\n'));
    out << fmt::format("  {}: {}: {}\n", where, f.stage, first_line);
  }
}

}  // namespace warpsynth
