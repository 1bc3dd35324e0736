#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "stats/dataset_stats.h"
#include "util/atomic_file.h"

namespace warpsynth::cli {

Runner add_stats_command(CLI::App& app) {
  struct State {
    std::string dir;
    std::string report;
    bool json = false;
  };
  auto state = std::make_shared<State>();
  CLI::App* cmd = app.add_subcommand("stats", "Figures of a dataset: templates, constructs, builtins, types");
  cmd->add_option("DIR", state->dir, "A folder holding kernels.jsonl (made by generate or extract)")->required();
  cmd->add_option("--report", state->report, "Also write the figures to REPORT/stats.json");
  cmd->add_flag("--json", state->json, "Print the figures as JSON instead of a table");
  return [state]() {
    try {
      DatasetStats stats = DatasetStats::of_folder(state->dir);
      if (state->json) std::cout << stats.to_json().dump(2) << "\n";
      else stats.print(std::cout);
      if (!state->report.empty()) {
        std::filesystem::create_directories(state->report);
        AtomicFile file((std::filesystem::path(state->report) / "stats.json").string());
        file.stream() << stats.to_json().dump(2) << "\n";
        file.commit();
      }
      return kExitOk;
    } catch (const std::exception& e) {
      std::cerr << "warpsynth stats: " << e.what() << "\n";
      return kExitFailure;
    }
  };
}

}  // namespace warpsynth::cli
