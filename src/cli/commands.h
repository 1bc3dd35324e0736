// Each subcommand registers its options on the CLI11 app and returns the function that runs it.
// Exit codes: 0 success, 1 failure, 2 usage error.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace warpsynth::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

using Runner = std::function<int()>;

Runner add_extract_command(CLI::App& app);
Runner add_generate_command(CLI::App& app);
Runner add_catalog_command(CLI::App& app);
Runner add_stats_command(CLI::App& app);
Runner add_verify_command(CLI::App& app);
Runner add_dataset_command(CLI::App& app);

// A usage error for an --out folder that exists as something else, or holds the output of another
// command (`generate`, `extract`, `verify`: one folder, one command's run, so that no run
// overwrites another's summary and `stats` never counts two); empty when fine.
std::string check_out_dir(const std::string& path, const std::string& command);

}  // namespace warpsynth::cli
