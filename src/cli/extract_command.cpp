#include <algorithm>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/commands.h"
#include "cli/option_checks.h"
#include "extract/extract_run.h"

namespace warpsynth::cli {
namespace {

const char* kHelp = R"(Extract every Warp kernel from existing Python code.

Each PATH is a .py file or a folder (searched recursively for .py files); --package NAME
is the folder of an installed package. Every file is imported in a Warp worker process:
a file inside a package (its folder has an __init__.py) as that package's module, so
relative imports work; any other file as a fresh module of its own (`if __name__ ==
"__main__"` blocks do not run). Every kernel a file defines is code-generated for CPU and
CUDA, forward and backward: module-level @wp.kernel functions, kernels made by factories at
import time, and the declared overloads of generic kernels. Imports of packages that are
not installed (USD, torch, jax, ...) are satisfied with inert stand-ins, recorded per record.
--jobs workers take files in turn; the output is the same for any number of them.

Each record's Python holds everything its kernel uses, from any module (helper functions,
structs, constants), and is checked: loaded alone in a fresh module that may import only
warp, numpy and math, it must give the same code (verify.self_contained). A file that an
installed distribution ships is recorded with that distribution's name, version and
license (meta.source.package).

Writes, each complete or not at all:
  DIR/kernels.jsonl   one record per kernel (see docs/ir-format.md), exact duplicates dropped
  DIR/summary.json    counts and every failure with its file, kernel and reason
  DIR/warpsynth.log   the worker's own output (Warp messages, prints of imported code)

A file that cannot be read, has a syntax error, raises or hangs on import (see --timeout),
or a kernel that fails codegen is reported by name and skipped; the rest is processed.
Some kernels exist only once the code runs: warp.fem makes a kernel of each integrand when
fem.integrate() is called. --call NAME runs the file's function NAME() after the import and
extracts those too (they live in Warp modules named after the file's, with a suffix).

Exit code: 0 when nothing failed, 1 when anything failed, 2 on a usage error.)";

}  // namespace

Runner add_extract_command(CLI::App& app) {
  struct State {
    ExtractOptions options;
    double timeout_s = 120.0;
    double memory_limit_gib = 8.0;
    bool quiet = false;
  };
  auto state = std::make_shared<State>();
  CLI::App* cmd = app.add_subcommand("extract", "Extract every kernel from .py files or folders");
  cmd->footer(kHelp);
  cmd->add_option("PATH", state->options.inputs, ".py files or folders to extract from");
  cmd->add_option("--package", state->options.packages,
                  "An installed Python package to extract, by its import name (repeatable); its files are imported "
                  "as the package's modules");
  cmd->add_option("--jobs,-j", state->options.jobs, "Worker processes, each taking files in turn (default: the number of cores)")
      ->default_val(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())))
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--out", state->options.out_dir, "Output folder (created if missing)")->required();
  cmd->add_option("--timeout", state->timeout_s, "Seconds one file may take to import and codegen")
      ->default_val(120.0)
      ->check(cli::finite_positive());
  cmd->add_option("--memory-limit", state->memory_limit_gib,
                  "GiB of memory each worker may hold (RLIMIT_DATA: its heap and private mappings); 0: no limit. The "
                  "code of the files runs in the workers (docs/security.md)")
      ->default_val(8.0)
      ->check(cli::finite_non_negative());
  cmd->add_option("--cpu-limit", state->options.cpu_limit_s,
                  "Seconds of CPU time one file may take in its worker (RLIMIT_CPU, all its threads); 0: no limit")
      ->default_val(600.0)
      ->check(cli::finite_non_negative());
  cmd->add_flag("--quiet,-q", state->quiet, "No line per file on stderr (the summary is still printed)");
  cmd->add_option("--call", state->options.call,
                  "After importing a file, call its function NAME() (on the CPU) and also extract the kernels Warp "
                  "generates from the file's code meanwhile (warp.fem integrands)");
  return [state]() {
    if (state->options.inputs.empty() && state->options.packages.empty()) {
      std::cerr << "warpsynth extract: give at least one PATH or --package NAME\n";
      return kExitUsage;
    }
    if (auto problem = check_out_dir(state->options.out_dir, "extract"); !problem.empty()) {
      std::cerr << "warpsynth extract: " << problem << "\n";
      return kExitUsage;
    }
    state->options.file_timeout = std::chrono::milliseconds(static_cast<long long>(state->timeout_s * 1000));
    state->options.progress = !state->quiet;
    state->options.memory_limit_bytes = static_cast<std::uint64_t>(std::min(state->memory_limit_gib, 1e9) * double(1 << 30));
    try {
      ExtractSummary summary = run_extract(state->options, std::cerr);
      summary.print(std::cout);
      std::cout << "output: " << state->options.out_dir << "/" << kRecordsFileName << "\n";
      return summary.failures.empty() ? kExitOk : kExitFailure;
    } catch (const std::exception& e) {
      std::cerr << "warpsynth extract: " << e.what() << "\n";
      return kExitFailure;
    }
  };
}

}  // namespace warpsynth::cli
