#include <filesystem>
#include <iostream>
#include <fstream>
#include <memory>
#include <optional>

#include "cli/commands.h"
#include "driver/python_module.h"
#include "stats/dataset_stats.h"
#include "util/atomic_file.h"

namespace warpsynth::cli {
namespace {

// A dataset folder, or a JSON file holding a "quality" object as `stats --json` writes it.
QualityStats load_reference(const std::string& path) {
  if (std::filesystem::is_directory(path)) return DatasetStats::of_folder(path).quality;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("--against " + path + ": no such folder or file");
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("quality"))
    throw std::runtime_error("--against " + path + ": not a dataset folder nor a JSON file with a \"quality\" object");
  try {
    return QualityStats::from_json(j["quality"]);
  } catch (const std::exception& e) {
    throw std::runtime_error("--against " + path + ": " + e.what());
  }
}

}  // namespace

Runner add_stats_command(CLI::App& app) {
  struct State {
    std::string dir;
    std::string report;
    std::string against;
    bool json = false;
  };
  auto state = std::make_shared<State>();
  CLI::App* cmd = app.add_subcommand("stats", "Figures of a dataset: templates, constructs, builtins, types");
  cmd->add_option("DIR", state->dir, "A folder holding kernels.jsonl (made by generate or extract)")->required();
  cmd->add_option("--report", state->report,
                  "Also write a report into the folder REPORT: report.md with PNG plots (templates, builtins against "
                  "--against, line counts, verification outcomes, quality measures) and the figures as stats.json");
  cmd->add_option("--against", state->against,
                  "Compare the quality measures with a reference: a dataset folder, or a JSON file written by "
                  "`stats --json` (its \"quality\" object) such as tests/data/realism-reference-*.json");
  cmd->add_flag("--json", state->json, "Print the figures as JSON instead of a table");
  return [state]() {
    try {
      DatasetStats stats = DatasetStats::of_folder(state->dir);
      std::optional<QualityStats> reference;
      if (!state->against.empty()) reference = load_reference(state->against);
      nlohmann::ordered_json figures = stats.to_json();
      if (reference) {
        figures["against"] = {{"reference", state->against},
                              {"measures", reference->measures()},
                              {"jensen_shannon_calls", jensen_shannon(stats.quality.calls, reference->calls)},
                              {"calls", reference->calls}};
      }
      if (state->json) {
        std::cout << figures.dump(2) << "\n";
      } else {
        stats.print(std::cout);
        if (reference) stats.quality.print_against(std::cout, *reference);
      }
      if (!state->report.empty()) {
        namespace fs = std::filesystem;
        fs::create_directories(state->report);
        AtomicFile file((fs::path(state->report) / "stats.json").string());
        file.stream() << figures.dump(2) << "\n";
        file.commit();
        AtomicFile lines((fs::path(state->report) / "lines.json").string());
        lines.stream() << nlohmann::json(stats.lines).dump() << "\n";
        lines.commit();
        std::vector<std::string> args = {state->report, "--dataset", state->dir};
        if (reference) args.insert(args.end(), {"--against", state->against});
        run_python_module("warpsynth_dataset.report", args);
        std::cerr << "report: " << (fs::path(state->report) / "report.md").string() << "\n";
      }
      return kExitOk;
    } catch (const std::exception& e) {
      std::cerr << "warpsynth stats: " << e.what() << "\n";
      return kExitFailure;
    }
  };
}

}  // namespace warpsynth::cli
