// warpsynth: datasets of NVIDIA Warp kernels paired with the C++/CUDA code Warp generates.
// Exit codes: 0 success, 1 failure (something could not be processed), 2 usage error.
#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>

#include "driver/worker.h"
#include "extract/extract_run.h"

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

const char* kExtractHelp = R"(Extract every Warp kernel from existing Python code.

Each PATH is a .py file or a folder (searched recursively for .py files). Every file is
imported in a Warp worker process (one fresh module per file; `if __name__ == "__main__"`
blocks do not run), and every kernel it defines is code-generated for CPU and CUDA,
forward and backward: module-level @wp.kernel functions, kernels made by factories at
import time, and the declared overloads of generic kernels. Imports of packages that are
not installed (USD, torch, jax, ...) are satisfied with inert stand-ins, recorded per record.

Writes, each complete or not at all:
  DIR/kernels.jsonl   one record per kernel (see docs/ir-format.md), exact duplicates dropped
  DIR/summary.json    counts and every failure with its file, kernel and reason
  DIR/warpsynth.log   the worker's own output (Warp messages, prints of imported code)

A file that cannot be read, has a syntax error, raises or hangs on import (see --timeout),
or a kernel that fails codegen is reported by name and skipped; the rest is processed.
Exit code: 0 when nothing failed, 1 when anything failed, 2 on a usage error.)";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"warpsynth: NVIDIA Warp kernels paired with the C++/CUDA code Warp generates for them"};
  app.set_version_flag("--version", std::string("warpsynth ") + WARPSYNTH_VERSION);
  app.require_subcommand(1);

  warpsynth::ExtractOptions extract;
  double timeout_s = 120.0;
  bool quiet = false;
  CLI::App* extract_cmd = app.add_subcommand("extract", "Extract every kernel from .py files or folders");
  extract_cmd->footer(kExtractHelp);
  extract_cmd->add_option("PATH", extract.inputs, ".py files or folders to extract from")->required();
  extract_cmd->add_option("--out", extract.out_dir, "Output folder (created if missing)")->required();
  extract_cmd->add_option("--timeout", timeout_s, "Seconds one file may take to import and codegen")
      ->default_val(120.0)
      ->check(CLI::PositiveNumber);
  extract_cmd->add_flag("--quiet,-q", quiet, "No line per file on stderr (the summary is still printed)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }

  if (*extract_cmd) {
    std::error_code ec;
    if (std::filesystem::exists(extract.out_dir, ec) && !std::filesystem::is_directory(extract.out_dir, ec)) {
      std::cerr << "warpsynth extract: --out " << extract.out_dir << " exists and is not a folder\n";
      return kExitUsage;
    }
    extract.file_timeout = std::chrono::milliseconds(static_cast<long long>(timeout_s * 1000));
    extract.progress = !quiet;
    try {
      warpsynth::ExtractSummary summary = warpsynth::run_extract(extract, std::cerr);
      summary.print(std::cout);
      std::cout << "output: " << extract.out_dir << "/" << warpsynth::kRecordsFileName << "\n";
      return summary.failures.empty() ? 0 : kExitFailure;
    } catch (const std::exception& e) {
      std::cerr << "warpsynth extract: " << e.what() << "\n";
      return kExitFailure;
    }
  }
  return kExitUsage;
}
