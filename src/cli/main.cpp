// warpsynth: datasets of NVIDIA Warp kernels paired with the C++/CUDA code Warp generates.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <vector>

#include "cli/commands.h"

#include <nlohmann/json.hpp>

namespace warpsynth::cli {

namespace {

// The command whose output a folder holds: its manifest says (generate, verify), else a summary
// without a manifest is extract's; "" for a folder that holds neither.
std::string owner_of(const std::filesystem::path& dir) {
  for (const char* name : {"manifest.json", "summary.json"}) {
    std::ifstream in(dir / name);
    if (!in) continue;
    nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_object() && j.contains("command") && j["command"].is_string()) return j["command"].get<std::string>();
    if (std::string(name) == "summary.json") return "extract";  // extract's summary names no command
  }
  return "";
}

}  // namespace

std::string check_out_dir(const std::string& path, const std::string& command) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_directory(path, ec)) {
    return "--out " + path + " exists and is not a folder";
  }
  if (std::string owner = owner_of(path); !owner.empty() && owner != command) {
    return "--out " + path + " holds the output of `warpsynth " + owner + "`; `warpsynth " + command +
           "` writes into a folder of its own";
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
  for (auto add : {add_generate_command, add_extract_command, add_verify_command, add_catalog_command, add_stats_command,
                    add_dataset_command}) {
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
