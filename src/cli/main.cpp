// warpsynth: datasets of NVIDIA Warp kernels paired with the C++/CUDA code Warp generates.
#include <filesystem>
#include <iostream>
#include <vector>

#include "cli/commands.h"

namespace warpsynth::cli {

std::string check_out_dir(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_directory(path, ec)) {
    return "--out " + path + " exists and is not a folder";
  }
  return "";
}

}  // namespace warpsynth::cli

int main(int argc, char** argv) {
  using namespace warpsynth::cli;
  CLI::App app{"warpsynth: NVIDIA Warp kernels paired with the C++/CUDA code Warp generates for them"};
  app.set_version_flag("--version", std::string("warpsynth ") + WARPSYNTH_VERSION);
  app.require_subcommand(1);
  std::vector<std::pair<CLI::App*, Runner>> commands;
  for (auto add : {add_generate_command, add_extract_command, add_verify_command, add_catalog_command, add_stats_command}) {
    size_t before = app.get_subcommands({}).size();
    Runner run = add(app);
    commands.emplace_back(app.get_subcommands({})[before], std::move(run));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  for (auto& [sub, run] : commands) {
    if (*sub) return run();
  }
  return kExitUsage;
}
